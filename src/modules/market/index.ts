// The market module's face: DVF sales in the lake, price indicators with statistical secrecy, the public price portal.
import type { HabitatModule } from '../types.ts';
import { dvfCommand } from './cli.ts';
import { marketRoutes } from './routes.ts';
import { loadDemo } from './service.ts';

export const marketModule: HabitatModule = {
  name: 'market',
  routes: marketRoutes,
  cli: ({ importCommand, withContext, io }) => dvfCommand(importCommand, withContext, io),
  loadDemo,
};

// For the sources module (connectors and catalogue): the DVF import and what the lake says it holds.
export { importDvf } from './service.ts';
export { readDvfManifest } from './store.ts';
