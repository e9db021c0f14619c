import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openLake, type Lake } from '../../platform/lake.ts';
import { stagingRoot } from '../../platform/lake-swap.ts';
import { openTestStore } from '../../../test/support/stores.ts';
import { arrondissementParents } from '../territory/index.ts';
import { LAKE_COLUMNS, type ArrondissementParents } from './model.ts';
import { importDvfFiles, type ImportOptions } from './service.ts';
import { dvfLines as dvfRelation, linesPerDepartement, livePartitions, readDvfManifest as readManifest, yearsInLake } from './store.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DEMO = join(ROOT, 'data', 'demo', 'dvf');
const ABZAC = join(DEMO, 'geodvf_commune_33001_Abzac_2021.csv');
const DEP69 = join(DEMO, 'geodvf_dep69_2018_partial_chunk.csv');
const HENDAYE = join(DEMO, 'dvf_variant_64260_Hendaye_2019-2023_apt_maison.csv');
const RAW = join(ROOT, 'test', 'fixtures', 'market', 'raw_dgfip_format_cerema_masked_sample.txt');

const tmp = mkdtempSync(join(tmpdir(), 'habitat-dvf-'));
let n = 0;
/** A fresh data folder with its lake. */
function freshDataDir() {
  const dir = join(tmp, `d${++n}`);
  return { dataDir: dir, lakeDir: join(dir, 'lake') };
}
const lakes: Lake[] = [];
async function lakeOf(dataDir: string) {
  const lake = await openLake(dataDir);
  lakes.push(lake);
  return lake;
}

/** Everything the lake holds, as one fingerprint: line count and an order-independent hash of all columns. */
async function fingerprint(dataDir: string) {
  const lake = await lakeOf(dataDir);
  const cols = LAKE_COLUMNS.map(([c]) => c).join(', ');
  const [r] = await lake.query<{ n: number; h: string }>(
    `SELECT count(*) AS n, CAST(sum(hash(${cols})) AS VARCHAR) AS h FROM ${dvfRelation(lake.dir)}`,
  );
  // What the folders say they hold, not their names: an import's folder is named after it, its lines are not.
  const partitions = livePartitions(lake.dir)
    .flatMap((p) => [...p.years].flatMap(([d, years]) => [...years.keys()].map((y) => `${d}/${y}`)))
    .sort();
  await expectDescriptionsTrue(lake);
  return { lines: r.n, hash: r.h, partitions };
}

/** What the import folders say they hold (contenu.json, communes-annees.json) is what the lake reads in them. */
async function expectDescriptionsTrue(lake: Lake) {
  const folders = livePartitions(lake.dir);
  if (!folders.length || folders.some((p) => !p.lot)) return; // a folder of an older layout records no counts
  const described = new Map<string, number>();
  for (const p of folders) for (const [d, years] of p.years) for (const [y, n] of years) described.set(`${d}/${y}`, (described.get(`${d}/${y}`) ?? 0) + n!);
  const counted = await lake.query<{ k: string; n: number }>(`SELECT departement || '/' || annee AS k, count(*) AS n FROM ${dvfRelation(lake.dir)} GROUP BY ALL`);
  expect(described).toEqual(new Map(counted.map((r) => [r.k, r.n])));
  const held = folders.flatMap((p) =>
    Object.entries(JSON.parse(readFileSync(join(lake.dir, 'dvf', p.path, 'communes-annees.json'), 'utf8')) as Record<string, string[]>).flatMap(([y, cs]) => cs.map((c) => `${c}:${y}`)),
  );
  const pairs = await lake.query<{ k: string }>(`SELECT DISTINCT code_commune || ':' || annee AS k FROM ${dvfRelation(lake.dir)}`);
  expect(held.sort()).toEqual(pairs.map((r) => r.k).sort());
}

// Arrondissements roll up to their commune as the COG of the test store says.
let parents: ArrondissementParents;
beforeAll(async () => {
  const store = await openTestStore('pglite');
  parents = await arrondissementParents(store.db);
  await store.close();
});
const importDvf = (lakeDir: string, paths: string[], opts: ImportOptions = {}) => importDvfFiles(lakeDir, paths, { ...opts, parents });

afterAll(() => {
  for (const l of lakes) l.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('import of the real DVF formats', () => {
  it('imports Etalab geo-DVF: Abzac 2021, exact duplicate lines kept once', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    const s = await importDvf(lakeDir, [ABZAC]);
    expect(s).toMatchObject({ linesRead: 164, linesRejected: 0, duplicates: 5, linesKept: 159, partitions: ['33/2021'] });
    const lake = await lakeOf(dataDir);
    const [m] = await lake.query<{ mutations: number; big: number }>(
      `SELECT count(DISTINCT id_mutation) AS mutations, max(c) AS big FROM (SELECT id_mutation, count(*) OVER (PARTITION BY id_mutation) c FROM ${dvfRelation(lake.dir)})`,
    );
    // PROVENANCE.md: 50 mutations, one of them spans 24 lines.
    expect(m.mutations).toBe(50);
    expect(m.big).toBe(24);
  });

  it('removes a line equal to another once its cells are trimmed (exact duplicates are judged on normalised lines)', async () => {
    const { lakeDir } = freshDataDir();
    const lines = readFileSync(ABZAC, 'utf8').trimEnd().split('\n');
    // The first sale again, its mutation id, parcel and culture padded with spaces: the same line once read.
    const cells = lines[1].split(',');
    const header = lines[0].split(',');
    for (const c of ['id_mutation', 'id_parcelle']) cells[header.indexOf(c)] = `  ${cells[header.indexOf(c)]} `;
    // A no-break space, as a spreadsheet may leave one.
    cells[header.indexOf('code_nature_culture')] = `${cells[header.indexOf('code_nature_culture')]}\u00a0`;
    const padded = join(tmp, 'abzac-padded.csv');
    writeFileSync(padded, [...lines, cells.join(',')].join('\n') + '\n');
    const s = await importDvf(lakeDir, [padded]);
    expect(s).toMatchObject({ linesRead: 165, linesRejected: 0, duplicates: 6, linesKept: 159 });
  });

  it('imports the Rhône 2018 chunk with Lyon arrondissements kept and rolled up to Lyon', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    const s = await importDvf(lakeDir, [DEP69]);
    expect(s).toMatchObject({ linesRead: 14518, linesRejected: 0, duplicates: 303, linesKept: 14518 - 303 });
    const lake = await lakeOf(dataDir);
    const rows = await lake.query<{ code_commune: string; code_commune_parent: string }>(
      `SELECT DISTINCT code_commune, code_commune_parent FROM ${dvfRelation(lake.dir)} WHERE code_commune LIKE '6938%' ORDER BY 1`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.code_commune_parent).toBe('69123');
  });

  it('imports a geo-DVF variant with an extra column and unpadded numbers (Hendaye)', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    const s = await importDvf(lakeDir, [HENDAYE]);
    expect(s).toMatchObject({ linesRead: 2575, linesRejected: 0 });
    expect(s.partitions).toEqual(['64/2019', '64/2020', '64/2021', '64/2022', '64/2023']);
    const lake = await lakeOf(dataDir);
    const years = await lake.query<{ annee: number; n: number }>(`SELECT annee, count(*) AS n FROM ${dvfRelation(lake.dir)} GROUP BY 1 ORDER BY 1`);
    // Lines per year from PROVENANCE.md, less exact duplicates (none of them span two years).
    expect(years.map((y) => y.annee)).toEqual([2019, 2020, 2021, 2022, 2023]);
    expect(years.reduce((t, y) => t + y.n, 0)).toBe(s.linesKept);
  });

  it('imports the raw DGFiP file: decimal commas, DD/MM/YYYY, 5-character commune codes rebuilt', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    const s = await importDvf(lakeDir, [RAW]);
    expect(s.files[0]).toMatchObject({ format: 'dgfip', status: 'imported', linesRead: 2500, linesRejected: 0 });
    const lake = await lakeOf(dataDir);
    const [r] = await lake.query<Record<string, number | string>>(`
      SELECT count(*) FILTER (WHERE length(code_commune) <> 5) AS bad_codes,
             count(*) FILTER (WHERE length(id_parcelle) <> 14) AS bad_parcels,
             min(CAST(date_mutation AS VARCHAR)) AS d1, max(CAST(date_mutation AS VARCHAR)) AS d2,
             min(valeur_fonciere) AS v1, max(valeur_fonciere) AS v2,
             count(*) FILTER (WHERE code_commune = '59350') AS lille,
             count(*) FILTER (WHERE type_local = 'Dépendance') AS dependances
      FROM ${dvfRelation(lake.dir)}`);
    expect(r).toMatchObject({ bad_codes: 0, bad_parcels: 0, d1: '2001-01-01', d2: '2001-01-01', v1: 1, v2: 1 });
    expect(r.lille).toBeGreaterThan(1000);
    expect(r.dependances).toBeGreaterThan(0);
    // The first line: département 59, commune 410, section AI, plan 150 → 59410000AI0150.
    const [first] = await lake.query<Record<string, number | string>>(`SELECT id_parcelle, code_postal, adresse_nom_voie FROM ${dvfRelation(lake.dir)} WHERE id_parcelle = '59410000AI0150'`);
    expect(first).toMatchObject({ code_postal: '59370', adresse_nom_voie: 'RUE DE NORMANDIE' });
  });

  it('reads a geo-DVF file in Latin-1 as its UTF-8 original, and skips it the second time', async () => {
    const latin1 = join(tmp, 'abzac-latin1.csv');
    writeFileSync(latin1, Buffer.from(readFileSync(ABZAC, 'utf8'), 'latin1'));
    const a = freshDataDir();
    const b = freshDataDir();
    await importDvf(a.lakeDir, [ABZAC]);
    const sb = await importDvf(b.lakeDir, [latin1]);
    expect(sb.files[0]).toMatchObject({ format: 'geodvf', encoding: 'latin1', linesRead: 164, linesRejected: 0 });
    expect(await fingerprint(b.dataDir)).toEqual(await fingerprint(a.dataDir));
    const [r] = await (await lakeOf(b.dataDir)).query<{ n: number }>(`SELECT count(*) AS n FROM ${dvfRelation(b.lakeDir)} WHERE nature_culture = 'terres' OR type_local = 'Dépendance'`);
    expect(r.n).toBeGreaterThan(0);
    // The same bytes again: known by their sha256, skipped.
    expect((await importDvf(b.lakeDir, [latin1])).files[0].status).toBe('already_imported');
  });

  it('reads a gzip-compressed geo-DVF file (as Etalab publishes them) as its original: same lines, same rejects, skipped the second time', async () => {
    const lines = readFileSync(ABZAC, 'utf8').trimEnd().split('\n');
    const header = lines[0].split(',');
    const cell = (line: number, column: string, value: string) => {
      const cells = lines[line - 1].split(',');
      cells[header.indexOf(column)] = value;
      lines[line - 1] = cells.join(',');
    };
    cell(10, 'date_mutation', '2021-13-45'); // does not cast: DuckDB's rejects
    cell(20, 'code_type_local', '7'); // casts, breaks a rule: the Node mapper explains it
    const text = lines.join('\n') + '\n';
    const plain = join(tmp, 'abzac-rejets.csv');
    const gz = join(tmp, 'abzac-rejets.csv.gz');
    const latin1Gz = join(tmp, 'abzac-rejets-latin1.csv.gz');
    writeFileSync(plain, text);
    writeFileSync(gz, gzipSync(text));
    writeFileSync(latin1Gz, gzipSync(Buffer.from(text, 'latin1')));
    const rejects = (s: Awaited<ReturnType<typeof importDvf>>) => s.rejects.map((r) => `${r.line}:${r.rule}:${r.column}`);
    const a = freshDataDir();
    const sa = await importDvf(a.lakeDir, [plain]);
    expect(rejects(sa)).toEqual(['10:date_invalide:date_mutation', '20:code_type_local_invalide:code_type_local']);
    for (const [file, encoding] of [[gz, 'utf-8'], [latin1Gz, 'latin1']]) {
      const b = freshDataDir();
      const sb = await importDvf(b.lakeDir, [file]);
      expect(sb.files[0]).toMatchObject({ format: 'geodvf', encoding, linesRead: 164, linesRejected: 2 });
      expect(rejects(sb)).toEqual(rejects(sa));
      expect(await fingerprint(b.dataDir)).toEqual(await fingerprint(a.dataDir));
      expect((await importDvf(b.lakeDir, [file])).files[0].status).toBe('already_imported');
    }
  });

  it('reads the same raw file in Latin-1 and gzip-compressed, accents intact', async () => {
    const latin1 = join(tmp, 'valeursfoncieres-latin1.txt.gz');
    writeFileSync(latin1, gzipSync(Buffer.from(readFileSync(RAW, 'utf8'), 'latin1')));
    const a = freshDataDir();
    const b = freshDataDir();
    const sa = await importDvf(a.lakeDir, [RAW]);
    const sb = await importDvf(b.lakeDir, [latin1]);
    expect(sb.files[0]).toMatchObject({ format: 'dgfip', encoding: 'latin1', linesRead: 2500, linesRejected: 0 });
    expect(sb.linesKept).toBe(sa.linesKept);
    const fa = await fingerprint(a.dataDir);
    const fb = await fingerprint(b.dataDir);
    // Mutation ids carry the file's hash, so compare every column but that one.
    const lake = await lakeOf(b.dataDir);
    const [r] = await lake.query<Record<string, number | string>>(`SELECT count(*) FILTER (WHERE type_local = 'Dépendance') AS dep, count(*) FILTER (WHERE nature_mutation = 'Vente en l''état futur d''achèvement') AS vefa FROM ${dvfRelation(lake.dir)}`);
    expect(r.dep).toBeGreaterThan(0);
    expect(r.vefa).toBeGreaterThan(0);
    expect(fb.lines).toBe(fa.lines);
  });
});

describe('rejects', () => {
  it('reports every faulty line with file, line, column, rule and value, and keeps the good ones', async () => {
    const lines = readFileSync(ABZAC, 'utf8').split('\n');
    const header = lines[0].split(',');
    const col = (name: string) => header.indexOf(name);
    const corrupt = (i: number, name: string, value: string) => {
      const cells = lines[i].split(',');
      cells[col(name)] = value;
      return cells.join(',');
    };
    const file = join(tmp, 'abzac-fautes.csv');
    writeFileSync(
      file,
      [
        lines[0],
        lines[1], // line 2: good
        corrupt(2, 'date_mutation', '2021-02-30'), // line 3
        corrupt(3, 'valeur_fonciere', '12 000'), // line 4
        corrupt(4, 'code_commune', '3300'), // line 5: restored to 03300, a valid code
        corrupt(5, 'code_commune', 'ABCDE'), // line 6
        lines[6].split(',').slice(0, 10).join(','), // line 7: too few columns
        corrupt(7, 'code_type_local', '7'), // line 8
        corrupt(8, 'id_mutation', ''), // line 9
        lines[9], // line 10: good
      ].join('\n') + '\n',
    );
    const { lakeDir } = freshDataDir();
    const s = await importDvf(lakeDir, [file]);
    expect(s.linesRead).toBe(9);
    expect(s.linesRejected).toBe(6);
    expect(s.linesKept).toBe(3);
    expect(s.rejectsByRule).toEqual({
      date_invalide: 1,
      nombre_invalide: 1,
      code_commune_invalide: 1,
      nombre_de_colonnes: 1,
      code_type_local_invalide: 1,
      valeur_manquante: 1,
    });
    expect(s.rejects).toContainEqual(
      expect.objectContaining({ file: 'abzac-fautes.csv', line: 3, column: 'date_mutation', rule: 'date_invalide', value: '2021-02-30' }),
    );
    expect(s.rejects).toContainEqual(
      expect.objectContaining({ file: 'abzac-fautes.csv', line: 4, column: 'valeur_fonciere', rule: 'nombre_invalide', value: '12 000' }),
    );
    expect(s.rejects).toContainEqual(expect.objectContaining({ line: 6, column: 'code_commune', rule: 'code_commune_invalide', value: 'ABCDE' }));
    expect(s.rejects).toContainEqual(expect.objectContaining({ line: 7, rule: 'nombre_de_colonnes', value: '10' }));
    expect(s.rejects).toContainEqual(expect.objectContaining({ line: 8, column: 'code_type_local', value: '7' }));
    expect(s.rejects).toContainEqual(expect.objectContaining({ line: 9, column: 'id_mutation', rule: 'valeur_manquante' }));
    for (const r of s.rejects) expect(r.message).toMatch(/[a-zé]/);
  });

  it('refuses a file that is not DVF without touching the lake', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    await importDvf(lakeDir, [ABZAC]);
    const before = await fingerprint(dataDir);
    const other = join(tmp, 'autre.csv');
    writeFileSync(other, 'code,nom\n33001,Abzac\n');
    const s = await importDvf(lakeDir, [other]);
    expect(s.files[0].status).toBe('refused');
    expect(s.rejects[0]).toMatchObject({ file: 'autre.csv', line: 1, rule: 'format_inconnu' });
    expect(await fingerprint(dataDir)).toEqual(before);
  });
});

describe('lake updates', () => {
  it('re-importing the same file changes nothing, skipped or forced', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    await importDvf(lakeDir, [ABZAC, DEP69]);
    const before = await fingerprint(dataDir);
    const again = await importDvf(lakeDir, [ABZAC, DEP69]);
    expect(again.files.map((f) => f.status)).toEqual(['already_imported', 'already_imported']);
    expect(await fingerprint(dataDir)).toEqual(before);
    const forced = await importDvf(lakeDir, [DEP69, ABZAC], { force: true });
    expect(forced.linesKept).toBe(before.lines);
    expect(await fingerprint(dataDir)).toEqual(before);
  });

  it('a lake written in the old département × année layout reads the same, and an import carries it into its folder', async () => {
    const now = freshDataDir();
    await importDvf(now.lakeDir, [HENDAYE]);
    // The same lines laid out as before decision 0006: departement=64/annee=2019/….parquet, no annees.json.
    const old = freshDataDir();
    const writer = await lakeOf(now.dataDir);
    mkdirSync(old.lakeDir, { recursive: true });
    await writer.query(`COPY (SELECT * FROM ${dvfRelation(now.lakeDir)}) TO '${join(old.lakeDir, 'dvf')}' (FORMAT parquet, PARTITION_BY (departement, annee), WRITE_PARTITION_COLUMNS true)`);
    writeFileSync(join(old.lakeDir, 'dvf-manifest.json'), readFileSync(join(now.lakeDir, 'dvf-manifest.json')));
    expect(readdirSync(join(old.lakeDir, 'dvf', 'departement=64')).sort()).toEqual(['annee=2019', 'annee=2020', 'annee=2021', 'annee=2022', 'annee=2023']);
    const expected = await fingerprint(now.dataDir);
    expect(await fingerprint(old.dataDir)).toMatchObject({ lines: expected.lines, hash: expected.hash });
    expect(yearsInLake(old.lakeDir, ['64'])).toEqual([2023, 2022, 2021, 2020, 2019]);
    expect(yearsInLake(now.lakeDir, ['64'])).toEqual([2023, 2022, 2021, 2020, 2019]);
    // The lines per département the indicators batch by: from the files' row counts there, from contenu.json here.
    expect(await linesPerDepartement(await lakeOf(old.dataDir))).toEqual(new Map([['64', expected.lines]]));
    expect(await linesPerDepartement(await lakeOf(now.dataDir))).toEqual(new Map([['64', expected.lines]]));
    // The same file imported again (forced) takes the département's folder out: the new layout, the same lines.
    await importDvf(old.lakeDir, [HENDAYE], { force: true });
    expect(await fingerprint(old.dataDir)).toEqual(expected);
    const folders = readdirSync(join(old.lakeDir, 'dvf')).filter((f) => f.includes('='));
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^lot=/);
    // Hendaye has repeated lines: their list is a folder of its own, which the lake's listing does not read as lines.
    expect(readdirSync(join(old.lakeDir, 'dvf', folders[0])).filter((f) => !f.endsWith('.parquet')).sort()).toEqual(['communes-annees.json', 'contenu.json', 'repetees']);
  });

  it('an import folder written before the single reading (repeated originals flagged in the file) reads the same', async () => {
    const now = freshDataDir();
    await importDvf(now.lakeDir, [ABZAC]);
    const expected = await fingerprint(now.dataDir);
    // The same folder as the import wrote it before: no hash column and no list of repeats, the originals flagged.
    const old = freshDataDir();
    const [folder] = livePartitions(now.lakeDir);
    const from = join(now.lakeDir, 'dvf', folder.path);
    const to = join(old.lakeDir, 'dvf', folder.path);
    mkdirSync(to, { recursive: true });
    for (const f of ['contenu.json', 'communes-annees.json']) writeFileSync(join(to, f), readFileSync(join(from, f)));
    writeFileSync(join(old.lakeDir, 'dvf-manifest.json'), readFileSync(join(now.lakeDir, 'dvf-manifest.json')));
    const writer = await lakeOf(now.dataDir);
    const repeats = `read_parquet('${join(from, 'repetees', 'empreintes.parquet')}')`;
    await writer.query(`COPY (SELECT * EXCLUDE (line_hash, repeated), line_hash IN (SELECT line_hash FROM ${repeats}) AS repeated FROM read_parquet('${join(from, 'f0.parquet')}'))
      TO '${join(to, 'f0.parquet')}' (FORMAT parquet)`);
    await writer.query(`COPY (SELECT * FROM read_parquet('${join(from, 'distinctes.parquet')}')) TO '${join(to, 'distinctes.parquet')}' (FORMAT parquet)`);
    expect(existsSync(join(to, 'repetees'))).toBe(false);
    expect(await fingerprint(old.dataDir)).toEqual(expected);
    expect(expected.lines).toBe(159);
  });

  it('a newer edition of a commune-year replaces the old lines instead of adding to them', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    await importDvf(lakeDir, [ABZAC, HENDAYE]);
    const both = await fingerprint(dataDir);
    // The same Abzac data with 30 lines less (a "corrected edition"): Abzac shrinks, Hendaye is untouched.
    const lines = readFileSync(ABZAC, 'utf8').trimEnd().split('\n');
    const edition = join(tmp, 'abzac-2021-v2.csv');
    writeFileSync(edition, lines.slice(0, lines.length - 30).join('\n') + '\n');
    const s = await importDvf(lakeDir, [edition]);
    const after = await fingerprint(dataDir);
    expect(after.lines).toBe(both.lines - 159 + s.linesKept);
    expect(readManifest(lakeDir).files.map((f) => f.file).sort()).toEqual(['abzac-2021-v2.csv', 'dvf_variant_64260_Hendaye_2019-2023_apt_maison.csv']);
    // Importing the first edition again is not skipped: its data is no longer what the lake holds.
    const back = await importDvf(lakeDir, [ABZAC]);
    expect(back.files[0].status).toBe('imported');
    expect(await fingerprint(dataDir)).toEqual(both);
  });

  it('keeps one folder per import, never two holding one commune-year, and reads a département out of a shared folder', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    await importDvf(lakeDir, [ABZAC]);
    await importDvf(lakeDir, [HENDAYE]);
    await importDvf(lakeDir, [DEP69]);
    const three = await fingerprint(dataDir);
    const folders = () => livePartitions(lakeDir).map((p) => p.path);
    expect(folders()).toHaveLength(3);
    expect(folders().every((f) => f.startsWith('lot='))).toBe(true);
    // Abzac and Hendaye again, in one import: their two folders go, the Rhône's stays, the lake holds the same lines.
    const rhone = folders().filter((f) => livePartitions(lakeDir).find((p) => p.path === f)!.years.has('69'));
    await importDvf(lakeDir, [ABZAC, HENDAYE], { force: true });
    expect(folders()).toHaveLength(2);
    expect(folders()).toContain(rhone[0]);
    expect(await fingerprint(dataDir)).toEqual(three);
    const held = livePartitions(lakeDir).map((p) =>
      Object.entries(JSON.parse(readFileSync(join(lakeDir, 'dvf', p.path, 'communes-annees.json'), 'utf8')) as Record<string, string[]>).flatMap(([y, cs]) => cs.map((c) => `${c}:${y}`)),
    );
    expect(new Set(held.flat()).size).toBe(held.flat().length);
    expect(held.flat()).toContain('33001:2021');
    // The new folder holds two départements: a query of one reads only its lines, and its years.
    const lake = await lakeOf(dataDir);
    const count = async (departements?: string[]) => (await lake.query<{ n: number }>(`SELECT count(*) AS n FROM ${dvfRelation(lake.dir, { departements })}`))[0].n;
    expect(await count(['33'])).toBe(159);
    expect((await count(['33', '64'])) + (await count(['69']))).toBe(await count());
    expect(yearsInLake(lakeDir, ['33'])).toEqual([2021]);
    expect(yearsInLake(lakeDir, ['64'])).toEqual([2023, 2022, 2021, 2020, 2019]);
  });

  it('a partial file that would shrink a commune-year by more than half stops, in French, unless told to replace', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    await importDvf(lakeDir, [ABZAC, HENDAYE]);
    const before = await fingerprint(dataDir);
    const abzacLines = (await (await lakeOf(dataDir)).query<{ n: number }>(`SELECT count(*) AS n FROM ${dvfRelation(lakeDir)} WHERE code_commune = '33001'`))[0].n;
    // The first three sales' lines of the real file: what a partial download leaves.
    const lines = readFileSync(ABZAC, 'utf8').trimEnd().split('\n');
    const partial = join(tmp, 'abzac-2021-partiel.csv');
    writeFileSync(partial, lines.slice(0, 4).join('\n') + '\n');
    const kept = new Set(lines.slice(1, 4)).size; // exact duplicate lines are kept once
    const error = await importDvf(lakeDir, [partial]).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain('Abzac (33001)');
    expect(error?.message).toContain(`2021 : ${abzacLines} lignes avant, ${kept} après`);
    expect(error?.message).toContain('--remplacer');
    expect(await fingerprint(dataDir)).toEqual(before);
    expect(readManifest(lakeDir).files.map((f) => f.file)).not.toContain('abzac-2021-partiel.csv');
    expect(readdirSync(stagingRoot(lakeDir)).filter((f) => f !== '.lock')).toEqual([]);
    // Told to replace: those lines are what the lake holds for Abzac 2021.
    const s = await importDvf(lakeDir, [partial], { replace: true });
    expect(s.linesKept).toBe(kept);
    expect((await fingerprint(dataDir)).lines).toBe(before.lines - abzacLines + kept);
  });

  it('a failed import leaves the lake exactly as before and no staging behind', async () => {
    const { dataDir, lakeDir } = freshDataDir();
    await importDvf(lakeDir, [ABZAC]);
    const before = await fingerprint(dataDir);
    await expect(
      importDvf(lakeDir, [DEP69, HENDAYE], {
        beforeSwap: () => {
          throw new Error('panne simulée');
        },
      }),
    ).rejects.toThrow('panne simulée');
    expect(await fingerprint(dataDir)).toEqual(before);
    expect(readdirSync(stagingRoot(lakeDir))).toEqual([]);
    expect(readManifest(lakeDir).files.map((f) => f.file)).toEqual(['geodvf_commune_33001_Abzac_2021.csv']);
  });

  /** Starts an import of DEP69 + HENDAYE in a child process and SIGKILLs it at `phase`. */
  async function killChildAt(lakeDir: string, phase: string) {
    const marker = join(tmp, `marker-${phase}-${++n}`);
    const parentsFile = join(tmp, 'parents.json');
    writeFileSync(parentsFile, JSON.stringify([...parents]));
    const child = spawn(
      process.execPath,
      // One process (tsx as a loader, not its CLI wrapper), so SIGKILL reaches the importer itself.
      ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'market', 'import-child.ts'), lakeDir, marker, phase, parentsFile, DEP69, HENDAYE],
      { stdio: ['ignore', 'ignore', 'pipe'], cwd: ROOT },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    while (!existsSync(marker)) {
      const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(r, 50, false))]);
      if (done) throw new Error(`l'import enfant s'est arrêté avant le point prévu : ${stderr}`);
    }
    child.kill('SIGKILL');
    await exited;
  }

  it('an import killed after its commit point is completed by the next one (roll forward)', async () => {
    const expected = freshDataDir();
    await importDvf(expected.lakeDir, [ABZAC]);
    await importDvf(expected.lakeDir, [DEP69, HENDAYE]);
    const { dataDir, lakeDir } = freshDataDir();
    await importDvf(lakeDir, [ABZAC]);
    const before = await fingerprint(dataDir);
    await killChildAt(lakeDir, 'validation');
    expect(await fingerprint(dataDir)).toEqual(before);
    const s = await importDvf(lakeDir, [ABZAC]);
    expect(s.files[0].status).toBe('already_imported');
    expect((await fingerprint(dataDir)).hash).toBe((await fingerprint(expected.dataDir)).hash);
    expect(readdirSync(stagingRoot(lakeDir))).toEqual([]);
  });

  for (const phase of ['lecture', 'bascule'] as const) {
    it(`a killed import (${phase === 'lecture' ? 'during reading' : 'just before the commit'}) leaves the lake as before`, async () => {
      const { dataDir, lakeDir } = freshDataDir();
      await importDvf(lakeDir, [ABZAC]);
      const before = await fingerprint(dataDir);
      await killChildAt(lakeDir, phase);
      // Staged files exist but the live lake is untouched…
      expect(readdirSync(stagingRoot(lakeDir)).some((d) => d.startsWith('dvf-'))).toBe(true);
      expect(await fingerprint(dataDir)).toEqual(before);
      // …and the next import clears the abandoned attempt, then works normally.
      const s = await importDvf(lakeDir, [HENDAYE]);
      expect(s.files[0].status).toBe('imported');
      expect(readdirSync(stagingRoot(lakeDir))).toEqual([]);
      expect((await fingerprint(dataDir)).lines).toBe(before.lines + s.linesKept);
    });
  }
});
