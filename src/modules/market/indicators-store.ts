// The published indicators, computed once per import of the lake (issue 16) and read by every public answer.
//
//   <lake>/dvf/_indicators/indicators-habitat.parquet   one row per level × code × type × period (method habitat)
//   <lake>/dvf/_indicators/indicators-etalab.parquet    the same by Etalab's method
//   <lake>/dvf/_indicators/histograms-<method>.parquet  the price histogram of each commune page's period
//   <lake>/dvf/_indicators/meta.json                    what they were computed from (manifest, territory), dates
//
// The folder is written in the import's staging tree and swapped with the partitions (a reader sees the old lake and
// the old indicators, or the new and the new). Its name has no `=`: the partition walk of the lake skips it.
// Every figure comes from `salesSql` (the one selection of sales), grouped with GROUPING SETS: the median of an EPCI or
// a département is that of its own sales, never a median of medians. Secrecy is not applied here: it is decided when
// answering, from the stored counts (service.ts, model.ts protectYears).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetRelation, sqlString, type LakeReader } from '../../platform/lake.ts';
import { partitionFiles } from '../../platform/lake-swap.ts';
import { PORTAL_TYPES } from './contract.ts';
import { EXACT_RANKS_UP_TO, LAKE_COLUMNS, PROPERTY_TYPES, exactLowerRanks, type IndicatorRow, type Manifest, type Method, type PropertyType } from './model.ts';
import { dvfDataset, salesSql } from './store.ts';

/** The folder of the indicators under the DVF dataset's root (and under an import's staging tree). */
export const INDICATORS_FOLDER = '_indicators';
export const indicatorsDir = (lakeDir: string) => join(dvfDataset(lakeDir).root, INDICATORS_FOLDER);

export type IndicatorLevel = 'commune' | 'arrondissement' | 'section' | 'epci' | 'departement' | 'territory';

/** Which EPCI each commune of the lake belongs to ('' for none), and the instance's communes (the `territory` level). */
export interface Membership {
  epciOf: Record<string, string>;
  territory: string[];
}

export interface IndicatorsMeta {
  format: 1;
  /** sha256 of the DVF manifest the indicators were computed with: another manifest means another lake. */
  manifestHash: string;
  /** sha256 of the membership used for the EPCI and territory levels. */
  membershipHash: string;
  membership: Membership;
  builtAt: string;
  durationMs: number;
  /** The last sale date of each département (the tables' « données jusqu’au »). */
  dataUntil: Record<string, string>;
  /** The rolling window of the last twelve months of the data, `YYYY-MM/YYYY-MM`, precomputed too. */
  recent: string | null;
  rows: Record<Method, number>;
}

/** A stored figure: the published five, and the precision of the median (issue 17). */
export interface StoredIndicator extends IndicatorRow {
  level: IndicatorLevel;
  /** A section's commune. */
  parent: string | null;
  price_m2_mean: number;
  price_m2_iqr: number;
  /** 95 % confidence interval of the median by order statistics (model.ts medianConfidenceRanks). */
  price_m2_median_ci_low: number;
  price_m2_median_ci_high: number;
}

export const hashText = (text: string) => createHash('sha256').update(text).digest('hex');
export const membershipHash = (m: Membership) =>
  hashText(JSON.stringify([Object.entries(m.epciOf).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), [...m.territory].sort()]));

/** The key of a span of whole years or months, as stored: `2014/2018`, `2022-01/2022-12`. A single year is `2018`. */
export const rangeKey = (from: number | string, to: number | string) => (String(from) === String(to) ? String(from) : `${from}/${to}`);

/** The twelve months ending with the month of the latest sale, `YYYY-MM/YYYY-MM`. */
export function recentWindow(latestDay: string | null): string | null {
  if (!latestDay) return null;
  const [y, m] = latestDay.split('-').map(Number);
  const start = new Date(Date.UTC(y, m - 1 - 11, 1));
  return `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}/${latestDay.slice(0, 7)}`;
}

const METHODS: Method[] = ['habitat', 'etalab'];

/** The hash the indicators keep of the manifest they go with (the swap writes the manifest as this JSON). */
export const manifestHash = (m: Manifest) => hashText(JSON.stringify(m));

/**
 * The lines of the lake once an import's staged partitions (`tree`) replace the live ones they touch
 * (their départements): what the indicators of that import are computed from, read through the partition walk.
 */
export function linesAfterSwap(lakeDir: string, tree: string, touched: string[]): string {
  const replaced = new Set(touched);
  const ds = dvfDataset(lakeDir);
  const live = partitionFiles(ds).filter((f) => !replaced.has(f.keys.departement));
  const staged = partitionFiles({ ...ds, root: tree });
  return parquetRelation([...live, ...staged].map((f) => f.path), LAKE_COLUMNS);
}

/** The membership of the communes these lines roll up to, as `membership` says (none without it). */
export async function lakeMembership(x: LakeReader, lines: string, membership?: (communes: string[]) => Promise<Membership>): Promise<Membership> {
  if (!membership) return { epciOf: {}, territory: [] };
  const rows = await x.query<{ c: string }>(`SELECT DISTINCT code_commune_parent AS c FROM ${lines} ORDER BY c`);
  return membership(rows.map((r) => r.c));
}

/**
 * Computes every indicator of the lines `lines` (a relation: the lake as the import is about to make it) and writes
 * them under `outDir`. `lakeDir` is only where salesSql would look without `lines`.
 */
export async function computeIndicators(x: LakeReader, o: { lines: string; outDir: string; membership: Membership; manifestHash: string }): Promise<IndicatorsMeta> {
  const started = Date.now();
  mkdirSync(o.outDir, { recursive: true });
  const deps = await x.query<{ departement: string; d: string }>(`SELECT departement, strftime(max(date_mutation), '%Y-%m-%d') AS d FROM ${o.lines} GROUP BY departement`);
  const years = await x.query<{ y: number }>(`SELECT DISTINCT CAST(year(date_mutation) AS INTEGER) AS y FROM ${o.lines}`);
  const latest = deps.map((d) => d.d).sort().at(-1) ?? null;
  const recent = recentWindow(latest);
  const communes = Object.keys(o.membership.epciOf);
  const rows = {} as Record<Method, number>;
  for (const method of METHODS) {
    const [sales, params] = salesSql(x.dir, { area: { level: 'lake' }, lines: o.lines, types: PROPERTY_TYPES, method });
    const round = (e: string) => (method === 'etalab' ? `round_even(${e}, 0)` : `round(${e}, 0)`);
    const [from, to] = recent ? recent.split('/') : ['', ''];
    const expanded = `${sales},
      membership AS (SELECT unnest($m_communes) AS commune, nullif(unnest($m_epcis), '') AS epci),
      t AS (SELECT typed.type, typed.commune, typed.code_commune, typed.section, typed.departement, typed.date_mutation, typed.price_m2,
              typed.valeur_fonciere, membership.epci, list_contains($territory, typed.commune) AS in_territory
            FROM typed LEFT JOIN membership ON membership.commune = typed.commune),
      -- Each sale counts for its year, its month, every five-year window that holds it and the recent window.
      p AS (
        SELECT *, CAST(year(date_mutation) AS VARCHAR) AS period FROM t
        UNION ALL SELECT *, strftime(date_mutation, '%Y-%m') FROM t
        UNION ALL SELECT t.*, CAST(e.y - 4 AS VARCHAR) || '/' || CAST(e.y AS VARCHAR) FROM t
          JOIN (SELECT CAST(unnest($years) AS INTEGER) AS y) e ON year(t.date_mutation) BETWEEN e.y - 4 AND e.y
        UNION ALL SELECT *, $recent FROM t WHERE strftime(date_mutation, '%Y-%m') BETWEEN $recent_from AND $recent_to)`;
    const bound = {
      ...params,
      m_communes: communes,
      m_epcis: communes.map((c) => o.membership.epciOf[c]),
      territory: o.membership.territory,
      years: years.map((r) => Number(r.y)),
      recent: recent ?? 'none',
      recent_from: from || '9999-99',
      recent_to: to || '0000-00',
    };
    // The expanded sales are written once and grouped twice (figures, histograms): the selection of sales is the
    // costly part, not the grouping.
    const expandedFile = join(o.outDir, `.sales-${method}.parquet`);
    await x.query(`COPY (${expanded} SELECT * FROM p) TO ${sqlString(expandedFile)} (FORMAT parquet, COMPRESSION uncompressed)`, bound);
    const fromExpanded = `WITH p AS (SELECT * FROM read_parquet(${sqlString(expandedFile)}))`;
    const file = join(o.outDir, `indicators-${method}.parquet`);
    // The ranks of the median's confidence interval: model.ts medianConfidenceRanks, looked up by count up to
    // EXACT_RANKS_UP_TO (exact binomial), its normal approximation beyond; the upper rank is n + 1 − lower.
    const lower = `CAST(CASE WHEN sales_count <= ${EXACT_RANKS_UP_TO} THEN ${exactLowerRanks()}[sales_count]
      ELSE greatest(1, floor(sales_count / 2.0 - 1.959964 * sqrt(sales_count) / 2)) END AS BIGINT)`;
    await x.query(
      `COPY (${fromExpanded},
      g AS (
        SELECT CASE WHEN grouping(section) = 0 THEN 'section' WHEN grouping(code_commune) = 0 THEN 'arrondissement'
                    WHEN grouping(commune) = 0 THEN 'commune' WHEN grouping(epci) = 0 THEN 'epci'
                    WHEN grouping(departement) = 0 THEN 'departement' ELSE 'territory' END AS level,
          commune, code_commune, section, epci, departement, in_territory, type, period,
          count(*) AS sales_count, quantile_cont(price_m2, 0.25) AS q1, median(price_m2) AS median, quantile_cont(price_m2, 0.75) AS q3,
          median(valeur_fonciere) AS price, avg(price_m2) AS mean, list_sort(list(price_m2)) AS prices
        FROM p
        GROUP BY GROUPING SETS ((type, period, commune), (type, period, commune, code_commune), (type, period, commune, section),
                                (type, period, epci), (type, period, departement), (type, period, in_territory)))
      SELECT level,
        CASE level WHEN 'section' THEN section WHEN 'arrondissement' THEN code_commune WHEN 'commune' THEN commune
                   WHEN 'epci' THEN epci WHEN 'departement' THEN departement ELSE 'territory' END AS code,
        CASE WHEN level = 'section' THEN commune END AS parent,
        type, period, CAST(sales_count AS INTEGER) AS sales_count,
        ${round('q1')} AS price_m2_q1, ${round('median')} AS price_m2_median, ${round('q3')} AS price_m2_q3, ${round('price')} AS price_median,
        ${round('mean')} AS price_m2_mean, ${round('q3 - q1')} AS price_m2_iqr,
        ${round(`prices[${lower}]`)} AS price_m2_median_ci_low,
        ${round(`prices[sales_count + 1 - ${lower}]`)} AS price_m2_median_ci_high
      FROM g
      WHERE NOT (level = 'arrondissement' AND code_commune = commune) AND NOT (level = 'epci' AND epci IS NULL)
        AND NOT (level = 'territory' AND NOT in_territory) AND NOT (level = 'section' AND length(period) = 7)
      ORDER BY level, code, type, period
    ) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    // The histogram of each commune page (commune or arrondissement, portal types, years and windows): the rule of
    // portal-model.ts `histogram` (1 % and 99 % quantiles, a 1-2-5 bin width for about 12 bins), in SQL.
    await x.query(
      `COPY (${fromExpanded},
      h AS (
        SELECT commune AS code, type, period, price_m2 FROM p WHERE list_contains($portal, type) AND length(period) <> 7
        UNION ALL SELECT code_commune, type, period, price_m2 FROM p WHERE list_contains($portal, type) AND length(period) <> 7 AND code_commune <> commune),
      s AS (SELECT code, type, period, quantile_cont(price_m2, 0.01) AS lo, quantile_cont(price_m2, 0.99) AS hi,
              greatest((quantile_cont(price_m2, 0.99) - quantile_cont(price_m2, 0.01)) / 12, 1) AS raw FROM h GROUP BY ALL),
      w AS (SELECT *, pow(10, floor(log10(raw))) AS p10 FROM s),
      ww AS (SELECT code, type, period, lo, hi,
               CASE WHEN p10 >= raw THEN p10 WHEN 2 * p10 >= raw THEN 2 * p10 WHEN 5 * p10 >= raw THEN 5 * p10 ELSE 10 * p10 END AS width FROM w),
      k AS (SELECT *, floor(lo / width) AS k0, greatest(1, floor(hi / width) - floor(lo / width) + 1) AS bins FROM ww),
      b AS (SELECT h.code, h.type, h.period, CAST(least(k.bins - 1, greatest(0, floor(h.price_m2 / k.width) - k.k0)) AS INTEGER) AS bin
            FROM h JOIN k USING (code, type, period)),
      c AS (SELECT code, type, period, bin, count(*) AS n FROM b GROUP BY ALL)
      SELECT k.code, k.type, k.period, k.width, k.k0, CAST(k.bins AS INTEGER) AS bins,
        list(c.bin ORDER BY c.bin) AS bin_index, list(CAST(c.n AS INTEGER) ORDER BY c.bin) AS bin_count
      FROM k JOIN c USING (code, type, period) GROUP BY k.code, k.type, k.period, k.width, k.k0, k.bins
      ORDER BY k.code, k.type, k.period
    ) TO ${sqlString(join(o.outDir, `histograms-${method}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
      { portal: PORTAL_TYPES },
    );
    rmSync(expandedFile, { force: true });
    rows[method] = Number((await x.query<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`))[0].n);
  }
  const meta: IndicatorsMeta = {
    format: 1,
    manifestHash: o.manifestHash,
    membershipHash: membershipHash(o.membership),
    membership: o.membership,
    builtAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    dataUntil: Object.fromEntries(deps.map((d) => [d.departement, d.d])),
    recent,
    rows,
  };
  writeFileSync(join(o.outDir, 'meta.json'), JSON.stringify(meta));
  return meta;
}

/** The indicators' description, or null when the lake has none (a lake imported by an older version). */
export function readIndicatorsMeta(lakeDir: string): IndicatorsMeta | null {
  const p = join(indicatorsDir(lakeDir), 'meta.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as IndicatorsMeta) : null;
}

/**
 * The figures of these places (levels and codes; or the sections of a commune), of every type and period unless
 * `types` and `periods` say which.
 */
export async function readIndicators(
  lake: LakeReader,
  method: Method,
  q: { levels: IndicatorLevel[]; codes?: string[]; sectionsOf?: string; types?: readonly PropertyType[]; periods?: string[] },
): Promise<StoredIndicator[]> {
  const file = join(indicatorsDir(lake.dir), `indicators-${method}.parquet`);
  const where = [
    'list_contains($levels, level)',
    q.codes ? 'list_contains($codes, code)' : '',
    // A commune's sections, or an arrondissement's (its sections' identifiers start with its code).
    q.sectionsOf ? '(parent = $commune OR starts_with(code, $commune))' : '',
    q.types ? 'list_contains($types, type)' : '',
    q.periods ? 'list_contains($periods, period)' : '',
  ].filter(Boolean);
  const rows = await lake.query<StoredIndicator>(`SELECT * FROM read_parquet(${sqlString(file)}) WHERE ${where.join(' AND ')}`, {
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
  const file = join(indicatorsDir(lake.dir), `histograms-${method}.parquet`);
  const rows = await lake.query<{ code: string; type: PropertyType; period: string; width: number; k0: number; bins: number; bin_index: number[]; bin_count: number[] }>(
    `SELECT code, type, period, width, k0, bins, bin_index, bin_count FROM read_parquet(${sqlString(file)})`,
  );
  return rows.map((h) => {
    const counts = new Map(h.bin_index.map((b, i) => [Number(b), Number(h.bin_count[i])]));
    const bins = Array.from({ length: Number(h.bins) }, (_, i) => ({ min: (h.k0 + i) * h.width, max: (h.k0 + i + 1) * h.width, sales_count: counts.get(i) ?? 0 }));
    return { code: String(h.code), type: h.type, period: String(h.period), bins };
  });
}
