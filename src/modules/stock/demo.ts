// Demo data: RPLS 2019 for the demo EPCIs' communes (data/demo/rpls, a filtered copy of the national file, so the
// start stays under a second) and the real ADEME DPE extract of Lyon 8e (data/demo/dpe). A no-op when already loaded.
import { join } from 'node:path';
import type { AppContext } from '../../platform/context.ts';
import { importDpe, importRpls } from './service.ts';

const DEMO_DIR = join(import.meta.dirname, '..', '..', '..', 'data', 'demo');
export const DEMO_RPLS = join(DEMO_DIR, 'rpls', 'rpls_par_date_2019_epci_demo.csv.gz');
export const DEMO_DPE = join(DEMO_DIR, 'dpe', 'ademe_dpe_v2_logements_neufs_69388_extract.csv');
const DEMO_PERIMETER = { epci: ['200046977', '243100518'] };

export async function loadStockDemo(ctx: AppContext): Promise<void> {
  const rpls = await importRpls(ctx.lake, DEMO_RPLS, { vintage: 2019, perimeter: DEMO_PERIMETER, keepIfFrance: true });
  const dpe = await importDpe(ctx.db, DEMO_DPE);
  if (rpls.status === 'imported' || dpe.status === 'imported')
    ctx.log.info({ rpls: { statut: rpls.status, logements: rpls.dwellings }, dpe: { statut: dpe.status, acceptes: dpe.accepted, rejetes: dpe.problems.length } }, 'démo parc social importée');
}
