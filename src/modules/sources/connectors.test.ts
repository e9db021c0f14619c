// The connectors against a local stand-in for each publisher (test/support/publisher.ts), serving real data under the
// publishers' real paths: DVF (Etalab), Sitadel (SDES DiDo), RPLS, DPE (ADEME data-fair, paged), INSEE (zip), COG.
// Then the catalogue, the history route, and a failed scheduled refresh that alerts the admins.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { captureIO } from '../../../test/support/cli-io.ts';
import { startPublisher, zipOf, type Publisher } from '../../../test/support/publisher.ts';
import { createUser, ensureEpciOrganisation } from '../access/store.ts';
import { marketModule, readDvfManifest } from '../market/index.ts';
import { DEMO_INSEE, inseeEditions, inseeFigures } from '../observatory/index.ts';
import { DPE_LAYOUTS, dpeCoverage, readRplsManifest, useNotificationChannels, type Mailer } from '../stock/index.ts';
import { sitadelCoverage } from '../construction/index.ts';
import { COG_VERSION } from '../territory/index.ts';
import { SITADEL_LOGEMENTS_RID } from './model.ts';
import { catalogue, fetchSource, refreshSources } from './service.ts';
import { sourcesCli } from './cli.ts';
import { Command } from 'commander';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'sources');
const DVF = gzipSync(readFileSync(join(FIX, 'geodvf_commune_33001_Abzac_2021.csv')));
const DVF_PATH = '/geo-dvf/latest/csv/2021/departements/33.csv.gz';
const SITADEL = readFileSync(join(FIX, 'sitadel_logements_31555_Toulouse_edition2026-01.csv'));
const SITADEL_PATH = `/dido/api/v1/datafiles/${SITADEL_LOGEMENTS_RID}/csv?withColumnName=true&withColumnDescription=false&DEP_CODE=eq:31`;
const RPLS = readFileSync(join(ROOT, 'data', 'demo', 'rpls', 'rpls_par_date_2019_epci_demo.csv.gz'));
const INSEE_PATH = '/fr/statistiques/fichier/2521169/base_cc_comparateur_csv.zip';
const download = { retries: 2, backoffMs: 5, timeoutMs: 10_000 };

// The real DPE extract (legacy accented headers), as data-fair's current API serves it: snake_case fields.
const dpeCsv = parse(readFileSync(join(ROOT, 'data', 'demo', 'dpe', 'ademe_dpe_v2_logements_neufs_69388_extract.csv')), { bom: true, columns: true }) as Record<string, string>[];
const legacy = DPE_LAYOUTS['ademe-v2-accentue'];
const snake = DPE_LAYOUTS['ademe-snake-case'];
const dpeLines = dpeCsv.map((r) => Object.fromEntries(Object.keys(snake).map((k) => [snake[k as keyof typeof snake], r[legacy[k as keyof typeof legacy]] ?? null])));
const DPE_PAGE = 1000; // the stand-in's page size, so that Lyon 8e needs three pages

let pub: Publisher;
let t: TestApp;
const mails: { to: string; subject: string; text: string }[] = [];

beforeAll(async () => {
  pub = await startPublisher();
  t = await createTestApp({
    config: { sourceUrls: { dvf: pub.url, sdes: pub.url, ademe: pub.url, insee: pub.url, npm: pub.url, cog: pub.url, rpls: `${pub.url}/rpls/rpls_par_date_{millesime}.csv.gz` } },
  });
  pub.serve(DVF_PATH, { body: DVF, etag: '"geo-dvf-2021-33"', lastModified: 'Tue, 15 Apr 2025 08:00:00 GMT' });
  pub.serve(SITADEL_PATH, { body: SITADEL, type: 'text/csv', lastModified: 'Fri, 30 Jan 2026 06:00:00 GMT' });
  pub.serve('/rpls/rpls_par_date_2019.csv.gz', { body: RPLS, etag: '"rpls-2019"' });
  pub.serve(INSEE_PATH, { body: await zipOf('base_cc_comparateur.csv', readFileSync(DEMO_INSEE)), etag: '"cc-2025"', lastModified: 'Mon, 30 Jun 2025 10:00:00 GMT' });
  pub.serve('/@etalab/decoupage-administratif/latest', { body: JSON.stringify({ name: '@etalab/decoupage-administratif', version: COG_VERSION }), type: 'application/json' });
  for (const dataset of ['dpe03existant', 'dpe02neuf'])
    pub.serve(`/data-fair/api/v1/datasets/${dataset}/lines`, {
      body: '',
      handler(_req, res, url) {
        const code = /code_insee_ban:"([0-9AB]{5})"/.exec(url.searchParams.get('qs') ?? '')?.[1];
        const all = dataset === 'dpe02neuf' ? dpeLines.filter((l) => l.code_insee_ban === code) : [];
        const after = Number(url.searchParams.get('after') ?? 0);
        const results = all.slice(after, after + DPE_PAGE);
        const next = after + DPE_PAGE < all.length ? new URL(url.pathname + url.search, pub.url) : undefined;
        next?.searchParams.set('after', String(after + DPE_PAGE));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ total: all.length, results, ...(next ? { next: next.href } : {}) }));
      },
    });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await pub?.close();
});

const requestsTo = (path: string) => pub.requests.filter((r) => r.path === path);

describe('connectors against local publishers', () => {
  it('DVF: downloads the département-year file, imports it into the lake; a second run gets a 304 and imports nothing', async () => {
    const first = await fetchSource(t.ctx, 'dvf', { departements: ['33'], years: [2021], download });
    expect(first).toMatchObject({ result: 'imported', edition: '2025-04', lines: 164 });
    const manifest = readDvfManifest(t.ctx.lake.dir);
    expect(manifest.files).toHaveLength(1);
    expect(manifest.files[0].communeYears).toEqual(['33001:2021']);

    const second = await fetchSource(t.ctx, 'dvf', { departements: ['33'], years: [2021], download });
    expect(second.result).toBe('unchanged');
    const last = requestsTo(DVF_PATH).at(-1)!;
    expect(last.headers['if-none-match']).toBe('"geo-dvf-2021-33"');
    expect(last.status).toBe(304);
    expect(readDvfManifest(t.ctx.lake.dir)).toEqual(manifest); // nothing re-imported
  });

  it('DVF: a year Etalab does not have (404) is noted, not a failure', async () => {
    const r = await fetchSource(t.ctx, 'dvf', { departements: ['33'], years: [2021, 2030], download });
    expect(r.result).toBe('unchanged');
    expect(r.message).toContain('Absents chez Etalab : 2030/33');
  });

  it('Sitadel: one DiDo file per département, imported by the construction module', async () => {
    const r = await fetchSource(t.ctx, 'sitadel', { departements: ['31'], download });
    expect(r).toMatchObject({ result: 'imported', edition: '2026-01', lines: 3710 });
    const cov = await sitadelCoverage(t.ctx.db);
    expect(cov.communes).toEqual(['31555']);
    expect(cov.years).toEqual([2013, 2025]);
    // If-Modified-Since on the next run: 304, nothing re-imported.
    expect((await fetchSource(t.ctx, 'sitadel', { departements: ['31'], download })).result).toBe('unchanged');
    expect(requestsTo(SITADEL_PATH).at(-1)).toMatchObject({ status: 304, headers: { 'if-modified-since': 'Fri, 30 Jan 2026 06:00:00 GMT' } });
  });

  it('RPLS: the vintage from the configured URL, kept to the instance’s communes', async () => {
    const r = await fetchSource(t.ctx, 'rpls', { years: [2019], download });
    expect(r).toMatchObject({ result: 'imported', edition: '2019' });
    expect(readRplsManifest(t.ctx.lake.dir)['2019']).toMatchObject({ millesime: 2019, perimetre: { epci: t.ctx.config.epciSirens } });
  });

  it('DPE: pages of the data-fair API followed through `next`, one CSV per dataset, imported by the stock module', async () => {
    const r = await fetchSource(t.ctx, 'dpe', { download });
    const in69388 = dpeLines.filter((l) => l.code_insee_ban === '69388').length;
    expect(r).toMatchObject({ result: 'imported', lines: in69388 });
    const pages = pub.requests.filter((q) => q.path.startsWith('/data-fair/api/v1/datasets/dpe02neuf/lines') && q.path.includes('69388'));
    expect(pages).toHaveLength(Math.ceil(in69388 / DPE_PAGE));
    expect(pages[1].path).toContain(`after=${DPE_PAGE}`);
    // Lyon is asked for by arrondissement (the BAN codes DPEs carry), not as 69123.
    expect(pub.requests.some((q) => q.path.includes(encodeURIComponent('code_insee_ban:"69123"')))).toBe(false);
    expect((await dpeCoverage(t.ctx.db)).communes).toEqual(['69388']);
    // The same answers make the same file: recognised, nothing re-imported.
    expect((await fetchSource(t.ctx, 'dpe', { download })).result).toBe('unchanged');
  });

  it('INSEE: the zip from insee.fr, imported by the observatory as an edition dated by the publisher', async () => {
    const r = await fetchSource(t.ctx, 'insee', { download });
    expect(r).toMatchObject({ result: 'imported', edition: '2025', lines: 95 });
    expect((await inseeEditions(t.ctx.db))[0]).toMatchObject({ edition: '2025', published_at: '2025-06-30', communes: 95 });
    expect((await inseeFigures(t.ctx.db, ['31555']))[0].figures.P22_POP).toBeGreaterThan(500_000);
  });

  it('COG: the latest version is the one loaded, so nothing is downloaded', async () => {
    const r = await fetchSource(t.ctx, 'cog', { download });
    expect(r).toMatchObject({ result: 'unchanged', edition: COG_VERSION });
    expect(pub.requests.some((q) => q.path.includes('/data/communes.json'))).toBe(false);
  });

  it('refuses a source that is transmitted under agreement, in French', async () => {
    await expect(fetchSource(t.ctx, 'lovac')).rejects.toThrow(/n’est pas en données ouvertes : c’est un fichier transmis/);
    await expect(fetchSource(t.ctx, 'meteo')).rejects.toThrow('Source inconnue : « meteo ».');
  });
});

describe('catalogue, history and the schedule', () => {
  it('the public catalogue gives each source its channel, edition and coverage, without personal data', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sources' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const by = Object.fromEntries(body.sources.map((s: any) => [s.id, s]));
    expect(body.communes_total).toBe(95);
    expect(by.sitadel).toMatchObject({ channel: 'connector', edition: '2026-01', communes_covered: 1, period: '2013–2025' });
    expect(by.insee).toMatchObject({ edition: 'édition 2025', communes_covered: 95 });
    expect(by.dvf).toMatchObject({ edition: '2025-04', communes_covered: 0, period: '2021' }); // Abzac is not in the territory
    expect(by.lovac).toMatchObject({ channel: 'transmitted_file', edition: null });
    expect(by.dv3f.channel).toBe('transmitted_file');
    expect(by.sne.channel).toBe('transmitted_file');
    expect(JSON.stringify(body)).not.toMatch(/[\w.+-]+@[\w-]+\.\w+/); // no e-mail address
    // Fetched from their publishers, not the demo files: no page may call them « données de démonstration ».
    expect(body.sources.filter((s: any) => s.demo).map((s: any) => s.id)).toEqual([]);
  });

  it('says which sources are demo extracts once the demo files are loaded', async () => {
    const d = await createTestApp();
    try {
      await marketModule.loadDemo!(d.ctx);
      const body = (await d.app.inject({ method: 'GET', url: '/api/sources' })).json();
      expect(body.sources.filter((s: any) => s.demo).map((s: any) => s.id)).toEqual(['dvf']);
    } finally {
      await d.close();
    }
  });

  it('the history is for the EPCI’s staff', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/sources/history' })).statusCode).toBe(401);
    const partner = await t.login('partner');
    expect((await t.app.inject({ method: 'GET', url: '/api/sources/history', headers: partner.headers })).statusCode).toBe(403);
    const agent = await t.login('agent');
    const res = await t.app.inject({ method: 'GET', url: '/api/sources/history?source=dvf', headers: agent.headers });
    expect(res.statusCode).toBe(200);
    const runs = res.json().runs;
    expect(runs.map((r: any) => r.result)).toEqual(['unchanged', 'unchanged', 'imported']);
    expect(runs[2]).toMatchObject({ source: 'dvf', trigger: 'command', edition: '2025-04', lines: 164 });
    expect(runs[2].ended_at >= runs[2].started_at).toBe(true);
  });

  it('a failed scheduled refresh is recorded, alerts the admins by e-mail, and leaves the previous edition in place', async () => {
    const org = await ensureEpciOrganisation(t.ctx.db, t.ctx.config.epciSirens[0]);
    await createUser(t.ctx.db, { email: 'admin-sources@exemple.fr', name: 'Admin', role: 'admin', organisationId: org.id, password: 'mot-de-passe-solide-123' });
    const mailer: Mailer = { send: async (m) => void mails.push(m) };
    useNotificationChannels(t.ctx, { mailer });
    const before = await inseeFigures(t.ctx.db, ['31555', '69123']);
    pub.serve(INSEE_PATH, { body: 'x', failFirst: 1000 }); // insee.fr down
    const report = await refreshSources(t.ctx, { all: true, download: { ...download, retries: 1 } });
    const insee = report.find((r) => r.source === 'insee')!;
    expect(insee.result).toBe('failed');
    expect(insee.message).toMatch(/le serveur a répondu 503/);
    expect(report.find((r) => r.source === 'dvf')!.result).toBe('unchanged');
    expect(mails.filter((m) => m.subject.includes('Comparateur de territoires'))).toEqual([
      expect.objectContaining({ to: 'admin-sources@exemple.fr', text: expect.stringContaining('L’édition précédente reste en place.') }),
    ]);
    expect(await inseeFigures(t.ctx.db, ['31555', '69123'])).toEqual(before);
    const c = await catalogue(t.ctx);
    const entry = c.sources.find((s) => s.id === 'insee')!;
    expect(entry.edition).toBe('édition 2025');
    expect(entry.last_run?.result).toBe('failed');
  });

  it('`habitat sources` prints the catalogue in French', async () => {
    const io = captureIO();
    const program = new Command().exitOverride();
    sourcesCli({ program, withContext: (fn) => fn(t.ctx), io });
    await program.parseAsync(['sources'], { from: 'user' });
    expect(io.out()).toContain('insee\tComparateur de territoires — Insee');
    expect(io.out()).toContain('canal : fichier transmis');
    expect(io.out()).toMatch(/dernier passage : échec le \d{4}-\d{2}-\d{2}/);
  });

  it('`habitat fetch` refuses bad options in French', async () => {
    const io = captureIO();
    const program = new Command().exitOverride();
    sourcesCli({ program, withContext: (fn) => fn(t.ctx), io });
    await expect(program.parseAsync(['fetch', 'dvf', '--departements', '99'], { from: 'user' })).rejects.toThrow('Département inconnu : 99.');
    await expect(program.parseAsync(['fetch', 'dvf', '--annees', '2025-2021'], { from: 'user' })).rejects.toThrow('Années hors limites');
  });
});
