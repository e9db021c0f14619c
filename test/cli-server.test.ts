// One writer per embedded store, with real processes: `habitat serve` on a data folder, and the README's commands
// typed in "another terminal" while it runs. They go through the server (no second PGlite), their writes are seen at
// once and survive restarts; a second server is refused; a kill -9 leaves a lock the next start recovers; a command
// holding the store refuses the others. On PostgreSQL (DATABASE_URL) there is no lock: CLI and server share it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from './support/stores.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'habitat.js');
const HOLDER = join(ROOT, 'test', 'fixtures', 'platform', 'store-holder.ts');
const ABZAC = join(ROOT, 'data', 'demo', 'dvf', 'geodvf_commune_33001_Abzac_2021.csv');
const PASSWORD = 'un-mot-de-passe-solide';
const tmp = mkdtempSync(join(tmpdir(), 'habitat-cli-server-'));
const spawned: ChildProcess[] = [];
/** Servers run in their own process group (bin/habitat.js, tsx, the server): the whole group is ended at the end. */
const groups: number[] = [];

afterAll(() => {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const c of spawned) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

let folders = 0;
/** A data folder whose store is a copy of the test template (migrated, COG loaded): a server starts in seconds. */
function dataFolder(): string {
  const dir = join(tmp, `d${++folders}`);
  mkdirSync(dir);
  const template = process.env.HABITAT_TEST_PGLITE_TEMPLATE;
  if (!template) throw new Error('Modèle PGlite absent : lancez les tests avec vitest (global setup).');
  cpSync(template, join(dir, 'pglite'), { recursive: true });
  return dir;
}

const baseEnv = (dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const { DATABASE_URL: _url, HABITAT_PASSWORD: _password, ...inherited } = process.env;
  return { ...inherited, HABITAT_DATA_DIR: dataDir, HABITAT_DEMO: 'false', LOG_LEVEL: 'warn', ...extra };
};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `habitat …` as a person types it in another terminal. */
function habitat(dataDir: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: baseEnv(dataDir, opts.env), cwd: opts.cwd ?? tmp, timeout: 300_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const readLock = (dataDir: string) => {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'pglite.lock'), 'utf8'));
  } catch {
    return undefined;
  }
};

interface Server {
  url: string;
  /** The process that holds the store (the one the lock names; bin/habitat.js and tsx are its parents); on PostgreSQL, bin/habitat.js. */
  pid: number;
  socket: string;
  exited: Promise<number | null>;
  output(): string;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, exited?: () => boolean): Promise<T> {
  const until = Date.now() + 240_000; // generous: a loaded 2-core machine
  for (;;) {
    const v = probe();
    if (v) return v;
    if (exited?.()) throw new Error(`${what} : le processus s’est arrêté`);
    if (Date.now() > until) throw new Error(`${what} : délai dépassé`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env: baseEnv(dataDir, { LOG_LEVEL: 'info', ...env }), cwd: tmp, detached: true });
  groups.push(child.pid!);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const output = () => out;
  if (env.DATABASE_URL) {
    const url = await waitFor('serveur prêt', () => /prêt sur (http:\/\/[^ ]+)/.exec(out)?.[1], () => child.exitCode !== null);
    return { url, pid: child.pid!, socket: '', exited, output };
  }
  const started = Date.now();
  const ready = () => {
    const lock = readLock(dataDir); // not the one a killed server left behind
    return lock?.socket && Date.parse(lock.since) >= started - 1000 && alive(lock.pid) && lock;
  };
  const lock = await waitFor('serveur prêt', ready, () => child.exitCode !== null);
  return { url: lock.url, pid: lock.pid, socket: lock.socket, exited, output };
}

async function login(url: string, email: string, password = PASSWORD) {
  const res = await fetch(`${url}/api/access/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return { status: res.status, body: await res.json() };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('habitat commands beside a running server (embedded store)', () => {
  const dataDir = dataFolder();
  let server: Server;

  it('users add: the account is created in the server’s store and signs in at once', async () => {
    server = await startServer(dataDir);
    const r = await habitat(dataDir, ['users', 'add', '--email', 'admin@exemple.fr', '--name', 'Admin', '--org', '200046977'], { env: { HABITAT_PASSWORD: PASSWORD } });
    expect(r).toMatchObject({ code: 0, stdout: 'Compte créé : admin@exemple.fr (admin).\n' });
    expect(await login(server.url, 'admin@exemple.fr')).toMatchObject({ status: 200, body: { ok: true, role: 'admin' } });
    expect(readLock(dataDir).pid).toBe(server.pid); // nobody else opened the store
    // A duplicate is refused with the same French error as in a process of its own.
    const again = await habitat(dataDir, ['users', 'add', '--email', 'admin@exemple.fr', '--name', 'Admin', '--org', '200046977'], { env: { HABITAT_PASSWORD: PASSWORD } });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('existe déjà');
  }, 300_000);

  it('orgs add then api-key: the key works on the server’s API', async () => {
    const org = await habitat(dataDir, ['orgs', 'add', '--kind', 'bailleur', '--name', 'Lyon Métropole Habitat', '--siren', '123456789', '--epci', '200046977']);
    expect(org.code).toBe(0);
    expect(org.stdout).toMatch(/^Organisation créée : Lyon Métropole Habitat \(/);
    const key = await habitat(dataDir, ['api-key', '--org', '123456789', '--name', 'flux patrimoine']);
    expect(key.code).toBe(0);
    const me = await fetch(`${server.url}/api/access/me`, { headers: { authorization: `Bearer ${key.stdout.trim()}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'partner', organisation: { name: 'Lyon Métropole Habitat' } });
  }, 300_000);

  it('import dvf with paths relative to the terminal’s folder: the server shows the new figures', async () => {
    const before = await (await fetch(`${server.url}/api/market/portail/communes/33001`)).json();
    expect(before.annees).toEqual([]); // and now cached by the portal
    const work = join(tmp, 'terminal');
    mkdirSync(work);
    copyFileSync(ABZAC, join(work, 'abzac.csv'));
    const r = await habitat(dataDir, ['import', 'dvf', 'abzac.csv', '--rejets', 'rejets.csv'], { cwd: work });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('abzac.csv : importé');
    expect(existsSync(join(work, 'rejets.csv'))).toBe(true); // written where the person is, not where the server runs
    const after = await (await fetch(`${server.url}/api/market/portail/communes/33001`)).json();
    expect(after.annees).toEqual([2021]);
    const etat = await (await fetch(`${server.url}/api/market/etat`)).json();
    expect(etat.partitions).toContainEqual(expect.objectContaining({ departement: '33', annee: 2021 }));
    const figures = await (await fetch(`${server.url}/api/market/communes/33001/indicateurs?periode=annee&types=maison`)).json();
    // Abzac's 27 houses are withheld by secondary secrecy (docs/security.md): the year is there, its figure protected.
    expect(figures.indicateurs.map((i: any) => i.periode)).toContain('2021');
  }, 300_000);

  it('a password the server asks for is typed in the client’s terminal (control socket protocol)', async () => {
    // What bin/forward.js does, with this test as the terminal.
    const socket = connect(server.socket);
    const messages: any[] = [];
    let buffer = '';
    const done = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const msg = JSON.parse(line);
        messages.push(msg);
        if (msg.type === 'secret') socket.write(`${JSON.stringify({ type: 'secret', id: msg.id, value: 'un-autre-mot-de-passe' })}\n`);
      }
    });
    socket.write(
      `${JSON.stringify({ type: 'run', protocol: 1, argv: ['users', 'add', '--email', 'agent@exemple.fr', '--name', 'Agent', '--role', 'agent', '--org', '200046977'], cwd: tmp, env: {}, stdinIsTTY: true, stdoutIsTTY: false, stderrIsTTY: false })}\n`,
    );
    await done;
    expect(messages.find((m) => m.type === 'secret')?.question).toContain('Mot de passe');
    expect(messages.filter((m) => m.type === 'output').map((m) => m.data).join('')).toBe('Compte créé : agent@exemple.fr (agent).\n');
    expect(messages.at(-1)).toEqual({ type: 'exit', code: 0 });
    expect(await login(server.url, 'agent@exemple.fr', 'un-autre-mot-de-passe')).toMatchObject({ status: 200, body: { role: 'agent' } });
  }, 300_000);

  it('an unknown command or a failing one: the same French error and exit code as without a server', async () => {
    const forwarded = await habitat(dataDir, ['frobnicate']);
    const local = await habitat(join(tmp, 'vide'), ['frobnicate']); // no server there: runs in its own process
    expect(forwarded.code).toBe(1);
    expect(forwarded).toEqual(local);
    const missing = await habitat(dataDir, ['api-key', '--org', '999999999', '--name', 'x']);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'Erreur : Organisation introuvable : 999999999. Créez-la avec « habitat orgs add ».\n' });
    const noTerminal = await habitat(dataDir, ['users', 'add', '--email', 'x@exemple.fr', '--name', 'X', '--org', '200046977']);
    expect(noTerminal).toMatchObject({ code: 1, stderr: 'Erreur : Pas de terminal : donnez le mot de passe dans la variable HABITAT_PASSWORD.\n' });
  }, 300_000);

  it('a second serve on the same folder exits non-zero with the French message; the first keeps answering', async () => {
    const second = await habitat(dataDir, ['serve', '--port', '0']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`Le stockage embarqué ${join(dataDir, 'pglite')} est déjà ouvert par le serveur « habitat serve --port 0 » (pid ${server.pid})`);
    expect(second.stderr).toContain(`qui répond sur ${server.url}`);
    expect(second.stderr).toContain('Que faire : utilisez ce serveur, ou arrêtez-le');
    expect(readLock(dataDir).pid).toBe(server.pid);
    expect((await login(server.url, 'admin@exemple.fr')).status).toBe(200);
  }, 300_000);

  it('kill -9 of the server, restart: the store is intact and the lock recovered', async () => {
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
    expect(readLock(dataDir).pid).toBe(server.pid); // left behind by the killed process
    const killed = server.pid;
    server = await startServer(dataDir);
    expect(server.pid).not.toBe(killed);
    expect(readLock(dataDir).pid).toBe(server.pid);
    // In a club, an admin command says on whose perimeter it acts: here the operator's, every account.
    const users = await habitat(dataDir, ['users', 'list', '--operateur']);
    expect(users.code).toBe(0);
    expect(users.stdout).toContain('admin@exemple.fr\tadmin');
    expect(users.stdout).toContain('agent@exemple.fr\tagent');
    expect((await habitat(dataDir, ['orgs', 'list', '--operateur'])).stdout).toContain('Lyon Métropole Habitat\t123456789');
    expect((await login(server.url, 'admin@exemple.fr')).status).toBe(200);
    expect((await (await fetch(`${server.url}/api/market/portail/communes/33001`)).json()).annees).toEqual([2021]);
  }, 300_000);

  it('stopped by SIGTERM it releases the lock and the socket; a command then opens the store itself', async () => {
    process.kill(server.pid, 'SIGTERM');
    expect(await server.exited).toBe(0);
    expect(readLock(dataDir)).toBeUndefined();
    expect(existsSync(server.socket)).toBe(false);
    const users = await habitat(dataDir, ['users', 'list', '--epci', '200046977']);
    expect(users.code).toBe(0);
    expect(users.stdout).toContain('admin@exemple.fr\tadmin'); // after a restart, the account is still there
    expect(readLock(dataDir)).toBeUndefined();
  }, 300_000);
});

describe('a CLI command holding the embedded store', () => {
  it('refuses another command and a server, naming it; once it ends, they run', async () => {
    const dataDir = dataFolder();
    const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, 'store', dataDir, 'habitat import dvf gros.csv'], { cwd: ROOT, env: baseEnv(dataDir) });
    spawned.push(holder);
    let out = '';
    holder.stdout.on('data', (d) => (out += d));
    holder.stderr.on('data', (d) => (out += d));
    await waitFor('enfant prêt', () => out.includes('prêt'), () => holder.exitCode !== null);
    holder.stdin.write('go\n');
    await waitFor('magasin ouvert', () => out.includes('pris'), () => holder.exitCode !== null);

    const other = await habitat(dataDir, ['users', 'list']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`est déjà ouvert par la commande « habitat import dvf gros.csv » (pid ${holder.pid})`);
    expect(other.stderr).toContain('Que faire : attendez la fin de cette commande');
    const serve = await habitat(dataDir, ['serve', '--port', '0']);
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toContain(`« habitat import dvf gros.csv » (pid ${holder.pid})`);
    expect(alive(holder.pid!)).toBe(true);

    holder.stdin.write('fin\n');
    await new Promise((r) => holder.on('exit', r));
    expect(readLock(dataDir)).toBeUndefined();
    expect((await habitat(dataDir, ['users', 'list', '--epci', '200046977'])).code).toBe(0);
  }, 300_000);
});

describe.runIf(process.env.HABITAT_TEST_PG_URL)('habitat commands beside a running server (PostgreSQL)', () => {
  it('users add while the server runs: login works, and no lock is taken', async () => {
    const dataDir = join(tmp, 'pg');
    mkdirSync(dataDir);
    const env = { DATABASE_URL: await createPostgresDatabase() };
    const server = await startServer(dataDir, env);
    try {
      const r = await habitat(dataDir, ['users', 'add', '--email', 'admin@exemple.fr', '--name', 'Admin', '--org', '200046977'], { env: { ...env, HABITAT_PASSWORD: PASSWORD } });
      expect(r).toMatchObject({ code: 0, stdout: 'Compte créé : admin@exemple.fr (admin).\n' });
      expect(await login(server.url, 'admin@exemple.fr')).toMatchObject({ status: 200, body: { ok: true } });
      expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
    } finally {
      process.kill(-server.pid, 'SIGTERM'); // the group, as Ctrl+C in a terminal does
      await server.exited;
    }
  }, 300_000);
});
