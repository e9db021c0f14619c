// One writer per embedded store. PGlite is PostgreSQL compiled to WebAssembly: each process that opens a data folder
// runs its own postmaster on the same files, with no shared memory between them, so a second process silently loses
// the first one's writes (or corrupts the folder). Before opening PGlite a process takes this lock, a small JSON file
// beside the folder that says who holds it; a second process is refused at once with a French message.
//
// The file is created atomically (a complete temporary file hard-linked in place: link fails if the name exists, and a
// reader never sees a half-written lock). A lock whose process is gone (kill -9, crash, reboot) is stale: the next
// process takes it over. Pids are reused, so on Linux the lock also records the holder's start time from
// /proc/<pid>/stat and a live pid with another start time is a different process. Two processes that find the same
// stale lock take it over one at a time, under a small mkdir mutex, and remove it only if it is still the stale one.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { constants, hostname } from 'node:os';
import { AppError } from './errors.ts';

export type HolderKind = 'serve' | 'cli' | 'process';

/** What the lock file says about the process that holds the store. */
export interface LockHolder {
  pid: number;
  /** Start time of the process in clock ticks since boot (field 22 of /proc/<pid>/stat), Linux only. */
  startTime?: string;
  hostname: string;
  kind: HolderKind;
  /** The command line as the person typed it, e.g. `habitat import dvf dvf.csv`. */
  command: string;
  /** ISO date the lock was taken. */
  since: string;
  /** A server's HTTP address, once it listens. */
  url?: string;
  /** A server's control socket (Unix domain socket) through which the CLI runs its commands, once it listens. */
  socket?: string;
}

export interface StoreLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Adds what a server learns after start (its URL, its control socket) to the lock file. */
  update(extra: Pick<LockHolder, 'url' | 'socket'>): void;
  release(): void;
}

/** The lock of the PGlite folder `storeDir`: a file beside it, so copying or removing the folder leaves it alone. */
export const lockPathOf = (storeDir: string) => `${storeDir}.lock`;

let role: { kind: HolderKind; command: string } | undefined;

/** Says what this process is, for the lock file and the message a second process shows (`habitat serve`, a CLI command). */
export function describeThisProcess(kind: HolderKind, command: string): void {
  role = { kind, command };
}

export class StoreLockedError extends AppError {
  constructor(
    readonly storeDir: string,
    readonly holder: LockHolder,
  ) {
    super('store.locked', lockedMessage(storeDir, holder, role?.kind ?? 'process'), 409);
  }
}

/** Start time of a process (clock ticks since boot), or undefined where /proc is not available or the pid is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command name) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 of the man page; fields[0] is field 3
  } catch {
    return undefined;
  }
}

/** Whether the process a lock names still runs. A lock written on another host cannot be checked: it counts as held. */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (holder.startTime) {
    const now = processStartTime(holder.pid);
    if (now !== undefined && now !== holder.startTime) return false; // the pid was reused by another process
  }
  return true;
}

export function readLockHolder(path: string): LockHolder | undefined {
  const text = readText(path);
  return text === undefined ? undefined : parseHolder(text);
}

/**
 * Takes the lock of the PGlite folder `storeDir`, or throws StoreLockedError naming the live process that holds it.
 * The lock is released by `release()` and, whatever happens, when the process exits.
 */
export function acquireStoreLock(storeDir: string): StoreLock {
  const path = lockPathOf(storeDir);
  const me = role ?? { kind: 'process' as const, command: process.argv.slice(1).join(' ') };
  let holder: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    hostname: hostname(),
    kind: me.kind,
    command: me.command,
    since: new Date().toISOString(),
  };
  let text = serialise(holder);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createExclusive(path, text)) return handle();
    const seen = readText(path);
    if (seen === undefined) continue; // released between our try and our read: try again
    const other = parseHolder(seen);
    if (!other && Date.now() - mtimeMs(path) < 2_000) {
      sleep(50); // another process's lock, still being written (only when hard links are not available)
      continue;
    }
    if (other && holderAlive(other)) throw new StoreLockedError(storeDir, other);
    takeOver(path, seen);
  }
  throw new AppError('store.lock_contended', `Le verrou ${path} est disputé par d’autres processus : réessayez dans un instant.`, 409);

  function handle(): StoreLock {
    let released = false;
    const onExit = () => lock.release();
    // A signal's default action kills the process without running 'exit' listeners: exit properly instead, unless
    // someone else (the server's graceful stop) handles the signal and will exit once the store is closed.
    const onSignal = (signal: NodeJS.Signals) => {
      if (process.listenerCount(signal) > 1) return;
      process.exit(128 + (constants.signals[signal] ?? 0));
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    process.on('exit', onExit);
    for (const s of signals) process.on(s, onSignal);
    const lock: StoreLock = {
      path,
      get holder() {
        return holder;
      },
      update(extra) {
        if (released || readText(path) !== text) return;
        holder = { ...holder, ...extra };
        text = serialise(holder);
        const tmp = tempName(path);
        writeFileSync(tmp, text, { mode: 0o600 });
        renameSync(tmp, path); // atomic replace: readers see the old or the new content, never a part
      },
      release() {
        if (released) return;
        released = true;
        process.off('exit', onExit);
        for (const s of signals) process.off(s, onSignal);
        // Only our own lock: after a takeover by mistake (a clock jump, a shared folder) never remove another's.
        if (readText(path) === text) unlinkQuietly(path);
      },
    };
    return lock;
  }
}

/** The French message a second process shows: who holds the store, since when, and what to do. */
export function lockedMessage(storeDir: string, holder: LockHolder, asking: HolderKind): string {
  const since = formatDate(holder.since);
  const where = holder.hostname !== hostname() ? ` sur la machine ${holder.hostname}` : '';
  const who =
    holder.kind === 'serve'
      ? `le serveur « ${holder.command} » (pid ${holder.pid}${where}), démarré le ${since}${holder.url ? `, qui répond sur ${holder.url}` : ''}`
      : holder.kind === 'cli'
        ? `la commande « ${holder.command} » (pid ${holder.pid}${where}), lancée le ${since}`
        : `le processus ${holder.pid}${where} (« ${holder.command} »), depuis le ${since}`;
  const lines = [
    `Le stockage embarqué ${storeDir} est déjà ouvert par ${who}.`,
    'PGlite n’accepte qu’un processus à la fois sur un dossier : un second perdrait des écritures.',
  ];
  const stop = `Ctrl+C dans son terminal, ou « kill ${holder.pid} »`;
  if (holder.kind === 'serve' && asking === 'serve')
    lines.push(
      `Que faire : utilisez ce serveur, ou arrêtez-le (${stop}) avant d’en démarrer un autre. Pour un second serveur, donnez-lui un autre dossier (HABITAT_DATA_DIR) ou un serveur PostgreSQL (DATABASE_URL).`,
    );
  else if (holder.kind === 'serve')
    lines.push(
      `Que faire : les commandes « habitat … » passent par ce serveur quand il est prêt ; il ne répond pas encore (ou plus) sur sa prise de commande${holder.socket ? ` ${holder.socket}` : ''}. Réessayez dans un instant, ou arrêtez-le (${stop}).`,
    );
  else if (holder.kind === 'cli')
    lines.push(`Que faire : attendez la fin de cette commande puis relancez la vôtre, ou interrompez-la (${stop}).`);
  else lines.push(`Que faire : attendez que ce processus se termine, ou arrêtez-le (« kill ${holder.pid} »).`);
  if (where) lines.push(`Ce verrou vient d’une autre machine et ne peut être vérifié d’ici ; s’il est périmé, supprimez ${lockPathOf(storeDir)}.`);
  return lines.join('\n');
}

function createExclusive(path: string, text: string): boolean {
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new AppError('store.lock_denied', `Impossible d’écrire le verrou ${path} (${code}) : lancez la commande sous l’utilisateur propriétaire du dossier de données, celui du serveur.`, 403);
    throw err;
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') throw err;
    // File systems without hard links: an exclusive create, written just after (readers wait for its content).
    try {
      writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    unlinkQuietly(tmp);
  }
}

/** Removes a stale lock, unless another process took it over meanwhile (the content changed). */
function takeOver(path: string, stale: string): void {
  const mutex = `${path}.reprise`;
  try {
    mkdirSync(mutex);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A takeover lasts microseconds: a mutex older than that was left by a process killed in between.
    if (Date.now() - mtimeMs(mutex) > 10_000) rmdirQuietly(mutex);
    else sleep(20);
    return; // the caller tries again
  }
  try {
    if (readText(path) === stale) unlinkQuietly(path);
  } finally {
    rmdirQuietly(mutex);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text);
    return h && typeof h.pid === 'number' && typeof h.hostname === 'string' ? (h as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

const serialise = (h: LockHolder) => `${JSON.stringify(h, null, 2)}\n`;
const tempName = (path: string) => `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(path: string) {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function rmdirQuietly(path: string) {
  try {
    rmdirSync(path);
  } catch {
    // already gone
  }
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('fr-FR', { dateStyle: 'long', timeStyle: 'medium' });
}
