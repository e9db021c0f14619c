// Gathers the bilan's inputs from the store and the other modules' read APIs (through service.ts). Pure composition is in bilan-model.ts.
import type { Db } from '../../../platform/db.ts';
import { arrondissementsOf, communeContours } from '../../territory/index.ts';
import * as service from '../service.ts';
import * as store from '../store.ts';
import { composeBilan, type Bilan } from './bilan-model.ts';

/** The bilan of one EPCI's PLH: its programme, and the figures of its communes only. */
export async function loadBilan(db: Db, opts: { epci: string; year: number; triennial: boolean; generatedAt?: Date; withMap?: boolean }): Promise<Bilan> {
  const head = await store.currentProgramme(db, opts.epci);
  const programme = head ? await store.loadProgramme(db, head) : null;
  const updated = head ? await store.programmeUpdatedAt(db, head.id) : null;
  const communes = await service.territoryCommunes(db, opts.epci);
  const codes = communes.map((c) => c.code);
  // Arrondissements carry their own rows in some sources: they belong to the EPCI's territory too.
  const territory = [...codes, ...(await arrondissementsOf(db, codes)).map((a) => a.code)];
  const contours = opts.withMap !== false ? await communeContours(db, codes) : [];
  const land = await store.listLand(db, undefined, territory);
  return composeBilan({
    year: opts.year,
    triennial: opts.triennial,
    generatedAt: opts.generatedAt ?? new Date(),
    territory: (await service.epciNames(db, opts.epci)).join(', ') || `EPCI ${opts.epci}`,
    programme,
    programmeUpdatedAt: updated,
    communes,
    achievements: await store.listAchievements(db, territory),
    platform: await service.platformAchievements(db, territory),
    aids: await store.listAids(db, { communes: territory }),
    sru: await service.latestSruInventories(db, opts.year, territory),
    land,
    contours: contours.map((c) => ({ code: c.code, geometry: c.geometry })),
    contourSource: contours[0] ? { source: contours[0].source, vintage: contours[0].vintage } : undefined,
  });
}
