// The SQL that DuckDB runs on a DVF file during an import: typed reading, normalisation, the line rules and the
// partition keys, written once here and used by import.ts. DuckDB parses and casts the CSV natively (about ten
// times faster than doing it in Node, see docs/benchmarks.md); the rules below are the same as the Node mappers of
// formats.ts, which are kept to explain a rejected line (its line number, column, value and French message) and
// for the raw DGFiP layout, whose mutation ids depend on line order. A property test checks the two agree.
import { sqlString } from '../../../platform/lake.ts';
import { COMMUNE_CODE } from '../../territory/index.ts';
import { LAKE_COLUMNS, type ArrondissementParents } from '../model.ts';

/** Column types DuckDB casts the geo-DVF cells to; a cell that does not cast is a reject with its line number. */
const GEODVF_TYPES: Record<string, string> = {
  date_mutation: 'DATE',
  valeur_fonciere: 'DOUBLE',
  lot1_surface_carrez: 'DOUBLE',
  lot2_surface_carrez: 'DOUBLE',
  lot3_surface_carrez: 'DOUBLE',
  lot4_surface_carrez: 'DOUBLE',
  lot5_surface_carrez: 'DOUBLE',
  surface_reelle_bati: 'DOUBLE',
  surface_terrain: 'DOUBLE',
  longitude: 'DOUBLE',
  latitude: 'DOUBLE',
};

/** The rule and French message of a cell DuckDB could not cast, by the column's type. */
export function castRule(column: string): { rule: string; message: string } {
  switch (GEODVF_TYPES[column]) {
    case 'DATE':
      return { rule: 'date_invalide', message: "date attendue au format AAAA-MM-JJ, et qui existe" };
    default:
      return { rule: 'nombre_invalide', message: "ce n'est pas un nombre décimal" };
  }
}

/** A staging column holding the rejected rule (`rule:column`) of a line that failed a rule after casting. */
export const MOTIF = 'reject_rule';
/**
 * A column of an import's files: true on the originals of a repeated line in the files written before the single
 * reading (their distinct copy is kept apart). Since then it is always false, and the repeated lines of an import are
 * listed in its folder (REPEATS_FILE): the flag stays so that a lake of either kind reads the same way.
 */
export const REPEATED = 'repeated';
/** The lines of an import's files that are in the lake, as far as their own flags tell: not rejected, not a flagged original. */
export const LIVE_LINE = `${MOTIF} IS NULL AND ${REPEATED} IS NOT TRUE`;
/**
 * The repeated lines of an import, under its folder (not a partition: the lake's listing skips it): the commune, year
 * and `line_hash` of every line whose hash repeats in the import. Readers leave these lines of the import's files out
 * (their distinct copies are in `distinctes.parquet`, without a hash). Commune and year make it exact across folders:
 * no two live folders hold the same commune-year.
 */
export const REPEATS_FILE = ['repetees', 'empreintes.parquet'] as const;

const COLS = LAKE_COLUMNS.map(([c]) => c);
/** The normalised columns of a line, without the partition keys (computed from them). */
const LINE_COLS = COLS.filter((c) => c !== 'departement' && c !== 'annee');

/** read_csv of one geo-DVF file, each column of its own header typed (unknown extra columns stay text). */
export function geodvfReader(
  file: string,
  header: string[],
  o: { encoding: 'utf-8' | 'latin-1'; rejects: boolean },
): string {
  const columns = header.map((h) => `${sqlString(h)}: '${GEODVF_TYPES[h] ?? 'VARCHAR'}'`).join(', ');
  const errors = o.rejects ? 'store_rejects = true, rejects_limit = 100000' : 'ignore_errors = true';
  return `read_csv(${sqlString(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    encoding = '${o.encoding}', compression = 'none', columns = {${columns}}, ${errors})`;
}

/** read_csv of a staging file written by the Node mapper (raw DGFiP layout): already the lake's columns. */
export function stagedReader(file: string): string {
  const columns = LAKE_COLUMNS.map(([c, t]) => `'${c}': '${t}'`).join(', ');
  return `read_csv(${sqlString(file)}, delim = '\t', header = false, quote = '', escape = '', nullstr = '', auto_detect = false, columns = {${columns}})`;
}

const text = (c: string, header: Set<string>) => (header.has(c) ? `nullif(trim(${c}), '')` : 'CAST(NULL AS VARCHAR)');
const typed = (c: string, header: Set<string>, t: string) => (header.has(c) ? `CAST(${c} AS ${t})` : `CAST(NULL AS ${t})`);

/** Arrondissements roll up to their commune, from the COG (as parentCommune in model.ts). */
const parentSql = (parents: ArrondissementParents) =>
  parents.size ? `CASE code_commune ${[...parents].map(([a, c]) => `WHEN ${sqlString(a)} THEN ${sqlString(c)}`).join(' ')} ELSE code_commune END` : 'code_commune';

/** The territory's commune-code pattern, for DuckDB's regexp_full_match (RE2: no anchors needed). */
const COMMUNE_CODE_SQL = sqlString(COMMUNE_CODE.source.replace(/^\^|\$$/g, ''));

/**
 * Whole numbers are read as text and checked here like parseInteger (1 to 9 digits): DuckDB's cast would round
 * `1.5` to 2 instead of refusing it.
 */
const INTEGER_COLUMNS = ['numero_disposition', 'nombre_lots', 'code_type_local', 'nombre_pieces_principales'];
const rawInteger = (c: string) => `${c}__texte`;
/**
 * The first rule a cast line breaks, as `rule:column`, in the order the Node mapper checks them (formats.ts),
 * or NULL for a good line. Cells that do not cast never get here: DuckDB rejects them with their line number.
 */
const RULES: [string, string][] = [
  [`code_commune IS NULL OR NOT regexp_full_match(code_commune, ${COMMUNE_CODE_SQL})`, 'code_commune_invalide:code_commune'],
  [`date_mutation IS NULL OR NOT isfinite(date_mutation) OR year(date_mutation) NOT BETWEEN 1900 AND 2199`, 'date_invalide:date_mutation'],
  ['id_mutation IS NULL', 'valeur_manquante:id_mutation'],
  integerRule('numero_disposition'),
  ['nature_mutation IS NULL', 'valeur_manquante:nature_mutation'],
  ...amountRules('valeur_fonciere'),
  ['id_parcelle IS NULL', 'valeur_manquante:id_parcelle'],
  ...[1, 2, 3, 4, 5].flatMap((i) => amountRules(`lot${i}_surface_carrez`)),
  integerRule('nombre_lots'),
  integerRule('code_type_local'),
  ['code_type_local NOT BETWEEN 1 AND 4', 'code_type_local_invalide:code_type_local'],
  ...amountRules('surface_reelle_bati'),
  integerRule('nombre_pieces_principales'),
  ...amountRules('surface_terrain'),
  ['NOT isfinite(longitude)', 'nombre_invalide:longitude'],
  ['NOT isfinite(latitude)', 'nombre_invalide:latitude'],
];
/** A cell that is not 1 to 9 digits: the cast (geodvfLines) gave NULL; 9 digits always fit an INTEGER. No second regex. */
function integerRule(c: string): [string, string] {
  return [`${rawInteger(c)} IS NOT NULL AND ${c} IS NULL`, `entier_invalide:${c}`];
}
function amountRules(c: string): [string, string][] {
  return [
    [`NOT isfinite(${c})`, `nombre_invalide:${c}`],
    [`${c} < 0`, `nombre_negatif:${c}`],
  ];
}

/** The lines of a geo-DVF file in the lake's columns, plus the rule they break (NULL when none). */
export function geodvfLines(reader: string, headerFields: string[], parents: ArrondissementParents): string {
  const h = new Set(headerFields);
  const select = LINE_COLS.map((c) => {
    const t = LAKE_COLUMNS.find(([n]) => n === c)![1];
    if (c === 'code_commune_parent') return `${parentSql(parents)} AS ${c}`;
    if (c === 'code_commune') return `${c}`;
    if (INTEGER_COLUMNS.includes(c)) {
      return `${text(c, h)} AS ${rawInteger(c)}, TRY_CAST(CASE WHEN regexp_full_match(${text(c, h)}, '\\d{1,9}') THEN ${text(c, h)} END AS INTEGER) AS ${c}`;
    }
    return `${t === 'VARCHAR' ? text(c, h) : typed(c, h, t)} AS ${c}`;
  });
  // A spreadsheet may drop the leading zero of a commune code: 4 digits get it back (normaliseCommuneCode). The length
  // first: the regex then runs on those few cells only.
  const commune = h.has('code_commune')
    ? `CASE WHEN length(trim(code_commune)) = 4 AND regexp_full_match(trim(code_commune), '\\d{4}') THEN '0' || trim(code_commune) ELSE nullif(upper(trim(code_commune)), '') END`
    : 'CAST(NULL AS VARCHAR)';
  const normalised = `SELECT ${select.join(', ')} FROM (SELECT * REPLACE (${commune} AS code_commune) FROM ${reader})`;
  const checked = `SELECT *, CASE ${RULES.map(([cond, motif]) => `WHEN ${cond} THEN '${motif}'`).join(' ')} END AS ${MOTIF}, ${LINE_HASH_SQL} AS ${LINE_HASH} FROM (${normalised})`;
  return `SELECT * EXCLUDE (${INTEGER_COLUMNS.map(rawInteger).join(', ')}) FROM (${checked})`;
}

/** The lines of a staged file written by the Node mapper: already normalised and checked. */
export function stagedLines(reader: string): string {
  return `SELECT ${LINE_COLS.join(', ')}, CAST(NULL AS VARCHAR) AS ${MOTIF}, ${LINE_HASH_SQL} AS ${LINE_HASH} FROM ${reader}`;
}

/** The columns that tell the lines of one mutation apart. */
const KEY_COLUMNS = ['id_mutation', 'id_parcelle', 'numero_volume', 'lot1_numero', 'code_type_local', 'surface_reelle_bati', 'code_nature_culture', 'code_nature_culture_speciale', 'surface_terrain'];

/**
 * A hash of the columns that tell the lines of one mutation apart, computed from the normalised line in the one
 * reading of the file. Two equal lines have equal keys, so a line whose key hash appears once in the import has no
 * duplicate; the few lines whose key hash repeats are compared on every column (DISTINCT). A missing column is NULL
 * once normalised, as an empty cell is: they hash alike.
 */
export const LINE_HASH_SQL = `hash(${KEY_COLUMNS.join(', ')})`;

/** The column of a source's lines holding their hash (LINE_HASH_SQL). */
export const LINE_HASH = 'line_hash';

/** The département of a commune code (departementOf in model.ts). */
export const DEPARTEMENT = `CASE WHEN code_commune LIKE '97%' THEN code_commune[1:3] ELSE code_commune[1:2] END`;

/**
 * Writes every line of one source to one Parquet file of the import's folder (decision 0008), in the one reading of
 * the file: a line that breaks a rule keeps its rule in REJECT_RULE, and every line keeps its LINE_HASH, from which the
 * repeated lines are found afterwards in the written files (stage.ts). One unpartitioned write: even three partitions
 * (lines, rejects, repeats) cost DuckDB's writer a third more CPU than one file (docs/benchmarks.md), and rejects and
 * repeats are a few lines in a hundred.
 */
export function stageLines(lines: string, file: string): string {
  return `COPY (
      SELECT *, ${DEPARTEMENT} AS departement, CASE WHEN ${MOTIF} IS NULL THEN year(date_mutation) END AS annee, false AS ${REPEATED}
      FROM (${lines})
    ) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`;
}

/** The staged columns, in lake order, then the rule column (all lake files share this schema). */
export const STAGED_COLUMNS = [...COLS, MOTIF];
