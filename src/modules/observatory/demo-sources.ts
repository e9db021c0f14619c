// Which sources of the observatory show demo extracts: one rule for the sources catalogue (its per-source `demo`
// flag, read by every page's « données de démonstration » line) and for the portrait's `demo` field. It lives here,
// not in the sources module, because the observatory already reads every source it joins and the sources module
// reads the observatory (INSEE editions): the catalogue imports this, the observatory never imports the catalogue.
import type { AppContext } from '../../platform/context.ts';
import { isDemoFile } from '../../platform/demo-files.ts';
import { sitadelCoverage } from '../construction/index.ts';
import { readDvfManifest } from '../market/index.ts';
import { dpeCoverage, readRplsManifest } from '../stock/index.ts';
import { listEditions } from './store.ts';

export type DemoSourceId = 'dvf' | 'sitadel' | 'rpls' | 'dpe' | 'insee';

/** For each source, whether one of its loaded files is a demo extract of data/demo. */
export async function demoSources(ctx: AppContext): Promise<Record<DemoSourceId, boolean>> {
  const [sitadel, dpe, [insee]] = await Promise.all([sitadelCoverage(ctx.db), dpeCoverage(ctx.db), listEditions(ctx.db)]);
  return {
    dvf: readDvfManifest(ctx.lake.dir).files.some((f) => isDemoFile(f.file)),
    sitadel: sitadel.imports.some((i) => isDemoFile(i.file)),
    rpls: Object.values(readRplsManifest(ctx.lake.dir)).some((x) => isDemoFile(x.file)),
    dpe: dpe.imports.some((i) => isDemoFile(i.file)),
    insee: !!insee && isDemoFile(insee.file),
  };
}
