import type { HabitatModule } from '../types.ts';
import { dvfCommand } from './cli.ts';
import { loadMarketDemo } from './demo.ts';
import { marketRoutes } from './routes.ts';

export const marketModule: HabitatModule = {
  name: 'market',
  routes: marketRoutes,
  cli: ({ importCommand, withContext }) => dvfCommand(importCommand, withContext),
  loadDemo: loadMarketDemo,
};
