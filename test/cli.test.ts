// The `habitat` command as an operator uses it: help for each command, and creating the first admin, who can then
// sign in through the API.
import { modules } from '../src/modules/index.ts';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/platform/config.ts';
import { createContext } from '../src/platform/context.ts';
import { buildApp } from '../src/platform/http/app.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'habitat.js');
const dataDir = mkdtempSync(join(tmpdir(), 'habitat-cli-'));
const env = { ...process.env, HABITAT_DATA_DIR: dataDir, HABITAT_DEMO: 'false', LOG_LEVEL: 'warn' };
const habitat = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...env }, timeout: 120_000 });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('habitat CLI', () => {
  it('explains each command in French with --help', async () => {
    const { stdout } = await habitat('--help');
    for (const c of ['serve', 'migrate', 'users', 'import']) expect(stdout).toContain(c);
    expect((await habitat('users', 'add', '--help')).stdout).toContain('--email');
    expect((await habitat('serve', '--help')).stdout).toContain('--port');
    expect((await habitat('import', '--help')).stdout).toContain('Importer');
  }, 300_000); // four cold starts of the CLI (tsx): 120 s was tight on a loaded 2-core machine

  it('creates the first admin, refuses a weak password and a duplicate, and the admin can sign in', async () => {
    await habitat('migrate');
    const weak = await run(process.execPath, [BIN, 'users', 'add', '--email', 'admin@exemple.fr', '--name', 'Admin', '--org', '200046977'], {
      env: { ...env, HABITAT_PASSWORD: 'court' },
    }).catch((e) => e);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('au moins 12 caractères');

    const ok = await run(process.execPath, [BIN, 'users', 'add', '--email', 'Admin@Exemple.fr', '--name', 'Admin', '--org', '200046977'], {
      env: { ...env, HABITAT_PASSWORD: 'un-mot-de-passe-solide' },
    });
    expect(ok.stdout).toContain('Compte créé : admin@exemple.fr (admin)');
    const again = await run(process.execPath, [BIN, 'users', 'add', '--email', 'admin@exemple.fr', '--name', 'Admin', '--org', '200046977'], {
      env: { ...env, HABITAT_PASSWORD: 'un-mot-de-passe-solide' },
    }).catch((e) => e);
    expect(again.stderr).toContain('existe déjà');

    const ctx = await createContext({ ...loadConfig(env), logLevel: 'silent' });
    const app = await buildApp(ctx, modules, { logger: false });
    try {
      const login = await app.inject({ method: 'POST', url: '/api/access/login', payload: { email: 'admin@exemple.fr', password: 'un-mot-de-passe-solide' } });
      expect(login.json()).toMatchObject({ ok: true, role: 'admin' });
      const cookie = String(login.headers['set-cookie']).split(';')[0];
      const me = (await app.inject({ url: '/api/access/me', headers: { cookie } })).json();
      expect(me.organisation).toMatchObject({ kind: 'epci', name: 'Métropole de Lyon' });
      const audit = await ctx.db.selectFrom('audit_log').selectAll().where('entity', '=', 'app_user').execute();
      expect(audit).toHaveLength(1);
      expect(audit[0].epci_siren).toBe('200046977');
    } finally {
      await app.close();
      await ctx.close();
    }
  }, 300_000); // several cold starts of the CLI (tsx + PGlite on disk): slow on a loaded 2-core machine
});
