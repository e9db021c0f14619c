import type { HabitatModule } from '../types.ts';
import { stockCommands } from './cli.ts';
import { loadStockDemo } from './demo.ts';
import { stockRoutes } from './routes.ts';

export const stockModule: HabitatModule = {
  name: 'stock',
  routes: stockRoutes,
  cli: ({ importCommand, withContext, io }) => stockCommands(importCommand, withContext, io),
  loadDemo: loadStockDemo,
};
