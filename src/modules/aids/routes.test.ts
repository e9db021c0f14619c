import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const TOULOUSE = '243100518';
const aid = {
  epci_siren: TOULOUSE,
  kind: 'accession',
  name: 'Aide à la primo-accession (test)',
  description: 'Montant forfaitaire pour un premier achat dans le neuf.',
  amount_euros: 4000,
  ceiling_reference: 'PSLA',
  primo_accedant_required: true,
  housing_types: ['new_build'],
  communes: ['31555'],
  contact: 'Maison de l’habitat, 05 00 00 00 00',
  deliberation: 'Délibération de test',
};

describe('public simulators', () => {
  it('lists the three simulators with their questions', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/aids/simulators' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.map((s: any) => s.id)).toEqual(['social-housing', 'ownership', 'renovation']);
    const commune = body[0].questions.find((q: any) => q.id === 'commune');
    expect(commune.options.find((o: any) => o.value === '31555').label).toBe('Toulouse (31555)');
  });

  it('answers the social-housing simulator with each condition and its figure', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/aids/simulate/social-housing',
      payload: { commune: '31555', persons: 2, reference_tax_income: 24000, date: '2026-03-01' },
    });
    expect(res.statusCode).toBe(200);
    const plus = res.json().aids.find((a: any) => a.id === 'PLUS');
    expect(plus.verdict).toBe('eligible');
    expect(plus.conditions[0].text).toBe(
      'revenu fiscal de référence 2024 : 24 000 € ≤ plafond PLUS 2026 pour la catégorie 2 en autres régions : 31 254 €',
    );
    expect(plus.conditions[0].table.verification).toBe('official');
  });

  it('answers the household of issue 19: 2 persons in Toulouse, 15 000 €, PLAI — with the figure, its year and its source', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/aids/simulate/social-housing',
      payload: { commune: '31555', persons: 2, reference_tax_income: 15000, date: '2026-03-01' },
    });
    const plai = res.json().aids.find((a: any) => a.id === 'PLAI');
    expect(plai.verdict).toBe('eligible');
    expect(plai.summary).not.toContain('non disponible');
    const c = plai.conditions.find((x: any) => x.id === 'PLAI.ressources');
    // The 2026 PLAI figure is deduced (annexe II not read): the answer gives it and says it is not verified.
    expect(c.text).toMatch(/^revenu fiscal de référence 2024 : 15 000 € ≤ plafond PLAI 2026 pour la catégorie 2 en autres régions : [\d ]+ €$/);
    expect(c.threshold).toBeGreaterThan(15000);
    expect(c.table.file).toBe('logement-social/PLAI-2026.json');
    expect(c.table.verification).toBe('deduced');
    expect(c.table.verification_label).toContain('Non vérifié');
    expect(c.table.sources.map((x: any) => x.title).join(' ')).toContain('Arrêté du 29 juillet 1987');
    expect(plai.notes.join(' ')).toContain('Le plafond utilisé n’est pas vérifié dans le texte officiel');
    // The PLUS figure is official: no such notice.
    expect(res.json().aids.find((a: any) => a.id === 'PLUS').notes).toEqual([]);
  });

  it('answers the household of issue 19 in Villeurbanne (3 persons), a commune of the instance zoned from the national file', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/aids/simulate/social-housing',
      payload: { commune: '69266', persons: 3, reference_tax_income: 15000, date: '2026-03-01' },
    });
    const body = res.json();
    expect(body.context[0]).toContain('Villeurbanne (69266), zone A du zonage ABC, plafonds HLM « autres régions »');
    for (const a of body.aids) expect(a.verdict).toBe('eligible');
    expect(body.aids.find((a: any) => a.id === 'PLAI').conditions[1].text).toContain('plafond PLAI 2026 pour la catégorie 3');
  });

  it('offers every commune and arrondissement of the instance, named and zoned', async () => {
    const body = (await t.app.inject({ method: 'GET', url: '/api/aids/simulators' })).json();
    const options = body[0].questions.find((q: any) => q.id === 'commune').options;
    const codes = options.map((o: any) => o.value);
    // Every commune of the two default EPCIs in the territory store, plus « Autre commune ».
    const rows = await t.ctx.db.selectFrom('commune').select('code').where('epci_siren', 'in', ['200046977', '243100518']).execute();
    expect(rows.length).toBeGreaterThan(90);
    for (const r of rows) expect(codes).toContain(r.code);
    expect(codes.at(-1)).toBe('other');
  });

  it('publishes every table with its figures and which cells are not verified', async () => {
    const body = (await t.app.inject({ method: 'GET', url: '/api/aids/tables' })).json();
    const plai2025 = body.find((r: any) => r.file === 'logement-social/PLAI-2025.json');
    expect(plai2025.values.paris_and_neighbours['1']).toBeGreaterThan(0);
    expect(plai2025.verification_values.other_regions['5']).toBe('deduced');
    expect(body.find((r: any) => r.file === 'zonage/zonage-abc-2024.csv').verification).toBe('official');
  });

  it('refuses a bad answer with a French problem naming the field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/aids/simulate/social-housing', payload: { persons: 0 } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(res.json())).toContain('persons');
  });

  it('says which simulator does not exist', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/aids/simulate/inconnu', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toContain('Simulateur « inconnu » introuvable');
  });

  it('publishes the tables with their verification status', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/aids/tables' });
    const rows = res.json();
    expect(rows.find((r: any) => r.scheme === 'PLAI' && r.year === 2025).verification).toBe('secondary');
    expect(rows.find((r: any) => r.scheme === 'PLUS' && r.year === 2026).verification).toBe('official');
    expect(rows.find((r: any) => r.scheme === 'PSLA' && r.year === 2025).verification).toBe('deduced');
  });

  it('appear in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    for (const path of ['/api/aids/simulators', '/api/aids/simulate/social-housing', '/api/aids/simulate/ownership', '/api/aids/simulate/renovation', '/api/aids/tables', '/api/aids/local-aids']) {
      expect(doc.paths[path], path).toBeTruthy();
    }
  });

  it('stores nothing from a simulation', async () => {
    const before = await t.ctx.db.selectFrom('aids_local_aid').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    await t.app.inject({ method: 'POST', url: '/api/aids/simulate/ownership', payload: { commune: '31555', persons: 1, reference_tax_income: 20000 } });
    const after = await t.ctx.db.selectFrom('aids_local_aid').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    expect(after).toEqual(before);
  });
});

describe('the EPCI’s own aids', () => {
  it('may be written by an agent, not by a visitor or a partner', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/aids/local-aids', payload: aid })).statusCode).toBe(401);
    const partner = await t.login('partner');
    expect((await t.app.inject({ method: 'POST', url: '/api/aids/local-aids', payload: aid, headers: partner.headers })).statusCode).toBe(403);
    const lyonAgent = await t.login('agent');
    expect((await t.app.inject({ method: 'POST', url: '/api/aids/local-aids', payload: aid, headers: lyonAgent.headers })).statusCode).toBe(403);
    const agent = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
    const res = await t.app.inject({ method: 'POST', url: '/api/aids/local-aids', payload: aid, headers: agent.headers });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: aid.name, communes: ['31555'], housing_types: ['new_build'], active: true });
  });

  it('refuses a commune outside the EPCI', async () => {
    const agent = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/aids/local-aids',
      payload: { ...aid, communes: ['69123'] },
      headers: agent.headers,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toContain('69123');
  });

  it('appear in the ownership answer with their conditions, and disappear once deactivated', async () => {
    const admin = await t.login('admin', 'epci', await t.epciOrg(TOULOUSE));
    const list = (await t.app.inject({ method: 'GET', url: '/api/aids/local-aids' })).json();
    const mine = list.find((a: any) => a.name === aid.name);
    expect(mine).toBeTruthy();

    const ask = async (commune: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/aids/simulate/ownership',
          payload: { commune, persons: 2, reference_tax_income: 30000, owner_last_two_years: false, housing_type: 'new_build', operation_cost: 200000, date: '2026-03-01' },
        })
      ).json().aids.find((a: any) => a.id === `local-${mine.id}`);
    const inToulouse = await ask('31555');
    expect(inToulouse.verdict).toBe('eligible');
    expect(inToulouse.summary).toContain('4 000 €');
    expect(inToulouse.conditions.map((c: any) => c.id)).toEqual(['commune', 'primo', 'housing_type', 'ressources']);
    expect((await ask('31557')).verdict).toBe('not_eligible');

    const put = await t.app.inject({ method: 'PUT', url: `/api/aids/local-aids/${mine.id}`, payload: { ...aid, active: false }, headers: admin.headers });
    expect(put.statusCode).toBe(200);
    expect(await ask('31555')).toBeUndefined();
    const all = (await t.app.inject({ method: 'GET', url: '/api/aids/local-aids/all', headers: admin.headers })).json();
    expect(all.find((a: any) => a.id === mine.id).active).toBe(false);

    const del = await t.app.inject({ method: 'DELETE', url: `/api/aids/local-aids/${mine.id}`, headers: admin.headers });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/aids/local-aids/${mine.id}`, headers: admin.headers })).statusCode).toBe(404);
  });
});
