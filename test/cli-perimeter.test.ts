// The admin commands follow the perimeters (issue 14) and manage accounts (issue 21): a club's admin command says on
// whose perimeter it acts (--org of an EPCI, --epci) or acts as the operator (--operateur), and the audit log says so.
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
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function instance(extra: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'habitat-cli-perimetre-'));
  dirs.push(dataDir);
  const env = { ...process.env, HABITAT_DATA_DIR: dataDir, HABITAT_DEMO: 'false', LOG_LEVEL: 'warn', HABITAT_PASSWORD: 'un-mot-de-passe-solide', ...extra };
  const habitat = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, timeout: 120_000 });
  const fails = (...args: string[]) => habitat(...args).then(() => { throw new Error(`« ${args.join(' ')} » aurait dû échouer`); }, (e) => e as { code: number; stderr: string });
  return { env, habitat, fails };
}

describe('habitat admin commands in a club of EPCIs', () => {
  it('ask on whose perimeter they act, act there only, and record it', async () => {
    const { env, habitat, fails } = instance();
    const noPerimeter = await fails('users', 'add', '--email', 'x@exemple.fr', '--name', 'X');
    expect(noPerimeter.stderr).toContain('précisez lequel avec --org <SIREN de l’EPCI>, ou agissez en opérateur du club avec --operateur');

    await habitat('users', 'add', '--email', 'admin.lyon@exemple.fr', '--name', 'Admin Lyon', '--org', '200046977');
    await habitat('users', 'add', '--email', 'agent.toulouse@exemple.fr', '--name', 'Agent Toulouse', '--role', 'agent', '--org', '243100518');
    expect((await fails('users', 'add', '--email', 'op@exemple.fr', '--name', 'Op', '--role', 'operator', '--org', '200046977')).stderr).toContain('--operateur');
    await habitat('users', 'add', '--email', 'op@exemple.fr', '--name', 'Opératrice', '--role', 'operator', '--operateur');

    // A landlord of Toulouse: Lyon's perimeter does not list it nor its accounts, until Lyon links it.
    const created = (await habitat('orgs', 'add', '--kind', 'bailleur', '--name', 'Bailleur toulousain', '--siren', '999000001', '--epci', '243100518')).stdout;
    expect(created).toContain('rattachée à l’EPCI 243100518');
    expect((await habitat('orgs', 'list', '--epci', '200046977')).stdout).not.toContain('Bailleur toulousain');
    const lyonUsers = (await habitat('users', 'list', '--epci', '200046977')).stdout;
    expect(lyonUsers).toContain('admin.lyon@exemple.fr');
    expect(lyonUsers).not.toContain('agent.toulouse@exemple.fr');
    expect((await habitat('users', 'list', '--operateur')).stdout).toMatch(/agent\.toulouse@exemple\.fr[\s\S]*op@exemple\.fr|op@exemple\.fr[\s\S]*agent\.toulouse/);

    // Managing Toulouse's agent on Lyon's perimeter is refused; on its own EPCI's (the default), it works.
    expect((await fails('users', 'deactivate', '--email', 'agent.toulouse@exemple.fr', '--epci', '200046977')).stderr).toContain('hors du périmètre de l’EPCI 200046977');
    await habitat('users', 'role', '--email', 'agent.toulouse@exemple.fr', '--role', 'readonly');
    await habitat('users', 'deactivate', '--email', 'agent.toulouse@exemple.fr');

    // The key of a partner working with both EPCIs: the command must say for which one it acts.
    await habitat('orgs', 'link', '--org', '999000001', '--epci', '200046977');
    expect((await habitat('orgs', 'list', '--epci', '200046977')).stdout).toContain('Bailleur toulousain');
    expect((await fails('api-key', '--org', '999000001', '--name', 'flux')).stderr).toContain('travaille avec plusieurs EPCI');
    expect((await habitat('api-key', '--org', '999000001', '--name', 'flux', '--epci', '200046977')).stdout).toMatch(/^hc_/);

    const ctx = await createContext({ ...loadConfig(env), logLevel: 'silent' });
    const app = await buildApp(ctx, modules, { logger: false });
    try {
      const rows = await ctx.db.selectFrom('audit_log').select(['action', 'entity', 'epci_siren', 'detail']).where('actor_kind', '=', 'system').orderBy('id').execute();
      const on = (action: string, entity: string) => rows.filter((r) => r.action === action && r.entity === entity).map((r) => r.epci_siren);
      expect(on('create', 'app_user')).toEqual(['200046977', '243100518', null]);
      expect(on('deactivate', 'app_user')).toEqual(['243100518']);
      expect(on('create', 'api_key')).toEqual(['200046977']);
      const asOperator = rows.find((r) => r.action === 'create' && r.epci_siren === null)!;
      expect(typeof asOperator.detail === 'string' ? JSON.parse(asOperator.detail) : asOperator.detail).toMatchObject({ via: 'cli', en: 'operateur' });
      // The operator signs in and manages the accounts of both EPCIs.
      const login = await app.inject({ method: 'POST', url: '/api/access/login', payload: { email: 'op@exemple.fr', password: 'un-mot-de-passe-solide' } });
      expect(login.json()).toMatchObject({ ok: true, role: 'operator' });
      const cookie = String(login.headers['set-cookie']).split(';')[0];
      const users = (await app.inject({ url: '/api/access/users', headers: { cookie } })).json().users.map((u: any) => u.email);
      expect(users).toEqual(expect.arrayContaining(['admin.lyon@exemple.fr', 'agent.toulouse@exemple.fr']));
      // The deactivated agent cannot sign in.
      const off = await app.inject({ method: 'POST', url: '/api/access/login', payload: { email: 'agent.toulouse@exemple.fr', password: 'un-mot-de-passe-solide' } });
      expect(off.statusCode).toBe(401);
    } finally {
      await app.close();
      await ctx.close();
    }
  }, 900_000); // about fifteen cold starts of the CLI

  it('on a single-EPCI instance, need no perimeter: as before', async () => {
    const { env, habitat } = instance({ HABITAT_EPCI: '200046977' });
    expect((await habitat('users', 'add', '--email', 'admin@exemple.fr', '--name', 'Admin')).stdout).toContain('Compte créé : admin@exemple.fr (admin)');
    expect((await habitat('orgs', 'add', '--kind', 'bailleur', '--name', 'Bailleur lyonnais', '--siren', '123456789')).stdout).toContain('rattachée à l’EPCI 200046977');
    await habitat('users', 'add', '--email', 'agent@bailleur.fr', '--name', 'Agent', '--role', 'partner', '--org', '123456789');
    expect((await habitat('api-key', '--org', '123456789', '--name', 'flux patrimoine')).stdout).toMatch(/^hc_/);
    await habitat('users', 'password', '--email', 'agent@bailleur.fr');
    const sessions = (await habitat('users', 'sessions', '--email', 'agent@bailleur.fr')).stdout;
    expect(sessions).toContain('Aucune session ouverte pour agent@bailleur.fr.');
    const ctx = await createContext({ ...loadConfig(env), logLevel: 'silent' });
    try {
      const rows = await ctx.db.selectFrom('audit_log').select('epci_siren').where('actor_kind', '=', 'system').execute();
      expect(rows.map((r) => r.epci_siren)).toEqual(rows.map(() => '200046977'));
    } finally {
      await ctx.close();
    }
  }, 600_000);
});
