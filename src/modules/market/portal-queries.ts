// Lake and store reads the portal needs beyond the market module's own (indicators.ts): figures for every commune
// of a territory in one pass (the map), per cadastral section (drill-down), the prices behind a distribution,
// sale points, and the date of the data. The sale selection is the one of indicators.ts `indicatorSql`, step for
// step; portal-routes.test.ts checks that both give the same figures for every commune.
import { existsSync, statSync } from 'node:fs';
import type { Db } from '../../platform/db.ts';
import { linesOf, type Queryable } from './indicators.ts';
import { listPartitionFiles, manifestPath, readManifest, sqlString } from './lake.ts';
import { MAX_PRICE_PER_M2, SALE_NATURES, departementOf, type Method } from './model.ts';
import type { PortalType } from './portal.ts';

type LakeReader = Queryable & { dir: string };

const TYPE_CODES: Record<PortalType, number[]> = { maison: [1], appartement: [2], maison_appartement: [1, 2] };
const list = (xs: string[]) => (xs.length ? xs.map(sqlString).join(', ') : 'NULL');

/**
 * Priced sales of a single house, flat or commercial premises, with where and when each one is
 * (columns commune, code_commune, section, annee, mois, code_type_local, prix_m2, valeur_fonciere).
 */
export function pricedSalesSql(lakeDir: string, departements: string[], methode: Method, debut?: number, fin?: number): string {
  const rel = linesOf(lakeDir, departements, debut, fin);
  const premises =
    'id_mutation, date_mutation, departement, code_commune, code_commune_parent, id_parcelle, nature_mutation, code_type_local, type_local, valeur_fonciere, surface_reelle_bati';
  const dedup = methode === 'etalab' ? `SELECT DISTINCT ${premises} FROM lines` : `SELECT DISTINCT ${premises}, lot1_numero FROM lines`;
  const years = [debut !== undefined ? `year(date_mutation) >= ${Number(debut)}` : '', fin !== undefined ? `year(date_mutation) <= ${Number(fin)}` : '']
    .filter(Boolean)
    .join(' AND ');
  return `
WITH lines AS (SELECT * FROM ${rel} ${years ? `WHERE ${years}` : ''}),
dedup AS (${dedup}),
ventes AS (SELECT * FROM dedup WHERE nature_mutation IN (${list(SALE_NATURES)}) AND code_type_local IN (1, 2, 4)),
mono AS (SELECT * FROM ventes QUALIFY count(*) OVER (PARTITION BY id_mutation) = 1),
priced AS (
  SELECT code_commune_parent AS commune, code_commune, left(id_parcelle, 10) AS section,
    year(date_mutation) AS annee, strftime(date_mutation, '%Y-%m') AS mois, code_type_local,
    valeur_fonciere / surface_reelle_bati AS prix_m2, valeur_fonciere
  FROM mono
  WHERE valeur_fonciere IS NOT NULL AND surface_reelle_bati IS NOT NULL AND surface_reelle_bati <> 0
    AND valeur_fonciere / surface_reelle_bati < ${MAX_PRICE_PER_M2}
)`;
}

const rounding = (methode: Method) => (x: string) => (methode === 'etalab' ? `round_even(${x}, 0)` : `round(${x}, 0)`);

function figures(methode: Method): string {
  const r = rounding(methode);
  return `count(*) AS nb_ventes, ${r('quantile_cont(prix_m2, 0.25)')} AS prix_m2_q1, ${r('median(prix_m2)')} AS prix_m2_median,
    ${r('quantile_cont(prix_m2, 0.75)')} AS prix_m2_q3, ${r('median(valeur_fonciere)')} AS prix_median`;
}

export interface GroupFigures {
  code: string;
  nb_ventes: number;
  prix_m2_q1: number;
  prix_m2_median: number;
  prix_m2_q3: number;
  prix_median: number;
}

const toFigures = (r: any): GroupFigures => ({
  code: String(r.code),
  nb_ventes: Number(r.nb_ventes),
  prix_m2_q1: Number(r.prix_m2_q1),
  prix_m2_median: Number(r.prix_m2_median),
  prix_m2_q3: Number(r.prix_m2_q3),
  prix_median: Number(r.prix_median),
});

/** Figures of every commune (current communes; arrondissements rolled up) for one type and year span, in one pass. */
export async function communeFigures(
  lake: LakeReader,
  q: { communes: string[]; type: PortalType; debut: number; fin: number; methode: Method },
): Promise<GroupFigures[]> {
  if (!q.communes.length) return [];
  const deps = [...new Set(q.communes.map(departementOf))];
  const rows = await lake.query(`${pricedSalesSql(lake.dir, deps, q.methode, q.debut, q.fin)}
    SELECT commune AS code, ${figures(q.methode)} FROM priced
    WHERE commune IN (${list(q.communes)}) AND code_type_local IN (${TYPE_CODES[q.type].join(', ')})
    GROUP BY commune ORDER BY commune`);
  return rows.map(toFigures);
}

/**
 * Sales of houses and flats of every commune by month (`type|YYYY-MM` → count, with maison_appartement and the
 * yearly cells added up): what the map needs to give each commune the secrecy its own page gives it.
 */
export async function communeMonthCounts(
  lake: LakeReader,
  q: { communes: string[]; debut: number; fin: number; methode: Method },
): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (!q.communes.length) return out;
  const deps = [...new Set(q.communes.map(departementOf))];
  const rows = await lake.query<{ code: string; mois: string; t: number; n: number }>(`${pricedSalesSql(lake.dir, deps, q.methode, q.debut, q.fin)}
    SELECT commune AS code, mois, code_type_local AS t, count(*) AS n FROM priced
    WHERE commune IN (${list(q.communes)}) AND code_type_local IN (1, 2)
    GROUP BY ALL`);
  for (const r of rows) {
    const counts = out.get(String(r.code)) ?? new Map<string, number>();
    const type = Number(r.t) === 1 ? 'maison' : 'appartement';
    for (const key of [`${type}|${r.mois}`, `maison_appartement|${r.mois}`, `${type}|${r.mois.slice(0, 4)}`, `maison_appartement|${r.mois.slice(0, 4)}`])
      counts.set(key, (counts.get(key) ?? 0) + Number(r.n));
    out.set(String(r.code), counts);
  }
  return out;
}

/**
 * Figures pooled over an area and a span of years (the comparison: commune, EPCI, département). For one year they
 * equal computeIndicators' yearly figures; over five years they pool the sales, which computeIndicators does not.
 */
export async function pooledFigures(
  lake: LakeReader,
  q: ({ communes: string[] } | { departement: string }) & { type: PortalType; debut: number; fin: number; methode: Method },
): Promise<GroupFigures | undefined> {
  const deps = 'communes' in q ? [...new Set(q.communes.map(departementOf))] : [q.departement];
  const where = 'communes' in q ? `(commune IN (${list(q.communes)}) OR code_commune IN (${list(q.communes)}))` : 'true';
  const rows = await lake.query(`${pricedSalesSql(lake.dir, deps, q.methode, q.debut, q.fin)}
    SELECT 'zone' AS code, ${figures(q.methode)} FROM priced
    WHERE ${where} AND code_type_local IN (${TYPE_CODES[q.type].join(', ')})`);
  const f = rows.map(toFigures)[0];
  return f && f.nb_ventes > 0 ? f : undefined;
}

const communePredicate = (code: string) => `(code_commune = ${sqlString(code)} OR commune = ${sqlString(code)})`;

/** Figures of every cadastral section of a commune that had sales. */
export async function sectionFigures(
  lake: LakeReader,
  q: { commune: string; type: PortalType; debut: number; fin: number; methode: Method },
): Promise<GroupFigures[]> {
  const rows = await lake.query(`${pricedSalesSql(lake.dir, [departementOf(q.commune)], q.methode, q.debut, q.fin)}
    SELECT section AS code, ${figures(q.methode)} FROM priced
    WHERE ${communePredicate(q.commune)} AND code_type_local IN (${TYPE_CODES[q.type].join(', ')})
    GROUP BY section ORDER BY nb_ventes DESC, section`);
  return rows.map(toFigures);
}

/** The prices per m² behind a commune's median: the distribution's raw material (never published sale by sale). */
export async function communePrices(
  lake: LakeReader,
  q: { commune: string; type: PortalType; debut: number; fin: number; methode: Method },
): Promise<number[]> {
  const rows = await lake.query<{ prix_m2: number }>(`${pricedSalesSql(lake.dir, [departementOf(q.commune)], q.methode, q.debut, q.fin)}
    SELECT prix_m2 FROM priced WHERE ${communePredicate(q.commune)} AND code_type_local IN (${TYPE_CODES[q.type].join(', ')})`);
  return rows.map((r) => Number(r.prix_m2));
}

/** Mean position of each mutation's geolocated lines (Etalab's geocoding of the parcels). */
export async function salePoints(lake: LakeReader, commune: string, ids: string[]): Promise<Map<string, { lon: number; lat: number }>> {
  if (!ids.length) return new Map();
  const rows = await lake.query<{ id: string; lon: number; lat: number }>(`
    SELECT id_mutation AS id, avg(longitude) AS lon, avg(latitude) AS lat FROM ${linesOf(lake.dir, [departementOf(commune)])}
    WHERE id_mutation IN (${list(ids)}) AND longitude IS NOT NULL AND latitude IS NOT NULL GROUP BY id_mutation`);
  return new Map(rows.map((r) => [r.id, { lon: Number(r.lon), lat: Number(r.lat) }]));
}

/** Years with sales in these départements, newest first. */
export function yearsInLake(lakeDir: string, departements: string[]): number[] {
  const wanted = new Set(departements);
  const years = new Set<number>();
  for (const f of listPartitionFiles(lakeDir)) {
    const m = /departement=([^/]+)\/annee=(\d+)\//.exec(f);
    if (m && wanted.has(m[1])) years.add(Number(m[2]));
  }
  return [...years].sort((a, b) => b - a);
}

/** The last sale date these départements' data reach, and when the lake was last fed. */
export async function dataDates(lake: LakeReader, departements: string[]): Promise<{ donnees_jusqu_au: string | null; importe_le: string | null }> {
  const files = readManifest(lake.dir).files;
  const importe_le = files.length ? files.map((f) => f.importedAt).sort().at(-1)! : null;
  const rows = await lake.query<{ d: string | null }>(`SELECT strftime(max(date_mutation), '%Y-%m-%d') AS d FROM ${linesOf(lake.dir, departements)}`);
  return { donnees_jusqu_au: rows[0]?.d ?? null, importe_le };
}

/** Changes whenever an import swaps partitions in (the manifest is rewritten last): the portal cache's key. */
export function lakeVersion(lakeDir: string): string {
  const p = manifestPath(lakeDir);
  if (!existsSync(p)) return 'vide';
  const s = statSync(p);
  return `${s.mtimeMs}-${s.size}`;
}

export interface CommuneCard {
  code: string;
  nom: string;
  departement_code: string | null;
  epci_siren: string | null;
  epci_nom: string | null;
  codes_postaux: string[];
  departement_nom: string | null;
}

/** A commune (or arrondissement) with its EPCI and département names, from the COG tables. */
export async function communeCard(db: Db, code: string): Promise<CommuneCard | undefined> {
  const row = await db
    .selectFrom('commune as c')
    .leftJoin('epci as e', 'e.siren', 'c.epci_siren')
    .leftJoin('departement as d', 'd.code', 'c.departement_code')
    .select(['c.code', 'c.nom', 'c.departement_code', 'c.epci_siren', 'c.codes_postaux', 'c.parent_code', 'e.nom as epci_nom', 'd.nom as departement_nom'])
    .where('c.code', '=', code)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    code: row.code,
    nom: row.nom,
    departement_code: row.departement_code ?? null,
    epci_siren: row.epci_siren ?? null,
    epci_nom: row.epci_nom ?? null,
    codes_postaux: row.codes_postaux ?? [],
    departement_nom: row.departement_nom ?? null,
  };
}

/** The instance's EPCIs with their current communes (the map's territory). */
export async function instanceTerritory(db: Db): Promise<{ siren: string; nom: string; communes: { code: string; nom: string }[] }[]> {
  const rows = await db
    .selectFrom('commune as c')
    .innerJoin('instance_epci as i', 'i.siren', 'c.epci_siren')
    .innerJoin('epci as e', 'e.siren', 'c.epci_siren')
    .select(['c.code', 'c.nom', 'e.siren', 'e.nom as epci_nom'])
    .where('c.type', '=', 'commune-actuelle')
    .orderBy('e.nom')
    .orderBy('c.nom')
    .execute();
  const out = new Map<string, { siren: string; nom: string; communes: { code: string; nom: string }[] }>();
  for (const r of rows) {
    if (!out.has(r.siren)) out.set(r.siren, { siren: r.siren, nom: r.epci_nom, communes: [] });
    out.get(r.siren)!.communes.push({ code: r.code, nom: r.nom });
  }
  return [...out.values()];
}
