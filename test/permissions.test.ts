// The permission matrix: every /api route, called by every kind of caller, on its own EPCI's data and on another
// EPCI's, answers as its declaration and the caller's perimeter say. Then the isolation rules the club relies on:
// a Lyon agent and Toulouse's data, the operator, a commune, a partner, a read-only user of a partner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access, Role } from '../src/platform/http/access.ts';
import type { OrganisationKind } from '../src/modules/access/model.ts';
import { loadDemandDemo } from '../src/modules/demand/index.ts';
import { exampleFile, findSchema, loadCatalogue } from '../src/modules/referential/catalogue.ts';
import { SAMPLE } from '../src/modules/plh/sample-programme.test-support.ts';
import * as plh from '../src/modules/plh/store.ts';
import { createTestApp, type Actor, type TestApp } from './support/app.ts';

const LYON = '200046977';
const TOULOUSE = '243100518';
const ZERO_UUID = '00000000-0000-4000-8000-000000000000';

/** The kinds of caller, all on Lyon's side of the club (or the club's operator). */
type Caller = 'anonyme' | 'lecteurEpci' | 'lecteurPartenaire' | 'partenaire' | 'cleApi' | 'agent' | 'admin' | 'operateur' | 'commune';
const CALLERS: Caller[] = ['anonyme', 'lecteurEpci', 'lecteurPartenaire', 'partenaire', 'cleApi', 'agent', 'admin', 'operateur', 'commune'];
const IDENTITY: Record<Exclude<Caller, 'anonyme'>, { role: Role; kind: OrganisationKind }> = {
  lecteurEpci: { role: 'readonly', kind: 'epci' },
  lecteurPartenaire: { role: 'readonly', kind: 'bailleur' },
  partenaire: { role: 'partner', kind: 'bailleur' },
  cleApi: { role: 'partner', kind: 'promoteur' },
  agent: { role: 'agent', kind: 'epci' },
  admin: { role: 'admin', kind: 'epci' },
  operateur: { role: 'operator', kind: 'club' },
  commune: { role: 'partner', kind: 'commune' },
};

/** What the declaration says about a caller: a read-only user of another organisation than an EPCI reads as a partner. */
function declaredAllowed(access: Access, caller: Caller): boolean {
  if (access === 'public') return true;
  if (caller === 'anonyme') return false;
  if (access === 'authenticated') return true;
  const { role, kind } = IDENTITY[caller];
  if (role === 'readonly' && kind !== 'epci') return false;
  return access.roles.includes(role);
}

type Side = 'meme' | 'autre';
interface Seeded {
  siren: string;
  commune: string;
  /** Strings that only this EPCI's data carries: a caller of the other EPCI must never receive one. */
  tokens: string[];
  ids: Record<string, string>;
}

let t: TestApp;
const headers: Partial<Record<Caller, Record<string, string>>> = {};
const seeded: Partial<Record<Side, Seeded>> = {};

async function must(res: { statusCode: number; body: string; json(): any }, status = [200, 201]) {
  if (!status.includes(res.statusCode)) throw new Error(`préparation : ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res.json();
}

/** Data of one EPCI in every module, entered by its own agent and partners, each carrying a marker. */
async function seed(siren: string, commune: string, secondCommune: string, mark: string): Promise<Seeded> {
  const agent = await t.login('agent', 'epci', await t.epciOrg(siren));
  const as = (who: Actor, method: string, url: string, payload?: unknown) => t.app.inject({ method: method as any, url, headers: who.headers, payload: payload as any });
  const ids: Record<string, string> = {};
  await plh.replaceProgramme(t.ctx.db, { ...SAMPLE, name: `${mark} PLH`, targets: SAMPLE.targets.map((o, i) => ({ ...o, communeCode: i ? commune : secondCommune })) }, siren);
  await must(await as(agent, 'PUT', `/api/plh/sru/${commune}/2026`, { main_residences: 10_000, social_dwellings: 1_500, legal_rate: 0.25, source: `${mark} inventaire` }));
  ids.aide = (await must(await as(agent, 'POST', '/api/plh/aids', { reference: `${mark}-AIDE`, type: 'logement_social', commune_code: commune, year: 2026, amount_euros: 1000, plai_count: 1 }))).id;
  ids.aideVictime = (await must(await as(agent, 'POST', '/api/plh/aids', { reference: `${mark}-AIDE2`, type: 'renovation', commune_code: commune, year: 2026, amount_euros: 10, dwellings_count: 1 }))).id;
  ids.foncier = (await must(await as(agent, 'POST', '/api/plh/land', { reference: `${mark}-F1`, nature: 'friche', commune_code: commune, surface_m2: 100 }))).id;
  ids.foncierVictime = (await must(await as(agent, 'POST', '/api/plh/land', { reference: `${mark}-F2`, nature: 'gisement', commune_code: commune, surface_m2: 10 }))).id;
  ids.programme = (await must(await as(agent, 'POST', '/api/construction/programmes', { name: `${mark} programme`, commune_code: commune, dwellings: 10, state: 'project', state_date: '2026-01-10' }))).id;
  await must(await as(agent, 'PUT', '/api/construction/targets', { targets: [{ commune_code: commune, period_start: 2025, period_end: 2030, target_dwellings: 100, target_social_dwellings: 30 }] }));
  ids.notification = (
    await t.ctx.db.insertInto('construction_notification').values({ alert_key: `${mark}-alerte`, rule: 'commune_behind', commune_code: commune, message: `${mark} alerte` }).returning('id').executeTakeFirstOrThrow()
  ).id as string;
  ids.aideLocale = (
    await must(
      await as(agent, 'POST', '/api/aids/local-aids', { epci_siren: siren, kind: 'accession', name: `${mark} aide locale`, communes: [commune], amount_euros: 1000, housing_types: ['new_build'] }),
      [201],
    )
  ).id;
  // A landlord working with this EPCI only: its building and an incident.
  const landlord = await t.login('partner', 'bailleur', await t.org('bailleur', { epcis: [siren] }));
  await must(await as(landlord, 'PUT', '/api/stock/buildings', { buildings: [{ reference: `${mark}-BAT`, commune_code: commune, dwellings_count: 20, dpe_class: 'F' }] }));
  ids.building = (await must(await as(landlord, 'GET', '/api/stock/buildings'))).buildings[0].id;
  ids.incident = (await must(await as(landlord, 'POST', '/api/stock/incidents', { building_id: ids.building, category: 'eau', started_at: '2025-01-10T08:00:00Z' }), [201])).incident.id;
  // The city delivers its permits to the referential.
  const city = await t.apiKey('commune', await t.org('commune', { commune }));
  const permis = findSchema(loadCatalogue(), 'permis-declares');
  const body = exampleFile(permis, 'valide').toString('utf8').replaceAll('31555', commune);
  ids.livraison = (await must(await t.app.inject({ method: 'POST', url: `/api/referential/schemas/permis-declares/deliveries?filename=${mark}.csv`, headers: { ...city.headers, 'content-type': 'text/csv' }, payload: body }), [201])).delivery.id;
  // Demands (the synthetic demo ones) and grids.
  const demands = await t.ctx.db.selectFrom('demand').select('number').where('epci_siren', '=', siren).orderBy('number').execute();
  ids.demande = demands[0].number;
  ids.demandeVictime = demands[1].number;
  const grids = await t.ctx.db.selectFrom('demand_grid').select('id').where('epci_siren', '=', siren).orderBy('version').execute();
  ids.grille = grids[0].id;
  // Accounts and organisations an admin or the operator may act on (never one of the callers of the matrix).
  ids.compte = (await t.login('agent', 'epci', await t.epciOrg(siren))).userId;
  ids.organisation = await t.org('bailleur', { epcis: [siren] });
  const tokens = [mark, ...Object.entries(ids).filter(([k]) => !['compte', 'organisation'].includes(k)).map(([, v]) => v), ...demands.map((d) => d.number), ...grids.map((g) => g.id)];
  return { siren, commune, tokens, ids };
}

/** The URL of a route with its parameters naming the data of one side. */
function fillParams(url: string, s: Seeded) {
  const id = (name: string) => s.ids[name] ?? ZERO_UUID;
  const byRoute: [RegExp, string][] = [
    [/^\/api\/demand\/grids\/:id/, id('grille')],
    [/^\/api\/plh\/aids\/:id/, id('aideVictime')],
    [/^\/api\/plh\/land\/:id/, id('foncierVictime')],
    [/^\/api\/construction\/programmes\/:id/, id('programme')],
    [/^\/api\/construction\/notifications\/:id/, id('notification')],
    [/^\/api\/referential\/deliveries\/:id/, id('livraison')],
    [/^\/api\/aids\/local-aids\/:id/, id('aideLocale')],
    [/^\/api\/access\/users\/:id/, id('compte')],
    [/^\/api\/access\/organisations\/:id/, id('organisation')],
  ];
  const routeId = byRoute.find(([re]) => re.test(url))?.[1] ?? ZERO_UUID;
  return url
    .replace(/:number\b/g, url.startsWith('/api/demand/demands/:number') && !url.endsWith(':number') ? s.ids.demande : s.ids.demandeVictime)
    .replace(/:incidentId\b/g, id('incident'))
    .replace(/:buildingId\b/g, id('building'))
    .replace(/:organisationId\b|:organisation_id\b/g, id('organisation'))
    .replace(/:epciSiren\b|:epci_siren\b|:siren\b/g, s.siren)
    .replace(/^\/api\/plh\/actions\/:code/, '/api/plh/actions/9.9') // an action of the caller's own programme
    .replace(/:code\b/g, s.commune)
    .replace(/:id\b/g, routeId)
    .replace(/:(\w*[iI]d)\b/g, ZERO_UUID)
    .replace(/:year\b|:annee\b/g, '2026')
    .replace(/:(\w+)/g, 'x')
    .replace(/\*$/, 'x');
}

beforeAll(async () => {
  t = await createTestApp();
  await loadDemandDemo(t.ctx.db, t.ctx.config.epciSirens);
  seeded.autre = await seed(TOULOUSE, '31555', '31069', 'TLSSECRET');
  seeded.meme = await seed(LYON, '69123', '69266', 'LYSSECRET');
  headers.anonyme = {};
  const lyonPartner = await t.org('bailleur', { epcis: [LYON] });
  headers.lecteurEpci = (await t.login('readonly', 'epci')).headers;
  headers.lecteurPartenaire = (await t.login('readonly', 'bailleur', lyonPartner)).headers;
  headers.partenaire = (await t.login('partner', 'bailleur', lyonPartner)).headers;
  headers.cleApi = (await t.apiKey('promoteur', await t.org('promoteur', { epcis: [LYON] }))).headers;
  headers.agent = (await t.login('agent')).headers;
  headers.admin = (await t.login('admin')).headers;
  headers.operateur = (await t.login('operator')).headers;
  headers.commune = (await t.login('partner', 'commune')).headers; // Lyon (69123), the first EPCI's largest commune
}, 300_000);
afterAll(() => t?.close());

describe('permission matrix', () => {
  it('covers every API route, each with a declaration', () => {
    const routes = t.app.routeTable;
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) expect(r.access, `${r.method} ${r.url}`).toBeDefined();
  });

  it('lets exactly the declared callers through on every route, and never shows a Lyon caller Toulouse’s data', async () => {
    const failures: string[] = [];
    // Toulouse's side first: the same side's deletions (of objects kept for that) must not hide a refusal.
    for (const side of ['autre', 'meme'] as Side[]) {
      const target = seeded[side]!;
      for (const route of t.app.routeTable) {
        if (route.url === '/api/access/logout') continue; // would end the test sessions; covered below
        for (const caller of CALLERS) {
          const url = fillParams(route.url, target);
          const res = await t.app.inject({
            method: route.method as any,
            url,
            headers: headers[caller],
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
          });
          const where = `${route.method} ${url} par ${caller} (${side === 'autre' ? 'données de Toulouse' : 'données de Lyon'})`;
          const code = res.headers['content-type']?.toString().includes('json') ? res.json()?.code : undefined;
          const refusedByHook = code === 'access.unauthenticated' || code === 'access.role_refused';
          const allowed = declaredAllowed(route.access, caller);
          if (allowed && refusedByHook) failures.push(`${where} : refusé (${res.statusCode})`);
          if (!allowed && !refusedByHook) failures.push(`${where} : ouvert (${res.statusCode})`);
          if (!allowed && caller === 'anonyme' && res.statusCode !== 401) failures.push(`${where} : ${res.statusCode} au lieu de 401`);
          if (res.statusCode >= 500) failures.push(`${where} → ${res.statusCode} ${res.body.slice(0, 200)}`);
          if (route.access === 'public' || res.statusCode >= 300) continue;
          // The operator administers every EPCI's accounts, organisations and keys, and reads the whole audit log.
          const administers = caller === 'operateur' && route.url.startsWith('/api/access/');
          if (!administers) {
            const leak = seeded.autre!.tokens.find((tok) => res.body.includes(tok));
            if (leak) failures.push(`${where} : la réponse contient « ${leak} », une donnée de Toulouse`);
          }
          // A route naming one of Toulouse's objects answers a Lyon caller with a refusal or « introuvable », never 2xx.
          // (An action code names an action of the caller's own programme, not another EPCI's object.)
          if (side === 'autre' && /:\w/.test(route.url) && !administers && route.url !== '/api/plh/actions/:code') failures.push(`${where} : ${res.statusCode} sur une donnée de Toulouse`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 600_000); // about 2,000 requests: minutes on a loaded two-core machine

  it('refuses an unknown or revoked API key', async () => {
    const res = await t.app.inject({ url: '/api/access/me', headers: { authorization: 'Bearer hc_inconnue' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toMatch(/Clé d’API inconnue/);
  });
});

describe('a Lyon agent and Toulouse’s data', () => {
  const toulouse = () => seeded.autre!;
  const inject = (method: string, url: string, payload?: unknown) => t.app.inject({ method: method as any, url, headers: headers.agent, payload: payload as any });
  const refused = async (method: string, url: string, payload?: unknown) => {
    const res = await inject(method, url, payload);
    expect(res.statusCode, `${method} ${url} : ${res.body}`).toBe(403);
    expect(res.json().code).toBe('access.outside_perimeter');
    expect(res.json().detail).toMatch(/hors de votre périmètre|autorisé/);
  };

  it('gets 403 on Toulouse’s demands, grid, SRU, programme, aids and audit', async () => {
    const s = toulouse();
    await refused('GET', `/api/demand/demands/${s.ids.demande}`);
    await refused('GET', `/api/demand/demands?epci=${TOULOUSE}`);
    await refused('DELETE', `/api/demand/demands/${s.ids.demande}`);
    await refused('POST', `/api/demand/demands/${s.ids.demande}/access-code`);
    await refused('GET', `/api/demand/export.csv?epci=${TOULOUSE}`);
    await refused('GET', `/api/demand/grids/${s.ids.grille}`);
    await refused('GET', `/api/demand/grids?epci=${TOULOUSE}`);
    expect((await inject('POST', `/api/demand/grids/${s.ids.grille}/adopt`)).statusCode).toBe(403); // adopting is an admin's
    const adopt = await t.app.inject({ method: 'POST', url: `/api/demand/grids/${s.ids.grille}/adopt`, headers: headers.admin });
    expect(adopt.json()).toMatchObject({ status: 403, code: 'access.outside_perimeter' });
    await refused('PUT', '/api/plh/sru/31555/2026', { main_residences: 1, social_dwellings: 1, legal_rate: 0.25, source: 'pirate' });
    await refused('GET', `/api/plh/programme?epci=${TOULOUSE}`);
    await refused('GET', `/api/plh/report?year=2026&epci=${TOULOUSE}`);
    await refused('POST', '/api/plh/aids', { reference: 'TLSSECRET-AIDE', type: 'renovation', commune_code: '31555', year: 2026, amount_euros: 1, dwellings_count: 1 });
    // The same case reference, entered for a Lyon commune, would have overwritten Toulouse's case.
    await refused('POST', '/api/plh/aids', { reference: 'TLSSECRET-AIDE', type: 'renovation', commune_code: '69123', year: 2026, amount_euros: 1, dwellings_count: 1 });
    await refused('DELETE', `/api/plh/aids/${s.ids.aide}`);
    await refused('POST', '/api/plh/land', { reference: 'TLSSECRET-F1', nature: 'gisement', commune_code: '69123', surface_m2: 1 });
    await refused('POST', `/api/construction/programmes/${s.ids.programme}/state`, { state: 'permit_filed' });
    // The audit log is an admin's: the agent has no access to it at all, and Lyon's admin none to Toulouse's.
    expect((await inject('GET', `/api/access/audit?epci=${TOULOUSE}`)).statusCode).toBe(403);
    const lyonAdmin = await t.app.inject({ url: `/api/access/audit?epci=${TOULOUSE}`, headers: headers.admin });
    expect(lyonAdmin.json()).toMatchObject({ status: 403, code: 'access.outside_perimeter' });
    const aide = await t.ctx.db.selectFrom('plh_aid').select(['commune_code', 'amount_euros']).where('reference', '=', 'TLSSECRET-AIDE').executeTakeFirstOrThrow();
    expect(aide).toEqual({ commune_code: '31555', amount_euros: 1000 });
  });

  it('never finds a Toulouse row in his lists, and Toulouse’s agent never a Lyon row', async () => {
    const toulouseAgent = (await t.login('agent', 'epci', await t.epciOrg(TOULOUSE))).headers;
    const lists = ['/api/demand/demands?limit=500', '/api/demand/grids', '/api/plh/sru?year=2026', '/api/plh/aids', '/api/plh/land', '/api/plh/targets?year=2026', '/api/plh/programme',
      '/api/construction/programmes?limit=1000', '/api/construction/targets', '/api/construction/notifications', '/api/construction/communes', '/api/stock/buildings', '/api/stock/incidents',
      '/api/referential/deliveries?limit=500', '/api/aids/local-aids/all', '/api/access/organisations', '/api/demand/stats'];
    for (const [who, mine, other] of [[headers.agent!, seeded.meme!, seeded.autre!], [toulouseAgent, seeded.autre!, seeded.meme!]] as const) {
      let seen = 0;
      for (const url of lists) {
        const res = await t.app.inject({ url, headers: who });
        expect(res.statusCode, `${url} ${res.body.slice(0, 200)}`).toBe(200);
        const leak = other.tokens.find((tok) => res.body.includes(tok));
        expect(leak, `${url} contient ${leak}`).toBeUndefined();
        if (mine.tokens.some((tok) => res.body.includes(tok))) seen++;
      }
      // The lists are not empty by accident: the agent's own EPCI's rows are there.
      expect(seen).toBeGreaterThanOrEqual(10);
    }
  });
});

describe('the club’s operator', () => {
  it('manages both EPCIs’ users but reads no demand', async () => {
    const op = { headers: headers.operateur! };
    const users = (await t.app.inject({ url: '/api/access/users', headers: op.headers })).json().users.map((u: any) => u.id);
    expect(users).toEqual(expect.arrayContaining([seeded.meme!.ids.compte, seeded.autre!.ids.compte]));
    for (const siren of [LYON, TOULOUSE]) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/access/users',
        headers: op.headers,
        payload: { email: `nouvel.agent.${siren}@exemple.fr`, name: 'Nouvel agent', password: 'mot-de-passe-solide-2026', role: 'agent', organisation_id: await t.epciOrg(siren) },
      });
      expect(created.statusCode, created.body).toBe(201);
      const off = await t.app.inject({ method: 'PATCH', url: `/api/access/users/${created.json().id}`, headers: op.headers, payload: { active: false } });
      expect(off.json()).toMatchObject({ active: false });
      const entry = await t.ctx.db.selectFrom('audit_log').select('epci_siren').where('entity', '=', '/api/access/users/:id').where('entity_id', '=', created.json().id).executeTakeFirstOrThrow();
      expect(entry.epci_siren).toBe(siren); // the audit log says on whose perimeter the operator acted
    }
    const lyonAdmin = (await t.login('admin')).headers;
    const cannot = await t.app.inject({ method: 'PATCH', url: `/api/access/users/${seeded.autre!.ids.compte}`, headers: lyonAdmin, payload: { active: false } });
    expect(cannot.statusCode).toBe(403);

    for (const url of [`/api/demand/demands/${seeded.meme!.ids.demande}`, `/api/demand/demands/${seeded.autre!.ids.demande}`, '/api/demand/demands', '/api/demand/export.csv']) {
      const res = await t.app.inject({ url, headers: op.headers });
      expect(res.statusCode, url).toBe(403);
    }
    // Nor the personal data the audit log names: a read of a demand shows without its number.
    await t.app.inject({ url: `/api/demand/demands/${seeded.meme!.ids.demande}`, headers: headers.agent });
    const audit = (await t.app.inject({ url: '/api/access/audit?entity=demand&limit=1000', headers: op.headers })).json().entries;
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(seeded.meme!.ids.demande);
    expect(audit[0]).toMatchObject({ entity_id: null, detail: null, masked: 'données personnelles' });
  });

  it('reads a demand once an EPCI authorises its organisation, and that EPCI’s only', async () => {
    const lyonAdmin = (await t.login('admin')).headers;
    const me = (await t.app.inject({ url: '/api/access/me', headers: headers.operateur })).json();
    const grant = await t.app.inject({ method: 'POST', url: '/api/demand/partners', headers: lyonAdmin, payload: { organisation_id: me.organisation.id, epci_siren: LYON } });
    expect(grant.statusCode, grant.body).toBe(200);
    expect((await t.app.inject({ url: `/api/demand/demands/${seeded.meme!.ids.demande}`, headers: headers.operateur })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/demand/demands/${seeded.autre!.ids.demande}`, headers: headers.operateur })).statusCode).toBe(403);
    await t.app.inject({ method: 'DELETE', url: `/api/demand/partners/${me.organisation.id}/${LYON}`, headers: lyonAdmin });
    expect((await t.app.inject({ url: `/api/demand/demands/${seeded.meme!.ids.demande}`, headers: headers.operateur })).statusCode).toBe(403);
  });
});

describe('a commune’s user', () => {
  it('reads its commune’s data only', async () => {
    const h = headers.commune!;
    const get = async (url: string) => {
      const res = await t.app.inject({ url, headers: h });
      expect(res.statusCode, `${url} ${res.body.slice(0, 200)}`).toBe(200);
      return res.json();
    };
    const sru = (await get('/api/plh/sru?year=2026')).communes;
    expect(sru.map((l: any) => l.commune_code)).toEqual(['69123']);
    expect((await get('/api/plh/land')).sites.map((f: any) => f.commune_code)).toEqual(['69123']);
    expect((await get('/api/plh/aids')).aids.every((a: any) => a.commune_code === '69123')).toBe(true);
    expect((await get('/api/plh/targets?year=2026')).targets.map((o: any) => o.commune_code)).toEqual(['69123', '69123']);
    expect((await get('/api/stock/exposure?level=commune&code=69123')).declared_buildings.buildings_count).toBe(1);
    for (const url of ['/api/stock/exposure?level=commune&code=69266', '/api/plh/targets?year=2026&commune=69266', '/api/stock/exposure?level=epci&code=200046977']) {
      expect((await t.app.inject({ url, headers: h })).statusCode, url).toBe(403);
    }
    expect((await t.app.inject({ url: '/api/demand/demands', headers: h })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'PUT', url: '/api/plh/sru/69123/2026', headers: h, payload: { main_residences: 1, social_dwellings: 1, legal_rate: 0.25, source: 's' } })).statusCode).toBe(403);
  });
});

describe('a read-only user of a partner organisation (issue 21)', () => {
  it('gets no more than a partner of its organisation', async () => {
    const lyonPartner = await t.org('promoteur', { epcis: [LYON] });
    const reader = (await t.login('readonly', 'promoteur', lyonPartner)).headers;
    const partner = (await t.login('partner', 'promoteur', lyonPartner)).headers;
    for (const url of ['/api/construction/programmes', '/api/construction/programmes.csv', `/api/construction/programmes/${seeded.meme!.ids.programme}`, '/api/plh/report?year=2026', '/api/construction/notifications']) {
      const asReader = await t.app.inject({ url, headers: reader });
      const asPartner = await t.app.inject({ url, headers: partner });
      expect(asReader.statusCode, url).toBe(403);
      expect(asPartner.statusCode, url).toBe(403);
    }
    const { id } = await t.ctx.db.insertInto('construction_notification').values({ alert_key: 'lue-test', rule: 'commune_behind', commune_code: '69123', message: 'Lyon en retard' }).returning('id').executeTakeFirstOrThrow();
    const lue = `/api/construction/notifications/${id}/read`;
    expect((await t.app.inject({ method: 'POST', url: lue, headers: reader })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: lue, headers: headers.lecteurEpci })).statusCode).toBe(403);
    const row = await t.ctx.db.selectFrom('construction_notification').select('read_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.read_at).toBeNull();
    expect((await t.app.inject({ method: 'POST', url: lue, headers: headers.agent })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/construction/notifications/${seeded.autre!.ids.notification}/read`, headers: headers.agent })).statusCode).toBe(403);
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
    expect(me).toMatchObject({ kind: 'apikey', role: 'partner', organisation: { id: a.organisationId }, perimeter: { kind: 'partner' } });
    const asAdmin = await t.app.inject({ url: '/api/access/users', headers: { authorization: `Bearer ${keyA.key}` } });
    expect(asAdmin.statusCode).toBe(403);
  });

  it('the public routes return no personal data', async () => {
    const emails = (await t.ctx.db.selectFrom('app_user').select('email').execute()).map((u) => u.email);
    expect(emails.length).toBeGreaterThan(3);
    for (const route of t.app.routeTable.filter((r) => r.access === 'public' && r.method === 'GET')) {
      const res = await t.app.inject({ url: fillParams(route.url, seeded.meme!) });
      for (const email of emails) expect(res.body, route.url).not.toContain(email);
      expect(res.body).not.toMatch(/password_hash|token_hash|key_hash/);
    }
  });

  it('logs every write in the audit log with its author and the EPCI it was on', async () => {
    const admin = await t.login('admin');
    const res = await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'commune', name: 'Commune de Bron', commune_code: '69029' } });
    expect(res.statusCode, res.body).toBe(201);
    const entries = (await t.app.inject({ url: '/api/access/audit?entity=/api/access/organisations', headers: admin.headers })).json().entries;
    expect(entries[0]).toMatchObject({ action: 'post', actor_kind: 'user', actor_id: admin.userId, epci_siren: LYON });
    // An admin creates a commune of its own EPCI only.
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'commune', name: 'Blagnac', commune_code: '31069' } });
    expect(elsewhere.statusCode).toBe(403);
  });

  it('logs out: the session no longer opens anything', async () => {
    const user = await t.login('agent');
    expect((await t.app.inject({ method: 'POST', url: '/api/access/logout', headers: user.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/access/me', headers: user.headers })).statusCode).toBe(401);
  });
});
