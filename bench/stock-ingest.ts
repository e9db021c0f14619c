// Times the stock imports on a throwaway data folder: the demo load (cold, then the no-op), and optionally the
// national RPLS file. Usage: npx tsx bench/stock-ingest.ts [--national]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/platform/config.ts';
import { createContext } from '../src/platform/context.ts';
import { createLogger } from '../src/platform/log.ts';
import { loadTerritory } from '../src/modules/territory/index.ts';
import { loadStockDemo } from '../src/modules/stock/demo.ts';
import { importRpls } from '../src/modules/stock/service.ts';

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stock-'));
  const ctx = await createContext({ ...loadConfig({}), dataDir, logLevel: 'silent' }, { log: createLogger('silent') });
  try {
    await loadTerritory(ctx.db, ctx.config.epciSirens);
    const time = async (label: string, fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      console.log(`${label} : ${((performance.now() - t) / 1000).toFixed(2)} s`);
    };
    await time('démo parc social, premier chargement', () => loadStockDemo(ctx));
    await time('démo parc social, déjà chargée', () => loadStockDemo(ctx));
    if (process.argv.includes('--national'))
      await time('RPLS national 2019 (522 669 lignes)', () => importRpls(ctx.lake, '/work/shared/data/rpls/rrrpls_rpls_par_date_2019.csv.gz', { force: true }));
  } finally {
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
main();
