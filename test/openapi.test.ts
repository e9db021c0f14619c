// The API's contract as outside tools read it: the OpenAPI document passes Redocly's recommended rules with no error,
// and a client generated from it (openapi-typescript types + openapi-fetch) is checked by the compiler and drives
// the real server: a renamed field or path breaks this file's type check, not a partner's integration.
import { createConfig, lintFromString } from '@redocly/openapi-core';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { paths } from './support/api-types.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/app.ts';

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t?.close());

describe('OpenAPI document', () => {
  it('passes Redocly’s recommended rules with no error', async () => {
    const source = await (await fetch(`${baseUrl}/api/docs/json`)).text();
    const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config: await createConfig({ extends: ['recommended'] }) });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} (${p.location[0]?.pointer})`);
    expect(errors).toEqual([]);
  });

  it('gives every operation an operationId, a security requirement and its problem+json answers', async () => {
    const doc = await (await fetch(`${baseUrl}/api/docs/json`)).json();
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z]+[A-Za-z0-9]*$/);
        expect(ids.has(op.operationId), `${op.operationId} en double`).toBe(false);
        ids.add(op.operationId);
        expect(Array.isArray(op.security), `${method} ${path}`).toBe(true);
        expect(op.responses['400']?.content?.['application/problem+json'], `${method} ${path}`).toBeDefined();
        if (op['x-access'] !== 'Public (sans connexion)') expect(op.security.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(ids.size).toBeGreaterThan(100);
  });
});

describe('a client generated from the document', () => {
  it('reads a commune, signs in and reads who it is, through typed calls', async () => {
    const api = createClient<paths>({ baseUrl });
    const commune = await api.GET('/api/territory/communes/{code}', { params: { path: { code: '69266' } } });
    expect(commune.response.status).toBe(200);
    expect(commune.data?.name).toBe('Villeurbanne');
    expect(commune.data?.postal_codes).toEqual(['69100']);
    expect(commune.data?.epci_siren).toBe('200046977');

    const missing = await api.GET('/api/territory/communes/{code}', { params: { path: { code: '0A123' } } });
    expect(missing.response.status).toBe(400);
    expect(missing.error).toMatchObject({ status: 400 });

    const agent = await t.login('agent');
    const email = (await t.ctx.db.selectFrom('app_user').select('email').where('id', '=', agent.userId).executeTakeFirstOrThrow()).email;
    const login = await api.POST('/api/access/login', { body: { email, password: TEST_PASSWORD } });
    expect(login.data?.role).toBe('agent');
    const cookie = login.response.headers.get('set-cookie')?.split(';')[0] ?? '';
    const me = await api.GET('/api/access/me', { headers: { cookie } });
    expect(me.response.status).toBe(200);
    expect(me.data).toMatchObject({ role: 'agent' });
  });

  it('reads a commune’s portrait: six sections in order, each figure a value or « pas de donnée » with its reason', async () => {
    const api = createClient<paths>({ baseUrl });
    const doc = await (await fetch(`${baseUrl}/api/docs/json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/territory/communes/{code}/portrait', '/api/territory/epci/{siren}/portrait']));
    const p = await api.GET('/api/territory/communes/{code}/portrait', { params: { path: { code: '69266' } } });
    expect(p.response.status).toBe(200);
    expect(p.data?.sections.map((s) => s.key)).toEqual(['population', 'market', 'construction', 'social_housing', 'demand', 'energy']);
    // No source loaded in this app: every figure says why it is missing, none is an empty table.
    for (const f of p.data!.sections.flatMap((s) => s.figures)) expect(f.status === 'ok' || ['not_loaded', 'not_applicable'].includes(f.reason)).toBe(true);
  });
});
