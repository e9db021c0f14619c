import type { HabitatModule } from '../types.ts';
import { constructionCli } from './cli.ts';
import { loadConstructionDemo } from './demo.ts';
import { constructionRoutes } from './routes.ts';

export const constructionModule: HabitatModule = {
  name: 'construction',
  routes: constructionRoutes,
  cli: constructionCli,
  loadDemo: loadConstructionDemo,
};
