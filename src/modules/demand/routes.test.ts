import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { readGridDir } from './ingest/grid-files.ts';
import { loadDemandDemo } from './index.ts';
import { SNE_COLUMNS } from './ingest/sne-csv.ts';
import * as store from './store.ts';

const grids = readGridDir();
const LYON = '200046977';
const TOULOUSE = '243100518';

describe('demand HTTP routes', () => {
  let t: TestApp;
  let numero: string;
  beforeAll(async () => {
    t = await createTestApp();
    await loadDemandDemo(t.ctx.db, t.ctx.config.epciSirens);
    numero = (await store.loadDemands(t.ctx.db, { epciSiren: LYON, status: 'active' }))[0].numero;
  }, 180_000);
  afterAll(() => t?.close());

  const auditRows = (action: string, id: string) =>
    t.ctx.db.selectFrom('audit_log').selectAll().where('entity', '=', 'demand').where('action', '=', action).where('entity_id', '=', id).execute();

  it('publishes the grids in force to everyone, in words', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/demand/grids/public' });
    expect(r.statusCode).toBe(200);
    const { grids: published } = r.json();
    expect(published.map((g: any) => g.epciSiren).sort()).toEqual([LYON, TOULOUSE]);
    const lyon = published.find((g: any) => g.epciSiren === LYON).grid;
    expect(lyon.sections[0].criteria.map((c: any) => [c.label, c.points, c.conditionText])).toContainEqual([
      'Taux d\'effort trop élevé',
      10,
      'Taux d’effort (% des ressources consacré au loyer) supérieur à 30',
    ]);
    // The fictitious v2 is only a draft: the public sees v1.
    expect(published.find((g: any) => g.epciSiren === TOULOUSE).grid.version).toBe(1);
  });

  it('refuses a demand to the public, to a partner bailleur and to a read-only user', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/demand/demands/${numero}` })).statusCode).toBe(401);
    const partner = await t.login('partner', 'bailleur');
    expect((await t.app.inject({ method: 'GET', url: `/api/demand/demands/${numero}`, headers: partner.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/demand/demands', headers: partner.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/demand/export.csv', headers: partner.headers })).statusCode).toBe(403);
    const key = await t.apiKey('bailleur');
    expect((await t.app.inject({ method: 'GET', url: `/api/demand/demands/${numero}`, headers: key.headers })).statusCode).toBe(403);
    const readonly = await t.login('readonly', 'epci');
    expect((await t.app.inject({ method: 'GET', url: `/api/demand/demands/${numero}`, headers: readonly.headers })).statusCode).toBe(403);
    expect(await auditRows('read', numero)).toEqual([]);
  });

  it('lets a bailleur read the demands of an EPCI only once that EPCI authorised it, until revoked', async () => {
    const admin = await t.login('admin');
    const partner = await t.login('partner', 'bailleur');
    const toulouse = (await store.loadDemands(t.ctx.db, { epciSiren: TOULOUSE, status: 'active' }))[0].numero;
    const read = (n: string) => t.app.inject({ method: 'GET', url: `/api/demand/demands/${n}`, headers: partner.headers });
    expect((await read(numero)).statusCode).toBe(403);
    // An agent may not grant: only an administrator.
    const agent = await t.login('agent');
    const grant = { organisationId: partner.organisationId, epciSiren: LYON };
    expect((await t.app.inject({ method: 'POST', url: '/api/demand/partners', headers: agent.headers, payload: grant })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/demand/partners', headers: admin.headers, payload: grant })).statusCode).toBe(200);
    const ok = await read(numero);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().person.lastName).toMatch(/^FICTIF-/);
    const logged = await auditRows('read', numero);
    expect(logged.map((l: any) => l.organisation_id)).toContain(partner.organisationId);
    // Lyon authorised it, Toulouse did not.
    expect((await read(toulouse)).statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: '/api/demand/demands?limit=500', headers: partner.headers });
    expect(list.json().items.every((d: any) => d.epciSiren === LYON)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: `/api/demand/demands?epci=${TOULOUSE}`, headers: partner.headers })).statusCode).toBe(403);
    // Writes stay with the EPCI's staff.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/demand/demands/${numero}`, headers: partner.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/demand/partners/${partner.organisationId}/${LYON}`, headers: admin.headers })).statusCode).toBe(200);
    expect((await read(numero)).statusCode).toBe(403);
  });

  it('shows a demand to an agent, with its score lines, and logs who read it', async () => {
    const agent = await t.login('agent');
    const r = await t.app.inject({ method: 'GET', url: `/api/demand/demands/${numero}`, headers: agent.headers });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.person.lastName).toMatch(/^FICTIF-/);
    const lines = body.view.score.sections.flatMap((s: any) => s.lines);
    expect(lines.map((l: any) => l.criterionId)).toEqual(['menace_expulsion', 'parent_isole', 'taux_effort_trop_eleve']);
    expect(body.view.score.total).toBe(lines.reduce((a: number, l: any) => a + l.points, 0));
    const logged = (await auditRows('read', numero)).filter((l: any) => l.actor_id === agent.userId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ actor_kind: 'user', organisation_id: agent.organisationId });
  });

  it('gives the applicant their page with the access code only, without identity, and logs it', async () => {
    const agent = await t.login('agent');
    const code = (await t.app.inject({ method: 'POST', url: `/api/demand/demands/${numero}/access-code`, headers: agent.headers })).json().accessCode;
    const wrong = await t.app.inject({ method: 'POST', url: '/api/demand/applicant', payload: { numero, code: 'AAAA-BBBB-CCCC' } });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.json().detail).toBe('Numéro de demande ou code d’accès incorrect.');
    const r = await t.app.inject({ method: 'POST', url: '/api/demand/applicant', payload: { numero, code } });
    expect(r.statusCode).toBe(200);
    const page = r.json();
    expect(page.numero).toBe(numero);
    expect(page.score.total).toBeGreaterThanOrEqual(0);
    expect(page.distribution.withheld === true || page.distribution.count >= 11).toBe(true);
    expect(JSON.stringify(page)).not.toMatch(/FICTIF|example\.invalid|lastName|monthlyIncome/);
    const logged = await auditRows('read_by_applicant', numero);
    expect(logged).toHaveLength(1);
    expect(logged[0].actor_kind).toBe('public');
  });

  it('refuses an invalid grid with its problems in French', async () => {
    const agent = await t.login('agent');
    const bad = { ...grids.rhone_lyon_csf69, version: 9, sections: [{ id: 's', label: 'S', mode: 'somme', cap: null, criteria: [{ id: 'x', label: 'X', points: 5, condition: { field: 'revenus', op: 'gt', value: 1 } }] }] };
    const r = await t.app.inject({ method: 'POST', url: '/api/demand/grids', headers: agent.headers, payload: { epciSiren: LYON, definition: bad } });
    expect(r.statusCode).toBe(422);
    expect(r.json().detail).toMatch(/sections\.0\.criteria\.0\.condition : champ inconnu « revenus »/);
  });

  it('simulates the draft v2 against v1 on the current Toulouse demands; only an admin adopts', async () => {
    const agent = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
    const all = (await t.app.inject({ method: 'GET', url: `/api/demand/grids?epci=${TOULOUSE}`, headers: agent.headers })).json();
    const v1 = all.find((g: any) => g.version === 1);
    const v2 = all.find((g: any) => g.version === 2);
    const r = await t.app.inject({ method: 'POST', url: '/api/demand/simulation', headers: agent.headers, payload: { epciSiren: TOULOUSE, before: v1.id, after: v2.id } });
    expect(r.statusCode).toBe(200);
    const s = r.json();
    const active = await store.loadDemands(t.ctx.db, { epciSiren: TOULOUSE, status: 'active' });
    expect(s.count).toBe(active.length);
    expect(s.up + s.down + s.same).toBe(s.count);
    expect(s.up).toBeGreaterThan(0);
    expect(s.down).toBeGreaterThan(0);
    expect((await t.app.inject({ method: 'POST', url: `/api/demand/grids/${v2.id}/adopt`, headers: agent.headers })).statusCode).toBe(403);
  });

  it('exports demands pseudonymised: no names, no numbers, ages in bands; the export is logged', async () => {
    const agent = await t.login('agent');
    const r = await t.app.inject({ method: 'GET', url: `/api/demand/export.csv?epci=${LYON}`, headers: agent.headers });
    expect(r.statusCode).toBe(200);
    const lines = r.body.trim().split('\n');
    expect(lines[0]).toMatch(/^pseudonyme;epci_siren;mois_depot/);
    expect(r.body).not.toMatch(/FICTIF|example\.invalid|SYN/);
    expect(r.body).toMatch(/;(moins de 25 ans|25-34 ans|35-44 ans|45-54 ans|55-64 ans|65 ans ou plus|inconnu);/);
    const again = await t.app.inject({ method: 'GET', url: `/api/demand/export.csv?epci=${LYON}`, headers: agent.headers });
    expect(again.body.split('\n')[1].split(';')[0]).toBe(lines[1].split(';')[0]);
    const logged = await t.ctx.db.selectFrom('audit_log').selectAll().where('entity', '=', 'demand').where('action', '=', 'export').execute();
    expect(logged.length).toBeGreaterThanOrEqual(2);
  });

  it('lets an agent enter a demand, change it (rescored) and record its attribution', async () => {
    const agent = await t.login('agent');
    const demand = {
      numero: '069TEST0000001',
      epciSiren: LYON,
      dateDepot: '2025-01-15',
      adults: 1,
      children: 2,
      monthlyIncome: 1300,
      residualRent: 500,
      housingSituation: 'locataire_prive',
      currentSurface: 40,
      typology: 'T3',
      communes: ['69266'],
      flags: [],
    };
    const person = { lastName: 'FICTIF', firstName: 'Alix' };
    const c = await t.app.inject({ method: 'POST', url: '/api/demand/demands', headers: agent.headers, payload: { demand, person } });
    expect(c.statusCode).toBe(201);
    expect(c.json().accessCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const u = await t.app.inject({ method: 'PUT', url: '/api/demand/demands/069TEST0000001', headers: agent.headers, payload: { demand: { ...demand, flags: ['menace_expulsion'] }, person } });
    expect(u.json()).toEqual({ numero: '069TEST0000001', score: 35 });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/demand/demands/069TEST0000001/attribution', headers: agent.headers, payload: { dateAttribution: '2026-06-01', communeCode: '99999', typology: 'T3' } });
    expect(unknown.json()).toMatchObject({ status: 400, detail: 'Commune 99999 inconnue du code officiel géographique.' });
    const early = await t.app.inject({ method: 'POST', url: '/api/demand/demands/069TEST0000001/attribution', headers: agent.headers, payload: { dateAttribution: '2024-06-01', communeCode: '69266', typology: 'T3' } });
    expect(early.json().detail).toBe('La date d’attribution précède le dépôt de la demande.');
    const other = await t.app.inject({ method: 'POST', url: '/api/demand/demands', headers: agent.headers, payload: { demand: { ...demand, numero: '069TEST0000002', epciSiren: '200054781' }, person } });
    expect(other.json().detail).toBe('Cet EPCI n’est pas servi par cette instance.');
    const a = await t.app.inject({ method: 'POST', url: '/api/demand/demands/069TEST0000001/attribution', headers: agent.headers, payload: { dateAttribution: '2026-06-01', communeCode: '69266', typology: 'T3' } });
    expect(a.statusCode).toBe(200);
    const writes = await t.ctx.db.selectFrom('audit_log').select(['action', 'entity']).where('entity_id', '=', '069TEST0000001').orderBy('id').execute();
    expect(writes).toEqual([
      { action: 'put', entity: '/api/demand/demands/:numero' },
      { action: 'post', entity: '/api/demand/demands/:numero/attribution' },
    ]);
    const created = await t.ctx.db.selectFrom('audit_log').select('actor_id').where('action', '=', 'post').where('entity', '=', '/api/demand/demands').execute();
    expect(created.map((c: any) => c.actor_id)).toContain(agent.userId);
  });

  it('limits guesses of access codes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await t.app.inject({ method: 'POST', url: '/api/demand/applicant', payload: { numero, code: `ZZZZ-ZZZZ-ZZ${String(i).padStart(2, '0')}` } })).statusCode);
    }
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(10);
    expect(statuses.at(-1)).toBe(429);
  });

  it('documents every demand route in the OpenAPI document, with who may call it', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/demand/'));
    expect(paths).toEqual(expect.arrayContaining(['/api/demand/grids/public', '/api/demand/applicant', '/api/demand/demands/{numero}', '/api/demand/simulation', '/api/demand/export.csv']));
    for (const p of paths) for (const op of Object.values(doc.paths[p]) as any[]) expect(op['x-access']).toBeTruthy();
  });

  it('imports an uploaded CSV file all or nothing, Latin-1 accepted', async () => {
    const agent = await t.login('agent');
    const header = SNE_COLUMNS.join(';');
    const line = (numero: string, nom: string, adults = '1') =>
      SNE_COLUMNS.map((c) => ({ numero_unique: numero, epci_siren: LYON, date_depot: '01/02/2025', nom, prenom: 'Zoé', nb_adultes: adults, typologie_souhaitee: 'T2', communes_souhaitees: '69266' } as Record<string, string>)[c] ?? '').join(';');
    const upload = (text: string) =>
      t.app.inject({ method: 'POST', url: '/api/demand/import?nom=envoi.csv', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: Buffer.from(text, 'latin1') });
    const bad = await upload([header, line('069UPLOAD00001', 'FICTIF-Hélène'), line('069UPLOAD00002', 'FICTIF-Léa', 'zéro')].join('\n'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('envoi.csv, ligne 3, colonne « nb_adultes » — règle nombre : nombre attendu (valeur : « zéro »)');
    expect(await store.getDemand(t.ctx.db, '069UPLOAD00001')).toBeUndefined();
    const good = await upload([header, line('069UPLOAD00001', 'FICTIF-Hélène')].join('\n'));
    expect(good.json()).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect((await store.getDemand(t.ctx.db, '069UPLOAD00001'))!.person!.lastName).toBe('FICTIF-Hélène');
    const partner = await t.login('partner', 'bailleur');
    expect((await t.app.inject({ method: 'POST', url: '/api/demand/import', headers: { ...partner.headers, 'content-type': 'text/csv' }, payload: header })).statusCode).toBe(403);
  });

  it('gives partners statistics with secrecy, not demands', async () => {
    const partner = await t.login('partner', 'bailleur', await t.org('bailleur', { epcis: [TOULOUSE] }));
    const r = await t.app.inject({ method: 'GET', url: `/api/demand/stats?epci=${TOULOUSE}`, headers: partner.headers });
    expect(r.statusCode).toBe(200);
    const [s] = r.json();
    expect(s.activeDemands).toBeGreaterThan(0);
    for (const t of s.byTypology) expect(t.activeDemands === null || t.activeDemands === 0 || t.activeDemands >= 11).toBe(true);
    expect(JSON.stringify(s)).not.toMatch(/SYN|FICTIF/);
  });

  it('publishes no total that gives a withheld typology back by subtraction (demands and attributions)', async () => {
    const partner = await t.login('partner', 'bailleur');
    for (const epci of [TOULOUSE, LYON]) {
      const [s] = (await t.app.inject({ method: 'GET', url: `/api/demand/stats?epci=${epci}`, headers: partner.headers })).json();
      // Count per typology as the store has it, to know which figures are really small.
      const real = await t.ctx.db.selectFrom('demand').select(['typologie']).select((eb) => eb.fn.countAll<number>().as('n')).where('epci_siren', '=', epci).where('statut', '=', 'active').groupBy('typologie').execute();
      const small = real.filter((r) => Number(r.n) > 0 && Number(r.n) < 11).map((r) => r.typologie);
      expect(small.length, 'the demo has a small typology to protect').toBeGreaterThan(0);
      for (const typ of small) expect(s.byTypology.find((x: any) => x.typology === typ).activeDemands).toBeNull();
      // The reader's attack: total minus the published typologies.
      const attack = (total: number | null, cells: (number | null)[]) => {
        if (total === null) return;
        const withheld = cells.filter((c) => c === null).length;
        const rest = total - cells.reduce((a: number, c) => a + (c ?? 0), 0);
        expect(withheld, 'a lone withheld cell is a subtraction away').not.toBe(1);
        expect(rest === 0 || rest >= 11, `the withheld cells together count ${rest}`).toBe(true);
      };
      attack(s.activeDemands, s.byTypology.map((x: any) => x.activeDemands));
      attack(s.attributions, s.byTypology.map((x: any) => (x.waiting.withheld ? null : x.waiting.count)));
      for (const x of s.byTypology) if (x.activeDemands === null) expect(x.activeDemandsReason).toMatch(/secret/i);
    }
  });
});
