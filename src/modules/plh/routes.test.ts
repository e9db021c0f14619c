// The PLH through HTTP on a real store: programme import/export, SRU, aids, land register, and the bilans opened as
// files and checked against the data entered.
import type { Database } from '../../platform/db.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Actor, type TestApp } from '../../../test/support/app.ts';
import { writeProgrammeXlsx } from './ingest/spreadsheet.ts';
import { formatProblem } from '../../platform/errors.ts';
import { programmeToSheets } from './ingest/programme-sheet.ts';
import { SAMPLE } from './sample-programme.test-support.ts';
import { plhCli } from './cli.ts';
import { writeBilanFiles } from './report/render.ts';
import { docxParagraphs, docxTableRows, pdfTextLines } from './report/read-files.test-support.ts';
import { captureIO } from '../../../test/support/cli-io.ts';

let t: TestApp;
let agent: Actor;
let bailleur: Actor;
let xlsx: Buffer;
const TOULOUSE = '243100518';
const NAMES = new Map([
  ['31069', 'Blagnac'],
  ['31555', 'Toulouse'],
]);

beforeAll(async () => {
  t = await createTestApp();
  // The sample programme is Toulouse Métropole's: its agent, and a landlord that works with it.
  agent = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
  bailleur = await t.login('partner', 'bailleur', await t.org('bailleur', { epcis: [TOULOUSE] }));
  xlsx = await writeProgrammeXlsx(programmeToSheets(SAMPLE, NAMES));
});
afterAll(() => t?.close());

const importXlsx = (bytes: Buffer, headers = agent.headers) =>
  t.app.inject({ method: 'POST', url: '/api/plh/programme/import?filename=plh.xlsx', headers: { ...headers, 'content-type': 'application/octet-stream' }, payload: bytes });

async function programmeRows() {
  const db = t.ctx.db;
  const count = async (table: keyof Database) => Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { actions: await count('plh_action'), budgets: await count('plh_action_budget'), targets: await count('plh_target'), programmes: await count('plh_programme') };
}

describe('action programme', () => {
  it('imports the workbook, and importing it again changes nothing', async () => {
    const first = await importXlsx(xlsx);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ orientations: 2, actions: 2, budgets: 3, targets: 3 });
    const before = await programmeRows();
    expect((await importXlsx(xlsx)).statusCode).toBe(200);
    expect(await programmeRows()).toEqual(before);
    expect(before).toEqual({ actions: 2, budgets: 3, targets: 3, programmes: 1 });
  });

  it('refuses a workbook with a bad cell, says where in French, and writes nothing', async () => {
    const bad = programmeToSheets(SAMPLE, NAMES);
    bad.objectifs[1].commune_code = '33063'; // Bordeaux: outside the instance's territory
    bad.objectifs[2].objectif = 'beaucoup' as unknown as number;
    const before = await programmeRows();
    const res = await importXlsx(await writeProgrammeXlsx(bad));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('plh.import_refused');
    const problems = res.json().details.problems.map(formatProblem).join(' ; ');
    expect(problems).toContain('plh.xlsx, feuille Objectifs, ligne 4, colonne « objectif » — règle entier');
    expect(problems).toContain('(valeur : « beaucoup »)');
    expect(problems).toContain('ligne 3, colonne « commune_code » — règle commune_connue');
    expect(await programmeRows()).toEqual(before);
  });

  it('exports the same workbook it imported (XLSX round trip through the API)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/plh/programme/export?format=xlsx', headers: bailleur.headers });
    expect(res.statusCode).toBe(200);
    const again = await importXlsx(res.rawPayload);
    expect(again.statusCode, again.body).toBe(200);
    const prog = await t.app.inject({ method: 'GET', url: '/api/plh/programme', headers: bailleur.headers });
    const p = prog.json().programme;
    expect(p.name).toBe(SAMPLE.name);
    expect(p.actions.find((a: any) => a.code === '1.1').budgets).toEqual([
      { year: 2025, planned_euros: 1_500_000, spent_euros: 1_250_000.5 },
      { year: 2026, planned_euros: 1_600_000, spent_euros: 0 },
    ]);
  });

  it('merges a CSV sheet of targets into the programme and refuses a CSV without its sheet name', async () => {
    const csv = '\uFEFFcommune_code;commune;categorie;annee_debut;annee_fin;objectif;action_code\r\n31555;Toulouse;logements_sociaux;2025;2030;7200;1.1\r\n';
    const res = await t.app.inject({ method: 'POST', url: '/api/plh/programme/import?sheet=objectifs&filename=objectifs.csv', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode, res.body).toBe(200);
    const row = await t.ctx.db.selectFrom('plh_target').select('value').where('commune_code', '=', '31555').where('category', '=', 'logements_sociaux').executeTakeFirstOrThrow();
    expect(row.value).toBe(7200);
    const noSheet = await t.app.inject({ method: 'POST', url: '/api/plh/programme/import', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(noSheet.statusCode).toBe(400);
    // Back to the workbook's figure for the next tests.
    expect((await importXlsx(xlsx)).statusCode).toBe(200);
  });

  it('lets an agent change an action’s status, not a partner', async () => {
    const ok = await t.app.inject({ method: 'PATCH', url: '/api/plh/actions/2.1', headers: agent.headers, payload: { status: 'en_cours', comment: 'Lancée en mars' } });
    expect(ok.statusCode).toBe(200);
    const refused = await t.app.inject({ method: 'PATCH', url: '/api/plh/actions/2.1', headers: bailleur.headers, payload: { status: 'realisee' } });
    expect(refused.statusCode).toBe(403);
  });
});

describe('aids, SRU and land register', () => {
  it('records aids by case reference (same reference = same case) and shows a partner only its own', async () => {
    const base = { type: 'logement_social', commune_code: '31555', year: 2026, amount_euros: 240_000, plai_count: 12, plus_count: 20, pls_count: 8, operation: 'Résidence Les Tilleuls' };
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/plh/aids', headers: agent.headers, payload: { ...base, reference: 'LLS-2026-001', organisation_id: bailleur.organisationId } });
      expect(res.statusCode, res.body).toBe(200);
    }
    await t.app.inject({ method: 'POST', url: '/api/plh/aids', headers: agent.headers, payload: { ...base, reference: 'LLS-2025-007', year: 2025, plai_count: 10, plus_count: 15, pls_count: 5, amount_euros: 180_000 } });
    await t.app.inject({ method: 'POST', url: '/api/plh/aids', headers: agent.headers, payload: { reference: 'RENO-2026-042', type: 'renovation', commune_code: '31069', year: 2026, amount_euros: 3_000, dwellings_count: 1, energy_gain_pct: 45 } });
    const all = (await t.app.inject({ method: 'GET', url: '/api/plh/aids', headers: agent.headers })).json().aids;
    expect(all.map((a: any) => a.reference).sort()).toEqual(['LLS-2025-007', 'LLS-2026-001', 'RENO-2026-042']);
    const mine = (await t.app.inject({ method: 'GET', url: '/api/plh/aids', headers: bailleur.headers })).json().aids;
    expect(mine.map((a: any) => a.reference)).toEqual(['LLS-2026-001']);
  });

  it('refuses an aid in a commune outside the territory, in French', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/plh/aids', headers: agent.headers, payload: { reference: 'X', type: 'accession', commune_code: '33063', year: 2026, amount_euros: 5000 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toBe('La commune 33063 n’est pas dans le territoire de l’instance.');
  });

  it('computes the SRU situation from the inventory entered, and publishes it without login', async () => {
    // The worked example of shared/data/rules, applied to a test commune: 10 000 RP, 1 800 social dwellings, 25 %.
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/plh/sru/31555/2026',
      headers: agent.headers,
      payload: { main_residences: 10_000, social_dwellings: 1800, legal_rate: 0.25, fiscal_potential_per_inhabitant: 1200, operating_expenses: 15_000_000, deductible_expenses: 50_000, source: 'Inventaire de test (exemple des règles)' },
    });
    expect(put.statusCode, put.body).toBe(200);
    const pub = await t.app.inject({ method: 'GET', url: '/api/plh/public/sru?year=2026' });
    expect(pub.statusCode).toBe(200);
    const line = pub.json().communes[0];
    expect(line).toMatchObject({ commune_code: '31555', name: 'Toulouse', deficit: 700, triennial_target: 231, period: '2026-2028', produced: { plai: 12, plus: 20, pls: 8, total: 40 } });
    expect(line.plai_min).toBeCloseTo(69.3, 9);
    expect(line).not.toHaveProperty('net_levy_estimate'); // the levy estimate is for signed-in users
    const staff = await t.app.inject({ method: 'GET', url: '/api/plh/sru?year=2026', headers: agent.headers });
    expect(staff.json().communes[0].net_levy_estimate).toBe(160_000);
  });

  it('imports SRU inventories from a CSV: all lines or none, the same file twice changes nothing', async () => {
    const good = 'commune_code;annee;residences_principales;logements_sociaux;taux_legal;source\n31069;2025;12000;2000;25 %;Inventaire de test\n';
    const post = (csv: string) => t.app.inject({ method: 'POST', url: '/api/plh/sru/import?filename=sru.csv', headers: { ...agent.headers, 'content-type': 'text/csv' }, payload: csv });
    const count = async () => Number((await t.ctx.db.selectFrom('plh_sru_inventory').select(t.ctx.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    expect((await post(good)).json()).toEqual({ inventories: 1 });
    expect((await post(good)).statusCode).toBe(200);
    expect(await count()).toBe(before + 1);
    const two = await post(good.replace('\n31069;2025', '\n31555;2024;1;1;25 %;S\n31069;2024'));
    expect(two.statusCode, two.body).toBe(200); // two valid lines: two more rows
    const worse = await post('commune_code;annee;residences_principales;logements_sociaux;taux_legal;source\n31555;2023;100;10;25 %;S\n31555;2023;abc;10;25 %;S\n');
    expect(worse.statusCode).toBe(422);
    expect(worse.json().details.problems.map(formatProblem).join(' ; ')).toContain('sru.csv, ligne 3, colonne « residences_principales » — règle entier');
    expect(await count()).toBe(before + 3);
  });

  it('keeps land opportunities with their point, served as GeoJSON to signed-in users only', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/plh/land',
      headers: agent.headers,
      payload: { reference: 'F-31555-01', nature: 'friche', commune_code: '31555', parcel: '31555000AB0246', surface_m2: 4200, zoning: 'UM1', potential_dwellings: 60, status: 'etudie', longitude: 1.4442, latitude: 43.6047 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const wrongParcel = await t.app.inject({ method: 'POST', url: '/api/plh/land', headers: agent.headers, payload: { reference: 'F2', nature: 'gisement', commune_code: '31069', parcel: '31555000AB0246', surface_m2: 10 } });
    expect(wrongParcel.statusCode).toBe(422);
    const geo = await t.app.inject({ method: 'GET', url: '/api/plh/land/geojson', headers: bailleur.headers });
    expect(geo.json().features).toEqual([
      expect.objectContaining({ type: 'Feature', geometry: { type: 'Point', coordinates: [1.4442, 43.6047] }, properties: expect.objectContaining({ reference: 'F-31555-01', potential_dwellings: 60 }) }),
    ]);
    expect((await t.app.inject({ method: 'GET', url: '/api/plh/land/geojson' })).statusCode).toBe(401);
  });

  it('counts aids in the targets: Toulouse social housing 2025–2026 = 30 + 40', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/plh/targets?year=2026&commune=31555', headers: bailleur.headers });
    const lls = res.json().targets.find((o: any) => o.category === 'logements_sociaux');
    expect(lls).toMatchObject({ target: 7000, achieved: 70, sources: ['Registre des aides accordées par l’EPCI (Habitat Commun)'] });
    expect(lls.expected_progress).toBeCloseTo(2 / 6, 9);
  });
});

describe('bilans', () => {
  it('refuses the bilan to a partner and to the public', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/plh/report?year=2026', headers: bailleur.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/plh/report?year=2026' })).statusCode).toBe(401);
  });

  it('the DOCX shows each commune’s target and achievement, each action’s budget, the SRU figures and their sources', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/plh/report?year=2026&format=docx', headers: agent.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('bilan-plh-annuel-2026.docx');
    const rows = docxTableRows(res.rawPayload);
    const row = (first: string, second?: string) => rows.find((r) => r[0] === first && (second === undefined || r[1] === second));
    // Toulouse, social housing 2025–2030: 7 000 targeted, 40 financed in 2026, 70 since 2025, 1 %.
    expect(row('Toulouse (31555)', 'Logements locatifs sociaux financés')).toEqual(['Toulouse (31555)', 'Logements locatifs sociaux financés', '2025–2030', '7 000', '40', '70', '1,0 %', '33 %']);
    // Blagnac: 1 renovation aided in 2026 but its target is social housing: 0 of 600.
    expect(row('Blagnac (31069)', 'Logements locatifs sociaux financés')?.slice(3, 6)).toEqual(['600', '0', '0']);
    // Action 1.1: 2026 budget 1 600 000 planned, 0 spent; indicator = targets linked to 1.1 (600 + 7 000), achieved 70.
    expect(row('1.1. Financer le logement locatif social')).toEqual([
      '1.1. Financer le logement locatif social',
      'Produire une offre de logements diversifiée et abordable',
      'EPCI',
      'En cours',
      '1 600 000 €',
      '0 €',
      '7 600',
      '70',
      'Programmation « 2026 » validée; voir délibération',
    ]);
    expect(row('2.1. Aider la rénovation énergétique')?.[3]).toBe('En cours');
    // Aids of 2026 only: the 2025 operation is not in the annual bilan.
    expect(row('Financement du logement social (par opération)')).toEqual(['Financement du logement social (par opération)', '1', '240 000 €', '40']);
    expect(row('Rénovation des logements occupés')).toEqual(['Rénovation des logements occupés', '1', '3 000 €', '1']);
    // SRU: the worked example's figures.
    const sru = row('Toulouse (31555)', '1er janv. 2026')!;
    expect(sru.slice(2, 12)).toEqual(['10 000', '1 800', '18,00 %', '25 %', '700', '231', '69,3', '69,3', '40', '17,3 %']);
    expect(row('Inventaire SRU (résidences principales, logements sociaux décomptés)')).toEqual([
      'Inventaire SRU (résidences principales, logements sociaux décomptés)',
      'Inventaire de test (exemple des règles)',
      'inventaire au 1er janvier 2026',
    ]);
    expect(docxParagraphs(res.rawPayload)[0]).toBe('Bilan annuel 2026 du programme local de l’habitat');
  });

  it('the PDF carries the same figures, with French accents, in its text', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/plh/report?year=2026&format=pdf', headers: agent.headers });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const lines = pdfTextLines(res.rawPayload);
    expect(lines).toContain('Bilan annuel 2026 du programme local de l’habitat');
    expect(lines).toContain('Communes soumises à l’article 55 de la loi SRU');
    // The Toulouse target row, cell by cell as drawn.
    const i = lines.findIndex((l, k) => l === 'Toulouse (31555)' && lines[k + 1] === 'Logements locatifs sociaux financés');
    expect(lines.slice(i, i + 8)).toEqual(['Toulouse (31555)', 'Logements locatifs sociaux financés', '2025–2030', '7 000', '40', '70', '1,0 %', '33 %']);
    expect(lines).toContain('1 600 000 €');
    expect(lines).toContain('231');
    // The chart's label for Toulouse: achieved / target.
    expect(lines).toContain('70 / 7 000');
  });

  it('the triennial HTML covers three years, with the map', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/plh/report?year=2026&triennial=true&format=html', headers: agent.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Bilan triennal 2024–2026 du programme local de l’habitat</h1>');
    // Aids of 2025 and 2026: 2 operations, 420 000 €, 70 dwellings.
    expect(res.body).toMatch(/Financement du logement social \(par opération\)<\/td><td class="n">2<\/td><td class="n">420 000 €<\/td><td class="n">70<\/td>/);
    expect(res.body).toContain('<svg role="img" aria-label="Carte des communes');
  });

  it('`habitat report bilan` is declared, and its service writes the HTML, DOCX and PDF files', async () => {
    const program = new Command('habitat');
    plhCli({ program, importCommand: program.command('import'), withContext: (async () => undefined) as any, io: captureIO() });
    const report = program.commands.find((c) => c.name() === 'report');
    expect(report?.commands.map((c) => c.name())).toContain('bilan');
    const dir = mkdtempSync(join(tmpdir(), 'plh-bilan-'));
    try {
      const paths = await writeBilanFiles(t.ctx.db, { epci: TOULOUSE, year: 2026, triennial: true, outDir: dir });
      expect(paths.map((p) => basename(p))).toEqual(['bilan-plh-triennal-2024-2026.html', 'bilan-plh-triennal-2024-2026.docx', 'bilan-plh-triennal-2024-2026.pdf']);
      expect(docxParagraphs(readFileSync(paths[1]))[0]).toBe('Bilan triennal 2024–2026 du programme local de l’habitat');
      expect(pdfTextLines(readFileSync(paths[2]))).toContain('420 000 €');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
