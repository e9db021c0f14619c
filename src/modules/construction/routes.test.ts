// The construction API on the real Toulouse permits: entry and pipeline, duplicates, targets dashboard, export,
// public figures, partner feed, and alerts in the app and by e-mail (to a local SMTP server).
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Actor, type TestApp } from '../../../test/support/app.ts';
import { smtpMailer } from '../../platform/mail.ts';
import type { PartnerRow } from './ingest/partner-feed.ts';
import { importSitadel, instanceTerritory, runAlerts, SITADEL_DEMO_FILE, syncPartnerProgrammes } from './service.ts';

const TOULOUSE = '243100518';
let t: TestApp;
let agent: Actor;
let readonly: Actor;

// Expected figures computed here from the file itself, independently of the import code.
const lines = readFileSync(SITADEL_DEMO_FILE, 'utf8').trim().split('\n');
const codes = lines[1].split(';').map((c) => c.replace(/"/g, ''));
const rows = lines.slice(2).map((l) => Object.fromEntries(l.split(';').map((v, i) => [codes[i], v.replace(/"/g, '')])));
const sumWhere = (pred: (r: Record<string, string>) => boolean) => rows.filter(pred).reduce((s, r) => s + Number(r.NB_LGT_TOT_CREES), 0);
const year = (d: string) => Number(d.slice(0, 4));

beforeAll(async () => {
  t = await createTestApp();
  await importSitadel(t.ctx.db, SITADEL_DEMO_FILE);
  // The demo permits are Toulouse Métropole's: its staff.
  const toulouse = await t.epciOrg(TOULOUSE);
  agent = await t.login('agent', 'epci', toulouse);
  readonly = await t.login('readonly', 'epci', toulouse);
});
afterAll(() => t?.close());

const post = (url: string, payload: unknown, who: Actor = agent) => t.app.inject({ method: 'POST', url, payload: payload as any, headers: who.headers });

describe('programmes pipeline', () => {
  it('an agent enters a programme with its unit mix; a read-only user may not', async () => {
    const body = { name: 'Les Jardins de la Garonne', commune_code: '31555', address: '12 rue des Lilas', lat: 43.59, lon: 1.43, dwellings: 40, state: 'project', state_date: '2026-02-01', financing: { plai: 4, plus: 8, pls: 2, brs: 6, free_market: 20 }, types: { collective: 40 } };
    const res = await post('/api/construction/programmes', body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ state: 'project', dwellings: 40, social_dwellings: 14, commune: 'Toulouse', source: 'manual', match: null });
    expect((await post('/api/construction/programmes', body, readonly)).statusCode).toBe(403);
    const bad = await post('/api/construction/programmes', { ...body, financing: { plai: 4 } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail).toBe('La répartition par financement (4) ne correspond pas au nombre de logements (40).');
  });

  it('moves forward with a dated event per change, and refuses a step back in French', async () => {
    const p = (await post('/api/construction/programmes', { name: 'Îlot Bonnefoy', commune_code: '31555', dwellings: 25, state: 'permit_filed', state_date: '2025-09-01' })).json();
    expect((await post(`/api/construction/programmes/${p.id}/state`, { state: 'permit_granted', date: '2026-01-20' })).json()).toMatchObject({ state: 'permit_granted', authorisation_date: '2026-01-20' });
    const back = await post(`/api/construction/programmes/${p.id}/state`, { state: 'project' });
    expect(back.statusCode).toBe(409);
    expect(back.json().detail).toBe('Passage de « PC accordé » à « Projet » interdit : un programme ne revient pas en arrière.');
    const detail = (await t.app.inject({ url: `/api/construction/programmes/${p.id}`, headers: readonly.headers })).json();
    expect(detail.events.map((e: any) => [e.kind, e.from, e.to, e.date, e.source, e.author])).toEqual([
      ['created', null, 'permit_filed', '2025-09-01', 'manual', 'agent test'],
      ['state', 'permit_filed', 'permit_granted', '2026-01-20', 'manual', 'agent test'],
    ]);
  });

  it('lists with filters and exports the same list as CSV', async () => {
    const list = (await t.app.inject({ url: '/api/construction/programmes?source=sitadel&state=delivered&limit=5', headers: readonly.headers })).json();
    expect(list.total).toBe(rows.filter((r) => r.ETAT_DAU === '6').length);
    expect(list.programmes).toHaveLength(5);
    const csv = await t.app.inject({ url: '/api/construction/programmes.csv?source=sitadel&state=delivered', headers: readonly.headers });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: spreadsheets read the accents right
    const csvLines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csvLines[0]).toMatch(/^id;nom_programme;code_commune;commune;adresse/);
    // One rule for its columns: French (people open it), none of the code's English names.
    expect(csvLines[0].split(';').filter((c) => /free_market|single_house|collective|grouped|unspecified/.test(c))).toEqual([]);
    expect(csvLines).toHaveLength(list.total + 1);
    expect(csvLines.slice(1).every((l) => l.includes(';Livré;'))).toBe(true);
    const map = (await t.app.inject({ url: '/api/construction/communes', headers: readonly.headers })).json();
    expect(map.communes['31555'].delivered).toEqual({ dwellings: sumWhere((r) => r.ETAT_DAU === '6'), programmes: list.total });
  });
});

describe('duplicates across sources', () => {
  it('a programme entered with a Sitadel permit number is linked to it and counted once', async () => {
    // 03155524C0301: HABITAT TOULOUSE, authorised 2025-01-10 in the 2026-01 edition.
    const sitadelRow = rows.find((r) => r.NUM_DAU === '03155524C0301')!;
    const units = Number(sitadelRow.NB_LGT_TOT_CREES);
    await post('/api/construction/programmes', { name: 'Opération Habitat Toulouse', commune_code: '31555', dwellings: units, state: 'permit_granted', state_date: '2025-01-10', permits: ['PC 03155524C0301'] });
    const dups = (await t.app.inject({ url: '/api/construction/programmes?duplicates=true', headers: readonly.headers })).json();
    const mine = dups.programmes.find((p: any) => p.name === 'Opération Habitat Toulouse');
    expect(mine.match).toMatchObject({ status: 'confirmed', reason: 'même permis 03155524C0301' });
    const other = (await t.app.inject({ url: `/api/construction/programmes/${mine.match.programme_id}`, headers: readonly.headers })).json();
    expect(other.programme.permits).toEqual(['PC 03155524C0301']);

    await t.app.inject({ method: 'PUT', url: '/api/construction/targets', headers: agent.headers, payload: { targets: [{ commune_code: '31555', period_start: 2020, period_end: 2025, target_dwellings: 21000, target_social_dwellings: 7000, sru: true }] } });
    const board = (await t.app.inject({ url: '/api/construction/dashboard?date=2025-07-01', headers: readonly.headers })).json();
    const expected = sumWhere((r) => year(r.DATE_REELLE_AUTORISATION) >= 2020 && year(r.DATE_REELLE_AUTORISATION) <= 2025 && r.ETAT_DAU !== '4');
    expect(board.communes[0].authorised).toBe(expected); // the manual twin adds nothing
  });

  it('suggests a match by address and close size; rejecting it counts both', async () => {
    const first = (await post('/api/construction/programmes', { name: 'Résidence Matabiau', commune_code: '31555', address: '5 boulevard de la Gare', dwellings: 30, state: 'permit_granted', state_date: '2024-05-02' })).json();
    const twin = (await post('/api/construction/programmes', { name: 'Matabiau lot B', commune_code: '31555', address: '5 bd de la Gare', dwellings: 31, state: 'permit_granted', state_date: '2024-05-02' })).json();
    expect(first.match).toBeNull();
    expect(twin.match).toMatchObject({ programme_id: first.id, status: 'suggested' });
    const before = (await t.app.inject({ url: '/api/construction/dashboard?date=2025-07-01', headers: readonly.headers })).json().communes[0].authorised;
    const rejected = await post(`/api/construction/programmes/${twin.id}/match`, { decision: 'rejected' });
    expect(rejected.json().match.status).toBe('rejected');
    const after = (await t.app.inject({ url: '/api/construction/dashboard?date=2025-07-01', headers: readonly.headers })).json().communes[0].authorised;
    expect(after - before).toBe(31);
  });
});

describe('targets dashboard', () => {
  it('shows authorised, started, delivered against the target, the pace needed, for the commune and its EPCI', async () => {
    const csv = 'code_commune;periode_debut;periode_fin;objectif_logements;objectif_logements_sociaux;sru\n31555;2020;2025;21000;7000;oui\n31069;2020;2025;1200;400;oui\n';
    const imported = await post('/api/construction/targets/csv', { csv, file: 'objectifs.csv' });
    expect(imported.json()).toEqual({ saved: 2 });
    const board = (await t.app.inject({ url: '/api/construction/dashboard?date=2024-01-01', headers: readonly.headers })).json();
    const toulouse = board.communes.find((c: any) => c.commune_code === '31555');
    const inPeriod = (d: string) => !!d && year(d) >= 2020 && year(d) <= 2025;
    expect(toulouse).toMatchObject({ commune: 'Toulouse', sru: true, target_dwellings: 21000, epci: '243100518' });
    const authorisedFile = sumWhere((r) => inPeriod(r.DATE_REELLE_AUTORISATION) && r.ETAT_DAU !== '4');
    // + the manual programmes of 2024-2025 above: Matabiau (30) and its rejected twin (31), Îlot Bonnefoy is 2026.
    expect(toulouse.authorised).toBe(authorisedFile + 61);
    expect(toulouse.started).toBe(sumWhere((r) => inPeriod(r.DATE_REELLE_DOC) && r.ETAT_DAU !== '4'));
    expect(toulouse.delivered).toBe(sumWhere((r) => inPeriod(r.DATE_REELLE_DAACT) && r.ETAT_DAU === '6'));
    expect(toulouse.progress.years_left).toBe(2);
    expect(toulouse.progress.pace_per_year).toBeCloseTo(Math.max(0, 21000 - toulouse.authorised) / 2);
    const epci = board.epci.find((e: any) => e.epci === '243100518');
    expect(epci).toMatchObject({ target_dwellings: 22200, communes: 2, authorised: toulouse.authorised });
  });

  it('refuses a whole CSV with a bad line, naming line, column and rule', async () => {
    const res = await post('/api/construction/targets/csv', { csv: 'code_commune;periode_debut;periode_fin;objectif_logements;objectif_logements_sociaux\n31555;2020;2025;100;200\n', file: 'obj.csv' });
    expect(res.statusCode).toBe(422);
    expect(res.json().details.problems[0]).toMatchObject({ file: 'obj.csv', line: 2, column: 'objectif_logements_sociaux', rule: 'part_sociale', value: '200' });
  });
});

describe('public page data', () => {
  it('gives dwellings per commune and year, withholding small counts, with no names', async () => {
    const res = await t.app.inject({ url: '/api/construction/public/communes' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const y2019 = body.rows.find((l: any) => l.commune_code === '31555' && l.year === 2019);
    expect(y2019.authorised).toBe(sumWhere((r) => year(r.DATE_REELLE_AUTORISATION) === 2019 && r.ETAT_DAU !== '4'));
    expect(res.body).not.toMatch(/HABITAT TOULOUSE|Matabiau|rue des Lilas/i);
    const withheld = body.rows.filter((l: any) => l.withheld.length);
    for (const l of withheld) for (const m of l.withheld) expect(l[m]).toBeNull();
  });
});

describe('partner feed', () => {
  // The referential's own valid example of the programmes-logements feed (first row: a Toulouse programme).
  const example = readFileSync(join(import.meta.dirname, '..', '..', '..', 'referential', 'programmes-logements', '1.0.0', 'exemples', 'valide.csv'), 'utf8').trim().split('\n');
  const header = example[0].split(',');
  const first = Object.fromEntries(example[1].split(',').map((v, i) => [header[i], /^\d+(\.\d+)?$/.test(v) ? Number(v) : v || null])) as PartnerRow['data'];

  it('creates the partner programme, changes nothing on a second sync, and moves it forward on a newer delivery', async () => {
    const org = await t.apiKey('promoteur', await t.org('promoteur', { epcis: [TOULOUSE] }));
    const row = (data: PartnerRow['data'], receivedAt: string): PartnerRow => ({ deliveryId: 'd1', organisationId: org.organisationId, receivedAt: new Date(receivedAt), line: 2, data });
    const s1 = await syncPartnerProgrammes(t.ctx.db, [row(first, '2026-03-01')], 'flux');
    expect(s1).toMatchObject({ created: 1, problems: [] });
    expect(await syncPartnerProgrammes(t.ctx.db, [row(first, '2026-03-01')], 'flux')).toMatchObject({ created: 0, unchanged: 1 });
    const s3 = await syncPartnerProgrammes(t.ctx.db, [row({ ...first, etat: 'mis-en-chantier', date_mise_en_chantier: '2026-04-02' }, '2026-04-10')], 'flux');
    expect(s3).toMatchObject({ updated: 1 });
    expect(s3.changes[0]).toMatchObject({ from: 'permit_granted', state: 'works_started', source: 'partner' });
    const back = await syncPartnerProgrammes(t.ctx.db, [row(first, '2026-05-01')], 'flux');
    expect(back.problems[0]).toMatchObject({ column: 'etat', rule: 'transition_interdite', value: 'autorise' });
  });

  it('the sync route takes in what a promoteur delivered through the referential, for the agent’s EPCI only', async () => {
    // The example's developer (its rows name SIREN 552049447), working with both EPCIs of the club.
    const key = await t.apiKey('promoteur', await t.org('promoteur', { epcis: [TOULOUSE, '200046977'], siren: '552049447' }));
    const csv = readFileSync(join(import.meta.dirname, '..', '..', '..', 'referential', 'programmes-logements', '1.0.0', 'exemples', 'valide.csv'));
    const delivered = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/programmes-logements/deliveries?filename=programmes.csv', headers: { ...key.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(delivered.statusCode, delivered.body).toBe(201);
    expect(delivered.json().delivery.rows_accepted).toBe(4);
    // Two of the example's programmes are in Toulouse Métropole, two in Lyon: Toulouse's agent takes in its own.
    const accepted = 2;
    const res = await post('/api/construction/sync', {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rows: accepted, created: accepted, problems: [] });
    const mine = (await t.app.inject({ url: '/api/construction/programmes?source=partner&limit=1000', headers: readonly.headers })).json();
    expect(mine.programmes.filter((p: any) => p.source_ref?.startsWith(`partner:${key.organisationId}:`))).toHaveLength(accepted);
    // Synchronising again changes nothing.
    expect((await post('/api/construction/sync', {})).json()).toMatchObject({ created: 0, updated: 0, unchanged: accepted });
  });

  it('a formula delivered as a programme name reaches agents’ programmes.csv as inert text', async () => {
    // A developer working with Toulouse Métropole, delivering its own row (its SIREN as maître d'ouvrage).
    const key = await t.apiKey('promoteur', await t.org('promoteur', { epcis: [TOULOUSE], siren: '800000001' }));
    const formula = '=HYPERLINK("http://x","clic")';
    const cells = example[1].split(',');
    cells[header.indexOf('identifiant_programme')] = 'PRG-FORMULE-1';
    cells[header.indexOf('maitre_ouvrage_siren')] = '800000001';
    cells[header.indexOf('nom_programme')] = `"${formula.replace(/"/g, '""')}"`;
    const delivered = await t.app.inject({
      method: 'POST',
      url: '/api/referential/schemas/programmes-logements/deliveries?filename=formule.csv',
      headers: { ...key.headers, 'content-type': 'text/csv' },
      payload: [example[0], cells.join(',')].join('\n') + '\n',
    });
    expect(delivered.statusCode, delivered.body).toBe(201);
    expect((await post('/api/construction/sync', {})).statusCode).toBe(200);
    const csv = await t.app.inject({ url: '/api/construction/programmes.csv?source=partner', headers: agent.headers });
    const rows = parse(csv.body, { bom: true, delimiter: ';', columns: true }) as Record<string, string>[];
    const row = rows.find((r) => r.nom_programme.includes('HYPERLINK'));
    expect(row?.nom_programme).toBe(`'${formula}`);
    for (const r of rows) for (const v of Object.values(r)) expect(/^[=+@\t\r]/.test(v) || (v.startsWith('-') && Number.isNaN(Number(v))), v).toBe(false);
  });
});

describe('alerts', () => {
  let smtp: SMTPServer;
  const mails: { to: string[]; body: string }[] = [];
  let smtpUrl: string;
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        let body = '';
        stream.on('data', (c) => (body += c.toString()));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as any).port}`;
  });
  afterAll(() => new Promise<void>((r) => smtp.close(() => r())));

  it('notifies agents in the app and by e-mail, once per situation', async () => {
    // Blagnac: a target of 1,200 for 2020–2025; only the promoteur's "Cœur de Blagnac, tranche 2" (62 dwellings,
    // permit of 2023-11-02, from the partner feed above) authorised there.
    const communes = await instanceTerritory(t.ctx.db, t.ctx.config.epciSirens);
    const r = await runAlerts(t.ctx.db, new Date('2024-01-01T12:00:00Z'), { communes, mailer: smtpMailer(smtpUrl) });
    const blagnac = r.created.find((a) => a.rule === 'commune_behind' && a.communeCode === '31069');
    expect(blagnac?.message).toMatch(/^Blagnac est en retard sur son objectif PLH 2020–2025 : 62 logements autorisés pour 800 attendus/);
    const stalled = r.created.filter((a) => a.rule === 'programme_stalled');
    expect(stalled.length).toBeGreaterThan(0);
    expect(r.emailed).toBeGreaterThan(0);
    const agentEmail = (await t.ctx.db.selectFrom('app_user').select('email').where('id', '=', agent.userId).executeTakeFirstOrThrow()).email;
    const toAgent = mails.find((m) => m.to.includes(agentEmail));
    expect(toAgent?.body).toContain('Blagnac est en retard');
    // A partner's staff get nothing: alerts go to the EPCI's agents and to the commune concerned.
    const partnerEmails = (await t.ctx.db.selectFrom('app_user').select('email').where('role', '=', 'partner').execute()).map((u) => u.email);
    expect(mails.flatMap((m) => m.to).filter((to) => partnerEmails.includes(to))).toEqual([]);

    const list = (await t.app.inject({ url: '/api/construction/notifications?unread=true&limit=5000', headers: readonly.headers })).json().notifications;
    expect(list.length).toBe(r.created.length);
    expect(list.find((n: any) => n.commune_code === '31069').emails_sent).toBeGreaterThan(0);
    const read = await post(`/api/construction/notifications/${list[0].id}/read`, {});
    expect(read.statusCode).toBe(200);

    const again = await runAlerts(t.ctx.db, new Date('2024-01-01T12:00:00Z'), { communes, mailer: smtpMailer(smtpUrl) });
    expect(again).toEqual({ created: [], emailed: 0 });
  });
});
