// A CliIO that keeps what a command writes, for tests that run module commands in-process.
import { Writable } from 'node:stream';
import { makeCliIO, noTerminal, type CliIO } from '../../src/platform/cli-io.ts';

export function captureIO(opts: { cwd?: string; env?: Record<string, string> } = {}): CliIO & { out(): string; err(): string } {
  const chunks = { stdout: [] as string[], stderr: [] as string[] };
  const sink = (name: keyof typeof chunks) =>
    new Writable({
      write(chunk, _encoding, done) {
        chunks[name].push(String(chunk));
        done();
      },
    });
  const io = makeCliIO({
    stdout: sink('stdout'),
    stderr: sink('stderr'),
    readSecret: () => Promise.reject(noTerminal()),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    inServer: false,
  });
  return Object.assign(io, { out: () => chunks.stdout.join(''), err: () => chunks.stderr.join('') });
}
