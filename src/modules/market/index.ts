// The market module's face: DVF sales in the lake, price indicators with statistical secrecy, the public price portal.
import type { HabitatModule } from '../types.ts';
import { dvfCommand } from './cli.ts';
import { marketRoutes } from './routes.ts';
import { loadDemo, marketService } from './service.ts';

export const marketModule: HabitatModule = {
  name: 'market',
  routes: marketRoutes,
  cli: ({ importCommand, withContext, io }) => dvfCommand(importCommand, withContext, io),
  loadDemo,
};

// For the sources module (connectors and catalogue): the DVF import and what the lake says it holds.
export { importDvf } from './service.ts';
export { dvfVersion, readDvfManifest } from './store.ts';

/**
 * For the observatory (portrait, comparisons): the market's own indicators of a commune, an EPCI or the instance's
 * territory (medians recomputed from the sales of the area, with the market's secrecy) and its map of communes.
 */
export function marketFigures(deps: Parameters<typeof marketService>[0]) {
  const m = marketService(deps);
  return { communeIndicators: m.communeIndicators, epciIndicators: m.epciIndicators, territoryIndicators: m.territoryIndicators, mapPage: m.mapPage };
}
