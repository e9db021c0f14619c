import type { HabitatModule } from '../types.ts';
import { accessRoutes } from './routes.ts';

// The read API other modules may use: what each EPCI shares with the club (docs/modules.md, « Between modules »).
export { organisationsOfEpci, sharedBy } from './store.ts';
export { SHARABLE_LABELS, type Sharable } from './model.ts';

export const accessModule: HabitatModule = {
  name: 'access',
  routes: accessRoutes,
};
