// The `habitat` command's light client. When `habitat serve` holds the embedded store (data/pglite.lock names it and
// its control socket), a command typed in another terminal must not open PGlite itself: it is sent to the server,
// which runs it on its own context and streams the output back (protocol: src/platform/control-socket.ts).
// Plain JavaScript with Node's own modules only, so forwarding loads nothing of the application (no tsx either).
// Anything else — no lock, a lock held by a CLI command, a dead holder, DATABASE_URL, `serve` itself — is left to the
// application (src/cli/main.ts), whose lock (src/platform/store-lock.ts) refuses or takes over with the full message.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const PROTOCOL = 1;
// Keep in step with FORWARDED_ENV in src/platform/control-socket.ts.
const FORWARDED_ENV = ['HABITAT_PASSWORD', 'HABITAT_SMTP_URL', 'HABITAT_TRACE_DVF'];
const STARTUP_WAIT_MS = 10 * 60 * 1000; // the first start of a server loads the territory and the demo data

/**
 * Runs the command in the server that holds the embedded store, if one does, and gives its exit code; gives undefined
 * when the command is to run in this process.
 */
export async function forwardToServer(args, env = process.env) {
  if (env.DATABASE_URL) return undefined; // a PostgreSQL server: every process opens it directly
  if (args.find((a) => !a.startsWith('-')) === 'serve') return undefined;
  const lockPath = join(resolve(env.HABITAT_DATA_DIR ?? 'data'), 'pglite.lock');
  let holder = readHolder(lockPath);
  if (!holder || holder.kind !== 'serve' || !alive(holder)) return undefined;
  if (!holder.socket) {
    holder = await waitForSocket(lockPath, holder);
    if (!holder) return undefined;
  }
  return run(holder, args, env);
}

function readHolder(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Same test as holderAlive in src/platform/store-lock.ts: the pid runs, and is still the process that took the lock. */
function alive(holder) {
  if (holder.hostname !== hostname()) return false; // not ours to reach: the application will explain
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if (err.code === 'ESRCH') return false;
  }
  if (holder.startTime) {
    try {
      const stat = readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] !== holder.startTime) return false;
    } catch {
      // no /proc: the pid test above is all we have
    }
  }
  return true;
}

/** A server that holds the store but does not listen yet (migrations, demo data): wait for it rather than fail. */
async function waitForSocket(lockPath, first) {
  process.stderr.write(`Le serveur (pid ${first.pid}) démarre : la commande attend qu’il soit prêt…\n`);
  const until = Date.now() + STARTUP_WAIT_MS;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    const h = readHolder(lockPath);
    if (!h || h.pid !== first.pid || h.since !== first.since || !alive(h)) return undefined;
    if (h.socket) return h;
  }
  return undefined;
}

function run(holder, args, env) {
  return new Promise((resolveCode) => {
    const socket = connect(holder.socket);
    let connected = false;
    let code;
    let buffer = '';
    const send = (msg) => socket.write(`${JSON.stringify(msg)}\n`);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      send({
        type: 'run',
        protocol: PROTOCOL,
        argv: args,
        cwd: process.cwd(),
        env: Object.fromEntries(FORWARDED_ENV.filter((k) => env[k] !== undefined).map((k) => [k, env[k]])),
        stdinIsTTY: process.stdin.isTTY === true,
        stdoutIsTTY: process.stdout.isTTY === true,
        stderrIsTTY: process.stderr.isTTY === true,
        columns: process.stderr.columns || process.stdout.columns || undefined,
      });
      // Ctrl+C leaves the server alone: the command goes on there (an import swaps its data in whole or not at all).
      process.once('SIGINT', () => {
        process.stderr.write(`\nInterrompu ici : la commande se poursuit dans le serveur (pid ${holder.pid}) jusqu’à sa fin ; voyez son journal.\n`);
        process.exit(130);
      });
    });
    socket.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line) receive(JSON.parse(line));
      }
    });
    socket.on('error', (err) => {
      // Not connected: the socket is gone (the server stops, or was killed). The application decides what to say.
      if (!connected) resolveCode(undefined);
      else process.stderr.write(`Erreur : liaison avec le serveur (pid ${holder.pid}) rompue : ${err.message}\n`);
    });
    socket.on('close', () => {
      if (!connected) return;
      if (code === undefined) process.stderr.write(`Erreur : le serveur (pid ${holder.pid}) a coupé la liaison avant la fin de la commande ; voyez son journal.\n`);
      resolveCode(code ?? 1);
    });

    function receive(msg) {
      if (msg.type === 'output') (msg.stream === 'stderr' ? process.stderr : process.stdout).write(msg.data);
      else if (msg.type === 'exit') code = msg.code;
      else if (msg.type === 'secret')
        readSecret(msg.question).then(
          (value) => send({ type: 'secret', id: msg.id, value }),
          (err) => send({ type: 'secret', id: msg.id, error: err.message }),
        );
    }
  });
}

/** Reads a secret on this terminal without echoing it (as src/cli/prompt.ts does for a command run here). */
function readSecret(question) {
  if (!process.stdin.isTTY) return Promise.reject(new Error('Pas de terminal : donnez le mot de passe dans la variable HABITAT_PASSWORD.'));
  return new Promise((resolveSecret, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const write = rl._writeToOutput?.bind(rl);
    rl._writeToOutput = (s) => (s.includes(question) ? write?.(s) : undefined);
    rl.on('SIGINT', () => {
      rl.close();
      process.stdout.write('\n');
      reject(new Error('Saisie interrompue.'));
    });
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolveSecret(answer);
    });
  });
}
