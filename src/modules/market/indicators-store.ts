// The published indicators, computed once per edition after an import (issue 16, decision 0005: in the background of
// the server, service.ts refreshIndicators) and read by every public answer.
//
//   <lake>/dvf/_indicators/departement=69/indicators-<method>.parquet  commune, arrondissement, section, département
//   <lake>/dvf/_indicators/departement=69/histograms-<method>.parquet  the price histogram of each commune page's period
//   <lake>/dvf/_indicators/departement=69/latest-sales.parquet         each place's latest mutations (the pages' lists)
//   <lake>/dvf/_indicators/areas/indicators-<method>.parquet           EPCI and instance (they may span départements)
//   <lake>/dvf/_indicators/areas/meta.json                             what they were computed from, dates
//
// A département's folder depends only on its own lines; `buildIndicators` computes the folders of the départements it is
// given (service.ts gives all of them) and the EPCI and instance rows of the areas over them, each from its own sales
// (never from its parts' medians), the others kept. The départements are computed together (in batches of a few million
// lines): their selected sales are held once in a temporary table, then one aggregation per level and period kind
// (years, months, the five-year windows), the département a grouping column, the quartiles by one quantile aggregate. Secrecy is not applied here: it is decided when answering,
// from the stored counts (service.ts, model.ts protectYears). The folder names have no `=` at the top: the partition
// walk of the lake skips `_indicators`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlFileList, sqlString, type LakeParams, type LakeReader } from '../../platform/lake.ts';
import { parquetFilesIn } from '../../platform/lake-swap.ts';
import { PORTAL_TYPES } from './contract.ts';
import { PROPERTY_TYPES, departementOf, departementsToCompute, type IndicatorRow, type Manifest, type Method, type PropertyType } from './model.ts';
import { MUTATION_SUMMARY, departementOrigins, dvfDataset, dvfLines, latestSaleOf, linesPerDepartement, salesSql } from './store.ts';
import type { LatestSale } from './contract.ts';

/** The folder of the indicators under the DVF dataset's root (and under an import's staging tree). */
export const INDICATORS_FOLDER = '_indicators';
export const indicatorsDir = (lakeDir: string) => join(dvfDataset(lakeDir).root, INDICATORS_FOLDER);
/** A département's folder of indicators (under the indicators' folder, or a batch's scratch folder). */
const partitionPath = (dep: string) => `departement=${dep}`;
/** The swapped folders, relative to the dataset's root: one per département, and the areas spanning them. */
export const departementIndicatorsPath = (dep: string) => join(INDICATORS_FOLDER, partitionPath(dep));
export const AREAS_PATH = join(INDICATORS_FOLDER, 'areas');

export type IndicatorLevel = 'commune' | 'arrondissement' | 'section' | 'epci' | 'departement' | 'territory';

/** Which EPCI each commune of the lake belongs to ('' for none), and the instance's communes (the `territory` level). */
export interface Membership {
  epciOf: Record<string, string>;
  territory: string[];
}

export interface IndicatorsMeta {
  format: 3;
  /** sha256 of the DVF manifest the indicators were computed with: another manifest means another lake. */
  manifestHash: string;
  /** sha256 of the membership used for the EPCI and territory levels. */
  membershipHash: string;
  membership: Membership;
  builtAt: string;
  /** Time spent computing this import's indicators (the touched départements and areas only). */
  durationMs: number;
  /** The last sale date of each département (the tables' « données jusqu’au »). */
  dataUntil: Record<string, string>;
  /** The départements computed by the computation that wrote this (the others' rows were kept). */
  computed: string[];
  /**
   * Where each département's rows were computed from: the live folders its lines came from (departementOrigins in
   * store.ts). Absent in indicators written before: every département is then computed again.
   */
  origins?: Record<string, string>;
}

/** A stored figure: the published five, and the mean (the API's extra). */
export interface StoredIndicator extends IndicatorRow {
  level: IndicatorLevel;
  /** A section's commune. */
  parent: string | null;
  price_m2_mean: number;
}

export const hashText = (text: string) => createHash('sha256').update(text).digest('hex');
export const membershipHash = (m: Membership) =>
  hashText(JSON.stringify([Object.entries(m.epciOf).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), [...m.territory].sort()]));

/** The key of a span of whole years, as stored: `2014/2018`. A single year is `2018`. */
export const rangeKey = (from: number | string, to: number | string) => (String(from) === String(to) ? String(from) : `${from}/${to}`);

const METHODS: Method[] = ['habitat', 'etalab'];

/** The hash the indicators keep of the manifest they go with (the swap writes the manifest as this JSON). */
export const manifestHash = (m: Manifest) => hashText(JSON.stringify(m));

/** The membership of the communes these lines roll up to, as `membership` says (none without it). */
export async function lakeMembership(x: LakeReader, lines: string, membership?: (communes: string[]) => Promise<Membership>): Promise<Membership> {
  if (!membership) return { epciOf: {}, territory: [] };
  const rows = await x.query<{ c: string }>(`SELECT DISTINCT code_commune_parent AS c FROM ${lines} ORDER BY c`);
  return membership(rows.map((r) => r.c));
}

// ---------- the aggregations ----------

/** A level's grouping: the columns of the temporary sales table it groups by, its code and its parent. */
interface Level {
  level: IndicatorLevel;
  code: string;
  parent?: string;
  /** Rows of the sales table that belong to a group of this level. */
  where?: string;
}
const LEVELS: Record<'commune' | 'arrondissement' | 'section' | 'departement' | 'epci' | 'territory', Level> = {
  commune: { level: 'commune', code: 'commune' },
  // A Paris, Lyon or Marseille arrondissement, asked by its own code; the city is the commune level.
  arrondissement: { level: 'arrondissement', code: 'code_commune', where: 'code_commune <> commune' },
  section: { level: 'section', code: 'section', parent: 'commune' },
  departement: { level: 'departement', code: 'departement' },
  epci: { level: 'epci', code: 'epci', where: 'epci IS NOT NULL' },
  territory: { level: 'territory', code: `'territory'`, where: 'in_territory' },
};

/**
 * A period kind: the label of each row's period, which rows it holds, and where they come from (default: the sales
 * table; the five-year windows read it with each sale repeated once per window that holds it).
 */
interface PeriodKind {
  period: string;
  where?: string;
  from?: (table: string) => string;
}
const YEAR: PeriodKind = { period: 'CAST(y AS VARCHAR)' };
const MONTH: PeriodKind = { period: 'm' };
/**
 * Every five-year window `e-4/e` (the portal's `five_years`, portal-model.ts yearWindow), in one pass: a sale of year
 * y is in the windows ending y to y+4. A window without sales has no row, as on the raw lake; a window ending in a
 * year another département brings still holds these sales.
 */
const FIVE_YEARS: PeriodKind = {
  period: 'w',
  from: (t) => `(SELECT *, CAST(e - 4 AS VARCHAR) || '/' || CAST(e AS VARCHAR) AS w FROM (SELECT *, unnest(range(y, y + 5)) AS e FROM ${t}))`,
};
/**
 * The periods of a département's stored sections, the most numerous groups: its last year and the five years ending
 * with it (a commune page opens on its latest year); other periods are read from the lake (figure-source.ts).
 */
export const sectionPeriods = (dataUntil: string | undefined) => {
  const y = Number(dataUntil?.slice(0, 4));
  return dataUntil ? [String(y), rangeKey(y - 4, y)] : [];
};
const lastOf = (t: string) => `(SELECT ${t}.*, last.ly FROM ${t} JOIN (SELECT departement, max(y) AS ly FROM ${t} GROUP BY departement) last USING (departement))`;
const LAST_YEAR: PeriodKind = { period: 'CAST(ly AS VARCHAR)', where: 'y = ly', from: lastOf };
const LAST_FIVE_YEARS: PeriodKind = { period: `CAST(ly - 4 AS VARCHAR) || '/' || CAST(ly AS VARCHAR)`, where: 'y BETWEEN ly - 4 AND ly', from: lastOf };

/**
 * One aggregation: the published figures of one level over one period kind, from the sales table `table`, for every
 * département of the table at once (`departement` is a grouping column: the rows are written one folder each).
 */
function aggregate(table: string, l: Level, p: PeriodKind, method: Method, byDepartement: boolean): string {
  const round = (e: string) => (method === 'etalab' ? `round_even(${e}, 0)` : `round(${e}, 0)`);
  const where = [l.where, p.where].filter(Boolean).join(' AND ');
  const dep = byDepartement ? 'departement, ' : '';
  // `figures` (store.ts) computes quantile_cont(0.25), median and quantile_cont(0.75): the same values, one state.
  return `SELECT ${dep}level, code, parent, type, period, sales_count, ${round('q[1]')} AS price_m2_q1, ${round('q[2]')} AS price_m2_median,
      ${round('q[3]')} AS price_m2_q3, ${round('price')} AS price_median, ${round('mean')} AS price_m2_mean
    FROM (SELECT ${dep}'${l.level}' AS level, ${l.code} AS code, ${l.parent ?? 'CAST(NULL AS VARCHAR)'} AS parent, type, ${p.period} AS period,
            CAST(count(*) AS INTEGER) AS sales_count, quantile_cont(price_m2, [0.25, 0.5, 0.75]) AS q, median(valeur_fonciere) AS price,
            avg(price_m2) AS mean
          FROM ${p.from ? p.from(table) : table} ${where ? `WHERE ${where}` : ''} GROUP BY ALL)`;
}

/** Fills the temporary table `table` with the selected sales of `lines` (one row per sale and published type). */
async function selectSales(x: LakeReader, table: string, lines: string, method: Method, membership: Membership | null) {
  const [sales, params] = salesSql(x.dir, { area: { level: 'lake' }, lines, types: PROPERTY_TYPES, method });
  const communes = membership ? Object.keys(membership.epciOf) : [];
  await x.query(
    `CREATE OR REPLACE TEMP TABLE ${table} AS ${sales}
     ${membership ? `, membership AS (SELECT unnest($m_communes) AS commune, nullif(unnest($m_epcis), '') AS epci)` : ''}
     SELECT typed.type, typed.commune, typed.code_commune, typed.section, typed.departement,
       CAST(year(typed.date_mutation) AS INTEGER) AS y, strftime(typed.date_mutation, '%Y-%m') AS m, typed.price_m2, typed.valeur_fonciere
       ${membership ? ', membership.epci, list_contains($territory, typed.commune) AS in_territory' : ''}
     FROM typed ${membership ? 'LEFT JOIN membership ON membership.commune = typed.commune' : ''}`,
    membership ? { ...params, m_communes: communes, m_epcis: communes.map((c) => membership.epciOf[c]), territory: membership.territory } : params,
  );
}

const ORDER = 'ORDER BY level, code, type, period';
const PARQUET = 'FORMAT parquet, COMPRESSION zstd';

/** Writes the union of `selects` to a Parquet file, sorted for the reads (level, code, type, period). */
async function writeRows(x: LakeReader, selects: string[], file: string) {
  await x.query(`COPY (${selects.join('\nUNION ALL\n')} ${ORDER}) TO ${sqlString(file)} (${PARQUET})`);
}

/**
 * The fewest sales a stored histogram has. The page draws a histogram only from `secrecyMinCount` sales (11,
 * service.ts): most groups of a commune-year or a commune's five years have fewer (at 200 000 synthetic lines, 560 000
 * groups of about one sale: most of the histograms' cost). A smaller group's histogram, if an instance lowers its
 * threshold, is read from the lake (figure-source.ts distribution).
 */
export const HISTOGRAM_MIN_SALES = 11;

/**
 * The histogram of each commune page (commune or arrondissement, portal types, years and five-year windows) of every
 * département of `table`: the rule of portal-model.ts `histogram` (1 % and 99 % quantiles, a 1-2-5 bin width for
 * about 12 bins), in SQL. A query whose rows carry their `departement`.
 */
function histogramsSql(table: string): string {
  const h = [YEAR, FIVE_YEARS]
    .flatMap((p) => {
      const from = p.from ? p.from(table) : table;
      return [
        `SELECT departement, commune AS code, type, ${p.period} AS period, price_m2 FROM ${from} WHERE list_contains($portal, type)`,
        `SELECT departement, code_commune, type, ${p.period}, price_m2 FROM ${from} WHERE list_contains($portal, type) AND code_commune <> commune`,
      ];
    })
    .join('\nUNION ALL\n');
  const key = 'departement, code, type, period';
  return `WITH h AS (${h}),
      s AS (SELECT ${key}, quantile_cont(price_m2, [0.01, 0.99]) AS q FROM h GROUP BY ALL HAVING count(*) >= ${HISTOGRAM_MIN_SALES}),
      w AS (SELECT ${key}, q[1] AS lo, q[2] AS hi, greatest((q[2] - q[1]) / 12, 1) AS raw FROM s),
      w10 AS (SELECT *, pow(10, floor(log10(raw))) AS p10 FROM w),
      ww AS (SELECT ${key}, lo, hi,
               CASE WHEN p10 >= raw THEN p10 WHEN 2 * p10 >= raw THEN 2 * p10 WHEN 5 * p10 >= raw THEN 5 * p10 ELSE 10 * p10 END AS width FROM w10),
      k AS (SELECT *, floor(lo / width) AS k0, greatest(1, floor(hi / width) - floor(lo / width) + 1) AS bins FROM ww),
      b AS (SELECT h.departement, h.code, h.type, h.period, CAST(least(k.bins - 1, greatest(0, floor(h.price_m2 / k.width) - k.k0)) AS INTEGER) AS bin
            FROM h JOIN k USING (${key})),
      c AS (SELECT ${key}, bin, count(*) AS n FROM b GROUP BY ALL)
      SELECT k.departement, k.code, k.type, k.period, k.width, k.k0, CAST(k.bins AS INTEGER) AS bins,
        list(c.bin ORDER BY c.bin) AS bin_index, list(CAST(c.n AS INTEGER) ORDER BY c.bin) AS bin_count
      FROM k JOIN c USING (${key}) GROUP BY k.departement, k.code, k.type, k.period, k.width, k.k0, k.bins
`;
}

/** The rows of a département folder's indicators file, for every département of `table` (one query, one pass each). */
function departementRowsSql(table: string, method: Method): string {
  const { commune, arrondissement, section, departement } = LEVELS;
  return [
    ...[commune, arrondissement, departement].flatMap((l) => [YEAR, MONTH, FIVE_YEARS].map((p) => aggregate(table, l, p, method, true))),
    ...[LAST_YEAR, LAST_FIVE_YEARS].map((p) => aggregate(table, section, p, method, true)),
  ].join('\nUNION ALL\n');
}

/** How many lines the départements of one batch may hold at most: the selected sales of a batch are held in memory. */
const BATCH_LINES = 4_000_000;

/** The touched départements in batches of at most `BATCH_LINES` lines (`lines`: each département's). */
function departementBatches(deps: readonly string[], lines: ReadonlyMap<string, number>): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let total = 0;
  for (const d of deps) {
    const n = lines.get(d) ?? 0;
    if (batch.length && total + n > BATCH_LINES) {
      batches.push(batch);
      batch = [];
      total = 0;
    }
    batch.push(d);
    total += n;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/**
 * Writes `query` (whose rows carry a `departement` column) as one file per département, `<root>/departement=XX/<name>`,
 * sorted for the reads: one partitioned COPY (one small COPY per département costs a file's fixed cost each, ≈ 70 ms
 * on a loaded machine: 29 s of 51 s at 200 000 lines), run on one thread so that each file keeps the order of the
 * sorted rows — DuckDB's partitioned write interleaves threads — and a département's file does not change when its
 * lines do not (a repeated import, precomputed.test.ts). The computation itself ran before, on every thread, into a
 * temporary table. A département without rows gets an empty file: its folder must replace the old one in the swap.
 */
async function writePerDepartement(x: LakeReader, o: { query: string; params?: LakeParams; order: string; root: string; name: string; deps: string[] }) {
  const out = 'indicator_out';
  const scratch = join(o.root, INDICATORS_FOLDER, `.batch-${o.name.replace('.parquet', '')}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(join(scratch, '..'), { recursive: true });
  // Sorted on every thread into a table that keeps that order; only the write runs on one thread.
  const [{ threads, keep } = { threads: '2', keep: 'false' }] = await x.query<{ threads: string; keep: string }>(
    `SELECT current_setting('threads') AS threads, CAST(current_setting('preserve_insertion_order') AS VARCHAR) AS keep`,
  );
  await x.query('SET preserve_insertion_order = true');
  try {
    await x.query(`CREATE OR REPLACE TEMP TABLE ${out} AS SELECT * FROM (${o.query}) ORDER BY departement, ${o.order}`, o.params);
    await x.query('SET threads = 1');
    await x.query(`COPY ${out} TO ${sqlString(scratch)} (${PARQUET}, PARTITION_BY (departement), FILENAME_PATTERN 'part{i}')`);
  } finally {
    await x.query(`SET threads = ${Number(threads)}`);
    await x.query(`SET preserve_insertion_order = ${keep === 'true'}`);
  }
  for (const dep of o.deps) {
    const dir = join(o.root, departementIndicatorsPath(dep));
    mkdirSync(dir, { recursive: true });
    const parts = parquetFilesIn(join(scratch, partitionPath(dep)));
    if (parts.length === 1) renameSync(parts[0]!, join(dir, o.name));
    else {
      // None (no rows) or, unexpectedly, several: one file, sorted.
      await x.query(`COPY (SELECT * EXCLUDE (departement) FROM ${out} WHERE departement = $dep ORDER BY ${o.order}) TO ${sqlString(join(dir, o.name))} (${PARQUET})`, { dep });
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  await x.query(`DROP TABLE ${out}`);
}

/** How many of a place's latest mutations are kept: what a commune page reads first (service.ts listableSales, 4 × 30). */
export const LATEST_SALES_KEPT = 120;

/**
 * Each place's latest mutations as store.ts `latestSales` lists them — a commune's own lines and its arrondissements',
 * an arrondissement's own — with the mean position of each mutation's lines in its département, as `salePoints`.
 */
function latestSalesSql(lines: string): string {
  return `WITH l AS (SELECT * FROM ${lines}),
    keyed AS (
      SELECT code_commune AS place, * FROM l
      UNION ALL SELECT code_commune_parent AS place, * FROM l WHERE code_commune_parent <> code_commune
    ),
    points AS (
      SELECT departement, id_mutation, round(avg(longitude), 6) AS lon, round(avg(latitude), 6) AS lat FROM l
      WHERE longitude IS NOT NULL AND latitude IS NOT NULL GROUP BY departement, id_mutation
    ),
    summaries AS (SELECT departement, place, ${MUTATION_SUMMARY} FROM keyed GROUP BY departement, place, id_mutation)
  SELECT s.*, p.lon, p.lat FROM summaries s LEFT JOIN points p USING (departement, id_mutation)
  QUALIFY row_number() OVER (PARTITION BY s.place ORDER BY s.date_mutation DESC, s.id_mutation DESC) <= ${LATEST_SALES_KEPT}`;
}

/** Every place's stored latest mutations, newest first, with their position when the lines have one. */
export async function readLatestSales(lake: LakeReader): Promise<Map<string, (LatestSale & { point?: { lon: number; lat: number } })[]>> {
  const dir = indicatorsDir(lake.dir);
  const files = existsSync(dir) ? readdirSync(dir).sort().map((d) => join(dir, d, 'latest-sales.parquet')).filter((f) => existsSync(f)) : [];
  const out = new Map<string, (LatestSale & { point?: { lon: number; lat: number } })[]>();
  if (!files.length) return out;
  const rows = await lake.query<LatestSale & { place: string; lon: number | null; lat: number | null }>(
    `SELECT * EXCLUDE (departement) FROM ${union(files)} ORDER BY place, date_mutation DESC, id_mutation DESC`,
  );
  for (const { place, lon, lat, ...sale } of rows) {
    const list = out.get(place) ?? [];
    list.push({ ...latestSaleOf(sale), ...(lon !== null && lat !== null ? { point: { lon: Number(lon), lat: Number(lat) } } : {}) });
    out.set(place, list);
  }
  return out;
}

/**
 * The indicators of these départements (commune, arrondissement, section, département; years, months, five-year
 * windows; the histograms), each from its own lines, written under `<root>/departement=XX/`: all the départements of a
 * batch in one aggregation per level and period kind (a query costs about as much for one département as for many),
 * one partitioned COPY per file kind. Returns each département's last sale date.
 */
export async function computeDepartements(
  x: LakeReader,
  o: { deps: string[]; linesOf(deps: string[]): string; root: string },
): Promise<Record<string, string | null>> {
  const until: Record<string, string | null> = Object.fromEntries(o.deps.map((d) => [d, null]));
  for (const batch of departementBatches(o.deps, await linesPerDepartement(x))) {
    const lines = o.linesOf(batch);
    for (const r of await x.query<{ d: string; u: string | null }>(`SELECT departement AS d, strftime(max(date_mutation), '%Y-%m-%d') AS u FROM ${lines} GROUP BY ALL`)) {
      if (r.d in until) until[r.d] = r.u;
    }
    await writePerDepartement(x, { query: latestSalesSql(lines), order: 'place, date_mutation DESC, id_mutation DESC', root: o.root, name: 'latest-sales.parquet', deps: batch });
    for (const method of METHODS) {
      const t = 'indicator_sales';
      await selectSales(x, t, lines, method, null);
      await writePerDepartement(x, { query: departementRowsSql(t, method), order: 'level, code, type, period', root: o.root, name: `indicators-${method}.parquet`, deps: batch });
      await writePerDepartement(x, { query: histogramsSql(t), params: { portal: PORTAL_TYPES }, order: 'code, type, period', root: o.root, name: `histograms-${method}.parquet`, deps: batch });
      await x.query(`DROP TABLE ${t}`);
    }
  }
  return until;
}

/**
 * The EPCI and instance rows: those of the areas with a commune in a touched département are computed from their
 * sales (the lines of every département they span), the others kept from `previous` (the live areas folder).
 */
export async function computeAreas(
  x: LakeReader,
  o: { linesOf(departements: string[]): string; touched: string[]; membership: Membership; previous: string | null; outDir: string },
): Promise<void> {
  mkdirSync(o.outDir, { recursive: true });
  const touched = new Set(o.touched);
  const depsOfEpci = new Map<string, Set<string>>();
  for (const [c, e] of Object.entries(o.membership.epciOf)) if (e) depsOfEpci.set(e, (depsOfEpci.get(e) ?? new Set()).add(departementOf(c)));
  const recomputed = [...depsOfEpci].filter(([, deps]) => [...deps].some((d) => touched.has(d)));
  // EPCIs spanning the same départements are computed together, from those départements' lines only.
  const batches = new Map<string, string[]>();
  for (const [e, deps] of recomputed) {
    const key = [...deps].sort().join(',');
    batches.set(key, [...(batches.get(key) ?? []), e]);
  }
  const territoryDeps = [...new Set(o.membership.territory.map(departementOf))].sort();
  const territoryTouched = territoryDeps.some((d) => touched.has(d));
  const recomputedEpcis = recomputed.map(([e]) => e);
  for (const method of METHODS) {
    const file = join(o.outDir, `indicators-${method}.parquet`);
    const parts: string[] = [];
    const t = 'indicator_area_sales';
    let i = 0;
    for (const [key, epcis] of batches) {
      await selectSales(x, t, o.linesOf(key.split(',')), method, { epciOf: Object.fromEntries(Object.entries(o.membership.epciOf).filter(([, e]) => epcis.includes(e))), territory: [] });
      const part = join(o.outDir, `.part-${method}-${i++}.parquet`);
      await writeRows(x, [YEAR, MONTH, FIVE_YEARS].map((p) => aggregate(t, LEVELS.epci, p, method, false)), part);
      parts.push(part);
    }
    if (territoryTouched && o.membership.territory.length) {
      await selectSales(x, t, o.linesOf(territoryDeps), method, { epciOf: {}, territory: o.membership.territory });
      const part = join(o.outDir, `.part-${method}-territory.parquet`);
      // The instance's page shows years and months (the indicator routes), no five-year window.
      await writeRows(x, [YEAR, MONTH].map((p) => aggregate(t, LEVELS.territory, p, method, false)), part);
      parts.push(part);
    }
    await x.query(`DROP TABLE IF EXISTS ${t}`);
    // Kept: the previous rows of the EPCIs still in the lake and not recomputed, and of the instance when untouched.
    const previous = o.previous ? join(o.previous, `indicators-${method}.parquet`) : null;
    const keep = [...depsOfEpci.keys()].filter((e) => !recomputedEpcis.includes(e));
    const all = parts.map((p) => `SELECT * FROM read_parquet(${sqlString(p)})`);
    if (previous && existsSync(previous)) {
      all.push(`SELECT * FROM read_parquet(${sqlString(previous)})
        WHERE (level = 'epci' AND list_contains($keep, code)) OR (level = 'territory' AND ${territoryTouched || !o.membership.territory.length ? 'false' : 'true'})`);
    }
    // No area at all (an import without the territory): no file, the loader reads what exists.
    if (all.length) {
      await x.query(`COPY (SELECT * FROM (${all.join(' UNION ALL ')}) ORDER BY level, code, type, period) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`, previous && existsSync(previous) ? { keep } : undefined);
    }
    for (const p of parts) rmSync(p, { force: true });
  }
}

/** Where the indicators of this lake are, once an import's staged folders (if any) are in place. */
function indicatorFiles(lakeDir: string, method: Method, kind: 'indicators' | 'histograms'): string[] {
  const dir = indicatorsDir(lakeDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((d) => join(dir, d, `${kind}-${method}.parquet`))
    .filter((f) => existsSync(f));
}

/**
 * Computes the indicators of the live lake into `tree` (a staging tree, laid out as the dataset's root): the folders of
 * the départements whose lines changed since the live indicators were computed (all when they record nothing), and the
 * areas folder with its meta. Returns the folders to swap.
 */
export async function buildIndicators(
  x: LakeReader,
  o: {
    lakeDir: string;
    tree: string;
    membership?: (communes: string[]) => Promise<Membership>;
    manifestHash: string;
  },
): Promise<string[]> {
  const started = Date.now();
  const linesOf = (deps: readonly string[]) => dvfLines(o.lakeDir, { departements: deps });
  // Only the départements whose lines changed since the live indicators were computed: a new edition of one
  // département does not compute a national lake's others again (decision 0005, amendment).
  const origins = departementOrigins(o.lakeDir);
  const deps = Object.keys(origins).sort();
  const previous = readIndicatorsMeta(o.lakeDir);
  const touched = departementsToCompute(previous?.origins ?? null, origins);
  const dataUntil: Record<string, string> = { ...previous?.dataUntil };
  const until = await computeDepartements(x, { deps: touched, linesOf, root: o.tree });
  for (const dep of touched) {
    if (until[dep]) dataUntil[dep] = until[dep];
    else delete dataUntil[dep];
  }
  const membership = await lakeMembership(x, linesOf(deps), o.membership);
  const live = join(indicatorsDir(o.lakeDir), 'areas');
  const outDir = join(o.tree, AREAS_PATH);
  // Another membership (an EPCI's communes, the instance's EPCIs) changes the EPCI and instance rows, not the
  // départements': every area is computed again.
  const areasTouched = previous?.membershipHash === membershipHash(membership) ? touched : deps;
  await computeAreas(x, { linesOf, touched: areasTouched, membership, previous: existsSync(live) ? live : null, outDir });
  const meta: IndicatorsMeta = {
    format: 3,
    manifestHash: o.manifestHash,
    membershipHash: membershipHash(membership),
    membership,
    builtAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    dataUntil,
    computed: touched,
    origins,
  };
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(meta));
  return [...touched.map(departementIndicatorsPath), AREAS_PATH];
}

/** The indicators' description, or null when the lake has none (a lake imported by an older version). */
export function readIndicatorsMeta(lakeDir: string): IndicatorsMeta | null {
  const p = join(indicatorsDir(lakeDir), 'areas', 'meta.json');
  if (!existsSync(p)) return null;
  const meta = JSON.parse(readFileSync(p, 'utf8')) as IndicatorsMeta;
  return meta.format === 3 ? meta : null;
}

const union = (files: string[]) => `read_parquet(${sqlFileList(files)}, union_by_name = true)`;

/**
 * The figures of these places (levels and codes; or the sections of a commune), of every type and period unless
 * `types` and `periods` say which.
 */
export async function readIndicators(
  lake: LakeReader,
  method: Method,
  q: { levels: IndicatorLevel[]; codes?: string[]; sectionsOf?: string; types?: readonly PropertyType[]; periods?: string[] },
): Promise<StoredIndicator[]> {
  const files = indicatorFiles(lake.dir, method, 'indicators');
  if (!files.length) return [];
  const where = [
    'list_contains($levels, level)',
    q.codes ? 'list_contains($codes, code)' : '',
    // A commune's sections, or an arrondissement's (its sections' identifiers start with its code).
    q.sectionsOf ? '(parent = $commune OR starts_with(code, $commune))' : '',
    q.types ? 'list_contains($types, type)' : '',
    q.periods ? 'list_contains($periods, period)' : '',
  ].filter(Boolean);
  const rows = await lake.query<StoredIndicator>(`SELECT * FROM ${union(files)} WHERE ${where.join(' AND ')}`, {
    levels: q.levels,
    ...(q.codes ? { codes: q.codes } : {}),
    ...(q.sectionsOf ? { commune: q.sectionsOf } : {}),
    ...(q.types ? { types: [...q.types] } : {}),
    ...(q.periods ? { periods: q.periods } : {}),
  });
  return rows.map((r) => ({ ...r, code: String(r.code), period: String(r.period), sales_count: Number(r.sales_count) }));
}

/** Every stored histogram of a method, each as portal-model.ts `histogram` draws it. */
export async function readHistograms(lake: LakeReader, method: Method) {
  const files = indicatorFiles(lake.dir, method, 'histograms');
  if (!files.length) return [];
  const rows = await lake.query<{ code: string; type: PropertyType; period: string; width: number; k0: number; bins: number; bin_index: number[]; bin_count: number[] }>(
    `SELECT code, type, period, width, k0, bins, bin_index, bin_count FROM ${union(files)}`,
  );
  return rows.map((h) => {
    const counts = new Map(h.bin_index.map((b, i) => [Number(b), Number(h.bin_count[i])]));
    const bins = Array.from({ length: Number(h.bins) }, (_, i) => ({ min: (h.k0 + i) * h.width, max: (h.k0 + i + 1) * h.width, sales_count: counts.get(i) ?? 0 }));
    return { code: String(h.code), type: h.type, period: String(h.period), bins };
  });
}
