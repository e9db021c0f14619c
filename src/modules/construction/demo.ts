// Demo data: the real Sitadel permits of Toulouse (edition 2026-01). A no-op once that file is in the store.
import { join } from 'node:path';
import type { AppContext } from '../../platform/context.ts';
import { importSitadel } from './ingest/import.ts';

export const SITADEL_DEMO_FILE = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'sitadel', 'sitadel_logements_31555_Toulouse_edition2026-01.csv');

export async function loadConstructionDemo(ctx: AppContext): Promise<void> {
  const s = await importSitadel(ctx.db, SITADEL_DEMO_FILE, { author: 'données de démonstration' });
  if (!s.dejaImporte) ctx.log.info({ crees: s.crees, rejetes: s.rejetes, ms: s.dureeMs }, 'Sitadel de démonstration importé');
}
