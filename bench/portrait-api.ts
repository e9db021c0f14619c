// Benchmark of the observatory's portrait through HTTP (not a test): a real server on 127.0.0.1 (port 0) over a fresh
// store and lake fed with every demo source the portrait joins (INSEE, DVF and its indicators, Sitadel, RPLS, DPE,
// demands), then
//   1. the first answer of every commune of the instance and of each EPCI (nothing kept for that place), once the
//      server is ready (it prepares what it prepares: the market's first answers, the portrait's shared parts);
//   2. the same answers again (kept as bytes since issue 16 §1);
//   3. each comparable indicator for every commune (`/api/observatory/indicators/:key`), first and again;
//   4. after one event of the construction pipeline (a programme created), the first answer of 20 communes again:
//      what a change of one source costs the answers that read it;
//   5. autocannon on a commune's and an EPCI's portrait.
// Only HTTP and functions that exist before issue 16 §1 too: the same file runs on the code before the change (a copy
// of the earlier commit), for the « avant » figures.
//
//   npx tsx bench/portrait-api.ts                 (5 s per route, 10 connections)
//   npx tsx bench/portrait-api.ts --duree 20 --connexions 50
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { constructionModule } from '../src/modules/construction/index.ts';
import { createProgramme } from '../src/modules/construction/service.ts';
import { demandModule } from '../src/modules/demand/index.ts';
import { modules } from '../src/modules/index.ts';
import { marketModule } from '../src/modules/market/index.ts';
import { membershipOf, refreshIndicators } from '../src/modules/market/service.ts';
import { observatoryModule } from '../src/modules/observatory/index.ts';
import { stockModule } from '../src/modules/stock/index.ts';
import { instanceCommunes } from '../src/modules/territory/index.ts';
import { prepareContext } from '../src/platform/boot.ts';
import { loadConfig } from '../src/platform/config.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { arg } from './args.ts';
import { load as loadRoute, row } from './http-load.ts';

const duration = Number(arg('duree', '5'));
const connections = Number(arg('connexions', '10'));
const LYON = '200046977';
const TOULOUSE = '243100518';

const dataDir = mkdtempSync(join(tmpdir(), 'habitat-bench-portrait-'));
console.log(`charge avant : ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${cpus().length} cœurs)`);
// No rate limit: the bench measures the server, not the limiter.
const ctx = await prepareContext({ ...loadConfig({ HABITAT_DATA_DIR: dataDir }), loadDemo: false, logLevel: 'warn', rateLimitPerMinute: 1e9 }, modules);
console.log('sources de démonstration…');
for (const m of [observatoryModule, marketModule, constructionModule, stockModule, demandModule]) await m.loadDemo!(ctx);
if (!(await refreshIndicators(ctx.lake.dir, (c) => membershipOf(ctx.db, c)))) throw new Error('indicateurs DVF non calculés');
const app = await buildApp(ctx, modules, { logger: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const tReady = Date.now();
await app.idle();
console.log(`serveur prêt, préparations en ${Date.now() - tReady} ms`);

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const timed = async (path: string) => {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url + path);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${path} → ${res.status}`);
  return ms(t0);
};
const communePath = (code: string) => `/api/territory/communes/${code}/portrait`;
const epciPath = (siren: string) => `/api/territory/epci/${siren}/portrait`;

const codes = (await instanceCommunes(ctx.db)).map((c) => c.code);
const first = { communes: [] as number[], epcis: [] as number[] };
for (const siren of [LYON, TOULOUSE]) first.epcis.push(await timed(epciPath(siren)));
for (const code of codes) first.communes.push(await timed(communePath(code)));
const again = { communes: [] as number[], epcis: [] as number[] };
for (const siren of [LYON, TOULOUSE]) again.epcis.push(await timed(epciPath(siren)));
for (const code of codes) again.communes.push(await timed(communePath(code)));

// The comparisons (one indicator for every commune), each indicator first and again.
const indicators = ((await (await fetch(url + '/api/observatory/indicators')).json()) as { indicators: { key: string }[] }).indicators.map((i) => i.key);
const compared = { first: [] as number[], again: [] as number[] };
for (const key of indicators) compared.first.push(await timed(`/api/observatory/indicators/${key}`));
for (const key of indicators) compared.again.push(await timed(`/api/observatory/indicators/${key}`));

// One event of the pipeline: every answer that reads the construction is computed again at its next request.
await createProgramme(ctx.db, { name: 'Banc', commune_code: '31555', state: 'permit_granted', state_date: `${new Date().getUTCFullYear() - 1}-03-01`, dwellings: 12 }, { source: 'manual', author: 'banc' });
const afterEvent: number[] = [];
for (const code of codes.slice(0, 20)) afterEvent.push(await timed(communePath(code)));

const load = (path: string) => loadRoute(url, path, { connections, duration });
const loads = [await load(communePath('69266')), await load(epciPath(LYON))];

console.log('\n| portrait par HTTP | n | p50 | p95 | max |');
console.log('|---|---|---|---|---|');
console.log(row('commune, première réponse', first.communes));
console.log(row('EPCI, première réponse', first.epcis));
console.log(row('commune, de nouveau', again.communes));
console.log(row('EPCI, de nouveau', again.epcis));
console.log(row('commune, première réponse après un événement du suivi de la construction', afterEvent));
console.log(row(`comparaison (${indicators.length} indicateurs, toutes les communes), première réponse`, compared.first));
console.log(row('comparaison, de nouveau', compared.again));
console.log(`\nautocannon, ${connections} connexions, ${duration} s par route :\n`);
console.log('| route | requêtes/s | latence p50 | latence p99 |');
console.log('|---|---|---|---|');
for (const l of loads) console.log(`| \`${l.path}\` | ${Math.round(l.rps)} | ${l.p50} ms | ${l.p99} ms |`);
console.log(`\ncharge après : ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

await app.close();
await ctx.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
