// Reads a secret from the terminal without echoing it.
import { createInterface } from 'node:readline';
import { noTerminal } from '../platform/cli-io.ts';

export function readSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) return Promise.reject(noTerminal());
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    // readline's internal writer, replaced so that the typed characters are not echoed (no public API for it).
    const silent = rl as unknown as { _writeToOutput?: (s: string) => void };
    const write = silent._writeToOutput?.bind(rl);
    silent._writeToOutput = (s: string) => (s.includes(question) ? write?.(s) : undefined);
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}
