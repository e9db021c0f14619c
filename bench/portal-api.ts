// Benchmark of the price portal's API (not a test): a real server on 127.0.0.1 (port 0) over a fresh store and a lake
// fed with the real demo DVF files, then
//   1. first answers (computed from the lake, nothing cached) for every commune of the Métropole de Lyon that has sales;
//   2. autocannon on a commune page, the map, a CSV download (cached answers: the lake changes only on import),
//      and on the market module's own indicator route (a DuckDB query on every request).
//
//   npx tsx bench/portal-api.ts                 (5 s per route, 10 connections)
//   npx tsx bench/portal-api.ts --duree 20 --connexions 50
import { modules } from '../src/modules/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { marketModule } from '../src/modules/market/index.ts';
import { prepareContext } from '../src/platform/boot.ts';
import { loadConfig } from '../src/platform/config.ts';
import { buildApp } from '../src/platform/http/app.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const duration = Number(arg('duree', '5'));
const connections = Number(arg('connexions', '10'));

const dataDir = mkdtempSync(join(tmpdir(), 'habitat-bench-portal-'));
const started = Date.now();
// No rate limit: the bench measures the server, not the limiter.
console.log('préparation du magasin et du territoire…');
const ctx = await prepareContext({ ...loadConfig({ HABITAT_DATA_DIR: dataDir }), loadDemo: false, logLevel: 'warn', rateLimitPerMinute: 1e9 }, modules);
console.log('import DVF de démonstration…');
await marketModule.loadDemo!(ctx);
const app = await buildApp(ctx, modules, { logger: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`serveur prêt en ${((Date.now() - started) / 1000).toFixed(1)} s sur ${url} (${cpus().length} cœurs, charge ${loadavg()[0].toFixed(2)})`);

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

// 1. Uncached: the first answer for each commune with sales.
const map = await (await fetch(`${url}/api/market/portal/map?type=appartement`)).json();
const withSales = map.table.rows.filter((r: any) => r.reason !== 'Aucune vente retenue dans les données.').map((r: any) => r.code as string);
const cold: number[] = [];
for (const code of withSales) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${url}/api/market/portal/communes/${code}?type=appartement`);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${code} → ${res.status}`);
  cold.push(ms(t0));
}
const coldMap: number[] = [];
for (const type of ['maison', 'maison_appartement']) {
  for (const window of ['year', 'five_years']) {
    const t0 = process.hrtime.bigint();
    await (await fetch(`${url}/api/market/portal/map?type=${type}&window=${window}`)).arrayBuffer();
    coldMap.push(ms(t0));
  }
}

// 2. Under load.
async function load(path: string) {
  console.log(`autocannon ${path}`);
  const r = await autocannon({ url: url + path, connections, duration });
  if (r.non2xx || r.errors) throw new Error(`${path} : ${r.non2xx} réponses non 2xx, ${r.errors} erreurs`);
  return { path, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total };
}
const loads = [];
for (const path of [
  '/api/market/portal/communes/69266?type=appartement',
  '/api/market/portal/map?type=appartement',
  '/api/market/portal/communes/69266/download/yearly_series?format=csv',
  '/api/market/communes/69266/indicators?types=appartement',
]) {
  loads.push(await load(path));
}

console.log(`\nPremière réponse (calculée depuis le lac) — page commune, ${cold.length} communes : médiane ${pct(cold, 0.5).toFixed(0)} ms, p90 ${pct(cold, 0.9).toFixed(0)} ms, max ${Math.max(...cold).toFixed(0)} ms`);
console.log(`Première réponse — carte (95 communes), ${coldMap.length} variantes : médiane ${pct(coldMap, 0.5).toFixed(0)} ms, max ${Math.max(...coldMap).toFixed(0)} ms`);
console.log(`\nautocannon, ${connections} connexions, ${duration} s par route :\n`);
console.log('| route | requêtes/s | latence p50 | latence p99 |');
console.log('|---|---|---|---|');
for (const l of loads) console.log(`| \`${l.path}\` | ${Math.round(l.rps)} | ${l.p50} ms | ${l.p99} ms |`);

await app.close();
await ctx.close();
rmSync(dataDir, { recursive: true, force: true });
// fetch keeps idle sockets open; the bench is done.
process.exit(0);
