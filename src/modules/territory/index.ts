import type { HabitatModule } from '../types.ts';
import { territoryRoutes } from './routes.ts';
import { loadContours, loadCog, syncInstanceEpcis } from './store.ts';

export const territoryModule: HabitatModule = {
  name: 'territory',
  routes: territoryRoutes,
};

/** The COG and contours are the base every other module refers to: loaded at every start (a no-op when done). */
export async function loadTerritory(db: import('../../platform/db.ts').Db, sirens: string[]) {
  await loadCog(db);
  await loadContours(db);
  await syncInstanceEpcis(db, sirens);
}
