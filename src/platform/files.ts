// Small file helpers shared by the modules' importers.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The sha256 of a file's bytes: importers use it to recognise a file they already took. Through OpenSSL's own command
 * when the machine has one, in Node otherwise (the same digest). Why: Node's bundled OpenSSL digests at about 280 MB/s
 * on these machines, the system's `openssl` at about 1.5 GB/s (the processor's SHA extensions): 1.2 s against 0.4 s for
 * a 344 MiB DVF file (docs/benchmarks.md), 12 s against 4 s for a national edition.
 */
export async function sha256File(path: string, openssl = 'openssl'): Promise<string> {
  return (await opensslSha256(path, openssl)) ?? nodeSha256(path);
}

async function nodeSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `openssl dgst -sha256 -r`, or undefined when the command is missing or fails (Node then digests the file). */
function opensslSha256(path: string, command: string): Promise<string | undefined> {
  return new Promise((done) => {
    // An absolute path: a file name that starts with '-' is never read as an option.
    execFile(command, ['dgst', '-sha256', '-r', resolve(path)], { encoding: 'utf8' }, (err, stdout) => {
      done(err ? undefined : /^([0-9a-f]{64}) /.exec(stdout)?.[1]);
    });
  });
}
