// The server's control socket. While `habitat serve` holds the embedded store (store-lock.ts), a `habitat` command
// typed in another terminal may not open the store itself: bin/habitat.js sends it here and the server runs it, the
// same commander program, on its own context, streaming the output back. A Unix domain socket in the data folder,
// mode 0600, so only the server's user (and root) can connect; its path is written in the lock file.
//
// Protocol: one JSON object per line (NDJSON), UTF-8.
//   client → server  {"type":"run","protocol":1,"argv":[…],"cwd":"/…","env":{"HABITAT_PASSWORD":"…"},
//                     "stdinIsTTY":true,"stdoutIsTTY":true,"stderrIsTTY":true,"columns":120}      first line, once
//                    {"type":"secret","id":1,"value":"…"}   or   {"type":"secret","id":1,"error":"…"}
//   server → client  {"type":"output","stream":"stdout"|"stderr","data":"…"}
//                    {"type":"secret","id":1,"question":"Mot de passe … : "}   (the client asks on its terminal)
//                    {"type":"exit","code":0}                                      last message, then the server ends
// The client (bin/forward.js) is plain JavaScript and loads nothing of the application.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { inspect } from 'node:util';
import { z } from 'zod';
import { makeCliIO, noTerminal, type CliIO, type CliStream } from './cli-io.ts';
import { TERMINAL_VARIABLES, terminalEnvironment } from './config.ts';
import { AppError } from './errors.ts';
import type { Logger } from './log.ts';

export const CONTROL_PROTOCOL = 1;
/** The variables of the client's environment a command may read (bin/forward.js sends these, when set). */
export const FORWARDED_ENV = TERMINAL_VARIABLES;
const MAX_LINE = 1024 * 1024;

export type RunCommand = (argv: string[], io: CliIO) => Promise<number>;

export interface ControlSocket {
  path: string;
  /** Stops accepting commands, waits for the running ones, and removes the socket. */
  close(): Promise<void>;
}

const runRequest = z.object({
  type: z.literal('run'),
  protocol: z.number(),
  argv: z.array(z.string()).max(10_000),
  cwd: z.string().refine(isAbsolute, 'chemin absolu attendu'),
  env: z.record(z.string(), z.string()).default({}),
  stdinIsTTY: z.boolean().default(false),
  stdoutIsTTY: z.boolean().default(false),
  stderrIsTTY: z.boolean().default(false),
  columns: z.number().int().positive().optional(),
});
/** The terminal's answer to a secret the command asked for (a password), or why it could not be typed. */
const secretAnswer = z.object({ type: z.literal('secret'), id: z.number(), value: z.string().optional(), error: z.string().optional() });

type RunRequest = z.infer<typeof runRequest>;

/** In the data folder; a socket path is limited to about 100 bytes, so a long folder gets a private one in tmpdir. */
export function controlSocketPath(dataDir: string): string {
  const inData = join(dataDir, 'habitat.sock');
  if (Buffer.byteLength(inData) <= 100) return inData;
  return join(tmpdir(), `habitat-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`, 'habitat.sock');
}

export async function listenControlSocket(dataDir: string, run: RunCommand, log: Logger): Promise<ControlSocket> {
  const path = controlSocketPath(dataDir);
  if (dirname(path) !== dataDir) privateDir(dirname(path));
  // Left by a killed server. We hold the store's lock, so no live server listens on it.
  rmSync(path, { force: true });
  const running = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, run, log, running);
  });
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', resolve);
  });
  // The socket file is created by listen() itself: create it with mode 0600 rather than narrow it afterwards.
  const umask = process.umask(0o177);
  try {
    server.listen(path);
  } finally {
    process.umask(umask);
  }
  await listening;
  chmodSync(path, 0o600);
  return {
    path,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(running);
      for (const s of sockets) s.destroy();
      await closed;
      rmSync(path, { force: true });
    },
  };
}

/** A folder only this user can enter, for the socket when the data folder's path is too long. */
function privateDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const s = statSync(dir);
  if (process.getuid && s.uid !== process.getuid())
    throw new AppError('control.foreign_dir', `Le dossier ${dir} appartient à un autre utilisateur : la prise de commande du serveur n’y sera pas créée.`);
  chmodSync(dir, 0o700);
}

function serve(socket: Socket, run: RunCommand, log: Logger, running: Set<Promise<void>>) {
  socket.setEncoding('utf8');
  socket.on('error', () => {}); // a client that went away: there is nobody left to tell
  const send = (msg: object) => {
    if (socket.writable) socket.write(`${JSON.stringify(msg)}\n`);
  };
  const secrets = new Map<number, { resolve(v: string): void; reject(e: Error): void }>();
  let nextSecret = 1;
  let started = false;
  let buffer = '';

  socket.on('close', () => {
    for (const s of secrets.values()) s.reject(new AppError('cli.disconnected', 'Le terminal s’est déconnecté avant de répondre.'));
    secrets.clear();
  });
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) receive(line);
    }
    if (buffer.length > MAX_LINE) refuse('message trop long');
  });

  function refuse(why: string) {
    send({ type: 'output', stream: 'stderr', data: `Erreur : demande refusée par le serveur (${why}).\n` });
    send({ type: 'exit', code: 1 });
    socket.end();
  }

  function receive(line: string) {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return refuse('message illisible');
    }
    if (!started) {
      const req = runRequest.safeParse(msg);
      if (!req.success) return refuse('premier message invalide');
      if (req.data.protocol !== CONTROL_PROTOCOL)
        return refuse(`protocole ${req.data.protocol}, ce serveur parle le ${CONTROL_PROTOCOL} : redémarrez le serveur après une mise à jour`);
      started = true;
      const p = execute(req.data).finally(() => running.delete(p));
      running.add(p);
    } else {
      const answer = secretAnswer.safeParse(msg);
      if (!answer.success || !secrets.has(answer.data.id)) return;
      const s = secrets.get(answer.data.id)!;
      secrets.delete(answer.data.id);
      if (typeof answer.data.value === 'string') s.resolve(answer.data.value);
      else s.reject(typeof answer.data.error === 'string' ? new AppError('cli.secret', answer.data.error) : noTerminal());
    }
  }

  async function execute(req: RunRequest) {
    const stream = (name: 'stdout' | 'stderr', isTTY: boolean): CliStream => {
      const decoder = new StringDecoder('utf8');
      const w = new Writable({
        decodeStrings: false,
        write(chunk: string | Buffer, _encoding, done) {
          const data = typeof chunk === 'string' ? chunk : decoder.write(chunk);
          if (data) send({ type: 'output', stream: name, data });
          done();
        },
      });
      return Object.assign(w, { isTTY, columns: req.columns });
    };
    const clientEnv = Object.fromEntries(FORWARDED_ENV.map((k) => [k, req.env[k]]));
    const io = makeCliIO({
      stdout: stream('stdout', req.stdoutIsTTY),
      stderr: stream('stderr', req.stderrIsTTY),
      readSecret: (question) => {
        if (!req.stdinIsTTY) return Promise.reject(noTerminal());
        const id = nextSecret++;
        return new Promise((resolve, reject) => {
          if (socket.destroyed) return reject(new AppError('cli.disconnected', 'Le terminal s’est déconnecté.'));
          secrets.set(id, { resolve, reject });
          send({ type: 'secret', id, question });
        });
      },
      // The server's environment, except that what the person set (or not) in their terminal wins.
      env: { ...terminalEnvironment(), ...clientEnv },
      cwd: req.cwd,
      inServer: true,
    });
    const t = Date.now();
    let code: number;
    try {
      code = await run(req.argv, io);
    } catch (err) {
      io.stderr.write(err instanceof AppError ? `Erreur : ${err.message}\n` : `${inspect(err)}\n`);
      code = 1;
    }
    log.info({ commande: ['habitat', ...req.argv].join(' '), code, ms: Date.now() - t }, 'commande exécutée pour un autre terminal');
    send({ type: 'exit', code });
    socket.end();
  }
}
