// The HTTP surface every client relies on: health, OpenAPI, problem+json in French, security headers, rate limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('HTTP surface', () => {
  it('answers /health with the store in use', async () => {
    const res = await t.app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', store: 'pglite' });
  });

  it('documents every API route in the OpenAPI document, with who may call it', async () => {
    const doc = (await t.app.inject('/api/docs/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries<any>(doc.paths)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);
    for (const r of t.app.routeTable) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      expect(documented.has(`${r.method} ${path}`), `${r.method} ${path}`).toBe(true);
      expect(doc.paths[path][r.method.toLowerCase()]['x-acces']).toBeTruthy();
    }
    const ui = await t.app.inject('/api/docs');
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('answers errors as problem+json with a French message', async () => {
    const missing = await t.app.inject('/api/territory/communes/99999');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ status: 404, title: 'Introuvable', detail: 'Commune 99999 introuvable.' });
    const invalid = await t.app.inject('/api/territory/communes/abc');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().detail).toContain('Code INSEE de commune sur 5 caractères');
    const unknown = await t.app.inject('/api/rien-ici');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('Aucune ressource');
  });

  it('sends security headers', async () => {
    const res = await t.app.inject('/api/territory');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeTruthy();
    expect(res.headers['x-frame-options']).toBeTruthy();
  });

  it('limits login attempts per address, in French', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 12; i++) {
      last = await t.app.inject({ method: 'POST', url: '/api/access/login', payload: { email: 'x@exemple.fr', password: 'faux' } });
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(last!.json().detail).toContain('Trop de requêtes');
  });

  it('gives a session cookie that is HttpOnly and SameSite=Strict', async () => {
    const agent = await t.login('agent');
    const user = await t.ctx.db.selectFrom('app_user').select('email').where('id', '=', agent.userId).executeTakeFirstOrThrow();
    const res = await t.app.inject({ method: 'POST', url: '/api/access/login', remoteAddress: '127.0.0.9', payload: { email: user.email, password: 'mot-de-passe-de-test-solide' } });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/hc_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });
});

describe.skipIf(!process.env.HABITAT_TEST_PG_URL)('the same API on a PostgreSQL server', () => {
  it('serves health, the territory and a login from PostgreSQL 15', async () => {
    const pgApp = await createTestApp({ kind: 'postgres' });
    try {
      expect((await pgApp.app.inject('/health')).json()).toEqual({ status: 'ok', store: 'postgres' });
      const territory = (await pgApp.app.inject('/api/territory')).json();
      expect(territory.epcis.map((e: any) => e.siren).sort()).toEqual(['200046977', '243100518']);
      expect(territory.communes).toHaveLength(95);
      const agent = await pgApp.login('agent');
      expect((await pgApp.app.inject({ url: '/api/access/me', headers: agent.headers })).json().role).toBe('agent');
    } finally {
      await pgApp.close();
    }
  });
});
