// The permission matrix: every /api route, called by every kind of caller, answers as its declaration says.
// Then the data-isolation rules a partner and the public rely on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/platform/http/access.ts';
import { createTestApp, type TestApp } from './support/app.ts';

type Caller = 'anonyme' | Role | 'cleApi';
const CALLERS: Caller[] = ['anonyme', 'readonly', 'partner', 'agent', 'admin', 'cleApi'];
const ZERO_UUID = '00000000-0000-4000-8000-000000000000';

function fillParams(url: string) {
  return url
    .replace(/:code\b/g, '69123')
    .replace(/:siren\b/g, '200046977')
    .replace(/:(\w*[iI]d)\b/g, ZERO_UUID)
    .replace(/:year\b|:annee\b/g, '2021')
    .replace(/:(\w+)/g, 'x')
    .replace(/\*$/, 'x');
}

function roleOf(c: Caller): Role | undefined {
  return c === 'anonyme' ? undefined : c === 'cleApi' ? 'partner' : c;
}

let t: TestApp;
const headers: Partial<Record<Caller, Record<string, string>>> = {};

beforeAll(async () => {
  t = await createTestApp();
  headers.anonyme = {};
  headers.readonly = (await t.login('readonly', 'commune')).headers;
  headers.partner = (await t.login('partner', 'bailleur')).headers;
  headers.agent = (await t.login('agent')).headers;
  headers.admin = (await t.login('admin')).headers;
  headers.cleApi = (await t.apiKey('promoteur')).headers;
});
afterAll(() => t?.close());

describe('permission matrix', () => {
  it('covers every API route, each with a declaration', () => {
    const routes = t.app.routeTable;
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) expect(r.access, `${r.method} ${r.url}`).toBeDefined();
  });

  it('lets exactly the declared callers through on every route', async () => {
    const failures: string[] = [];
    for (const route of t.app.routeTable) {
      if (route.url === '/api/access/logout') continue; // would end the test sessions; covered below
      for (const caller of CALLERS) {
        const res = await t.app.inject({
          method: route.method as any,
          url: fillParams(route.url),
          headers: headers[caller],
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        const code = res.headers['content-type']?.toString().includes('json') ? res.json()?.code : undefined;
        const refusedByHook = code === 'unauthenticated' || code === 'acces.role_insuffisant';
        const access = route.access;
        const role = roleOf(caller);
        const allowed = access === 'public' || (access === 'authenticated' ? !!role : !!role && access.roles.includes(role));
        if (allowed && refusedByHook) failures.push(`${route.method} ${route.url} refusé à ${caller} (${res.statusCode})`);
        if (!allowed && !refusedByHook) failures.push(`${route.method} ${route.url} ouvert à ${caller} (${res.statusCode})`);
        if (!allowed && caller === 'anonyme' && res.statusCode !== 401) failures.push(`${route.method} ${route.url}: anonyme → ${res.statusCode}`);
        if (res.statusCode >= 500) failures.push(`${route.method} ${route.url} par ${caller} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses an unknown or revoked API key', async () => {
    const res = await t.app.inject({ url: '/api/access/me', headers: { authorization: 'Bearer hc_inconnue' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toMatch(/Clé d’API inconnue/);
  });
});

describe('data isolation', () => {
  it('a partner sees only its own organisation and API keys, and cannot revoke another’s key', async () => {
    const a = await t.login('partner', 'bailleur');
    const b = await t.login('partner', 'promoteur');
    const created = await t.app.inject({ method: 'POST', url: '/api/access/api-keys', headers: a.headers, payload: { name: 'flux A' } });
    expect(created.statusCode).toBe(201);
    const keyA = created.json();
    expect(keyA.key).toMatch(/^hc_/);

    const orgsB = (await t.app.inject({ url: '/api/access/organisations', headers: b.headers })).json().organisations;
    expect(orgsB.map((o: any) => o.id)).toEqual([b.organisationId]);
    const keysB = (await t.app.inject({ url: '/api/access/api-keys', headers: b.headers })).json().keys;
    expect(keysB.find((k: any) => k.id === keyA.id)).toBeUndefined();
    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/access/api-keys/${keyA.id}`, headers: b.headers });
    expect(revoke.statusCode, revoke.body).toBe(403);
    const forOther = await t.app.inject({ method: 'POST', url: '/api/access/api-keys', headers: b.headers, payload: { name: 'clé de B', organisation_id: a.organisationId } });
    expect(forOther.statusCode, forOther.body).toBe(403);

    // The key works for its organisation, and only as a partner.
    const me = (await t.app.inject({ url: '/api/access/me', headers: { authorization: `Bearer ${keyA.key}` } })).json();
    expect(me).toMatchObject({ kind: 'apikey', role: 'partner', organisation: { id: a.organisationId } });
    const asAdmin = await t.app.inject({ url: '/api/access/users', headers: { authorization: `Bearer ${keyA.key}` } });
    expect(asAdmin.statusCode).toBe(403);
  });

  it('the public routes return no personal data', async () => {
    const agent = await t.login('agent');
    const emails = (await t.ctx.db.selectFrom('app_user').select('email').execute()).map((u) => u.email);
    expect(emails.length).toBeGreaterThan(3);
    for (const route of t.app.routeTable.filter((r) => r.access === 'public' && r.method === 'GET')) {
      const res = await t.app.inject({ url: fillParams(route.url) });
      for (const email of emails) expect(res.body, route.url).not.toContain(email);
      expect(res.body).not.toMatch(/password_hash|token_hash|key_hash/);
    }
    expect(agent.userId).toBeTruthy();
  });

  it('logs every write in the audit log with its author', async () => {
    const admin = await t.login('admin');
    const res = await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'commune', name: 'Commune de Bron', commune_code: '69029' } });
    expect(res.statusCode).toBe(201);
    const entries = (await t.app.inject({ url: '/api/access/audit?entity=/api/access/organisations', headers: admin.headers })).json().entries;
    expect(entries[0]).toMatchObject({ action: 'post', actor_kind: 'user', actor_id: admin.userId });
  });

  it('logs out: the session no longer opens anything', async () => {
    const user = await t.login('agent');
    expect((await t.app.inject({ method: 'POST', url: '/api/access/logout', headers: user.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/access/me', headers: user.headers })).statusCode).toBe(401);
  });
});
