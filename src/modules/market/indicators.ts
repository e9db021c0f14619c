// Market indicators computed by DuckDB over the DVF lake. The SQL follows the rules documented in docs/market.md;
// `etalab` reproduces data.gouv.fr's « Statistiques DVF » method, `habitat` is ours (see model.ts `Method`).
import {
  LAND_NATURES,
  MAX_PRICE_PER_M2,
  PROPERTY_TYPES,
  SALE_NATURES,
  cellKey,
  countsOf,
  departementOf,
  protectYears,
  publicIndicator,
  yearsOf,
  type IndicatorRow,
  type Method,
  type Period,
  type PropertyType,
  type PublicIndicator,
} from './model.ts';
import type { Status } from '../../platform/secrecy.ts';
import { listPartitionFiles, sqlString } from './lake.ts';
import { LAKE_COLUMNS } from './model.ts';

/** Where to compute: one geographic unit, given by the communes or the code it covers. */
export type Scope =
  | { niveau: 'commune'; code: string }
  | { niveau: 'section'; code: string }
  | { niveau: 'departement'; code: string }
  /** EPCI or the instance's territory: the member communes come from the store (commune.epci_siren). */
  | { niveau: 'epci' | 'territoire'; code: string; communes: string[] };

export interface IndicatorQuery {
  scope: Scope;
  periode: Period;
  types: PropertyType[];
  methode: Method;
  /** Inclusive year bounds. */
  debut?: number;
  fin?: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: Record<string, unknown> | unknown[]): Promise<T[]>;
}

function scopeDepartements(scope: Scope): string[] {
  switch (scope.niveau) {
    case 'commune':
      return [departementOf(scope.code)];
    case 'section':
      return [departementOf(scope.code.slice(0, 5))];
    case 'departement':
      return [scope.code];
    default:
      return [...new Set(scope.communes.map(departementOf))];
  }
}

const list = (xs: string[]) => (xs.length ? xs.map(sqlString).join(', ') : 'NULL');

/** Lines of the partitions of these départements and years (file pruning: untouched partitions are not opened). */
export function linesOf(lakeDir: string, departements: string[], debut?: number, fin?: number): string {
  const wanted = new Set(departements);
  const files = listPartitionFiles(lakeDir).filter((f) => {
    const m = /departement=([^/]+)\/annee=(\d+)\//.exec(f);
    if (!m || !wanted.has(m[1])) return false;
    const y = Number(m[2]);
    return (debut === undefined || y >= debut) && (fin === undefined || y <= fin);
  });
  if (!files.length) return `(SELECT ${LAKE_COLUMNS.map(([c, t]) => `CAST(NULL AS ${t}) AS ${c}`).join(', ')} WHERE false)`;
  return `read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false, union_by_name = true)`;
}

/** SQL predicate on a line (columns code_commune, code_commune_parent, id_parcelle, departement). */
function geoPredicate(scope: Scope): string {
  switch (scope.niveau) {
    case 'commune':
      // A city with arrondissements is asked by its own code and gathers them; an arrondissement alone also works.
      return `(code_commune = ${sqlString(scope.code)} OR code_commune_parent = ${sqlString(scope.code)})`;
    case 'section':
      return `left(id_parcelle, 10) = ${sqlString(scope.code)}`;
    case 'departement':
      return `departement = ${sqlString(scope.code)}`;
    default:
      return `code_commune_parent IN (${list(scope.communes)})`;
  }
}

const TYPE_CODES: Record<Exclude<PropertyType, 'terrain_a_batir'>, number[]> = {
  maison: [1],
  appartement: [2],
  maison_appartement: [1, 2],
  local: [4],
};

/** With `yearsAndMonths`, one pass gives both the yearly and the monthly rows (periode `2021` and `2021-03`). */
export function indicatorSql(lakeDir: string, q: IndicatorQuery, opts: { yearsAndMonths?: boolean } = {}): string {
  const rel = linesOf(lakeDir, scopeDepartements(q.scope), q.debut, q.fin);
  const periode = q.periode === 'mois' || opts.yearsAndMonths ? `strftime(date_mutation, '%Y-%m')` : `CAST(year(date_mutation) AS VARCHAR)`;
  const round = q.methode === 'etalab' ? (x: string) => `round_even(${x}, 0)` : (x: string) => `round(${x}, 0)`;
  // A house on a parcel with two cultures (sol + jardin) is published on two lines: both methods collapse lines
  // that describe the same premises. Etalab compares only the columns it reads, so two identical flats of one
  // building sold together also collapse into one (and the sale looks like a single flat at twice the price);
  // ours also compares the lot number, so such a sale stays a multi-property sale and is left out.
  const premises = 'id_mutation, date_mutation, departement, code_commune, code_commune_parent, id_parcelle, nature_mutation, code_type_local, type_local, valeur_fonciere, surface_reelle_bati';
  const dedup = q.methode === 'etalab' ? `SELECT DISTINCT ${premises} FROM lines` : `SELECT DISTINCT ${premises}, lot1_numero FROM lines`;
  const built = q.types.filter((t): t is Exclude<PropertyType, 'terrain_a_batir'> => t !== 'terrain_a_batir');
  const parts: string[] = built.map(
    (t) => `SELECT ${sqlString(t)} AS type, periode, prix_m2, valeur_fonciere FROM priced WHERE code_type_local IN (${TYPE_CODES[t].join(', ')})`,
  );
  if (q.types.includes('terrain_a_batir')) {
    parts.push(`SELECT 'terrain_a_batir' AS type, periode, prix_m2, valeur_fonciere FROM land`);
  }
  if (!parts.length) throw new Error('Aucun type de bien demandé.');
  const years = [q.debut !== undefined ? `year(date_mutation) >= ${Number(q.debut)}` : '', q.fin !== undefined ? `year(date_mutation) <= ${Number(q.fin)}` : '']
    .filter(Boolean)
    .join(' AND ');
  return `
WITH lines AS (SELECT * FROM ${rel} ${years ? `WHERE ${years}` : ''}),
dedup AS (${dedup}),
ventes AS (
  SELECT * FROM dedup
  WHERE nature_mutation IN (${list(SALE_NATURES)}) AND code_type_local IN (1, 2, 4)
),
-- Sales of a single property: mutations with exactly one house, flat or commercial premises line
-- (outbuildings and land lines do not count). Counted over whole partitions, before the geographic filter.
mono AS (SELECT * FROM ventes QUALIFY count(*) OVER (PARTITION BY id_mutation) = 1),
priced AS (
  SELECT ${periode} AS periode, code_type_local, valeur_fonciere, valeur_fonciere / surface_reelle_bati AS prix_m2
  FROM mono
  WHERE valeur_fonciere IS NOT NULL AND surface_reelle_bati IS NOT NULL AND surface_reelle_bati <> 0
    AND valeur_fonciere / surface_reelle_bati < ${MAX_PRICE_PER_M2}
    AND ${geoPredicate(q.scope)}
),
-- Building land: mutations with no built premises at all and land declared « terrain à bâtir ».
land_mutations AS (
  SELECT id_mutation, min(date_mutation) AS date_mutation, any_value(valeur_fonciere) AS valeur_fonciere,
         sum(surface_terrain) AS surface, min(code_commune) AS code_commune, min(code_commune_parent) AS code_commune_parent,
         min(id_parcelle) AS id_parcelle, min(departement) AS departement
  FROM lines
  WHERE nature_mutation IN (${list(LAND_NATURES)})
  GROUP BY id_mutation
  HAVING count(code_type_local) = 0
     AND (bool_or(code_nature_culture = 'AB') OR bool_or(nature_mutation = 'Vente terrain à bâtir'))
),
land AS (
  SELECT ${periode} AS periode, valeur_fonciere, valeur_fonciere / surface AS prix_m2
  FROM land_mutations
  WHERE valeur_fonciere IS NOT NULL AND surface > 0 AND valeur_fonciere / surface < ${MAX_PRICE_PER_M2}
    AND ${geoPredicate(q.scope)}
),
picked AS (${parts.join('\nUNION ALL\n')})
SELECT type, periode, count(*) AS nb_ventes,
  ${round('quantile_cont(prix_m2, 0.25)')} AS prix_m2_q1,
  ${round('median(prix_m2)')} AS prix_m2_median,
  ${round('quantile_cont(prix_m2, 0.75)')} AS prix_m2_q3,
  ${round('median(valeur_fonciere)')} AS prix_median
FROM ${opts.yearsAndMonths ? `(SELECT type, periode, prix_m2, valeur_fonciere FROM picked UNION ALL SELECT type, left(periode, 4), prix_m2, valeur_fonciere FROM picked)` : 'picked'}
GROUP BY type, periode
ORDER BY periode, type`;
}

export async function computeIndicators(lake: Queryable & { dir: string }, q: IndicatorQuery, opts: { yearsAndMonths?: boolean } = {}): Promise<IndicatorRow[]> {
  const rows = await lake.query<Omit<IndicatorRow, 'code'>>(indicatorSql(lake.dir, q, opts));
  const order = new Map(q.types.map((t, i) => [t, i]));
  return rows
    .map((r) => ({
      code: q.scope.code,
      periode: String(r.periode),
      type: r.type,
      nb_ventes: Number(r.nb_ventes),
      prix_m2_q1: Number(r.prix_m2_q1),
      prix_m2_median: Number(r.prix_m2_median),
      prix_m2_q3: Number(r.prix_m2_q3),
      prix_median: Number(r.prix_median),
    }))
    .sort((a, b) => a.periode.localeCompare(b.periode) || (order.get(a.type)! - order.get(b.type)!));
}

export interface SaleRow {
  id_mutation: string;
  date_mutation: string;
  nature_mutation: string;
  valeur_fonciere: number | null;
  code_commune: string;
  section: string;
  nb_lignes: number;
  nb_maisons: number;
  nb_appartements: number;
  nb_dependances: number;
  nb_locaux: number;
  surface_reelle_bati: number | null;
  nombre_pieces_principales: number | null;
  surface_terrain: number | null;
}

const MAX_SALES_READ = 5000;

/** The latest mutations of a commune, one row each; no address, no parcel number (see docs/market.md). */
export async function latestSales(lake: Queryable & { dir: string }, commune: string, limit: number): Promise<SaleRow[]> {
  const rel = linesOf(lake.dir, [departementOf(commune)]);
  const rows = await lake.query<any>(`
    SELECT id_mutation, strftime(min(date_mutation), '%Y-%m-%d') AS date_mutation, any_value(nature_mutation) AS nature_mutation,
      any_value(valeur_fonciere) AS valeur_fonciere, min(code_commune) AS code_commune, min(left(id_parcelle, 10)) AS section,
      count(*) AS nb_lignes,
      count(*) FILTER (WHERE code_type_local = 1) AS nb_maisons,
      count(*) FILTER (WHERE code_type_local = 2) AS nb_appartements,
      count(*) FILTER (WHERE code_type_local = 3) AS nb_dependances,
      count(*) FILTER (WHERE code_type_local = 4) AS nb_locaux,
      sum(surface_reelle_bati) FILTER (WHERE code_type_local IN (1, 2)) AS surface_reelle_bati,
      sum(nombre_pieces_principales) FILTER (WHERE code_type_local IN (1, 2)) AS nombre_pieces_principales,
      sum(surface_terrain) AS surface_terrain
    FROM ${rel}
    WHERE code_commune = ${sqlString(commune)} OR code_commune_parent = ${sqlString(commune)}
    GROUP BY id_mutation
    ORDER BY date_mutation DESC, id_mutation DESC
    LIMIT ${Math.max(1, Math.min(MAX_SALES_READ, Math.floor(limit)))}`);
  return rows.map((r) => ({
    ...r,
    valeur_fonciere: r.valeur_fonciere === null ? null : Number(r.valeur_fonciere),
    surface_reelle_bati: r.surface_reelle_bati === null ? null : Number(r.surface_reelle_bati),
    nombre_pieces_principales: r.nombre_pieces_principales === null ? null : Number(r.nombre_pieces_principales),
    surface_terrain: r.surface_terrain === null ? null : Number(r.surface_terrain),
  }));
}

/**
 * The latest sales of a commune that are behind no withheld figure (`withheld` says which are): a list that gave the
 * four flats of a year whose flat count is withheld would give the count and the median back. Reads further back
 * until `limit` sales are kept or the commune has no more.
 */
export async function listableSales(lake: Queryable & { dir: string }, commune: string, limit: number, withheld: (s: SaleRow) => boolean): Promise<SaleRow[]> {
  for (let read = limit * 4; ; read *= 4) {
    const rows = await latestSales(lake, commune, Math.min(read, MAX_SALES_READ));
    const kept = rows.filter((s) => !withheld(s));
    if (kept.length >= limit || rows.length < Math.min(read, MAX_SALES_READ) || read >= MAX_SALES_READ) return kept.slice(0, limit);
  }
}

/** An area's yearly and monthly figures of every type, and the secrecy status of each (model.ts `protectYears`). */
export async function protectedArea(
  lake: Queryable & { dir: string },
  q: { scope: Scope; methode: Method; debut?: number; fin?: number },
  minCount: number,
): Promise<{ yearly: IndicatorRow[]; monthly: IndicatorRow[]; counts: Map<string, number>; status: Map<string, Status> }> {
  const rows = await computeIndicators(lake, { ...q, periode: 'mois', types: PROPERTY_TYPES }, { yearsAndMonths: true });
  const yearly = rows.filter((r) => r.periode.length === 4);
  const monthly = rows.filter((r) => r.periode.length > 4);
  const counts = countsOf([...yearly, ...monthly]);
  return { yearly, monthly, counts, status: protectYears(counts, yearsOf(yearly), minCount) };
}

/**
 * Indicator rows as published. Every type and month of the years asked is computed and protected together, so a row
 * has the same secrecy whichever types and period are asked.
 */
export async function publishedIndicators(lake: Queryable & { dir: string }, q: IndicatorQuery, minCount: number): Promise<PublicIndicator[]> {
  const area = await protectedArea(lake, q, minCount);
  const order = new Map(q.types.map((t, i) => [t, i]));
  return (q.periode === 'mois' ? area.monthly : area.yearly)
    .filter((r) => order.has(r.type))
    .sort((a, b) => a.periode.localeCompare(b.periode) || order.get(a.type)! - order.get(b.type)!)
    .map((r) => publicIndicator(r, area.status.get(cellKey(r.type, r.periode)) ?? 'primary', minCount));
}

/** What the lake holds: lines and mutations per partition. */
export async function lakeContents(lake: Queryable & { dir: string }) {
  const files = listPartitionFiles(lake.dir);
  if (!files.length) return [];
  return lake.query<{ departement: string; annee: number; lignes: number; mutations: number }>(`
    SELECT departement, annee, count(*) AS lignes, count(DISTINCT id_mutation) AS mutations
    FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false, union_by_name = true)
    GROUP BY ALL ORDER BY departement, annee`);
}
