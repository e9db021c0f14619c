import type { HabitatModule } from '../types.ts';
import { dvfCommand } from './cli.ts';
import { loadMarketDemo } from './demo.ts';
import { marketRoutes } from './routes.ts';

export const marketModule: HabitatModule = {
  name: 'market',
  routes: async (app, ctx) => { await marketRoutes(app, ctx); await (await import('./portal-routes.ts')).portalRoutes(app, ctx); }, // portal (issue 4)
  cli: ({ importCommand, withContext, io }) => dvfCommand(importCommand, withContext, io),
  loadDemo: loadMarketDemo,
};

// For the sources module (connectors and catalogue): the DVF import and what the lake says it holds.
export { importDvf, type ImportSummary as DvfImportSummary } from './ingest/import.ts';
export { readManifest as readDvfManifest, type ManifestEntry as DvfManifestEntry } from './lake.ts';
