// Territory storage: COG load (idempotent, versioned), contours, the instance's EPCIs and read queries.
import { sql } from 'kysely';
import { insertInBatches, type Database, type Db, type OnConflict, type TypedDb } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { communeRows, unknownSirens } from './model.ts';
import { COG_VERSION, compareVersions, readCog, readContours } from './ingest/cog.ts';


/**
 * Loads the COG once per package version; re-running with the same version changes nothing. `source` is a folder of
 * a newer version fetched by the COG connector; the installed package never replaces a newer version loaded so.
 */
export async function loadCog(db: Db, source?: { dir: string; version: string }): Promise<boolean> {
  const version = source?.version ?? COG_VERSION;
  const done = await db.selectFrom('territory_load').select('version').where('name', '=', 'cog').executeTakeFirst();
  if (done && (source ? done.version === version : compareVersions(done.version, version) >= 0)) return false;
  const cog = readCog(source?.dir);
  await db.transaction().execute(async (trx) => {
    // Insert or update every listed column from the COG (the first one is the key).
    const upsert =
      <T extends keyof Database & string>(cols: string[]): OnConflict<T> =>
      (oc) =>
        oc.column(cols[0] as never).doUpdateSet(Object.fromEntries(cols.slice(1).map((c) => [c, sql.ref(`excluded.${c}`)])) as never);
    await insertInBatches(trx, 'region', cog.regions.map((r) => ({ code: r.code, name: r.nom })), 500, upsert(['code', 'name']));
    await insertInBatches(
      trx,
      'departement',
      cog.departements.map((d) => ({ code: d.code, name: d.nom, region_code: d.region })),
      500,
      upsert(['code', 'name', 'region_code']),
    );
    await insertInBatches(
      trx,
      'epci',
      cog.epcis.map((e) => ({ siren: e.code, name: e.nom, type: e.type, population: e.populationTotale ?? null })),
      500,
      upsert(['siren', 'name', 'type', 'population']),
    );
    const rows = communeRows(cog.communes, cog.epcis);
    await insertInBatches(
      trx,
      'commune',
      rows,
      1000,
      upsert(['code', 'name', 'type', 'parent_code', 'departement_code', 'region_code', 'epci_siren', 'population', 'postal_codes']),
    );
    await trx
      .insertInto('territory_load')
      .values({ name: 'cog', version })
      .onConflict((oc) => oc.column('name').doUpdateSet({ version, loaded_at: sql`now()` }))
      .execute();
  });
  return true;
}

const CONTOURS_VERSION = 'france-geojson-2018';

export async function loadContours(db: Db): Promise<boolean> {
  const done = await db.selectFrom('territory_load').select('version').where('name', '=', 'contours').executeTakeFirst();
  if (done?.version === CONTOURS_VERSION) return false;
  const features = readContours();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('commune_contour').execute();
    await insertInBatches(
      trx,
      'commune_contour',
      features.map((f) => ({ code: f.code, geometry: JSON.stringify(f.geometry), source: 'IGN Admin Express COG 2018 (france-geojson)', vintage: 2018 })),
      200,
    );
    await trx
      .insertInto('territory_load')
      .values({ name: 'contours', version: CONTOURS_VERSION })
      .onConflict((oc) => oc.column('name').doUpdateSet({ version: CONTOURS_VERSION, loaded_at: sql`now()` }))
      .execute();
  });
  return true;
}

/** Makes `instance_epci` equal to the configured SIRENs; refuses SIRENs that are not EPCIs. */
export async function syncInstanceEpcis(db: Db, sirens: string[]): Promise<void> {
  const known = await db.selectFrom('epci').select('siren').where('siren', 'in', sirens.length ? sirens : ['']).execute();
  const unknown = unknownSirens(sirens, new Set(known.map((k) => k.siren)));
  if (unknown.length)
    throw new AppError('territory.unknown_epci', `SIREN d'EPCI inconnu dans la configuration (HABITAT_EPCI) : ${unknown.join(', ')}.`, 500);
  await db.transaction().execute(async (trx) => {
    if (sirens.length) await trx.deleteFrom('instance_epci').where('siren', 'not in', sirens).execute();
    for (const siren of sirens)
      await trx.insertInto('instance_epci').values({ siren }).onConflict((oc) => oc.column('siren').doNothing()).execute();
  });
}

export async function instanceEpcis(db: Db) {
  return db
    .selectFrom('instance_epci as i')
    .innerJoin('epci as e', 'e.siren', 'i.siren')
    .select(['e.siren', 'e.name', 'e.type', 'e.population'])
    .orderBy('e.name')
    .execute();
}

const communeColumns = ['c.code', 'c.name', 'c.type', 'c.parent_code', 'c.departement_code', 'c.epci_siren', 'c.population', 'c.postal_codes'] as const;

/** Current communes of the instance's EPCIs (arrondissements excluded: they are listed under their commune). */
export async function instanceCommunes(db: Db) {
  return db
    .selectFrom('commune as c')
    .innerJoin('instance_epci as i', 'i.siren', 'c.epci_siren')
    .select(communeColumns)
    .where('c.type', '=', 'commune-actuelle')
    .orderBy('c.name')
    .execute();
}

export async function findCommune(db: Db, code: string) {
  const commune = await db.selectFrom('commune as c').select(communeColumns).where('c.code', '=', code).executeTakeFirst();
  if (!commune) return undefined;
  const arrondissements = await db
    .selectFrom('commune as c')
    .select(['c.code', 'c.name', 'c.population'])
    .where('c.parent_code', '=', code)
    .orderBy('c.code')
    .execute();
  return { ...commune, arrondissements };
}

export async function searchCommunes(db: Db, q: string, limit = 20) {
  const term = q.trim();
  let query = db.selectFrom('commune as c').select(communeColumns).where('c.type', '=', 'commune-actuelle');
  query = /^\d{2,5}$/.test(term)
    ? query.where((eb) => eb.or([eb('c.code', 'like', `${term}%`), sql<boolean>`exists (select 1 from unnest(c.postal_codes) p where p like ${term + '%'})`]))
    : query.where(sql<boolean>`lower(unaccent_simple(c.name)) like lower(unaccent_simple(${'%' + term + '%'}))`);
  return query.orderBy('c.population', 'desc').limit(limit).execute();
}

/** GeoJSON of the instance's communes with name and population, for the home map. */
export async function instanceContours(db: Db) {
  const rows = await db
    .selectFrom('commune as c')
    .innerJoin('instance_epci as i', 'i.siren', 'c.epci_siren')
    .leftJoin('commune_contour as k', 'k.code', 'c.code')
    .select(['c.code', 'c.name', 'c.population', 'c.epci_siren', 'k.geometry'])
    .where('c.type', '=', 'commune-actuelle')
    .orderBy('c.code')
    .execute();
  // The contours are GeoJSON geometries (loadContours writes them from the IGN file).
  return rows.map((r) => ({ ...r, geometry: r.geometry as { type: string; coordinates: unknown } | null }));
}

// ---------------------------------------------------------------------------------------------------------------
// The places other modules ask about. They never read the territory's tables themselves: they call these (through
// the module's index.ts), so the COG's shape (arrondissements, parents, EPCI membership) is known in one place.

export interface Place {
  code: string;
  name: string;
  /** The commune an arrondissement belongs to (Lyon 69123 for 69381), from the COG; null for a commune. */
  parent_code: string | null;
  epci_siren: string | null;
  departement_code: string | null;
  population: number | null;
  postal_codes: string[];
}

const placeColumns = ['code', 'name', 'parent_code', 'epci_siren', 'departement_code', 'population', 'postal_codes'] as const;

/**
 * The communes of an EPCI, by name; with `arrondissements: true` the municipal arrondissements of its member
 * communes too (DVF and the DPE record sales and diagnoses by arrondissement).
 */
export async function epciCommunes(db: TypedDb, siren: string, opts: { arrondissements?: boolean } = {}): Promise<Place[]> {
  let q = db.selectFrom('commune').select(placeColumns).where('epci_siren', '=', siren);
  if (!opts.arrondissements) q = q.where('type', '=', 'commune-actuelle');
  return q.orderBy('name').execute();
}

/** The places with these codes (communes or arrondissements), by code; unknown codes are absent. */
export async function placesByCode(db: TypedDb, codes: Iterable<string>): Promise<Map<string, Place>> {
  const list = [...new Set(codes)];
  const out = new Map<string, Place>();
  for (let i = 0; i < list.length; i += 5000) {
    const rows = await db.selectFrom('commune').select(placeColumns).where('code', 'in', list.slice(i, i + 5000)).execute();
    for (const r of rows) out.set(r.code, r);
  }
  return out;
}

/** The codes of the places (communes or arrondissements) each of these postcodes serves; unknown postcodes are absent. */
export async function placesByPostcode(db: TypedDb, postcodes: Iterable<string>): Promise<Map<string, string[]>> {
  const list = [...new Set(postcodes)];
  const out = new Map<string, string[]>();
  for (let i = 0; i < list.length; i += 5000) {
    const wanted = new Set(list.slice(i, i + 5000));
    const batch = sql.join([...wanted]);
    const rows = await db
      .selectFrom('commune')
      .select(['code', 'postal_codes'])
      .where(sql<boolean>`exists (select 1 from unnest(postal_codes) p where p in (${batch}))`)
      .orderBy('code')
      .execute();
    for (const r of rows) for (const p of r.postal_codes) if (wanted.has(p)) out.set(p, [...(out.get(p) ?? []), r.code]);
  }
  return out;
}

/** Every municipal arrondissement and its commune (Paris, Lyon, Marseille), from the COG's parent_code. */
export async function arrondissementParents(db: TypedDb): Promise<Map<string, string>> {
  const rows = await db.selectFrom('commune').select(['code', 'parent_code']).where('parent_code', 'is not', null).execute();
  return new Map(rows.map((r) => [r.code, r.parent_code as string]));
}

/** The EPCI of the instance that a commune or an arrondissement belongs to, or undefined outside the instance. */
export async function instanceEpciOf(db: TypedDb, code: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('commune as c')
    .leftJoin('commune as p', 'p.code', 'c.parent_code')
    .innerJoin('instance_epci as i', (j) => j.on((eb) => eb('i.siren', '=', eb.fn.coalesce('c.epci_siren', 'p.epci_siren'))))
    .select('i.siren')
    .where('c.code', '=', code)
    .executeTakeFirst();
  return row?.siren;
}

/** An EPCI of the COG (any, not only the instance's), or undefined. */
export async function findEpci(db: TypedDb, siren: string) {
  return db.selectFrom('epci').select(['siren', 'name', 'type', 'population']).where('siren', '=', siren).executeTakeFirst();
}

/** Names of départements by code. */
export async function departementNames(db: TypedDb, codes: Iterable<string>): Promise<Map<string, string>> {
  const list = [...new Set(codes)];
  if (!list.length) return new Map();
  const rows = await db.selectFrom('departement').select(['code', 'name']).where('code', 'in', list).execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}

/**
 * Every commune, arrondissement, EPCI and département at once, with the lookups of findCommune, findEpci,
 * epciCommunes and departementNames: for the pages that answer commune after commune and keep their answers for a
 * whole data edition (the price portal), one read instead of five queries per commune.
 */
export async function territoryBook(db: TypedDb) {
  const [communes, epcis, departements] = await Promise.all([
    // By name, as epciCommunes lists them (PostgreSQL's collation, not JavaScript's).
    db.selectFrom('commune as c').select(communeColumns).orderBy('c.name').orderBy('c.code').execute(),
    db.selectFrom('epci').select(['siren', 'name', 'type', 'population']).execute(),
    db.selectFrom('departement').select(['code', 'name']).execute(),
  ]);
  const byCode = new Map(communes.map((c) => [c.code, c]));
  const arrondissements = new Map<string, { code: string; name: string; population: number | null }[]>();
  const members = new Map<string, Place[]>();
  for (const c of communes) {
    if (c.parent_code) arrondissements.set(c.parent_code, [...(arrondissements.get(c.parent_code) ?? []), { code: c.code, name: c.name, population: c.population }]);
    if (c.type === 'commune-actuelle' && c.epci_siren) {
      const { type: _type, ...place } = c;
      members.set(c.epci_siren, [...(members.get(c.epci_siren) ?? []), place]);
    }
  }
  for (const list of arrondissements.values()) list.sort((a, b) => (a.code < b.code ? -1 : 1));
  const epciBySiren = new Map(epcis.map((e) => [e.siren, e]));
  const departementName = new Map(departements.map((d) => [d.code, d.name]));
  return {
    commune: (code: string) => {
      const c = byCode.get(code);
      return c && { ...c, arrondissements: arrondissements.get(code) ?? [] };
    },
    epci: (siren: string) => epciBySiren.get(siren),
    epciCommunes: (siren: string): Place[] => members.get(siren) ?? [],
    departementName: (code: string) => departementName.get(code),
  };
}
