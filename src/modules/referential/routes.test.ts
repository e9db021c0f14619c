// The HTTP contract partners rely on: public schemas, deliveries by API key or upload, who may see and send what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { exampleFile, findSchema, loadCatalogue } from './catalogue.ts';

const cat = loadCatalogue();
const permis = findSchema(cat, 'permis-declares');
const programmes = findSchema(cat, 'programmes-logements');
const LYON = '200046977';
const TOULOUSE = '243100518';

function multipartBody(filename: string, content: Buffer, type = 'text/csv') {
  const boundary = '----habitat' + Math.random().toString(16).slice(2);
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, content, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('referential HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('publishes schemas, examples and charters without login', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/referential/schemas' });
    expect(list.statusCode).toBe(200);
    expect(list.json().schemas.map((s: any) => s.name)).toContain('programmes-logements');
    const one = await t.app.inject({ method: 'GET', url: '/api/referential/schemas/parc-social' });
    expect(one.json()).toMatchObject({ name: 'parc-social', version: '1.0.0', primaryKey: ['annee', 'bailleur_siren', 'code_commune'] });
    const example = await t.app.inject({ method: 'GET', url: '/api/referential/schemas/permis-declares/examples/valid' });
    expect(example.body.startsWith('numero_dau;')).toBe(true);
    const charters = await t.app.inject({ method: 'GET', url: '/api/referential/charters' });
    expect(charters.json().chartes.find((c: any) => c.type_partenaire === 'commune').flux[0]).toMatchObject({ schema: 'permis-declares', obligatoire: true });
    const missing = await t.app.inject({ method: 'GET', url: '/api/referential/schemas/inconnu' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json().detail).toContain('n\'existe pas');
  });

  it('takes a raw CSV body with an API key, and the same Idempotency-Key returns the same delivery', async () => {
    // The example's permits are Toulouse's: the city delivers them.
    const key = await t.apiKey('commune', await t.org('commune', { commune: '31555' }));
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/referential/schemas/permis-declares/deliveries?filename=permis-juin.csv',
        headers: { ...key.headers, 'content-type': 'text/csv', 'idempotency-key': 'juin-2025' },
        payload: exampleFile(permis, 'invalide'),
      });
    const first = await send();
    expect(first.statusCode).toBe(201);
    const body = first.json();
    expect(body.delivery).toMatchObject({ organisation_id: key.organisationId, status: 'partielle', rows_total: 7, rows_accepted: 1, filename: 'permis-juin.csv' });
    expect(body.report.summary).toMatchObject({ rows_total: 7, rows_accepted: 1, rows_invalid: 6 });
    expect(body.report.problems[0]).toMatchObject({ line: 3, column: 'numero_dau', rule: 'motif', value: 'PC 031 555 22 P0088' });
    const again = await send();
    expect(again.statusCode).toBe(200);
    expect(again.json().delivery.id).toBe(body.delivery.id);
    const file = await t.app.inject({ method: 'GET', url: `/api/referential/deliveries/${body.delivery.id}/file`, headers: key.headers });
    expect(file.rawPayload.equals(exampleFile(permis, 'invalide'))).toBe(true);
  });

  it('takes a raw JSON body as a file, not as parsed JSON', async () => {
    const key = await t.apiKey('promoteur', await t.org('promoteur', { epcis: [LYON], siren: '552049447' }));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/referential/schemas/programmes-logements/deliveries',
      headers: { ...key.headers, 'content-type': 'application/json' },
      payload: JSON.stringify([{ identifiant_programme: 'P1', nom_programme: 'Essai', code_commune: '69266', maitre_ouvrage_siren: '552049447', etat: 'projet', nb_logements_total: 2, nb_plai: 0, nb_plus: 0, nb_pls: 0, nb_psla: 0, nb_brs: 0, nb_libre: 2 }]),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().delivery).toMatchObject({ status: 'acceptee', rows_accepted: 1 });
    expect(res.json().report.header.map((p: any) => p.rule)).toContain('colonne-manquante');
  });

  it('takes a multipart upload from a signed-in partner and answers with the report', async () => {
    const user = await t.login('partner', 'promoteur');
    const { payload, contentType } = multipartBody('programmes.csv', exampleFile(programmes, 'invalide'));
    const res = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/programmes-logements/deliveries', headers: { ...user.headers, 'content-type': contentType }, payload });
    expect(res.statusCode).toBe(201);
    expect(res.json().delivery).toMatchObject({ status: 'refusee', filename: 'programmes.csv', rows_accepted: 0 });
    expect(res.json().report.verdict).toContain('tout ou rien');
  });

  it('refuses a partner delivering for another organisation, or a feed its kind does not produce', async () => {
    const a = await t.apiKey('commune');
    const b = await t.apiKey('commune');
    const forOther = await t.app.inject({
      method: 'POST',
      url: `/api/referential/schemas/permis-declares/deliveries?organisation=${b.organisationId}`,
      headers: { ...a.headers, 'content-type': 'text/csv' },
      payload: exampleFile(permis, 'valide'),
    });
    expect(forOther.statusCode).toBe(403);
    expect(forOther.json().detail).toContain('propre organisation');
    const wrongFeed = await t.app.inject({
      method: 'POST',
      url: '/api/referential/schemas/parc-social/deliveries',
      headers: { ...a.headers, 'content-type': 'text/csv' },
      payload: exampleFile(findSchema(cat, 'parc-social'), 'valide'),
    });
    expect(wrongFeed.statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: '/api/referential/deliveries', headers: b.headers });
    expect(list.json().deliveries).toEqual([]);
    const reader = await t.login('readonly', 'commune');
    const readOnly = await t.app.inject({
      method: 'POST',
      url: '/api/referential/schemas/permis-declares/deliveries',
      headers: { ...reader.headers, 'content-type': 'text/csv' },
      payload: exampleFile(permis, 'valide'),
    });
    expect(readOnly.statusCode).toBe(403);
  });

  it('lets an EPCI agent deliver on behalf of a commune of its EPCI, recorded as such', async () => {
    const commune = await t.apiKey('commune', await t.org('commune', { commune: '31555' }));
    const agent = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
    const lyonAgent = await t.login('agent');
    const fromLyon = await t.app.inject({
      method: 'POST',
      url: `/api/referential/schemas/permis-declares/deliveries?organisation=${commune.organisationId}`,
      headers: { ...lyonAgent.headers, 'content-type': 'text/csv' },
      payload: exampleFile(permis, 'valide'),
    });
    expect(fromLyon.statusCode, fromLyon.body).toBe(403);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/referential/schemas/permis-declares/deliveries?organisation=${commune.organisationId}`,
      headers: { ...agent.headers, 'content-type': 'text/csv' },
      payload: exampleFile(permis, 'valide'),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().delivery).toMatchObject({ organisation_id: commune.organisationId, on_behalf: true, status: 'acceptee' });
  });

  it('shows a partner its own deliveries only, and EPCI staff all of them', async () => {
    const a = await t.apiKey('bailleur');
    const b = await t.apiKey('bailleur');
    const incidents = findSchema(cat, 'incidents-batiments');
    const sent = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/incidents-batiments/deliveries', headers: { ...a.headers, 'content-type': 'text/csv' }, payload: exampleFile(incidents, 'valide') });
    const id = sent.json().delivery.id;
    expect((await t.app.inject({ method: 'GET', url: `/api/referential/deliveries/${id}`, headers: a.headers })).statusCode).toBe(200);
    const other = await t.app.inject({ method: 'GET', url: `/api/referential/deliveries/${id}`, headers: b.headers });
    expect(other.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/referential/deliveries/${id}/file`, headers: b.headers })).statusCode).toBe(403);
    const staff = await t.login('readonly', 'epci');
    const all = await t.app.inject({ method: 'GET', url: '/api/referential/deliveries', headers: staff.headers });
    expect(all.json().deliveries.map((d: any) => d.id)).toContain(id);
    expect((await t.app.inject({ method: 'GET', url: '/api/referential/deliveries' })).statusCode).toBe(401);
  });

  it('gives each partner its own compliance, and EPCI staff every partner', async () => {
    const key = await t.apiKey('bailleur');
    const mine = await t.app.inject({ method: 'GET', url: '/api/referential/compliance', headers: key.headers });
    expect(mine.json().partners).toHaveLength(1);
    expect(mine.json().partners[0].feeds.map((f: any) => f.schema)).toEqual(['parc-social', 'attributions', 'programmes-logements', 'incidents-batiments']);
    const agent = await t.login('agent');
    const all = await t.app.inject({ method: 'GET', url: '/api/referential/compliance', headers: agent.headers });
    expect(all.json().partners.length).toBeGreaterThan(3);
  });

  it('refuses the rows of a delivery that name another organisation, saying which line (issue 21)', async () => {
    // A landlord of SIREN 987654321 sends the example, whose rows are those of landlord 999000001.
    const key = await t.apiKey('bailleur', await t.org('bailleur', { epcis: [LYON, TOULOUSE], siren: '987654321' }));
    const incidents = findSchema(cat, 'incidents-batiments');
    const res = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/incidents-batiments/deliveries', headers: { ...key.headers, 'content-type': 'text/csv' }, payload: exampleFile(incidents, 'valide') });
    expect(res.statusCode, res.body).toBe(201);
    const { delivery, report } = res.json();
    expect(delivery.rows_accepted).toBe(0);
    const foreign = report.problems.filter((p: any) => p.rule === 'producteur');
    expect(foreign.length).toBe(delivery.rows_total);
    expect(foreign[0]).toMatchObject({ line: 2, column: 'bailleur_siren', value: '999000001' });
    expect(foreign[0].message).toBe('Ligne 2 : la colonne « bailleur_siren » nomme l’organisation « 999000001 », mais la livraison est faite au nom de l’organisation 987654321 : un partenaire ne livre que ses propres données.');
    // The same file from the landlord it names is accepted.
    const owner = await t.apiKey('bailleur', await t.org('bailleur', { epcis: [LYON, TOULOUSE], siren: '999000001' }));
    const ok = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/incidents-batiments/deliveries', headers: { ...owner.headers, 'content-type': 'text/csv' }, payload: exampleFile(incidents, 'valide') });
    expect(ok.json().delivery).toMatchObject({ status: 'acceptee', rows_accepted: ok.json().delivery.rows_total });
  });

  it('a partner delivers for the communes of the EPCIs it works with, and each EPCI sees its own partners only', async () => {
    const unlinked = await t.apiKey('bailleur', await t.org('bailleur', { siren: '999000002' }));
    const refused = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/incidents-batiments/deliveries', headers: { ...unlinked.headers, 'content-type': 'text/csv' }, payload: 'x' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toMatch(/rattachée à aucun EPCI/);

    const toulousePartner = await t.apiKey('commune', await t.org('commune', { commune: '31555' }));
    const sent = await t.app.inject({ method: 'POST', url: '/api/referential/schemas/permis-declares/deliveries', headers: { ...toulousePartner.headers, 'content-type': 'text/csv' }, payload: exampleFile(permis, 'valide') });
    const id = sent.json().delivery.id;
    const lyon = await t.login('agent');
    const toulouse = await t.login('readonly', 'epci', await t.epciOrg(TOULOUSE));
    const listed = async (who: { headers: Record<string, string> }) => (await t.app.inject({ url: '/api/referential/deliveries?limit=500', headers: who.headers })).json().deliveries.map((d: any) => d.id);
    expect(await listed(toulouse)).toContain(id);
    expect(await listed(lyon)).not.toContain(id);
    expect((await t.app.inject({ url: `/api/referential/deliveries/${id}`, headers: lyon.headers })).statusCode).toBe(403);
    const lyonCompliance = (await t.app.inject({ url: '/api/referential/compliance', headers: lyon.headers })).json().partners.map((p: any) => p.organisation.id);
    expect(lyonCompliance).not.toContain(toulousePartner.organisationId);
  });

  it('compares compliance across the club only where an EPCI shares it', async () => {
    const lyonAdmin = await t.login('admin');
    const toulouseAgent = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
    const club = async () => (await t.app.inject({ url: '/api/referential/compliance/club', headers: toulouseAgent.headers })).json().epcis;
    const lyonLine = (rows: any[]) => rows.find((e: any) => e.epci === LYON);
    expect(lyonLine(await club())).toMatchObject({ shared: false, partners: null });
    const share = await t.app.inject({ method: 'PUT', url: `/api/access/sharing/${LYON}`, headers: lyonAdmin.headers, payload: { items: ['conformite_referentiel'] } });
    expect(share.statusCode, share.body).toBe(200);
    expect(lyonLine(await club())).toMatchObject({ shared: true });
    expect(lyonLine(await club()).partners).toBeGreaterThan(0);
    // Toulouse's agent may not decide what Lyon shares.
    const notHis = await t.app.inject({ method: 'PUT', url: `/api/access/sharing/${LYON}`, headers: toulouseAgent.headers, payload: { items: [] } });
    expect(notHis.statusCode).toBe(403);
  });
});
