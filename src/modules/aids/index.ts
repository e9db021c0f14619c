import type { HabitatModule } from '../types.ts';
import { aidsRoutes } from './routes.ts';

/** Household aids: eligibility simulators (social housing, aided ownership, renovation) and the EPCI's own aids. */
export const aidsModule: HabitatModule = {
  name: 'aids',
  routes: aidsRoutes,
};
