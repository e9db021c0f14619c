// The lake queries of the portal's period page and search (market/explore.ts): the months the lake holds, the
// mutations of a period one row each (the sales on the map, with their parcel), and the streets of the DVF
// addresses. The figures themselves come from store.ts (`figures`, `selectedSales`: the one selection of sales).
import type { LakeReader } from '../../platform/lake.ts';
import type { LatestSale } from './contract.ts';
import { departementOf } from './model.ts';
import { dvfLines, MUTATION_SUMMARY } from './store.ts';

/** The months with at least one sale in these départements (`YYYY-MM`), oldest first: the edition's months. */
export async function monthsInLake(lake: LakeReader, departements: string[]): Promise<string[]> {
  const rows = await lake.query<{ m: string }>(`SELECT DISTINCT strftime(date_mutation, '%Y-%m') AS m FROM ${dvfLines(lake.dir, { departements })} ORDER BY m`);
  return rows.map((r) => String(r.m));
}

/** A mutation as the map lists it: the latest-sales row plus its parcel, lot, street and position. */
export interface PeriodMutation extends LatestSale {
  id_parcelle: string | null;
  lot: string | null;
  street: string | null;
  postal_code: string | null;
  longitude: number | null;
  latitude: number | null;
}

const MUTATION_COLUMNS = `${MUTATION_SUMMARY},
      min(id_parcelle) AS id_parcelle, min(lot1_numero) FILTER (WHERE code_type_local IN (1, 2, 4)) AS lot,
      min(adresse_nom_voie) AS street, min(code_postal) AS postal_code, avg(longitude) AS longitude, avg(latitude) AS latitude`;

function mutationRow(r: Record<string, unknown>): PeriodMutation {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    id_mutation: String(r.id_mutation),
    date_mutation: String(r.date_mutation),
    nature_mutation: String(r.nature_mutation),
    valeur_fonciere: num(r.valeur_fonciere),
    code_commune: String(r.code_commune),
    section: String(r.section),
    lines_count: Number(r.lines_count),
    houses_count: Number(r.houses_count),
    flats_count: Number(r.flats_count),
    outbuildings_count: Number(r.outbuildings_count),
    premises_count: Number(r.premises_count),
    surface_reelle_bati: num(r.surface_reelle_bati),
    nombre_pieces_principales: num(r.nombre_pieces_principales),
    surface_terrain: num(r.surface_terrain),
    id_parcelle: str(r.id_parcelle),
    lot: str(r.lot),
    street: str(r.street),
    postal_code: str(r.postal_code),
    longitude: num(r.longitude),
    latitude: num(r.latitude),
  };
}

/** How many mutations a period's list reads at the most (newest first). */
export const MAX_PERIOD_SALES = 3000;

/**
 * The mutations of these communes in a range of months (all months when not given), newest first; `parcels` keeps
 * those touching these parcels (the other sales of a sold parcel, any year); `street` those of a street (search).
 */
export async function periodMutations(
  lake: LakeReader,
  q: { communes: string[]; months?: { from: string; to: string }; parcels?: string[]; street?: string; limit?: number },
): Promise<PeriodMutation[]> {
  const deps = [...new Set(q.communes.map(departementOf))];
  const years = q.months ? { from: Number(q.months.from.slice(0, 4)), to: Number(q.months.to.slice(0, 4)) } : {};
  const where = [
    '(list_contains($communes, code_commune_parent) OR list_contains($communes, code_commune))',
    q.months ? `strftime(date_mutation, '%Y-%m') BETWEEN $month_from AND $month_to` : '',
    // Parcels and streets select whole mutations (every line of a mutation that touches them).
    q.parcels ? 'id_mutation IN (SELECT id_mutation FROM l WHERE list_contains($parcels, id_parcelle))' : '',
    q.street ? 'id_mutation IN (SELECT id_mutation FROM l WHERE adresse_nom_voie = $street)' : '',
  ].filter(Boolean);
  const rows = await lake.query<Record<string, unknown>>(
    `WITH l AS (SELECT * FROM ${dvfLines(lake.dir, { departements: deps, ...years })})
    SELECT ${MUTATION_COLUMNS} FROM l WHERE ${where.join(' AND ')}
    GROUP BY id_mutation ORDER BY min(date_mutation) DESC, id_mutation DESC LIMIT $limit`,
    {
      communes: q.communes,
      limit: Math.min(q.limit ?? MAX_PERIOD_SALES, MAX_PERIOD_SALES),
      ...(q.months ? { month_from: q.months.from, month_to: q.months.to } : {}),
      ...(q.parcels ? { parcels: q.parcels } : {}),
      ...(q.street ? { street: q.street } : {}),
    },
  );
  return rows.map(mutationRow);
}

/** Streets of the DVF addresses of these communes whose name contains every word asked (accents and case aside). */
export async function findStreets(lake: LakeReader, communes: string[], words: string[], limit = 20) {
  if (!words.length || !communes.length) return [];
  const deps = [...new Set(communes.map(departementOf))];
  const rows = await lake.query<{ street: string; commune: string; postal_code: string | null; sales_count: number }>(
    `SELECT adresse_nom_voie AS street, code_commune_parent AS commune, min(code_postal) AS postal_code, count(DISTINCT id_mutation) AS sales_count
    FROM ${dvfLines(lake.dir, { departements: deps })}
    WHERE list_contains($communes, code_commune_parent) AND adresse_nom_voie IS NOT NULL
      AND list_bool_and(list_transform($words, w -> contains(strip_accents(lower(adresse_nom_voie)), w)))
    GROUP BY ALL ORDER BY sales_count DESC, street LIMIT $limit`,
    { communes, words, limit },
  );
  return rows.map((r) => ({ street: String(r.street), commune: String(r.commune), postal_code: r.postal_code, sales_count: Number(r.sales_count) }));
}
