// The construction module's face: what it registers, and the small read API other modules may use.
import type { HabitatModule } from '../types.ts';
import { constructionCli } from './cli.ts';
import { constructionRoutes } from './routes.ts';
import { loadConstructionDemo } from './service.ts';

export const constructionModule: HabitatModule = {
  name: 'construction',
  routes: constructionRoutes,
  cli: constructionCli,
  loadDemo: loadConstructionDemo,
};

// For the sources module (connectors and catalogue): the Sitadel import and what it has brought.
export { importSitadel, sitadelCoverage } from './service.ts';

// For the plh module: dwellings authorised per commune and year by the building permits (cancelled ones left out).
export { authorisedPerYear } from './store.ts';

// For the observatory's portrait: counted dwellings and operations per commune and year of a step (authorisation,
// works start, delivery), the PLH targets of communes with what was achieved in their period, and the pace rule.
export { countsPerYear as constructionCountsPerYear, targetAchievements } from './store.ts';
export { progress as targetProgress } from './model.ts';
