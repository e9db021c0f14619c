// The embedded store's lock with real processes: a live holder refuses, a dead one (or a reused pid) is taken over,
// several processes racing for one stale lock leave exactly one winner, and the lock goes with its holder.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireStoreLock, lockPathOf, processStartTime, readLockHolder, StoreLockedError, type LockHolder } from './store-lock.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const HOLDER = join(ROOT, 'test', 'fixtures', 'platform', 'store-holder.ts');
const tmp = mkdtempSync(join(tmpdir(), 'habitat-lock-'));
let n = 0;
const freshStoreDir = () => {
  const dir = join(tmp, `s${++n}`, 'pglite');
  mkdirSync(dir, { recursive: true });
  return dir;
};
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

const writeLock = (storeDir: string, h: Partial<LockHolder>) =>
  writeFileSync(
    lockPathOf(storeDir),
    JSON.stringify({ hostname: hostname(), kind: 'cli', command: 'habitat import dvf dvf.csv', since: new Date().toISOString(), ...h }),
  );

/** A process that stays alive doing nothing, to name in a lock file. */
function sleeper() {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  children.push(c);
  return c;
}

async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => c.on('exit', r));
  return c.pid!;
}

/** A store-holder child (see the fixture) with a line reader. */
function holder(mode: 'lock' | 'store', path: string, command: string) {
  const c = spawn(process.execPath, ['--import', 'tsx', HOLDER, mode, path, command], { cwd: ROOT });
  children.push(c);
  let out = '';
  const waiters: (() => void)[] = [];
  c.stdout.on('data', (d) => {
    out += d;
    waiters.splice(0).forEach((w) => w());
  });
  c.stderr.on('data', (d) => {
    out += d;
  });
  const waitFor = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) return resolve(m[0]);
        if (c.exitCode !== null) return reject(new Error(`processus terminé : ${out}`));
        waiters.push(check);
      };
      c.on('exit', check);
      check();
    });
  return { child: c, waitFor, send: (line: string) => c.stdin.write(`${line}\n`), exited: new Promise((r) => c.on('exit', r)) };
}

describe('store lock', () => {
  it('is taken by the first process, refused to a second one, and released', () => {
    const dir = freshStoreDir();
    const lock = acquireStoreLock(dir);
    expect(readLockHolder(lockPathOf(dir))).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(() => acquireStoreLock(dir)).toThrow(StoreLockedError);
    lock.update({ url: 'http://127.0.0.1:3999', socket: '/tmp/x.sock' });
    expect(readLockHolder(lockPathOf(dir))).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:3999', socket: '/tmp/x.sock' });
    lock.release();
    expect(existsSync(lockPathOf(dir))).toBe(false);
    acquireStoreLock(dir).release();
  });

  it('refuses while the holder lives, naming its pid, its command, since when, and what to do', async () => {
    const dir = freshStoreDir();
    const live = sleeper();
    await new Promise((r) => live.on('spawn', r));
    writeLock(dir, { pid: live.pid, startTime: processStartTime(live.pid!) });
    let err: unknown;
    try {
      acquireStoreLock(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreLockedError);
    const message = (err as Error).message;
    expect(message).toContain(`pid ${live.pid}`);
    expect(message).toContain('« habitat import dvf dvf.csv »');
    expect(message).toMatch(/lancée le \d+ \S+ \d{4}/);
    expect(message).toContain('Que faire');
    expect(JSON.parse(readFileSync(lockPathOf(dir), 'utf8')).pid).toBe(live.pid); // untouched
  });

  it('takes over the lock of a dead process (kill -9, crash)', async () => {
    const dir = freshStoreDir();
    writeLock(dir, { pid: await deadPid() });
    const lock = acquireStoreLock(dir);
    expect(readLockHolder(lockPathOf(dir))?.pid).toBe(process.pid);
    lock.release();
  });

  it.runIf(process.platform === 'linux')('takes over a lock whose pid now belongs to another process (pid reuse)', async () => {
    const dir = freshStoreDir();
    const live = sleeper();
    await new Promise((r) => live.on('spawn', r));
    writeLock(dir, { pid: live.pid, startTime: `${Number(processStartTime(live.pid!)) - 1000}` });
    const lock = acquireStoreLock(dir);
    expect(readLockHolder(lockPathOf(dir))?.pid).toBe(process.pid);
    lock.release();
  });

  it('takes over an unreadable lock file left by a crash', () => {
    const dir = freshStoreDir();
    writeFileSync(lockPathOf(dir), '{"pid": 12');
    const past = new Date(Date.now() - 60_000);
    utimesSync(lockPathOf(dir), past, past);
    const lock = acquireStoreLock(dir);
    expect(readLockHolder(lockPathOf(dir))?.pid).toBe(process.pid);
    lock.release();
  });

  it('gives a stale lock to exactly one of several processes racing for it', async () => {
    const dir = freshStoreDir();
    writeLock(dir, { pid: await deadPid() });
    const racers = Array.from({ length: 4 }, (_, i) => holder('lock', dir, `concurrent ${i}`));
    await Promise.all(racers.map((r) => r.waitFor(/prêt/)));
    racers.forEach((r) => r.send('go'));
    const outcomes = await Promise.all(racers.map((r) => r.waitFor(/pris|refusé: .*/)));
    expect(outcomes.filter((o) => o === 'pris')).toHaveLength(1);
    const winner = racers[outcomes.indexOf('pris')];
    expect(readLockHolder(lockPathOf(dir))?.pid).toBe(winner.child.pid);
    for (const o of outcomes.filter((x) => x !== 'pris')) expect(o).toContain(`pid ${winner.child.pid}`);
    racers.forEach((r) => r.send('fin'));
    await Promise.all(racers.map((r) => r.exited));
    expect(existsSync(lockPathOf(dir))).toBe(false);
  }, 120_000);

  it('is released when its holder exits without closing, or is stopped by SIGTERM', async () => {
    for (const end of ['exit', 'SIGTERM'] as const) {
      const dir = freshStoreDir();
      const h = holder('lock', dir, `fin par ${end}`);
      await h.waitFor(/prêt/);
      h.send('go');
      await h.waitFor(/pris/);
      expect(readLockHolder(lockPathOf(dir))?.command).toBe(`fin par ${end}`);
      if (end === 'exit') h.send('exit');
      else h.child.kill('SIGTERM');
      await h.exited;
      expect(existsSync(lockPathOf(dir))).toBe(false);
    }
  }, 120_000);
});
