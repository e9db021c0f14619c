// Benchmark of the cotation (not a test): N synthetic demands are read from CSV, scored in memory with the fictitious
// Toulouse v2 grid (every rule kind: seniority cap, delay bonus, « meilleur », capped « somme », refusals), then
// imported into an in-memory PGlite store (one transaction, scores written) and compared between two grids.
//
//   npx tsx bench/demand-scoring.ts                 (default 2 000 demands)
//   npx tsx bench/demand-scoring.ts --demandes 20000
import { performance } from 'node:perf_hooks';
import { openPglite } from '../src/platform/db.ts';
import { migrate } from '../src/platform/migrate.ts';
import { loadTerritory } from '../src/modules/territory/index.ts';
import { readGridDir } from '../src/modules/demand/ingest/grid-files.ts';
import { readDemandCsv } from '../src/modules/demand/ingest/sne-csv.ts';
import { compareScores, scoreDemand } from '../src/modules/demand/model.ts';
import * as service from '../src/modules/demand/service.ts';
import { syntheticDemandCsv } from '../src/modules/demand/synthetic.ts';

const args = process.argv.slice(2);
const n = Number(args[args.indexOf('--demandes') + 1] || 0) || 2000;
const REF = '2026-11-01';
const time = async <T>(label: string, count: number, fn: () => Promise<T> | T): Promise<T> => {
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(48)} ${ms.toFixed(0).padStart(7)} ms   ${Math.round((count / ms) * 1000).toLocaleString('fr-FR').padStart(10)} /s`);
  return r;
};

const grids = readGridDir();
const csv = syntheticDemandCsv(n, 1);
const { rows } = await time(`lecture CSV (${n} demandes)`, n, () => readDemandCsv(csv, 'bench.csv'));
await time('note en mémoire, grille v2 (toutes les règles)', n, () => rows.map((r) => scoreDemand(grids.toulouse_metropole_v2_projet, r.demand, REF)));
await time('simulation v1 → v2 en mémoire', n, () =>
  compareScores(rows.map((r) => ({ number: r.demand.number, before: scoreDemand(grids.toulouse_metropole, r.demand, REF).total, after: scoreDemand(grids.toulouse_metropole_v2_projet, r.demand, REF).total }))),
);
const s = await openPglite();
await migrate(s);
await loadTerritory(s.db, ['200046977', '243100518']);
for (const [epci, g] of [['200046977', grids.rhone_lyon_csf69], ['243100518', grids.toulouse_metropole]] as const) {
  await service.adoptGrid(s.db, (await service.createGrid(s.db, epci, g)).id, REF);
}
await time('import PGlite + notes (une transaction)', n, () => service.saveDemands(s.db, rows, REF));
await time('réimport identique (rien ne change)', n, () => service.saveDemands(s.db, rows, REF));
await time('recalcul de toutes les notes (PGlite)', n, () => service.rescore(s.db, { refDate: REF }));
await s.close();
