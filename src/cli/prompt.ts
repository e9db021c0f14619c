// Reads a secret from the terminal without echoing it.
import { createInterface } from 'node:readline';

export function readSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('Pas de terminal : donnez le mot de passe dans la variable HABITAT_PASSWORD.');
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
