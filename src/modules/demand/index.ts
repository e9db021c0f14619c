// The demand module: social-housing demands, the cotation grid, scores, simulation, applicant page, privacy.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TypedDb } from '../../platform/db.ts';
import type { HabitatModule } from '../../platform/module.ts';
import { demandCli } from './cli.ts';
import { DEMO_GRIDS_DIR, readGridDir } from './ingest/grid-files.ts';
import { readDemandCsv } from './ingest/sne-csv.ts';
import { demandRoutes } from './routes.ts';
import { adoptGrid, createGrid, purgeDemands, rescore, saveDemands, todayIso } from './service.ts';
import * as store from './store.ts';

const DEMO_DEMANDS = join(DEMO_GRIDS_DIR, '..', 'demandes', 'demandes_synthetiques.csv');

/** Demo: the published grids of the demo EPCIs (adopted), the fictitious v2 as a draft, and the synthetic demands. */
export async function loadDemandDemo(db: TypedDb, epciSirens: string[]): Promise<void> {
  if (!(await store.anyGrid(db))) {
    for (const [name, g] of Object.entries(readGridDir())) {
      if (!g.epci_siren || !epciSirens.includes(g.epci_siren)) continue;
      const s = await createGrid(db, g.epci_siren, g);
      if (!name.endsWith('_projet')) await adoptGrid(db, s.id);
    }
  }
  if (!(await store.anyDemand(db))) {
    const { rows } = await readDemandCsv(readFileSync(DEMO_DEMANDS, 'utf8'), basename(DEMO_DEMANDS));
    await saveDemands(db, rows.filter((r) => epciSirens.includes(r.demand.epci_siren)));
    return;
  }
  // Seniority moves on every month: a demo restarted days later shows today's scores.
  if (await store.anyScoreBefore(db, todayIso())) await rescore(db, {});
}

export const demandModule: HabitatModule = {
  name: 'demand',
  routes: demandRoutes,
  loadDemo: (ctx) => loadDemandDemo(ctx.db, ctx.config.epciSirens),
  cli: demandCli,
  // With the platform's other retention rules: in the running server's scheduled purge, and in `habitat purge`.
  purge: async (ctx, now) => ({
    'demandes attribuées ou radiées (fin de conservation)': (await purgeDemands(ctx.db, { months: ctx.config.demandRetentionMonths, refDate: now.toISOString().slice(0, 10) })).numbers.length,
  }),
};

// For the observatory's EPCI portrait: the demand statistics of an EPCI, with the module's secrecy.
export { statistics as demandStatistics } from './service.ts';
// For the observatory's portraits (commune and EPCI): the median waiting time of the demands attributed over a year.
export { attributedWaiting } from './service.ts';
