// Gathers the bilan's inputs from the store. Pure composition is in bilan-model.ts.
import type { Db } from '../../../platform/db.ts';
import * as store from '../store.ts';
import { composeBilan, type Bilan } from './bilan-model.ts';

export async function loadBilan(db: Db, opts: { annee: number; triennal: boolean; genereLe?: Date; withMap?: boolean }): Promise<Bilan> {
  const head = await store.currentProgramme(db);
  const programme = head ? await store.loadProgramme(db, head) : null;
  const updated = head ? await db.selectFrom('plh_programme').select('updated_at').where('id', '=', head.id).executeTakeFirst() : undefined;
  const communes = await store.instanceCommunes(db);
  // In a club of several EPCIs the map frames the EPCIs that have targets, so that each stays legible.
  let codes = communes.map((c) => c.code);
  const targeted = new Set((programme?.objectifs ?? []).map((o) => o.communeCode));
  if (targeted.size) {
    const rows = await db.selectFrom('commune').select(['code', 'epci_siren']).where('code', 'in', codes).execute();
    const epcis = new Set(rows.filter((r) => targeted.has(r.code)).map((r) => r.epci_siren));
    codes = rows.filter((r) => epcis.has(r.epci_siren)).map((r) => r.code);
  }
  const contours =
    opts.withMap !== false && codes.length
      ? await db.selectFrom('commune_contour').select(['code', 'geometry', 'source', 'millesime']).where('code', 'in', codes).orderBy('code').execute()
      : [];
  const foncier = await store.listFoncier(db);
  return composeBilan({
    annee: opts.annee,
    triennal: opts.triennal,
    genereLe: opts.genereLe ?? new Date(),
    territoire: (await store.instanceEpciNames(db)).join(', ') || 'Territoire de l’instance',
    programme,
    programmeMisAJour: updated ? new Date(updated.updated_at) : null,
    communes,
    realisations: await store.listRealisations(db),
    platform: await store.platformAchievements(db),
    aides: await store.listAides(db),
    sru: await store.latestSruInventories(db, opts.annee),
    foncier,
    contours: contours.map((c) => ({ code: c.code, geometry: typeof c.geometry === 'string' ? JSON.parse(c.geometry) : c.geometry })),
    contourSource: contours[0] ? { source: contours[0].source, millesime: contours[0].millesime } : undefined,
  });
}
