import type { HabitatModule } from '../types.ts';
import { purgeAccess } from './retention.ts';
import { accessRoutes } from './routes.ts';

export const accessModule: HabitatModule = {
  name: 'access',
  routes: accessRoutes,
  purge: purgeAccess,
};
