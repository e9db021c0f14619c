import type { HabitatModule } from '../types.ts';
import { territoryRoutes } from './routes.ts';
import { loadContours, loadCog, syncInstanceEpcis } from './store.ts';

export const territoryModule: HabitatModule = {
  name: 'territory',
  // Every other module refers to the COG and to the instance's EPCIs: loaded first, a no-op when unchanged.
  prepare: (ctx) => loadTerritory(ctx.db, ctx.config.epciSirens),
  routes: territoryRoutes,
};

/** The COG and contours are the base every other module refers to: loaded at every start (a no-op when done). */
export async function loadTerritory(db: import('../../platform/db.ts').Db, sirens: string[]) {
  await loadCog(db);
  await loadContours(db);
  await syncInstanceEpcis(db, sirens);
}

// The places API: what other modules may ask the territory (they never read its tables). Identifiers are checked with
// the contract's schemas (communeCode, siren, cadastralSection, parcelId) and the model's patterns.
export {
  arrondissementParents,
  departementNames,
  epciCommunes,
  findCommune,
  findEpci,
  instanceEpciOf,
  instanceEpcis,
  placesByCode,
  placesByPostcode,
  territoryBook,
  type Place,
} from './store.ts';
export { cadastralSection, communeCode, parcelId, siren } from './contract.ts';
export { CADASTRAL_SECTION, COMMUNE_CODE, PARCEL_ID, SIREN } from './model.ts';

// For the sources module: the instance's communes (what the connectors fetch), the COG version loaded, and loading a
// newer COG that the connector fetched.
export { instanceCommunes, loadCog } from './store.ts';
export { COG_VERSION, compareVersions } from './ingest/cog.ts';

/** The COG version loaded and when (the @etalab/decoupage-administratif version; 6.0.0 is COG 2026). */
export async function cogLoaded(db: import('../../platform/db.ts').Db): Promise<{ version: string; loadedAt: string } | null> {
  const r = await db.selectFrom('territory_load').select(['version', 'loaded_at']).where('name', '=', 'cog').executeTakeFirst();
  return r ? { version: r.version as string, loadedAt: new Date(r.loaded_at).toISOString() } : null;
}

/** Codes of the municipal arrondissements of these communes (Lyon's 69381…69389 for 69123): DPE and DVF use them. */
export async function arrondissementsOf(db: import('../../platform/db.ts').Db, codes: string[]): Promise<{ code: string; parent: string }[]> {
  if (!codes.length) return [];
  const rows = await db.selectFrom('commune').select(['code', 'parent_code']).where('parent_code', 'in', codes).orderBy('code').execute();
  return rows.map((r) => ({ code: r.code as string, parent: r.parent_code as string }));
}

/** The contours of these communes (GeoJSON geometry parsed), with their source and vintage. */
export async function communeContours(db: import('../../platform/db.ts').TypedDb, codes: string[]): Promise<{ code: string; geometry: unknown; source: string; vintage: number }[]> {
  if (!codes.length) return [];
  const rows = await db.selectFrom('commune_contour').select(['code', 'geometry', 'source', 'vintage']).where('code', 'in', codes).orderBy('code').execute();
  return rows.map((r) => ({ code: r.code, geometry: typeof r.geometry === 'string' ? JSON.parse(r.geometry) : r.geometry, source: r.source, vintage: Number(r.vintage) }));
}
