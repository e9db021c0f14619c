// The stock API end to end on a real store: public figures from the real RPLS and DPE files, a landlord's buildings,
// incidents alerting tenants through a real local SMTP server and a recording SMS provider, consent and audit.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Actor, type TestApp } from '../../../test/support/app.ts';
import { createApiKey } from '../access/store.ts';
import { loadStockDemo } from './demo.ts';
import { smtpMailer, useNotificationChannels, type SmsProvider } from './notify.ts';

interface ReceivedMail {
  to: string[];
  body: string;
}

let t: TestApp;
let smtp: SMTPServer;
const mails: ReceivedMail[] = [];
const sms: { to: string; text: string }[] = [];
let bailleurA: Actor;
let bailleurB: Actor;
let agent: Actor;
let sensor: { authorization: string };
let buildingG: string;
let buildingC: string;

const recordingSms: SmsProvider = {
  name: 'faux fournisseur',
  async send(to, text) {
    sms.push({ to, text });
  },
};

async function startSmtp(): Promise<number> {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return (smtp.server.address() as AddressInfo).port;
}

beforeAll(async () => {
  t = await createTestApp();
  await loadStockDemo(t.ctx);
  const port = await startSmtp();
  useNotificationChannels(t.ctx, { mailer: smtpMailer(`smtp://127.0.0.1:${port}`), sms: recordingSms });
  // The landlord of the referential's examples (SIREN 999000001), working with both EPCIs of the demo club.
  bailleurA = await t.login('partner', 'bailleur', await t.org('bailleur', { epcis: ['200046977', '243100518'], siren: '999000001' }));
  bailleurB = await t.login('partner', 'bailleur');
  agent = await t.login('agent');
  const key = await createApiKey(t.ctx.db, bailleurA.organisationId, 'capteur ascenseurs');
  sensor = { authorization: `Bearer ${key.key}` };
}, 180_000);

afterAll(async () => {
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await t?.close();
});

describe('public energy figures', () => {
  it('gives Lyon’s real RPLS 2019 classes and the ban steps, arrondissements’ DPEs included', async () => {
    const res = await t.app.inject({ url: '/api/stock/energy/communes/69123' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.commune.name).toBe('Lyon');
    expect(body.rpls.vintage).toBe(2019);
    expect(body.rpls.dwellings.value).toBe(51_865);
    expect(body.rpls.classes.G.value).toBe(339);
    expect(body.rpls.steps.map((s: any) => s.banned_dwellings.value)).toEqual([339, 339 + 1579, 339 + 1579 + 4761]);
    expect(body.ademe_dpe.dpe_count.value).toBe(2835);
    expect(JSON.stringify(body)).not.toMatch(/adresse|address|numero_dpe|@/);
  });

  it('withholds a commune’s figures when they count fewer dwellings than the secrecy threshold', async () => {
    const res = await t.app.inject({ url: '/api/stock/energy/territory' });
    const communes = res.json().communes as any[];
    const small = communes.find((c) => c.code === '31418'); // 5 social dwellings in RPLS 2019
    expect(small.dwellings).toEqual({ value: null, withheld: true, reason: 'Secret statistique : moins de 11 logements.' });
    const toulouse = communes.find((c) => c.code === '31555');
    expect(toulouse.dwellings.value).toBe(46_684);
    expect(toulouse.banned_2028.value).toBe(748);
  });
});

describe('buildings, exposure and priorities', () => {
  it('lets a landlord declare its buildings, refuses another organisation kind', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/stock/buildings',
      headers: bailleurA.headers,
      payload: {
        buildings: [
          { reference: 'BAT-G', commune_code: '69388', address: '3 rue des Tilleuls', dwellings_count: 24, dpe_class: 'G', financing: 'PLUS', construction_year: 1968 },
          { reference: 'BAT-C', commune_code: '69388', address: '19bis Rue Antoine Dumont', ban_id: '69388_tit1oq_00019_bis', dwellings_count: 31 },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 2, updated: 0 });
    expect(res.json().linked_dpes).toBe(18); // the 18 DPEs of the extract at that BAN address
    const list = (await t.app.inject({ url: '/api/stock/buildings', headers: bailleurA.headers })).json().buildings;
    buildingG = list.find((b: any) => b.reference === 'BAT-G').id;
    buildingC = list.find((b: any) => b.reference === 'BAT-C').id;
    expect(list.find((b: any) => b.reference === 'BAT-C').retained_dpe).toBe('C');
    expect((await t.app.inject({ url: '/api/stock/buildings', headers: bailleurB.headers })).json().buildings).toEqual([]);

    const promoteur = await t.login('partner', 'promoteur');
    const refused = await t.app.inject({ method: 'PUT', url: '/api/stock/buildings', headers: promoteur.headers, payload: { buildings: [{ reference: 'X', commune_code: '69388', dwellings_count: 1 }] } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toMatch(/Seul un bailleur social/);
  });

  it('reports an unknown commune in French, writing nothing', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/api/stock/buildings', headers: bailleurA.headers, payload: { buildings: [{ reference: 'BAT-Z', commune_code: '69999', dwellings_count: 3 }] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toBe('Bâtiment n° 1 (« BAT-Z ») : code commune 69999 inconnu.');
  });

  it('shows the EPCI’s exposure from RPLS and from declared buildings', async () => {
    const res = await t.app.inject({ url: '/api/stock/exposure?level=epci&code=200046977', headers: agent.headers });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.rpls.classes.G).toBeGreaterThanOrEqual(339);
    expect(body.rpls.exposure.steps).toHaveLength(3);
    expect(body.declared_buildings).toMatchObject({ buildings_count: 2 });
    expect(body.declared_buildings.exposure.banned_today).toBe(24);
  });

  it('adds up what landlords delivered in the referential’s parc-social feed', async () => {
    const csv = readFileSync(join(import.meta.dirname, '..', '..', '..', 'referential', 'parc-social', '1.0.0', 'exemples', 'valide.csv'));
    const delivered = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/parc-social/deliveries?filename=parc-2019.csv', headers: { ...bailleurA.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(delivered.statusCode).toBe(201);
    const lyon = (await t.app.inject({ url: '/api/stock/exposure?level=epci&code=200046977', headers: agent.headers })).json().referential;
    expect(lyon).toMatchObject({ bailleurs_count: 1, year: 2019, rows_count: 3, dwellings_count: 51865 + 12394 + 19507, dpe_f_g_dwellings_count: 1918 + 82 + 608 });
    // Lyon's agent does not read Toulouse's stock.
    expect((await t.app.inject({ url: '/api/stock/exposure?level=epci&code=243100518', headers: agent.headers })).statusCode).toBe(403);
    const own = (await t.app.inject({ url: `/api/stock/exposure?level=bailleur&code=${bailleurA.organisationId}`, headers: bailleurA.headers })).json().referential;
    expect(own.rows_count).toBe(7);
    const other = (await t.app.inject({ url: '/api/stock/exposure?level=epci&code=243100518', headers: bailleurB.headers })).json().referential;
    expect(other.bailleurs_count).toBe(0);
  });

  it('ranks the class G building first and keeps a landlord to its own organisation', async () => {
    const res = await t.app.inject({ url: `/api/stock/priorities?level=bailleur&code=${bailleurA.organisationId}`, headers: bailleurA.headers });
    expect(res.statusCode).toBe(200);
    const list = res.json().priorities;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rank: 1, dpe: 'G', dwellings_count: 24, banned_from: '2025-01-01' });
    expect(list[0].reason).toMatch(/location interdite depuis le 01\/01\/2025/);
    const other = await t.app.inject({ url: `/api/stock/priorities?level=bailleur&code=${bailleurA.organisationId}`, headers: bailleurB.headers });
    expect(other.statusCode).toBe(403);
    const epciView = (await t.app.inject({ url: '/api/stock/priorities?level=commune&code=69123', headers: agent.headers })).json().priorities;
    expect(epciView.map((p: any) => p.dwellings_count)).toEqual([24]);
    const promoteur = await t.login('partner', 'promoteur');
    expect((await t.app.inject({ url: '/api/stock/priorities?level=commune&code=69123', headers: promoteur.headers })).json().priorities).toEqual([]);
  });

  it('shows a partner the exposure of its own buildings only, never another landlord’s (issue 21)', async () => {
    const exposure = async (who: { headers: Record<string, string> }) =>
      (await t.app.inject({ url: '/api/stock/exposure?level=commune&code=69123', headers: who.headers })).json().declared_buildings;
    expect((await exposure(agent)).buildings_count).toBe(2);
    expect((await exposure(bailleurA)).buildings_count).toBe(2);
    // Another landlord, a developer, a read-only user of a landlord: none of them sees landlord A's buildings.
    expect((await exposure(bailleurB)).buildings_count).toBe(0);
    expect((await exposure(await t.login('partner', 'promoteur'))).buildings_count).toBe(0);
    expect((await exposure(await t.login('readonly', 'bailleur'))).buildings_count).toBe(0);
  });
});

describe('incidents, alerts and consent', () => {
  let incidentId: string;
  let smsContact: string;

  it('registers tenants’ contacts with consent, purpose and retention', async () => {
    const add = (address: string, channel: string, consent: boolean) =>
      t.app.inject({ method: 'POST', url: '/api/stock/contacts', headers: bailleurA.headers, payload: { building_id: buildingG, channel, address, consent } });
    expect((await add('locataire.oui@exemple.fr', 'email', true)).statusCode).toBe(201);
    const s = await add('06 12 34 56 78', 'sms', true);
    expect(s.statusCode).toBe(201);
    smsContact = s.json().id;
    expect(s.json().purpose).toMatch(/alertes sur les incidents/);
    expect((await add('locataire.non@exemple.fr', 'email', false)).statusCode).toBe(201);
    const bad = await add('12 34', 'sms', true);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toBe('Numéro de téléphone français invalide : « 12 34 ».');
    const foreign = await t.app.inject({ method: 'POST', url: '/api/stock/contacts', headers: bailleurB.headers, payload: { building_id: buildingG, channel: 'email', address: 'x@exemple.fr', consent: true } });
    expect(foreign.statusCode).toBe(403);
  });

  it('a sensor’s API key reports an elevator failure: consenting tenants and EPCI agents are alerted, the others never', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/stock/incidents',
      headers: sensor,
      payload: { building_id: buildingG, category: 'ascenseur', severity: 'elevee', started_at: '2025-01-14T08:30:00Z', reference: 'INC-2025-00871', affected_dwellings: 24 },
    });
    expect(res.statusCode).toBe(201);
    incidentId = res.json().incident.id;
    expect(res.json().notifications).toEqual({ tenants: 2, agents: 1, failures: 0, no_provider: 0 });
    const recipients = mails.flatMap((m) => m.to);
    expect(recipients).toContain('locataire.oui@exemple.fr');
    expect(recipients).not.toContain('locataire.non@exemple.fr');
    expect(mails.find((m) => m.to.includes('locataire.oui@exemple.fr'))!.body).toMatch(/Ascenseur en panne/);
    expect(sms).toHaveLength(1);
    expect(sms[0].to).toBe('+33612345678');
    expect(sms[0].text).toMatch(/Ascenseur en panne.*3 rue des Tilleuls/);
  });

  it('alerts only the agents of the EPCI where the building stands', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/api/stock/buildings', headers: bailleurA.headers, payload: { buildings: [{ reference: 'BAT-TLS', commune_code: '31555', dwellings_count: 12 }] } });
    expect(put.statusCode).toBe(200);
    const list = (await t.app.inject({ url: '/api/stock/buildings', headers: bailleurA.headers })).json().buildings;
    const toulouse = list.find((b: any) => b.reference === 'BAT-TLS').id;
    const res = await t.app.inject({ method: 'POST', url: '/api/stock/incidents', headers: sensor, payload: { building_id: toulouse, category: 'chauffage', severity: 'critique', started_at: '2025-01-20T06:00:00Z', status: 'resolu', resolved_at: '2025-01-20T10:00:00Z' } });
    expect(res.statusCode).toBe(201);
    expect(res.json().notifications).toEqual({ tenants: 0, agents: 0, failures: 0, no_provider: 0 }); // the only agent works for the Métropole de Lyon
  });

  it('audits every read of contacts, including the one the alert made', async () => {
    const rows = await t.ctx.db.selectFrom('audit_log').select(['action', 'entity', 'entity_id', 'actor_kind']).where('entity', '=', 'stock_contact').execute();
    expect(rows).toContainEqual({ action: 'read', entity: 'stock_contact', entity_id: buildingG, actor_kind: 'apikey' });
  });

  it('refuses another landlord’s building and a duplicate reference', async () => {
    const foreign = await t.app.inject({ method: 'POST', url: '/api/stock/incidents', headers: bailleurB.headers, payload: { building_id: buildingG, category: 'eau', started_at: '2025-01-15T10:00:00Z' } });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().detail).toBe('Ce bâtiment appartient à un autre bailleur.');
    const dup = await t.app.inject({ method: 'POST', url: '/api/stock/incidents', headers: sensor, payload: { building_id: buildingG, category: 'ascenseur', started_at: '2025-01-14T08:30:00Z', reference: 'INC-2025-00871' } });
    expect(dup.statusCode).toBe(409);
  });

  it('tracks the incident to resolution, announces it, then refuses to reopen it', async () => {
    const before = mails.length;
    const res = await t.app.inject({ method: 'PATCH', url: `/api/stock/incidents/${incidentId}`, headers: bailleurA.headers, payload: { status: 'resolu', resolved_at: '2025-01-16T17:00:00Z' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().incident).toMatchObject({ status: 'resolu', resolved_at: '2025-01-16T17:00:00.000Z' });
    expect(res.json().notifications.tenants).toBe(2);
    expect(mails.slice(before).some((m) => /est r=C3=A9solu|est résolu/.test(m.body))).toBe(true);
    const again = await t.app.inject({ method: 'PATCH', url: `/api/stock/incidents/${incidentId}`, headers: bailleurA.headers, payload: { status: 'en-cours' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/déjà résolu/);
  });

  it('reports durations per building and per landlord', async () => {
    await t.app.inject({ method: 'POST', url: '/api/stock/incidents', headers: bailleurA.headers, payload: { building_id: buildingC, category: 'chauffage', started_at: '2025-01-10T08:00:00Z', status: 'resolu', resolved_at: '2025-01-11T08:00:00Z' } });
    const byBuilding = (await t.app.inject({ url: '/api/stock/incident-durations?by=building', headers: bailleurA.headers })).json().rows;
    expect(byBuilding.find((l: any) => l.key === buildingG)).toMatchObject({ incidents: 1, resolved: 1, mean_duration_h: 56.5 });
    // Lyon's agent counts the incidents of Lyon's buildings only: not the one of the building in Toulouse.
    const byLandlord = (await t.app.inject({ url: '/api/stock/incident-durations?by=bailleur', headers: agent.headers })).json().rows;
    expect(byLandlord.find((l: any) => l.key === bailleurA.organisationId)).toMatchObject({ incidents: 2, resolved: 2, max_duration_h: 56.5, mean_duration_h: 40.3 });
    const mine = (await t.app.inject({ url: '/api/stock/incident-durations?by=bailleur', headers: bailleurA.headers })).json().rows;
    expect(mine.find((l: any) => l.key === bailleurA.organisationId)).toMatchObject({ incidents: 3, resolved: 3, max_duration_h: 56.5, median_duration_h: 24 });
  });

  it('shows contacts masked to their landlord only, and erases a contact on request', async () => {
    const res = await t.app.inject({ url: `/api/stock/buildings/${buildingG}/contacts`, headers: bailleurA.headers });
    expect(res.statusCode).toBe(200);
    const shown = res.json().contacts.map((c: any) => c.masked_address);
    expect(shown).toContain('l•••@exemple.fr');
    expect(JSON.stringify(res.json())).not.toMatch(/locataire\.oui|0612345678|612345678/);
    expect((await t.app.inject({ url: `/api/stock/buildings/${buildingG}/contacts`, headers: bailleurB.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/stock/buildings/${buildingG}/contacts`, headers: agent.headers })).statusCode).toBe(403);
    const reads = await t.ctx.db.selectFrom('audit_log').select('actor_id').where('entity', '=', 'stock_contact').where('action', '=', 'read').execute();
    expect(reads.map((r: any) => r.actor_id)).toContain(bailleurA.userId);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/stock/contacts/${smsContact}`, headers: bailleurA.headers })).statusCode).toBe(200);
    const smsBefore = sms.length;
    const next = await t.app.inject({ method: 'POST', url: '/api/stock/incidents', headers: bailleurA.headers, payload: { building_id: buildingG, category: 'eau', severity: 'faible', started_at: '2025-02-01T08:00:00Z' } });
    expect(next.json().notifications).toEqual({ tenants: 1, agents: 0, failures: 0, no_provider: 0 });
    expect(sms.length).toBe(smsBefore);
  });
});
