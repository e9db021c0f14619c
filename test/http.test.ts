// The HTTP surface every client relies on: health, OpenAPI, problem+json in French, security headers, rate limits,
// and bad input refused plainly (issue 21 §4): body sizes, NUL characters, broken JSON and CSV, UTF-16 and compressed
// files, too-long URLs, duplicates, refused requests counted by the rate limiter, no audit row per anonymous request.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNE_COLUMNS } from '../src/modules/demand/ingest/sne-csv.ts';
import { errorHandler } from '../src/platform/http/problems.ts';
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
      expect(doc.paths[path][r.method.toLowerCase()]['x-access']).toBeTruthy();
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
      // A different address each time: the per-account lock (after 5 failures) is another rule, tested with the access module.
      last = await t.app.inject({ method: 'POST', url: '/api/access/login', payload: { email: `x${i}@exemple.fr`, password: 'faux' } });
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

describe('bad input over HTTP', () => {
  const PROGRAMMES = readFileSync(join(import.meta.dirname, '..', 'referential', 'programmes-logements', '1.0.0', 'exemples', 'valide.csv'), 'utf8');
  const isFrenchProblem = (res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number) => {
    expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().status).toBe(status);
    expect(res.json().detail).not.toMatch(/\b(Invalid|Quote|Record|Unexpected|Body|Request|FST_)/);
    return res.json() as { code: string; detail: string };
  };
  const deliver = (headers: Record<string, string>, payload: string | Buffer, contentType = 'text/csv') =>
    t.app.inject({ method: 'POST', url: '/api/referential/schemas/programmes-logements/deliveries', headers: { ...headers, 'content-type': contentType }, payload });
  const demandCsv = (cells: Record<string, string>) => {
    const line: Record<string, string> = { numero_unique: '069HTTP000001', epci_siren: '200046977', date_depot: '01/02/2025', nom: 'FICTIF', prenom: 'Zoé', nb_adultes: '1', typologie_souhaitee: 'T2', communes_souhaitees: '69266', ...cells };
    return `${SNE_COLUMNS.join(';')}\n${SNE_COLUMNS.map((c) => line[c] ?? '').join(';')}\n`;
  };

  it('answers 413 in French over the route’s limit: every public route takes 16 KB at most', async () => {
    const big = JSON.stringify({ remplissage: 'a'.repeat(20 * 1024) });
    const publicWrites = t.app.routeTable.filter((r) => r.access === 'public' && r.method !== 'GET');
    expect(publicWrites.map((r) => r.url)).toContain('/api/aids/simulate/social-housing');
    for (const r of publicWrites) {
      const res = await t.app.inject({ method: r.method as 'POST', url: r.url.replace(/:\w+/g, 'x'), remoteAddress: '10.0.1.1', headers: { 'content-type': 'application/json' }, payload: big });
      const p = isFrenchProblem(res, 413);
      expect(p.detail, r.url).toBe('Le contenu envoyé dépasse la taille autorisée pour cette adresse : 16 Ko au plus.');
    }
    // A declared length over the limit is refused before the body is read.
    const declared = await t.app.inject({ method: 'POST', url: '/api/aids/simulate/ownership', headers: { 'content-type': 'application/json', 'content-length': String(45 * 1024 * 1024) }, payload: '{}' });
    expect(declared.statusCode).toBe(413);
  });

  it('keeps the declared limits of uploads and long lists', async () => {
    const partner = await t.apiKey('promoteur');
    const rows = PROGRAMMES.trimEnd().split('\n');
    const largeCsv = [rows[0], ...Array.from({ length: 200 }, (_, i) => rows[1].replace('PRG-2024-017', `PRG-2024-${1000 + i}`))].join('\n') + '\n';
    expect(largeCsv.length).toBeGreaterThan(20 * 1024);
    expect((await deliver(partner.headers, largeCsv)).statusCode).toBe(201);
    const landlord = await t.login('partner', 'bailleur');
    const buildings = Array.from({ length: 300 }, (_, i) => ({ reference: `BAT-${i}`, commune_code: '69388', address: `${i} rue des Tilleuls`, dwellings_count: 10 }));
    expect(JSON.stringify({ buildings }).length).toBeGreaterThan(16 * 1024);
    expect((await t.app.inject({ method: 'PUT', url: '/api/stock/buildings', headers: landlord.headers, payload: { buildings } })).statusCode).toBe(200);
    // Over an upload's own limit: 413 naming it.
    const agent = await t.login('agent');
    const tooBig = await t.app.inject({ method: 'POST', url: '/api/plh/sru/import', headers: { ...agent.headers, 'content-type': 'text/csv', 'content-length': String(21 * 1024 * 1024) }, payload: 'x' });
    expect(isFrenchProblem(tooBig, 413).detail).toBe('Le contenu envoyé dépasse la taille autorisée pour cette adresse : 20 Mo au plus.');
  });

  it('refuses a NUL character in the query, the path or a JSON field with 400 in French, never 500', async () => {
    const query = isFrenchProblem(await t.app.inject('/api/territory/search?q=Lyon%00'), 400);
    expect(query).toMatchObject({ code: 'platform.nul_character' });
    expect(query.detail).toBe('La requête contient un caractère nul (\\u0000) dans « paramètres.q » : ce caractère n’est pas accepté, retirez-le.');
    const agent = await t.login('agent');
    const path = isFrenchProblem(await t.app.inject({ method: 'DELETE', url: '/api/construction/targets/31555%00/2020', headers: agent.headers }), 400);
    expect(path.detail).toContain('« chemin.code »');
    const admin = await t.login('admin');
    const field = isFrenchProblem(await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'bailleur', name: 'Habitat\u0000 Sud' } }), 400);
    expect(field.detail).toContain('« corps.name »');
    const nested = isFrenchProblem(
      await t.app.inject({ method: 'PUT', url: '/api/stock/buildings', headers: (await t.login('partner', 'bailleur')).headers, payload: { buildings: [{ reference: 'B\u0000', commune_code: '69388', dwellings_count: 1 }] } }),
      400,
    );
    expect(nested.detail).toContain('« corps.buildings.0.reference »');
  });

  it('refuses a NUL character in an uploaded CSV cell, naming the line, never 500', async () => {
    const partner = await t.apiKey('promoteur');
    const lines = PROGRAMMES.split('\n');
    lines[2] = lines[2].replace('Blagnac', 'Blag\u0000nac');
    const res = await deliver(partner.headers, lines.join('\n'));
    expect(res.statusCode).toBe(201); // a delivery that cannot be read is kept, refused, with its report
    expect(res.json().delivery.status).toBe('refusee');
    expect(res.json().report.header[0]).toMatchObject({ line: 3, rule: 'format-fichier' });
    expect(res.json().report.header[0].message).toContain('caractère nul (octet 0) ligne 3');
    const agent = await t.login('agent');
    const demand = isFrenchProblem(await t.app.inject({ method: 'POST', url: '/api/demand/import', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: demandCsv({ nom: 'FIC\u0000TIF' }) }), 400);
    expect(demand.detail).toMatch(/^fichier envoyé : le fichier contient un caractère nul \(octet 0\) ligne 2, caractère \d+/);
  });

  it('refuses a compressed body or file with a plain reason', async () => {
    const admin = await t.login('admin');
    const encoded = isFrenchProblem(
      await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: { ...admin.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync('{"kind":"bailleur","name":"Sud"}') }),
      415,
    );
    expect(encoded.detail).toBe('Le contenu compressé (Content-Encoding: gzip) n’est pas accepté : envoyez-le sans compression.');
    const partner = await t.apiKey('promoteur');
    const delivered = await deliver(partner.headers, gzipSync(PROGRAMMES), 'application/octet-stream');
    expect(delivered.json().report.header[0].message).toContain('le fichier est compressé (gzip) : décompressez-le');
    const agent = await t.login('agent');
    const demand = isFrenchProblem(await t.app.inject({ method: 'POST', url: '/api/demand/import', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: gzipSync(demandCsv({})) }), 400);
    expect(demand.detail).toContain('le fichier est compressé (gzip)');
  });

  it('names a UTF-16 file as such', async () => {
    const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const agent = await t.login('agent');
    const demand = isFrenchProblem(await t.app.inject({ method: 'POST', url: '/api/demand/import?name=demandes.csv', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: utf16(demandCsv({})) }), 400);
    expect(demand.detail).toBe('demandes.csv : le fichier est en UTF-16 ; enregistrez-le en UTF-8 (dans le tableur : « CSV UTF-8 »).');
    const sru = isFrenchProblem(await t.app.inject({ method: 'POST', url: '/api/plh/sru/import', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: utf16('commune_code;annee\n31555;2024\n') }), 400);
    expect(sru.detail).toContain('le fichier est en UTF-16 ; enregistrez-le en UTF-8');
    // The referential reads UTF-16 through its byte order mark: accepted as any other encoding.
    // The example's developer (its rows name SIREN 552049447): a partner delivers its own rows only.
    const partner = await t.apiKey('promoteur', await t.org('promoteur', { epcis: t.ctx.config.epciSirens, siren: '552049447' }));
    const delivered = await deliver(partner.headers, utf16(PROGRAMMES));
    expect(delivered.json().delivery.status).toBe('acceptee');
  });

  it('translates csv-parse’s errors with line and column wherever a CSV is read from people', async () => {
    const partner = await t.apiKey('promoteur');
    const lines = PROGRAMMES.split('\n');
    lines[2] = lines[2].replace('4 avenue du Parc', '"4 avenue du Parc');
    const delivered = (await deliver(partner.headers, lines.join('\n'))).json();
    expect(delivered.report.header[0].message).toBe(
      'Le fichier n\'a pas pu être lu comme un CSV : des guillemets ouverts ligne 3, colonne 4 ne sont jamais fermés : la valeur court jusqu’à la fin du fichier.',
    );
    const agent = await t.login('agent');
    const demand = isFrenchProblem(await t.app.inject({ method: 'POST', url: '/api/demand/import', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: demandCsv({ nom: '"FICTIF' }) }), 422);
    expect(demand.detail).toContain('des guillemets ouverts ligne 2, colonne 6 ne sont jamais fermés');
    const sru = isFrenchProblem(await t.app.inject({ method: 'POST', url: '/api/plh/sru/import', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: 'commune_code;annee\n31555;"2024"x\n' }), 422);
    expect(sru.detail).toContain('ligne 2, colonne 2 : un caractère (« x ») suit des guillemets fermants');
    const targets = await t.app.inject({ method: 'POST', url: '/api/construction/targets/csv', headers: agent.headers, payload: { csv: 'code_commune;periode_debut\n"31555;2020\n' } });
    expect(targets.json().details.problems[0].message).toBe('fichier CSV illisible : des guillemets ouverts ligne 2, colonne 1 ne sont jamais fermés : la valeur court jusqu’à la fin du fichier');
  });

  it('says where malformed JSON breaks, in French', async () => {
    const admin = await t.login('admin');
    const post = (payload: string) => t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: { ...admin.headers, 'content-type': 'application/json' }, payload });
    const broken = isFrenchProblem(await post('{"kind": "bailleur",\n "name": }'), 400);
    expect(broken).toMatchObject({ code: 'platform.invalid_json' });
    expect(broken.detail).toMatch(/^Le corps de la requête n’est pas un JSON valide : JSON mal formé ligne 2, colonne 10 \(caractère n° 31\) : « } » inattendu/);
    expect(isFrenchProblem(await post(''), 400).detail).toBe('Le corps de la requête est vide alors que son type (Content-Type) annonce du JSON.');
    expect(isFrenchProblem(await post('{"__proto__": {"admin": true}}'), 400).detail).toContain('clé interdite');
  });

  it('answers a duplicate SIREN with 409 in French', async () => {
    const admin = await t.login('admin');
    const create = () => t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'bailleur', name: 'Sud Habitat', siren: '912345678' } });
    expect((await create()).statusCode).toBe(201);
    const again = isFrenchProblem(await create(), 409);
    expect(again).toMatchObject({ code: 'access.siren_taken', detail: 'Une organisation porte déjà le SIREN 912345678 : « Sud Habitat ».' });
  });

  it('answers a too-long or badly encoded URL in French', async () => {
    const segment = isFrenchProblem(await t.app.inject(`/api/territory/communes/${'6'.repeat(5000)}`), 414);
    expect(segment.detail).toBe('L’adresse demandée est trop longue : un de ses segments dépasse 100 caractères.');
    expect(isFrenchProblem(await t.app.inject('/api/territory/communes/%E0%A4%A'), 400).detail).toContain('encodage invalide');
    // Over Node's 16 KB of request line and headers, the HTTP parser refuses before Fastify: still problem+json.
    const server = await createTestApp();
    try {
      const url = new URL(await server.app.listen({ port: 0, host: '127.0.0.1' }));
      const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: `/api/territory/search?q=${'a'.repeat(20_000)}` }, (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode!, type: String(r.headers['content-type']), body }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(res.status).toBe(431);
      expect(res.type).toContain('application/problem+json');
      expect(JSON.parse(res.body)).toMatchObject({ status: 431, title: 'En-têtes trop longs', detail: 'L’adresse ou les en-têtes de la requête sont trop longs (16 Ko au plus en tout).' });
    } finally {
      await server.close();
    }
  });

  it('turns what PostgreSQL refuses from a caller’s data into 400 or 409, never 500 (the net behind the guards)', async () => {
    const net = Fastify({ logger: false });
    net.setErrorHandler(errorHandler);
    net.get('/nul', async () => sql`select ${'a\u0000b'}::text`.execute(t.ctx.db));
    net.get('/json-nul', async () => sql`select ${JSON.stringify({ a: 'a\u0000b' })}::jsonb`.execute(t.ctx.db));
    net.get('/doublon', async () => {
      for (let i = 0; i < 2; i++) await t.ctx.db.insertInto('organisation').values({ kind: 'bailleur', name: 'Doublon', siren: '998877665' }).execute();
    });
    try {
      for (const url of ['/nul', '/json-nul']) expect(isFrenchProblem(await net.inject(url), 400).code, url).toBe('platform.nul_character');
      expect(isFrenchProblem(await net.inject('/doublon'), 409).detail).toBe('Ces données existent déjà (doublon) : rien n’a été enregistré.');
    } finally {
      await net.close();
    }
  });

  it('counts refused requests (bad API key, no session) in the rate limit', async () => {
    const limited = await createTestApp({ config: { rateLimitPerMinute: 5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await limited.app.inject({ url: '/api/access/me', remoteAddress: '10.0.0.1', headers: { authorization: 'Bearer hc_cle-inventee' } })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      const over = await limited.app.inject({ url: '/api/access/me', remoteAddress: '10.0.0.1', headers: { authorization: 'Bearer hc_cle-inventee' } });
      expect(over.statusCode).toBe(429);
      expect(over.json().detail).toContain('Trop de requêtes');
      for (let i = 0; i < 5; i++) await limited.app.inject({ url: '/api/access/me', remoteAddress: '10.0.0.2' });
      expect((await limited.app.inject({ url: '/api/access/me', remoteAddress: '10.0.0.2' })).statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('writes no audit row for anonymous simulations, and still logs a signed-in write', async () => {
    const count = async () => Number((await t.ctx.db.selectFrom('audit_log').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/aids/simulate/social-housing', payload: { commune: '31555', persons: 2, reference_tax_income: 24000 + i } });
      expect(res.statusCode).toBe(200);
    }
    expect(await count()).toBe(before);
    const admin = await t.login('admin');
    await t.app.inject({ method: 'POST', url: '/api/access/organisations', headers: admin.headers, payload: { kind: 'bailleur', name: 'Audité' } });
    expect(await count()).toBe(before + 1);
  });
});
