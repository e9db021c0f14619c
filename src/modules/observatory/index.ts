// The observatory: figures per commune from INSEE's comparateur de territoires (population, housing, income), by
// edition. Other modules (the commune portrait, the sources catalogue) read it through the functions exported here.
import { join } from 'node:path';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import type { HabitatModule } from '../types.ts';
import { observatoryCli } from './cli.ts';
import { observatoryRoutes } from './routes.ts';
import { importInsee } from './service.ts';
import { figuresOf, listEditions } from './store.ts';

export { importInsee, type InseeImportResult } from './service.ts';
export type { InseeFigures, InseeEditionRow } from './store.ts';
// For the sources module's « Sources et couverture » answer: its schema lives with the observatory's other answers.
export { coverageAnswer, type CoverageAnswer } from './contract.ts';
// For the sources catalogue's per-source `demo` flag: the same rule as the portrait's.
export { demoSources } from './demo-sources.ts';

export const DEMO_INSEE = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'insee', 'comparateur_territoires_2025_lyon_toulouse.csv');

/** INSEE comparateur figures of these communes, latest edition unless one is named. */
export const inseeFigures = (db: Db, codes: string[], edition?: string) => figuresOf(db, codes, edition);

/** The editions loaded, newest first, with their file, counts and columns. */
export const inseeEditions = (db: Db) => listEditions(db);

async function loadObservatoryDemo(ctx: AppContext): Promise<void> {
  const r = await importInsee(ctx.db, DEMO_INSEE);
  if (r.status === 'imported') ctx.log.info({ edition: r.edition, communes: r.communes }, 'démo Insee (comparateur de territoires) importée');
}

export const observatoryModule: HabitatModule = {
  name: 'observatory',
  routes: observatoryRoutes,
  cli: ({ importCommand, withContext, io }) => observatoryCli({ importCommand, withContext, io }),
  loadDemo: loadObservatoryDemo,
};
