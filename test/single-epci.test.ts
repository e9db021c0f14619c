// Nothing changes for an instance that serves one EPCI (HABITAT_EPCI with one SIREN): its people see and do what they
// did before perimeters, without naming their EPCI anywhere, and partners work with it without any setup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemandDemo } from '../src/modules/demand/index.ts';
import { syncInstanceEpcis } from '../src/modules/territory/store.ts';
import { exampleFile, findSchema, loadCatalogue } from '../src/modules/referential/catalogue.ts';
import { SAMPLE } from '../src/modules/plh/sample-programme.test-support.ts';
import { programmeToSheets } from '../src/modules/plh/ingest/programme-sheet.ts';
import { writeProgrammeXlsx } from '../src/modules/plh/ingest/spreadsheet.ts';
import { createTestApp, type Actor, type TestApp } from './support/app.ts';

const TOULOUSE = '243100518';
let t: TestApp;
let agent: Actor;
let admin: Actor;

beforeAll(async () => {
  t = await createTestApp({ config: { epciSirens: [TOULOUSE] } });
  await syncInstanceEpcis(t.ctx.db, [TOULOUSE]);
  await loadDemandDemo(t.ctx.db, [TOULOUSE]);
  agent = await t.login('agent');
  admin = await t.login('admin');
}, 180_000);
afterAll(() => t?.close());

const get = async (url: string, who: { headers: Record<string, string> } = agent) => {
  const res = await t.app.inject({ url, headers: who.headers });
  expect(res.statusCode, `${url} ${res.body.slice(0, 200)}`).toBe(200);
  return res;
};

describe('an instance serving one EPCI', () => {
  it('its agent’s perimeter is the whole instance: every demand, every commune, no EPCI to name', async () => {
    const me = (await get('/api/access/me')).json();
    expect(me.perimeter).toMatchObject({ kind: 'epci', epci: TOULOUSE, epcis: [{ siren: TOULOUSE, name: 'Toulouse Métropole' }] });
    const all = await t.ctx.db.selectFrom('demand').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect((await get('/api/demand/demands?limit=1')).json().total).toBe(Number(all.n));
    expect((await get('/api/demand/export.csv')).body.trim().split('\n')).toHaveLength(Number(all.n) + 1);
    expect((await get('/api/demand/grids')).json().length).toBeGreaterThan(0);
    expect((await get('/api/demand/stats')).json().map((s: any) => s.epci_siren)).toEqual([TOULOUSE]);
  });

  it('imports, reads and exports the PLH and its bilan without naming the EPCI', async () => {
    const xlsx = await writeProgrammeXlsx(programmeToSheets(SAMPLE, new Map([['31069', 'Blagnac'], ['31555', 'Toulouse']])));
    const imported = await t.app.inject({ method: 'POST', url: '/api/plh/programme/import', headers: { ...agent.headers, 'content-type': 'application/octet-stream' }, payload: xlsx });
    expect(imported.statusCode, imported.body).toBe(200);
    expect((await get('/api/plh/programme')).json().programme.name).toBe(SAMPLE.name);
    expect((await get('/api/plh/targets?year=2026')).json().targets).toHaveLength(SAMPLE.targets.length);
    expect((await get('/api/plh/programme/export?format=csv&sheet=objectifs')).body).toMatch(/31555/);
    expect((await get('/api/plh/report?year=2026', await t.login('readonly', 'epci'))).headers['content-type']).toMatch(/text\/html/);
  });

  it('a partner its admin creates works with the EPCI at once: it reads the PLH and delivers', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'bailleur', name: 'Bailleur toulousain', siren: '999000001' } });
    expect(created.json()).toMatchObject({ epcis: [TOULOUSE] });
    const partner = await t.login('partner', 'bailleur', created.json().id);
    expect((await get('/api/plh/programme', partner)).json().programme.name).toBe(SAMPLE.name);
    const parc = findSchema(loadCatalogue(), 'parc-social');
    // The example's rows in Toulouse Métropole (its Lyon rows are outside this instance's territory, as before).
    const rows = exampleFile(parc, 'valide').toString('utf8').trim().split('\n').filter((l, i) => i === 0 || /,31\d{3},/.test(l));
    const sent = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/parc-social/deliveries', headers: { ...partner.headers, 'content-type': 'text/csv' }, payload: rows.join('\n') });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json().delivery).toMatchObject({ status: 'acceptee', rows_accepted: 4 });
    expect((await get('/api/referential/compliance')).json().partners.map((p: any) => p.organisation.id)).toContain(created.json().id);
  });

  it('the construction pipeline and its targets are the agent’s, as before', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/construction/programmes', headers: agent.headers, payload: { name: 'Cartoucherie', commune_code: '31555', dwellings: 40, state: 'permit_filed', state_date: '2026-02-10' } });
    expect(created.statusCode, created.body).toBe(201);
    const all = await t.ctx.db.selectFrom('construction_programme').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect((await get('/api/construction/programmes?limit=1000')).json().total).toBe(Number(all.n));
    const targets = await t.app.inject({ method: 'PUT', url: '/api/construction/targets', headers: agent.headers, payload: { targets: [{ commune_code: '31069', period_start: 2025, period_end: 2030, target_dwellings: 100, target_social_dwellings: 30 }] } });
    expect(targets.json()).toEqual({ saved: 1 });
  });
});
