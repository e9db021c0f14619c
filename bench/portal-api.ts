// Benchmark of the price portal's API (not a test): a real server on 127.0.0.1 (port 0) over a fresh store and a lake
// fed with the real demo DVF files and their indicators (computed after the import, as a server does), then
//   1. first answers (nothing cached) for every commune of the Métropole de Lyon that has sales and for the map, side
//      by side: « avant » computed from the raw lake (marketService source 'lake', the path before issue 16), « après »
//      from the precomputed indicators, both called in-process, and « HTTP » through the server, which prepares the
//      answers every first visitor asks for once it is ready (service.ts `prepare`; the bench waits for it);
//   2. autocannon on a commune page, the map, a CSV download (cached answers sent as stored bytes), the market module's
//      own indicator route, and a static file of the same server (dist/web/index.html: `npx vite build` first).
//
//   npx tsx bench/portal-api.ts                 (5 s per route, 10 connections)
//   npx tsx bench/portal-api.ts --duree 20 --connexions 50
import { modules } from '../src/modules/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { marketModule } from '../src/modules/market/index.ts';
import { prepareContext } from '../src/platform/boot.ts';
import { loadConfig } from '../src/platform/config.ts';
import { WEB_DIST, buildApp } from '../src/platform/http/app.ts';
import { existsSync } from 'node:fs';
import { lakePool } from '../src/platform/lake.ts';
import { marketService, membershipOf, refreshIndicators } from '../src/modules/market/service.ts';
import type { PortalQuery } from '../src/modules/market/contract.ts';
import { arg } from './args.ts';
import { load as loadRoute, row } from './http-load.ts';

const duration = Number(arg('duree', '5'));
const connections = Number(arg('connexions', '10'));

const dataDir = mkdtempSync(join(tmpdir(), 'habitat-bench-portal-'));
const started = Date.now();
// No rate limit: the bench measures the server, not the limiter.
console.log('préparation du magasin et du territoire…');
const ctx = await prepareContext({ ...loadConfig({ HABITAT_DATA_DIR: dataDir }), loadDemo: false, logLevel: 'warn', rateLimitPerMinute: 1e9 }, modules);
console.log('import DVF de démonstration…');
await marketModule.loadDemo!(ctx);
// The indicators are computed after the import, in the background of a server; the bench waits for them.
const tIndicators = Date.now();
if (!(await refreshIndicators(ctx.lake.dir, (c) => membershipOf(ctx.db, c)))) throw new Error('indicateurs non calculés');
console.log(`indicateurs publiés calculés en ${((Date.now() - tIndicators) / 1000).toFixed(1)} s`);
const app = await buildApp(ctx, modules, { logger: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
// Once ready, the server prepares the answers every first visitor asks for (service.ts `prepare`): wait for it.
const tPrepare = Date.now();
await app.idle();
const prepareMs = Date.now() - tPrepare;
console.log(`serveur prêt en ${((Date.now() - started) / 1000).toFixed(1)} s sur ${url} (${cpus().length} cœurs, charge ${loadavg()[0].toFixed(2)})`);

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

// 1. Uncached. The first request after the import also reads the indicators into memory (once per edition).
let t0 = process.hrtime.bigint();
const map = await (await fetch(`${url}/api/market/portal/map?type=appartement`)).json();
const firstAfterImport = ms(t0);
const withSales = map.table.rows.filter((r: any) => r.reason !== 'Aucune vente retenue dans les données.').map((r: any) => r.code as string);
const pool = await lakePool(ctx.lake, 3);
const service = (source: 'lake' | 'indicators') => marketService({ db: ctx.db, lake: pool, secrecyMinCount: ctx.config.secrecyMinCount, source });
const before = service('lake');
const after = service('indicators');
await after.mapPage({ type: 'maison', window: 'year', method: 'etalab' }); // its own readiness check and index, once
const timed = async (f: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  await f();
  return ms(t);
};
const cold = { before: [] as number[], after: [] as number[], http: [] as number[] };
const q: PortalQuery = { type: 'appartement', window: 'year', method: 'habitat' };
for (const code of withSales) {
  cold.before.push(await timed(() => before.communePage(code, q)));
  cold.after.push(await timed(() => after.communePage(code, q)));
  cold.http.push(
    await timed(async () => {
      const res = await fetch(`${url}/api/market/portal/communes/${code}?type=appartement`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${code} → ${res.status}`);
    }),
  );
}
// The map: « avant » and « après » computed at the request (each window's secrecy decided by its first map); through
// HTTP, the server has prepared its landing maps (no year: kept as bytes) and every window's secrecy; a map of a
// given year is still built at its first request, from the secrecy decided ahead.
const coldMap = { before: [] as number[], after: [] as number[], http: [] as number[], httpYear: [] as number[] };
const mapYear = map.years.includes(2018) ? 2018 : map.years[0];
for (const type of ['maison', 'maison_appartement'] as const) {
  for (const window of ['year', 'five_years'] as const) {
    coldMap.before.push(await timed(() => before.mapPage({ type, window, method: 'habitat' })));
    coldMap.after.push(await timed(() => after.storedMap({ type, window, method: 'habitat' })));
    coldMap.http.push(await timed(async () => (await fetch(`${url}/api/market/portal/map?type=${type}&window=${window}`)).arrayBuffer()));
    coldMap.httpYear.push(await timed(async () => (await fetch(`${url}/api/market/portal/map?type=${type}&window=${window}&year=${mapYear}`)).arrayBuffer()));
  }
}
pool.close();

// 2. Under load.
const load = (path: string) => loadRoute(url, path, { connections, duration });
const loads = [];
for (const path of [
  '/api/market/portal/communes/69266?type=appartement',
  '/api/market/portal/map?type=appartement',
  '/api/market/portal/communes/69266/download/yearly_series?format=csv',
  '/api/market/communes/69266/indicators?types=appartement',
  ...(existsSync(WEB_DIST) ? ['/index.html'] : []),
]) {
  loads.push(await load(path));
}

console.log(`\nRéponses préparées par le serveur une fois prêt : ${prepareMs} ms ; première requête ensuite (carte) : ${firstAfterImport.toFixed(0)} ms`);
console.log('\n| première réponse (rien en cache) | n | p50 | p95 | max |');
console.log('|---|---|---|---|---|');
console.log(row('page commune — avant (lac brut, en processus)', cold.before));
console.log(row('page commune — après (indicateurs, en processus)', cold.after));
console.log(row('page commune — après, par HTTP', cold.http));
console.log(row('carte (95 communes) — avant', coldMap.before));
console.log(row('carte (95 communes) — après, calculée à la demande (en processus)', coldMap.after));
console.log(row('carte (95 communes) — après, préparée par le serveur, par HTTP', coldMap.http));
console.log(row(`carte (95 communes) — après, année ${mapYear} donnée (secret préparé, réponse calculée), par HTTP`, coldMap.httpYear));
if (!existsSync(WEB_DIST)) console.log('\n(pas de dist/web : lancez `npx vite build` pour comparer à un fichier statique)');
console.log(`\nautocannon, ${connections} connexions, ${duration} s par route :\n`);
console.log('| route | requêtes/s | latence p50 | latence p99 |');
console.log('|---|---|---|---|');
for (const l of loads) console.log(`| \`${l.path}\` | ${Math.round(l.rps)} | ${l.p50} ms | ${l.p99} ms |`);

await app.close();
await ctx.close();
rmSync(dataDir, { recursive: true, force: true });
// fetch keeps idle sockets open; the bench is done.
process.exit(0);
