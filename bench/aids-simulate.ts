// Times the three simulators in memory (publicodes evaluation + table look-ups + explanation text) and,
// optionally, over HTTP. Usage: npx tsx bench/aids-simulate.ts [--n 2000]
import { simulateOwnership } from '../src/modules/aids/simulators/ownership.ts';
import { simulateRenovation } from '../src/modules/aids/simulators/renovation.ts';
import { simulateSocialHousing } from '../src/modules/aids/simulators/social-housing.ts';
import { tables } from '../src/modules/aids/tables.ts';

const arg = process.argv.indexOf('--n');
const n = arg > 0 ? Number(process.argv[arg + 1]) : 2000;
const t0 = performance.now();
const t = tables();
console.log(`tables chargées et validées : ${(performance.now() - t0).toFixed(1)} ms`);
const communes = t.communes.map((c) => c.code);
const pick = <T>(xs: T[], i: number) => xs[i % xs.length]!;

function time(name: string, run: (i: number) => unknown) {
  for (let i = 0; i < 50; i++) run(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < n; i++) run(i);
  const ms = performance.now() - start;
  console.log(`${name} : ${n} simulations en ${ms.toFixed(0)} ms — ${(ms / n).toFixed(3)} ms chacune, ${Math.round((n / ms) * 1000)}/s`);
}
time('logement social', (i) => simulateSocialHousing({ commune: pick(communes, i), persons: 1 + (i % 7), reference_tax_income: 8000 + ((i * 997) % 60000) }, t));
time('accession', (i) =>
  simulateOwnership(
    { commune: pick(communes, i), persons: 1 + (i % 7), reference_tax_income: 8000 + ((i * 997) % 90000), owner_last_two_years: i % 5 === 0, housing_type: 'new_build', operation_cost: 150000 + (i % 10) * 20000 },
    t,
  ),
);
time('rénovation', (i) =>
  simulateRenovation({ commune: pick(communes, i), persons: 1 + (i % 7), reference_tax_income: 8000 + ((i * 997) % 90000), status: 'landlord', built_over_15_years: true, dpe_class: pick(['D', 'E', 'F', 'G'] as const, i) }, t),
);
