// The terminal a `habitat` command talks to. A command runs either in its own process (its terminal is this process's)
// or inside the running server that holds the embedded store, for a client in another terminal
// (src/platform/control-socket.ts): so commands never write to console or process.stdout, and never read
// the environment, process.cwd() or process.exitCode directly; they use this.
import { resolve } from 'node:path';
import { AppError } from './errors.ts';

/** A writable text stream; `isTTY` and `columns` describe the terminal behind it (progress bars need them). */
export type CliStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface CliIO {
  /** Results: what a script would pipe to a file (lists, CSV, keys). */
  stdout: CliStream;
  /** Progress bars, warnings, errors. */
  stderr: CliStream;
  /** Writes one line on stdout. */
  print(line: string): void;
  /** Whether stderr is a terminal (draw progress bars only then). */
  isTTY: boolean;
  /** Asks a secret (a password) on the terminal without echoing it; fails in French when there is no terminal. */
  readSecret(question: string): Promise<string>;
  /** The environment of the terminal the command was typed in (HABITAT_PASSWORD and the like). */
  env: Record<string, string | undefined>;
  /** The directory the command was typed in. */
  cwd: string;
  /** A path the person typed, resolved against their directory (not the server's). */
  path(p: string): string;
  /** Set by a command that fails without throwing (e.g. a refused file): the command's exit code. */
  exitCode: number | undefined;
  /**
   * True when the command runs inside the running server, on the server's context: what belongs to that context
   * (the live bus, the store) stays open after the command.
   */
  inServer: boolean;
}

export function makeCliIO(parts: {
  stdout: CliStream;
  stderr: CliStream;
  readSecret(question: string): Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
  inServer: boolean;
}): CliIO {
  return {
    ...parts,
    print: (line) => void parts.stdout.write(`${line}\n`),
    isTTY: parts.stderr.isTTY === true,
    path: (p) => resolve(parts.cwd, p),
    exitCode: undefined,
  };
}

/** What readSecret says when nobody can type the secret (a script, a cron job). */
export const noTerminal = () => new AppError('cli.no_terminal', 'Pas de terminal : donnez le mot de passe dans la variable HABITAT_PASSWORD.');
