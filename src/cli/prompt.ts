// Reads a secret from the terminal without echoing it.
import { createInterface } from 'node:readline';
import { noTerminal } from '../platform/cli-io.ts';

export function readSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) return Promise.reject(noTerminal());
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const write = (rl as any)._writeToOutput?.bind(rl);
    (rl as any)._writeToOutput = (s: string) => (s.includes(question) ? write?.(s) : undefined);
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}
