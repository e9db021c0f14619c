// Gathers the bilan's inputs from the store and the other modules' read APIs (through service.ts). Pure composition is in bilan-model.ts.
import type { Db } from '../../../platform/db.ts';
import * as service from '../service.ts';
import * as store from '../store.ts';
import { composeBilan, type Bilan } from './bilan-model.ts';

/** The bilan of one EPCI's PLH: its programme, and the figures of its communes only. */
export async function loadBilan(db: Db, opts: { epci: string; annee: number; triennal: boolean; genereLe?: Date; withMap?: boolean }): Promise<Bilan> {
  const head = await store.currentProgramme(db, opts.epci);
  const programme = head ? await store.loadProgramme(db, head) : null;
  const updated = head ? await db.selectFrom('plh_programme').select('updated_at').where('id', '=', head.id).executeTakeFirst() : undefined;
  const communes = await service.territoryCommunes(db, opts.epci);
  const codes = communes.map((c) => c.code);
  // Arrondissements carry their own rows in some sources: they belong to the EPCI's territory too.
  const territory = [...codes, ...(codes.length ? (await db.selectFrom('commune').select('code').where('parent_code', 'in', codes).execute()).map((r) => r.code as string) : [])];
  const contours =
    opts.withMap !== false && codes.length
      ? await db.selectFrom('commune_contour').select(['code', 'geometry', 'source', 'millesime']).where('code', 'in', codes).orderBy('code').execute()
      : [];
  const foncier = await store.listFoncier(db, undefined, territory);
  return composeBilan({
    annee: opts.annee,
    triennal: opts.triennal,
    genereLe: opts.genereLe ?? new Date(),
    territoire: (await service.epciNames(db, opts.epci)).join(', ') || `EPCI ${opts.epci}`,
    programme,
    programmeMisAJour: updated ? new Date(updated.updated_at) : null,
    communes,
    realisations: await store.listRealisations(db, territory),
    platform: await service.platformAchievements(db, territory),
    aides: await store.listAides(db, { communes: territory }),
    sru: await service.latestSruInventories(db, opts.annee, territory),
    foncier,
    contours: contours.map((c) => ({ code: c.code, geometry: typeof c.geometry === 'string' ? JSON.parse(c.geometry) : c.geometry })),
    contourSource: contours[0] ? { source: contours[0].source, millesime: contours[0].millesime } : undefined,
  });
}
