// The DVF part of the lake and its queries (DuckDB over Parquet; the market has no table in PostgreSQL).
//
//   <lake>/dvf/lot=<id>/*.parquet              one folder per import (decision 0008): its lines, every département
//                                              and year, in the order they were read; a query keeps its
//                                              départements (a predicate the Parquet files' statistics prune on)
//   <lake>/dvf/lot=<id>/contenu.json           its lines per département and year (read without DuckDB)
//   <lake>/dvf/lot=<id>/communes-annees.json   the communes it holds, by year (read by the next import only)
//   <lake>/dvf-manifest.json                   files already imported (sha256) and what they hold
//
// No two live folders hold the same commune-year: an import that brings a commune-year some folders hold takes those
// folders out in its swap and carries their other lines into its own folder (service.ts importDvfFiles).
//
// A lake written before decision 0008 (`departement=69/*.parquet` with `annees.json`, decision 0006) or before 0006
// (`departement=69/annee=2018/*.parquet`) reads as it is: its files are found under their département's folder; the
// first import that brings one of the département's communes takes the folder out and carries its other lines into
// its own, so no migration step is needed.
//
// The selection of sales behind every figure is written once, in `salesSql`; `figures` groups it (by area, commune
// or section; by year, month or a span of years) and is the one place figures are computed. Values that come from
// a request are bound as parameters.
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { parquetRelation, sqlFileList as fileList, sqlString, type LakeParams, type LakeReader } from '../../platform/lake.ts';
import { datasetVersion, lakeDataset, partitionFiles, readManifest, type LakeDataset, type PartitionFile } from '../../platform/lake-swap.ts';
import type { LatestSale } from './contract.ts';
import { LINE_HASH, LIVE_LINE, REPEATS_FILE } from './ingest/sql.ts';
import { LAKE_COLUMNS, LAND_NATURES, MAX_PRICE_PER_M2, SALE_NATURES, departementOf, type IndicatorRow, type Manifest, type Method, type PropertyType, type Scope } from './model.ts';

// ---------- layout ----------

const readFiles = (files: string[]) => `read_parquet(${fileList(files)}, union_by_name = true, hive_partitioning = false)`;
const isLotFile = (file: string) => file.includes(`${sep}lot=`);

/**
 * The lines of these lake files that are in the lake, every column, and only those `where` keeps: an import's files also
 * hold its rejected lines, flagged, and the originals of its repeated lines, listed in its folder (ingest/sql.ts
 * LIVE_LINE, REPEATS_FILE); the files of an older lake have neither. `where` holds predicates on the département,
 * the commune or the year only: they also apply to the repeats' lists.
 */
function fileLines(files: string[], where: string[] = []): string {
  const kept = [files.some(isLotFile) ? LIVE_LINE : '', ...where].filter(Boolean);
  const lines = `(SELECT * FROM ${readFiles(files)}${kept.length ? ` WHERE ${kept.join(' AND ')}` : ''})`;
  const repeats = [...new Set(files.filter(isLotFile).map((f) => join(dirname(f), ...REPEATS_FILE)))].filter((f) => existsSync(f));
  if (!repeats.length) return lines;
  // The same département predicate on the list, sorted by département: DuckDB reads only its row groups.
  const listed = `SELECT code_commune AS r_commune, annee AS r_annee, ${LINE_HASH} AS r_hash FROM read_parquet(${fileList(repeats)})${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  return `(SELECT * FROM ${lines} ANTI JOIN (${listed}) ON ${LINE_HASH} = r_hash AND code_commune = r_commune AND annee = r_annee)`;
}

/** The DVF dataset; its manifest stays where the first versions wrote it. */
export const dvfDataset = (lakeDir: string): LakeDataset => lakeDataset(lakeDir, 'dvf', { manifestPath: join(lakeDir, 'dvf-manifest.json') });

export const readDvfManifest = (lakeDir: string): Manifest => readManifest<Manifest>(dvfDataset(lakeDir), { files: [] });

/** Changes with every swap of the DVF lake (its manifest is written last): the key of answers read from it, cheap to read. */
export const dvfVersion = (lakeDir: string) => datasetVersion(dvfDataset(lakeDir));

/** An import's folder under the dataset's root. */
export const lotPath = (id: string) => `lot=${id}`;

const CONTENTS_FILE = 'contenu.json';
/** `contenu.json`: the lines per département and year, and the origins of the départements only carried over. */
interface LotDescription {
  lignes: LinesByYear;
  origines?: Record<string, string>;
}
const COMMUNE_YEARS_FILE = 'communes-annees.json';
/** The years of a département's folder written under decision 0006. */
const YEARS_FILE = 'annees.json';

/** Lines per département and year: `{ "69": { "2018": 41230 } }`. */
type LinesByYear = Record<string, Record<string, number>>;

/** A live folder of the dataset: an import's, or a département's in a lake written before decision 0008. */
export interface LivePartition {
  /** Its folder under the dataset's root. */
  path: string;
  files: PartitionFile[];
  /** The years of each département it holds, with their line count (null when not recorded: an older folder). */
  years: Map<string, Map<number, number | null>>;
  lot: boolean;
  /**
   * The départements whose lines it only carried over unchanged from the folders it replaced, with those folders'
   * origins of them (`contenu.json`'s `origines`): the same lines as before the import, for the indicators.
   */
  origins: Map<string, string>;
}

/** The live folders of the dataset, read from their folders and their `contenu.json` (no DuckDB). */
export function livePartitions(lakeDir: string): LivePartition[] {
  const ds = dvfDataset(lakeDir);
  const byFolder = new Map<string, PartitionFile[]>();
  for (const f of partitionFiles(ds)) {
    const folder = f.keys.lot !== undefined ? lotPath(f.keys.lot) : f.keys.departement !== undefined ? `departement=${f.keys.departement}` : '';
    if (folder) byFolder.set(folder, [...(byFolder.get(folder) ?? []), f]);
  }
  return [...byFolder].map(([path, files]) => {
    const dir = join(ds.root, path);
    const years = new Map<string, Map<number, number | null>>();
    if (files[0].keys.lot !== undefined) {
      const recorded = existsSync(join(dir, CONTENTS_FILE)) ? (JSON.parse(readFileSync(join(dir, CONTENTS_FILE), 'utf8')) as LotDescription) : { lignes: {} };
      for (const [d, ys] of Object.entries(recorded.lignes)) years.set(d, new Map(Object.entries(ys).map(([y, n]) => [Number(y), n])));
      return { path, files, years, lot: true, origins: new Map(Object.entries(recorded.origines ?? {})) };
    }
    const d = files[0].keys.departement;
    const ys = new Map<number, number | null>();
    if (existsSync(join(dir, YEARS_FILE))) for (const y of JSON.parse(readFileSync(join(dir, YEARS_FILE), 'utf8')) as number[]) ys.set(y, null);
    for (const f of files) if (f.keys.annee !== undefined) ys.set(Number(f.keys.annee), null);
    years.set(d, ys);
    return { path, files, years, lot: false, origins: new Map() };
  });
}

type LinesQuery = { departements?: readonly string[]; from?: number; to?: number };

/**
 * The live files that may hold lines of these départements (all when not given) and years: a folder that holds none
 * is not opened, nor a year folder of a lake written before decision 0006.
 */
function dvfFiles(lakeDir: string, q: LinesQuery = {}): string[] {
  const wanted = q.departements && new Set(q.departements);
  const inYears = (y: number) => (q.from === undefined || y >= q.from) && (q.to === undefined || y <= q.to);
  const out: string[] = [];
  for (const p of livePartitions(lakeDir)) {
    const covered = [...p.years].some(([d, ys]) => (!wanted || wanted.has(d)) && (!ys.size || [...ys.keys()].some(inYears)));
    if (!covered) continue;
    for (const f of p.files) if (f.keys.annee === undefined || inYears(Number(f.keys.annee))) out.push(f.path);
  }
  return out.sort();
}

/**
 * The lines of these départements (all when not given) as a DuckDB relation (an empty one before the first import).
 * An import's folder holds every département it brought: the predicate keeps the asked ones, and DuckDB skips the
 * row groups of the others by their statistics.
 */
export function dvfLines(lakeDir: string, q: LinesQuery = {}): string {
  const files = dvfFiles(lakeDir, q);
  if (!files.length) return parquetRelation([], LAKE_COLUMNS);
  const departements = q.departements?.length ? [`departement IN (${[...new Set(q.departements)].map(sqlString).join(', ')})`] : [];
  return `(SELECT ${LAKE_COLUMNS.map(([c]) => c).join(', ')} FROM ${fileLines(files, departements)})`;
}

/** Years with sales in these départements, newest first (from the folders' descriptions, without DuckDB). */
export function yearsInLake(lakeDir: string, departements: string[]): number[] {
  const wanted = new Set(departements);
  const years = new Set<number>();
  for (const p of livePartitions(lakeDir)) for (const [d, ys] of p.years) if (wanted.has(d)) for (const y of ys.keys()) years.add(y);
  return [...years].sort((a, b) => b - a);
}

/**
 * Where the lines of one département of a folder come from: the folder itself, or, for lines it only carried over
 * unchanged, the folders they came from (comma-separated; a folder's name has no comma).
 */
const originOf = (p: LivePartition, d: string) => p.origins.get(d) ?? p.path;
const joinOrigins = (origins: string[]) => [...new Set(origins.flatMap((o) => o.split(',')))].sort().join(',');

/**
 * Where each département's lines come from, one string per département: what its indicators were computed from
 * (departementsToCompute in model.ts). An import that replaces a folder but brings nothing of one of its départements
 * carries that département's lines unchanged, and their origin with them: its indicators are not computed again.
 */
export const departementOrigins = (lakeDir: string) => originsIn(livePartitions(lakeDir), () => true);

/** The origins of the départements an import carries over from the folders it replaces and brings nothing of. */
export const carriedOrigins = (replaced: readonly LivePartition[], brought: ReadonlySet<string>) => originsIn(replaced, (d) => !brought.has(d));

function originsIn(partitions: readonly LivePartition[], wanted: (departement: string) => boolean): Record<string, string> {
  const origins = new Map<string, string[]>();
  for (const p of partitions) for (const d of p.years.keys()) if (wanted(d)) origins.set(d, [...(origins.get(d) ?? []), originOf(p, d)]);
  return Object.fromEntries([...origins].map(([d, o]) => [d, joinOrigins(o)]));
}

/** The lines each département holds (what the indicators batch by), from the folders' descriptions or their files. */
export async function linesPerDepartement(lake: LakeReader): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const add = (d: string, n: number) => out.set(d, (out.get(d) ?? 0) + n);
  const partitions = livePartitions(lake.dir);
  const unrecorded: string[] = [];
  for (const p of partitions) {
    if (!p.lot) unrecorded.push(...p.files.map((f) => f.path));
    else for (const [d, ys] of p.years) for (const n of ys.values()) add(d, n ?? 0);
  }
  if (unrecorded.length) {
    // A folder of an older lake holds one département: its files' row counts are its lines.
    const byFile = new Map(partitions.flatMap((p) => p.files.map((f) => [f.path, f.keys.departement] as const)));
    for (const r of await lake.query<{ file_name: string; num_rows: number }>(`SELECT file_name, num_rows FROM parquet_file_metadata(${fileList(unrecorded)})`)) {
      add(byFile.get(r.file_name)!, Number(r.num_rows));
    }
  }
  return out;
}

// ---------- what an import reads of the live lake and writes of its own folder (on its own DuckDB connection) ----------

/**
 * The live folders holding some of these commune-years (`code_commune:annee`): an import's folder by its
 * `communes-annees.json`, an older département folder when one of the département's communes is brought.
 */
export function replacedPartitions(lakeDir: string, brought: readonly string[]): LivePartition[] {
  const live = livePartitions(lakeDir);
  if (!live.length) return [];
  const wanted = new Set(brought);
  const departements = new Set(brought.map((cy) => departementOf(cy.slice(0, cy.indexOf(':')))));
  return live.filter((p) => {
    if (!p.lot) return [...p.years.keys()].some((d) => departements.has(d));
    const file = join(dvfDataset(lakeDir).root, p.path, COMMUNE_YEARS_FILE);
    if (!existsSync(file)) return false;
    const held = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
    return Object.entries(held).some(([year, communes]) => communes.some((c) => wanted.has(`${c}:${year}`)));
  });
}

/** Some lines of an import per département and year, with their communes: what describes its folder. */
export interface LotContent {
  departement: string;
  annee: number;
  /** Negative for lines taken out (the repeated lines of an import, whose distinct copies are counted apart). */
  lines: number;
  /** Sorted; empty in a row that only corrects a count. */
  communes: string[];
}

/**
 * The content of some lines (`lines` is a relation with the lake's columns), in one reading of three columns. One row
 * per département and year, its communes in one string: a national file has ≈ 170 000 commune-years, and a row each
 * cost 0,5 s in Node.
 */
export async function contentOf(db: DuckDBConnection, lines: string): Promise<LotContent[]> {
  const rows = (
    await db.runAndReadAll(`SELECT departement, annee, count(*) AS n, string_agg(DISTINCT code_commune, ',' ORDER BY code_commune) AS communes
      FROM ${lines} GROUP BY ALL ORDER BY departement, annee`)
  ).getRowObjectsJS() as { departement: string; annee: number; n: bigint; communes: string }[];
  return rows.map((r) => ({ departement: r.departement, annee: Number(r.annee), lines: Number(r.n), communes: r.communes.split(',') }));
}

/**
 * Writes the description of an import's folder, once all its lines are written: its lines per département and year,
 * and the communes of each year. From the content of its parts (new lines, corrections for repeats, lines carried
 * over), which hold disjoint commune-years: no DuckDB reading of the folder once more.
 */
export function describeLot(dir: string, parts: LotContent[], origins: Record<string, string> = {}): void {
  const lines: LinesByYear = {};
  const communes: Record<string, string[]> = {};
  for (const r of parts) {
    const years = (lines[r.departement] ??= {});
    years[String(r.annee)] = (years[String(r.annee)] ?? 0) + r.lines;
    if (!r.communes.length) continue;
    const year = (communes[String(r.annee)] ??= []);
    for (const c of r.communes) year.push(c);
  }
  const description: LotDescription = { lignes: lines, origines: origins };
  writeFileSync(join(dir, CONTENTS_FILE), JSON.stringify(description));
  writeFileSync(join(dir, COMMUNE_YEARS_FILE), JSON.stringify(communes));
}

export interface Shrink {
  code_commune: string;
  nom_commune: string;
  annee: number;
  lines_before: number;
  lines_after: number;
}

/** The (commune, year) an import brings with fewer than half the lines the lake holds for them. */
export async function shrinkingCommuneYears(db: DuckDBConnection, live: string[], fresh: string[]): Promise<Shrink[]> {
  if (!live.length || !fresh.length) return [];
  const rows = await db.runAndReadAll(`
    WITH live_counts AS (SELECT code_commune, annee, min(nom_commune) AS nom_commune, count(*) AS n FROM ${fileLines(live)} GROUP BY code_commune, annee),
    new_counts AS (SELECT code_commune, annee, count(*) AS n FROM ${fileLines(fresh)} GROUP BY code_commune, annee)
    SELECT b.code_commune, b.nom_commune, CAST(b.annee AS INTEGER) AS annee, b.n AS lines_before, a.n AS lines_after
    FROM live_counts b JOIN new_counts a ON a.code_commune = b.code_commune AND a.annee = b.annee
    WHERE a.n * 2 < b.n
    ORDER BY b.code_commune, b.annee`);
  const num = (v: unknown) => Number(v ?? 0);
  return (rows.getRowObjectsJS() as { code_commune: string; nom_commune: string | null; annee: number; lines_before: bigint; lines_after: bigint }[]).map((r) => ({
    code_commune: r.code_commune,
    nom_commune: r.nom_commune ?? r.code_commune,
    annee: num(r.annee),
    lines_before: num(r.lines_before),
    lines_after: num(r.lines_after),
  }));
}

/**
 * Copies into the import's folder the lines of the replaced folders (`live`) whose commune-year the import does not
 * bring. They cannot repeat a new line (commune and year are columns), and were made distinct when they were imported.
 * Returns their content, for the folder's description (none when no folder is replaced).
 */
export async function keepUnreplacedLines(db: DuckDBConnection, live: string[], fresh: string[], dir: string, columns: string[]): Promise<LotContent[]> {
  if (!live.length) return [];
  const kept = join(dir, 'gardees.parquet');
  await db.run(`CREATE TEMP TABLE brought AS SELECT DISTINCT code_commune, annee FROM ${fileLines(fresh)}`);
  await db.run(`COPY (
      SELECT ${columns.join(', ')}
      FROM ${fileLines(live)} o
      WHERE NOT EXISTS (SELECT 1 FROM brought b WHERE b.code_commune = o.code_commune AND b.annee = o.annee)
    ) TO ${sqlString(kept)} (FORMAT parquet, COMPRESSION snappy)`);
  await db.run('DROP TABLE brought');
  return contentOf(db, `read_parquet(${sqlString(kept)})`);
}

// ---------- the selection of sales ----------

/** Where: an area (scope), every commune of a list (grouped by commune), the communes of a list, or the whole lake. */
type Area = Scope | { level: 'communes'; communes: string[] } | { level: 'lake' };

function areaDepartements(area: Area): string[] {
  switch (area.level) {
    case 'commune':
      return [departementOf(area.code)];
    case 'section':
      return [departementOf(area.code.slice(0, 5))];
    case 'departement':
      return [area.code];
    case 'lake':
      return [];
    default:
      return [...new Set(area.communes.map(departementOf))];
  }
}

/** The SQL predicate of an area on a sale (columns commune, code_commune, section, departement) and its parameters. */
function areaPredicate(area: Area): [string, LakeParams] {
  switch (area.level) {
    case 'commune':
      // A city with arrondissements is asked by its own code and gathers them; an arrondissement alone also works.
      return ['(code_commune = $area OR commune = $area)', { area: area.code }];
    case 'section':
      return ['section = $area', { area: area.code }];
    case 'departement':
      return ['departement = $area', { area: area.code }];
    case 'lake':
      return ['true', {}];
    default:
      return ['list_contains($communes, commune)', { communes: area.communes }];
  }
}

/** The kinds of sale each published type gathers (houses and flats together are one figure too). */
const KINDS_OF: Record<PropertyType, string[]> = {
  maison: ['maison'],
  appartement: ['appartement'],
  maison_appartement: ['maison', 'appartement'],
  local: ['local'],
  terrain_a_batir: ['terrain_a_batir'],
};

export interface Selection {
  area: Area;
  /** The lines to read, as a relation (the indicators' computation reads a lake being imported); the live lake by default. */
  lines?: string;
  types: readonly PropertyType[];
  method: Method;
  /** Inclusive year bounds. */
  from?: number;
  to?: number;
  /** Inclusive month bounds (`YYYY-MM`), within the years: the portal's periods (period.ts). */
  months?: { from: string; to: string };
}

/**
 * The sales behind the figures, one row per sale and published type (a house counts for `maison` and for
 * `maison_appartement`): `typed(type, commune, code_commune, section, departement, date_mutation, price_m2,
 * valeur_fonciere)`. The rules are those of docs/market.md; `etalab` reproduces data.gouv.fr's « Statistiques DVF »,
 * `habitat` is ours (model.ts `Method`).
 */
export function salesSql(lakeDir: string, s: Selection): [string, LakeParams] {
  const deps = areaDepartements(s.area);
  const rel = s.lines ?? dvfLines(lakeDir, { departements: s.area.level === 'lake' ? undefined : deps, from: s.from, to: s.to });
  const years = [
    s.from !== undefined ? 'year(date_mutation) >= $from' : '',
    s.to !== undefined ? 'year(date_mutation) <= $to' : '',
    s.months ? `strftime(date_mutation, '%Y-%m') BETWEEN $month_from AND $month_to` : '',
  ]
    .filter(Boolean)
    .join(' AND ');
  // A house on a parcel with two cultures (sol + jardin) is published on two lines: both methods collapse lines
  // that describe the same premises. Etalab compares only the columns it reads, so two identical flats of one
  // building sold together also collapse into one (and the sale looks like a single flat at twice the price);
  // ours also compares the lot number, so such a sale stays a multi-property sale and is left out.
  const premises = `id_mutation, date_mutation, departement, code_commune, code_commune_parent, id_parcelle, nature_mutation, code_type_local, type_local, valeur_fonciere, surface_reelle_bati${s.method === 'etalab' ? '' : ', lot1_numero'}`;
  const kinds = [...new Set(s.types.flatMap((t) => KINDS_OF[t]))];
  const built = kinds.some((k) => k !== 'terrain_a_batir');
  const land = kinds.includes('terrain_a_batir');
  const [where, areaParams] = areaPredicate(s.area);
  const ctes = [`lines AS (SELECT * FROM ${rel} ${years ? `WHERE ${years}` : ''})`];
  const parts: string[] = [];
  if (built) {
    ctes.push(
      `dedup AS (SELECT DISTINCT ${premises} FROM lines)`,
      `ventes AS (SELECT * FROM dedup WHERE list_contains($sale_natures, nature_mutation) AND code_type_local IN (1, 2, 4))`,
      // Sales of a single property: mutations with exactly one house, flat or commercial premises line (outbuildings
      // and land lines do not count). Counted over whole partitions, before the geographic filter.
      `mono AS (SELECT * FROM ventes QUALIFY count(*) OVER (PARTITION BY id_mutation) = 1)`,
    );
    parts.push(`SELECT CASE code_type_local WHEN 1 THEN 'maison' WHEN 2 THEN 'appartement' ELSE 'local' END AS kind,
        code_commune_parent AS commune, code_commune, left(id_parcelle, 10) AS section, departement, date_mutation,
        valeur_fonciere / surface_reelle_bati AS price_m2, valeur_fonciere, id_mutation, surface_reelle_bati AS surface
      FROM mono
      WHERE valeur_fonciere IS NOT NULL AND surface_reelle_bati IS NOT NULL AND surface_reelle_bati <> 0
        AND valeur_fonciere / surface_reelle_bati < ${MAX_PRICE_PER_M2}`);
  }
  if (land) {
    // Building land: mutations with no built premises at all and land declared « terrain à bâtir ».
    ctes.push(`land_mutations AS (
      SELECT id_mutation, min(date_mutation) AS date_mutation, any_value(valeur_fonciere) AS valeur_fonciere,
             sum(surface_terrain) AS surface, min(code_commune) AS code_commune, min(code_commune_parent) AS code_commune_parent,
             min(id_parcelle) AS id_parcelle, min(departement) AS departement
      FROM lines
      WHERE list_contains($land_natures, nature_mutation)
      GROUP BY id_mutation
      HAVING count(code_type_local) = 0
         AND (bool_or(code_nature_culture = 'AB') OR bool_or(nature_mutation = 'Vente terrain à bâtir')))`);
    parts.push(`SELECT 'terrain_a_batir' AS kind, code_commune_parent AS commune, code_commune, left(id_parcelle, 10) AS section,
        departement, date_mutation, valeur_fonciere / surface AS price_m2, valeur_fonciere, id_mutation, surface
      FROM land_mutations
      WHERE valeur_fonciere IS NOT NULL AND surface > 0 AND valeur_fonciere / surface < ${MAX_PRICE_PER_M2}`);
  }
  if (!parts.length) throw new Error('Aucun type de bien demandé.');
  ctes.push(
    `sales AS (${parts.join('\nUNION ALL\n')})`,
    `typed AS (
      SELECT t.type, s.* EXCLUDE (kind) FROM sales s
      JOIN (VALUES ('maison', 'maison'), ('appartement', 'appartement'), ('maison', 'maison_appartement'),
                   ('appartement', 'maison_appartement'), ('local', 'local'), ('terrain_a_batir', 'terrain_a_batir')) t(kind, type)
        ON t.kind = s.kind
      WHERE list_contains($types, t.type) AND ${where})`,
  );
  const params: LakeParams = {
    ...areaParams,
    types: [...s.types],
    ...(built ? { sale_natures: SALE_NATURES } : {}),
    ...(land ? { land_natures: LAND_NATURES } : {}),
    ...(s.from !== undefined ? { from: s.from } : {}),
    ...(s.to !== undefined ? { to: s.to } : {}),
    ...(s.months ? { month_from: s.months.from, month_to: s.months.to } : {}),
  };
  return [`WITH ${ctes.join(',\n')}`, params];
}

// ---------- figures ----------

export interface FigureQuery extends Selection {
  /** One row per area (its code), per commune of a list, or per cadastral section. */
  by?: 'area' | 'commune' | 'section';
  /** Periods: each year, each month, both at once, or the whole span pooled (period `span`). */
  period: 'year' | 'month' | 'year_and_month' | 'span';
}

const PERIOD_SQL = { year: `CAST(year(date_mutation) AS VARCHAR)`, month: `strftime(date_mutation, '%Y-%m')`, span: `'span'` };

/**
 * Count, quartiles and medians of the sales of each group: the one computation behind every published figure
 * (indicator routes, map, commune page). Rows sorted by period, then in the order of `types`, then by code.
 */
export async function figures(lake: LakeReader, q: FigureQuery): Promise<IndicatorRow[]> {
  const [sales, params] = salesSql(lake.dir, q);
  const round = (x: string) => (q.method === 'etalab' ? `round_even(${x}, 0)` : `round(${x}, 0)`);
  const key = q.by === 'commune' ? 'commune' : q.by === 'section' ? 'section' : `'area'`;
  const periods = q.period === 'year_and_month' ? [PERIOD_SQL.year, PERIOD_SQL.month] : [PERIOD_SQL[q.period]];
  const grouped = periods.map((p) => `SELECT ${key} AS code, type, ${p} AS period, price_m2, valeur_fonciere FROM typed`).join(' UNION ALL ');
  const rows = await lake.query<{ code: string; type: PropertyType; period: string; sales_count: number; q1: number; median: number; q3: number; price: number }>(
    `${sales}
    SELECT code, type, period, count(*) AS sales_count, ${round('quantile_cont(price_m2, 0.25)')} AS q1, ${round('median(price_m2)')} AS median,
      ${round('quantile_cont(price_m2, 0.75)')} AS q3, ${round('median(valeur_fonciere)')} AS price
    FROM (${grouped}) GROUP BY code, type, period`,
    params,
  );
  const order = new Map(q.types.map((t, i) => [t, i]));
  const code = 'code' in q.area ? q.area.code : 'area';
  return rows
    .map((r) => ({
      code: q.by === 'commune' || q.by === 'section' ? String(r.code) : code,
      period: String(r.period),
      type: r.type,
      sales_count: Number(r.sales_count),
      price_m2_q1: Number(r.q1),
      price_m2_median: Number(r.median),
      price_m2_q3: Number(r.q3),
      price_median: Number(r.price),
    }))
    .sort((a, b) => a.period.localeCompare(b.period) || order.get(a.type)! - order.get(b.type)! || a.code.localeCompare(b.code));
}

/** The number of sales of each group, by `type|period`, years and months (what secrecy is decided from). */
export async function saleCounts(lake: LakeReader, q: Selection & { by: 'commune' }): Promise<Map<string, Map<string, number>>> {
  const [sales, params] = salesSql(lake.dir, q);
  const rows = await lake.query<{ code: string; type: PropertyType; month: string; n: number }>(
    `${sales}
    SELECT commune AS code, type, strftime(date_mutation, '%Y-%m') AS month, count(*) AS n FROM typed GROUP BY ALL`,
    params,
  );
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const counts = out.get(r.code) ?? new Map<string, number>();
    for (const key of [`${r.type}|${r.month}`, `${r.type}|${r.month.slice(0, 4)}`]) counts.set(key, (counts.get(key) ?? 0) + Number(r.n));
    out.set(r.code, counts);
  }
  return out;
}

/** The prices per m² behind a median: the distribution's raw material (never published sale by sale). */
export async function salePrices(lake: LakeReader, q: Selection): Promise<number[]> {
  const [sales, params] = salesSql(lake.dir, q);
  const rows = await lake.query<{ price_m2: number }>(`${sales} SELECT price_m2 FROM typed`, params);
  return rows.map((r) => Number(r.price_m2));
}

// ---------- sales, dates, contents ----------

/** How many mutations `latestSales` reads at the most. */
export const MAX_SALES_READ = 5000;

/** One row per mutation from its lines: date, nature, price, section, counts of premises by type, built surface and
 * rooms of the dwellings, land surface (the lines of one mutation share its date, nature and price). */
export const MUTATION_SUMMARY = `id_mutation, strftime(min(date_mutation), '%Y-%m-%d') AS date_mutation, min(nature_mutation) AS nature_mutation,
      min(valeur_fonciere) AS valeur_fonciere, min(code_commune) AS code_commune, min(left(id_parcelle, 10)) AS section,
      count(*) AS lines_count,
      count(*) FILTER (WHERE code_type_local = 1) AS houses_count,
      count(*) FILTER (WHERE code_type_local = 2) AS flats_count,
      count(*) FILTER (WHERE code_type_local = 3) AS outbuildings_count,
      count(*) FILTER (WHERE code_type_local = 4) AS premises_count,
      sum(surface_reelle_bati) FILTER (WHERE code_type_local IN (1, 2)) AS surface_reelle_bati,
      sum(nombre_pieces_principales) FILTER (WHERE code_type_local IN (1, 2)) AS nombre_pieces_principales,
      sum(surface_terrain) AS surface_terrain`;

/** The latest mutations of a commune, one row each; no address, no parcel number (see docs/market.md). */
export async function latestSales(lake: LakeReader, commune: string, limit: number): Promise<LatestSale[]> {
  const rows = await lake.query<LatestSale>(
    `SELECT ${MUTATION_SUMMARY}
    FROM ${dvfLines(lake.dir, { departements: [departementOf(commune)] })}
    WHERE code_commune = $commune OR code_commune_parent = $commune
    GROUP BY id_mutation
    ORDER BY date_mutation DESC, id_mutation DESC
    LIMIT $limit`,
    { commune, limit: Math.max(1, Math.min(MAX_SALES_READ, Math.floor(limit))) },
  );
  return rows.map(latestSaleOf);
}

/** A mutation summary as the lake gives it (decimals and sums may come as strings or bigints), with numbers. */
export function latestSaleOf(r: LatestSale): LatestSale {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    ...r,
    lines_count: Number(r.lines_count),
    houses_count: Number(r.houses_count),
    flats_count: Number(r.flats_count),
    outbuildings_count: Number(r.outbuildings_count),
    premises_count: Number(r.premises_count),
    valeur_fonciere: num(r.valeur_fonciere),
    surface_reelle_bati: num(r.surface_reelle_bati),
    nombre_pieces_principales: num(r.nombre_pieces_principales),
    surface_terrain: num(r.surface_terrain),
  };
}

/**
 * Mean position of each mutation's geolocated lines (Etalab's geocoding of the parcels), to 6 decimals as DVF gives
 * them (≈ 0.1 m): the last digits of a parallel sum vary from one reading to the next.
 */
export async function salePoints(lake: LakeReader, commune: string, ids: string[]): Promise<Map<string, { lon: number; lat: number }>> {
  if (!ids.length) return new Map();
  const rows = await lake.query<{ id: string; lon: number; lat: number }>(
    `SELECT id_mutation AS id, round(avg(longitude), 6) AS lon, round(avg(latitude), 6) AS lat FROM ${dvfLines(lake.dir, { departements: [departementOf(commune)] })}
    WHERE list_contains($ids, id_mutation) AND longitude IS NOT NULL AND latitude IS NOT NULL GROUP BY id_mutation`,
    { ids },
  );
  return new Map(rows.map((r) => [r.id, { lon: Number(r.lon), lat: Number(r.lat) }]));
}

/** The last sale date these départements' data reach, and when the lake was last fed. */
export async function dataDates(lake: LakeReader, departements: string[]): Promise<{ data_until: string | null; imported_at: string | null }> {
  const files = readDvfManifest(lake.dir).files;
  const imported_at = files.length ? files.map((f) => f.importedAt).sort().at(-1)! : null;
  const rows = await lake.query<{ d: string | null }>(`SELECT strftime(max(date_mutation), '%Y-%m-%d') AS d FROM ${dvfLines(lake.dir, { departements })}`);
  return { data_until: rows[0]?.d ?? null, imported_at };
}

/** What the lake holds: lines and mutations per partition. */
export async function lakeContents(lake: LakeReader) {
  return lake.query<{ departement: string; year: number; lines: number; mutations: number }>(`
    SELECT departement, annee AS year, count(*) AS lines, count(DISTINCT id_mutation) AS mutations
    FROM ${dvfLines(lake.dir)} GROUP BY ALL ORDER BY departement, year`);
}

// ---------- the portal's selected sales (period.ts, sections.ts, repeat-sales.ts) ----------

/** One sale behind the figures, with what the portal's distributions, sections and repeat sales need. */
export interface SelectedSale {
  id_mutation: string;
  type: PropertyType;
  commune: string;
  section: string;
  date: string;
  price_m2: number;
  price: number;
  surface: number;
  rooms: number | null;
  id_parcelle: string | null;
  lot: string | null;
  longitude: number | null;
  latitude: number | null;
}

/**
 * The sales `figures` counts for this selection (the same `salesSql`), one row per sale and type, with their
 * surface, rooms, parcel, lot and position: what every figure of the portal's period page is computed from, so a
 * histogram adds up to the table's number of sales.
 */
export async function selectedSales(lake: LakeReader, q: Selection): Promise<SelectedSale[]> {
  const [sales, params] = salesSql(lake.dir, q);
  const rows = await lake.query<Record<string, unknown>>(
    `${sales},
    details AS (
      SELECT id_mutation, max(nombre_pieces_principales) FILTER (WHERE code_type_local IN (1, 2)) AS rooms, min(id_parcelle) AS id_parcelle,
        min(lot1_numero) FILTER (WHERE code_type_local IN (1, 2, 4)) AS lot, avg(longitude) AS longitude, avg(latitude) AS latitude
      FROM lines WHERE list_contains((SELECT list(DISTINCT id_mutation) FROM typed), id_mutation) GROUP BY id_mutation)
    SELECT t.id_mutation, t.type, t.commune, t.section, strftime(t.date_mutation, '%Y-%m-%d') AS date, t.price_m2, t.valeur_fonciere AS price, t.surface,
      d.rooms, d.id_parcelle, d.lot, d.longitude, d.latitude
    FROM typed t LEFT JOIN details d USING (id_mutation)
    ORDER BY t.date_mutation, t.id_mutation, t.type`,
    params,
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    id_mutation: String(r.id_mutation),
    type: r.type as PropertyType,
    commune: String(r.commune),
    section: String(r.section),
    date: String(r.date),
    price_m2: Number(r.price_m2),
    price: Number(r.price),
    surface: Number(r.surface),
    rooms: num(r.rooms),
    id_parcelle: r.id_parcelle === null ? null : String(r.id_parcelle),
    lot: r.lot === null ? null : String(r.lot),
    longitude: num(r.longitude),
    latitude: num(r.latitude),
  }));
}
