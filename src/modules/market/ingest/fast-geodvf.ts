// Fast path for a clean Etalab geo-DVF file: DuckDB reads the CSV and applies the same rules as formats.ts in SQL,
// in one pass, several times faster than line-by-line JavaScript (docs/benchmarks.md). It is only an accelerator:
// if DuckDB meets a single line that breaks a rule (or cannot read the file at all), nothing of it is kept and the
// file goes through the line-by-line reader, which reports each reject with its line number. The test
// `fast-geodvf.test.ts` checks that both paths write exactly the same lake from the real files.
import type { DuckDBConnection } from '@duckdb/node-api';
import { LAKE_COLUMNS } from '../model.ts';
import { sqlString } from '../lake.ts';

const v = (col: string, header: Set<string>) => (header.has(col) ? `"${col.replace(/"/g, '""')}"` : 'NULL');
/**
 * JavaScript's clean() for a cell without tabs or line breaks (a cell with one sends the file to the line-by-line
 * reader, see `controlChars`): trimmed, empty becomes NULL as in the staging file.
 */
const cleanSql = (x: string) => `NULLIF(trim(coalesce(${x}, '')), '')`;
const controlChars = (x: string) => `(contains(${x}, chr(9)) OR contains(${x}, chr(10)) OR contains(${x}, chr(13)))`;
const t = (x: string) => `trim(coalesce(${x}, ''))`;

const DECIMAL_RE = `'-?(\\d+|\\d*[.,]\\d+)'`;

// TRY_CAST everywhere: SQL does not promise to stop at the first false operand of AND.
function decimalOk(x: string, nonNegative: boolean) {
  const n = `TRY_CAST(replace(${t(x)}, ',', '.') AS DOUBLE)`;
  return `(${t(x)} = '' OR (regexp_full_match(${t(x)}, ${DECIMAL_RE}) AND ${n} IS NOT NULL${nonNegative ? ` AND ${n} >= 0` : ''}))`;
}
const decimalVal = (x: string) => `CASE WHEN ${t(x)} = '' THEN NULL ELSE TRY_CAST(replace(${t(x)}, ',', '.') AS DOUBLE) END`;
const intOk = (x: string) => `(${t(x)} = '' OR regexp_full_match(${t(x)}, '\\d{1,9}'))`;
const intVal = (x: string) => `CASE WHEN ${t(x)} = '' THEN NULL ELSE TRY_CAST(${t(x)} AS INTEGER) END`;
const communeSql = (x: string) => `CASE WHEN regexp_full_match(upper(${t(x)}), '\\d{4}') THEN '0' || upper(${t(x)}) ELSE upper(${t(x)}) END`;

/** A DuckDB relation of normalised lines, and a predicate true for any line that breaks a rule. */
export function geodvfSql(file: string, header: string[], gzip: boolean) {
  const h = new Set(header);
  const columns = `{${header.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ')}}`;
  const source = `read_csv(${sqlString(file)}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false,
    columns = ${columns}, compression = '${gzip ? 'gzip' : 'none'}', encoding = 'utf-8', strict_mode = true, null_padding = false)`;
  const c = (name: string) => v(name, h);
  const code = communeSql(c('code_commune'));
  const date = `TRY_CAST(${t(c('date_mutation'))} AS DATE)`;
  const amounts = ['valeur_fonciere', 'lot1_surface_carrez', 'lot2_surface_carrez', 'lot3_surface_carrez', 'lot4_surface_carrez', 'lot5_surface_carrez', 'surface_reelle_bati', 'surface_terrain'];
  const integers = ['numero_disposition', 'nombre_lots', 'nombre_pieces_principales', 'code_type_local'];
  const textColumns = LAKE_COLUMNS.filter(([col, type]) => type === 'VARCHAR' && h.has(col)).map(([col]) => c(col));
  const bad = [
    ...textColumns.map(controlChars),
    ...['id_mutation', 'nature_mutation', 'id_parcelle'].map((n) => `${cleanSql(c(n))} IS NULL`),
    `NOT regexp_full_match(${t(c('date_mutation'))}, '\\d{4}-\\d{2}-\\d{2}')`,
    `${date} IS NULL`,
    `year(${date}) NOT BETWEEN 1900 AND 2199`,
    `NOT regexp_full_match(${code}, '(\\d{2}|2A|2B)\\d{3}')`,
    ...amounts.map((n) => `NOT ${decimalOk(c(n), true)}`),
    ...['longitude', 'latitude'].map((n) => `NOT ${decimalOk(c(n), false)}`),
    ...integers.map((n) => `NOT ${intOk(c(n))}`),
    `(${t(c('code_type_local'))} <> '' AND coalesce(TRY_CAST(${t(c('code_type_local'))} AS INTEGER) NOT BETWEEN 1 AND 4, true))`,
  ]
    .map((b) => `coalesce(${b}, true)`)
    .join(' OR ');
  const expr: Record<string, string> = {
    id_mutation: cleanSql(c('id_mutation')),
    date_mutation: date,
    nature_mutation: cleanSql(c('nature_mutation')),
    code_commune: code,
    code_commune_parent: `CASE WHEN regexp_full_match(${code}, '751(0[1-9]|1\\d|20)') THEN '75056'
      WHEN regexp_full_match(${code}, '6938[1-9]') THEN '69123'
      WHEN regexp_full_match(${code}, '132(0[1-9]|1[0-6])') THEN '13055' ELSE ${code} END`,
    departement: `CASE WHEN starts_with(${code}, '97') THEN left(${code}, 3) ELSE left(${code}, 2) END`,
    annee: `CAST(year(${date}) AS INTEGER)`,
    longitude: decimalVal(c('longitude')),
    latitude: decimalVal(c('latitude')),
  };
  for (const n of amounts) expr[n] = decimalVal(c(n));
  for (const n of integers) expr[n] = intVal(c(n));
  const select = LAKE_COLUMNS.map(([col, type]) => {
    const e = expr[col] ?? cleanSql(c(col));
    return `CAST(${e} AS ${type}) AS ${col}`;
  }).join(',\n    ');
  return { source, select, bad };
}

export interface FastResult {
  lines: number;
  parquet: string;
  communeYears: string[];
  partitions: { departement: string; annee: number; lines: number }[];
}

/** Runs the fast path; undefined when the file must go through the line-by-line reader instead. */
export async function importGeodvfFast(
  conn: DuckDBConnection,
  file: string,
  header: string[],
  gzip: boolean,
  target: string,
): Promise<FastResult | undefined> {
  const { source, select, bad } = geodvfSql(file, header, gzip);
  try {
    // One pass: the lines and, beside each, whether it breaks a rule. Input order is kept (a published file is
    // grouped by département) so that the merge, which reads one département at a time, skips the other row groups.
    await conn.run('SET preserve_insertion_order = true');
    await conn.run(
      `COPY (SELECT ${select}, (${bad}) AS _faulty FROM ${source}) TO ${sqlString(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 20000)`,
    );
    const faulty = Number((await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(target)}) WHERE _faulty`)).getRows()[0][0]);
    if (faulty > 0) return undefined;
  } catch {
    // Unreadable for DuckDB (bad encoding, unbalanced quotes, wrong column count…): the slow path will say why.
    return undefined;
  } finally {
    await conn.run('SET preserve_insertion_order = false');
  }
  const parts = (
    await conn.runAndReadAll(`SELECT departement, annee, count(*) AS n FROM read_parquet(${sqlString(target)}) GROUP BY ALL ORDER BY ALL`)
  ).getRowObjects();
  const cy = (
    await conn.runAndReadAll(`SELECT DISTINCT code_commune || ':' || annee AS k FROM read_parquet(${sqlString(target)}) ORDER BY 1`)
  ).getRows();
  const partitions = parts.map((p) => ({ departement: String(p.departement), annee: Number(p.annee), lines: Number(p.n) }));
  return { lines: partitions.reduce((n, p) => n + p.lines, 0), parquet: target, communeYears: cy.map((r) => String(r[0])), partitions };
}
