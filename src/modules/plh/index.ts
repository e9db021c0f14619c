import type { HabitatModule } from '../types.ts';
import { plhCli } from './cli.ts';
import { plhRoutes } from './routes.ts';

export const plhModule: HabitatModule = {
  name: 'plh',
  routes: plhRoutes,
  cli: plhCli,
};
