// Benchmark: pipeline events accepted per second through the HTTP API, with nothing lost — every accepted event is
// counted back in the store and on a live (SSE) stream.
// Usage: npx tsx bench/construction-events.ts [events=500] [concurrency=20] [--pg postgres://… | --pg-temp]
// Each programme is created then moved through its four next states (5 events); programmes run concurrently.
// Embedded PGlite: one server, in-process relay. With --pg (an empty database you own): two servers on that
// PostgreSQL, writes sent to A, the stream read on B, so every event crosses LISTEN/NOTIFY. --pg-temp starts a
// throwaway local cluster (needs the Debian postgresql package, as the tests do).
import { modules } from '../src/modules/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/platform/config.ts';
import type { AppContext } from '../src/platform/context.ts';
import { openPglite, openPostgres, type Store } from '../src/platform/db.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { openLake } from '../src/platform/lake.ts';
import { createLogger } from '../src/platform/log.ts';
import { migrate } from '../src/platform/migrate.ts';
import { loadTerritory } from '../src/modules/territory/index.ts';
import * as access from '../src/modules/access/store.ts';
import { startCluster } from '../test/support/postgres.ts';

const args = process.argv.slice(2);
const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
const events = nums[0] ?? 500;
const concurrency = nums[1] ?? 20;
const cluster = args.includes('--pg-temp') ? await startCluster() : undefined;
const pgUrl = cluster?.url ?? (args.includes('--pg') ? args[args.indexOf('--pg') + 1] : undefined);
const programmes = Math.ceil(events / 5);
const STEPS = ['permit_filed', 'permit_granted', 'works_started', 'delivered'];

async function server(store: Store, url?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-construction-'));
  const lake = await openLake(dataDir);
  const ctx: AppContext = {
    config: { ...loadConfig({}), dataDir, databaseUrl: url, loadDemo: false, logLevel: 'silent', rateLimitPerMinute: 10_000_000 },
    db: store.db, store, lake, log: createLogger('silent'),
    async close() { lake.close(); await store.close(); rmSync(dataDir, { recursive: true, force: true }); },
  };
  const app = await buildApp(ctx, modules, { logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { ctx, address, close: async () => { await app.close(); await ctx.close(); } };
}

const storeA = pgUrl ? await openPostgres(pgUrl) : await openPglite();
await migrate(storeA);
await loadTerritory(storeA.db, loadConfig({}).epciSirens);
const a = await server(storeA, pgUrl);
const b = pgUrl ? await server(await openPostgres(pgUrl), pgUrl) : a;

const org = await access.ensureEpciOrganisation(a.ctx.db, a.ctx.config.epciSirens[0]);
const email = `bench-${Date.now()}@exemple.fr`;
await access.createUser(a.ctx.db, { email, name: 'Banc d’essai', role: 'agent', organisationId: org.id, password: 'mot-de-passe-de-banc-solide' });
const cookie = `hc_session=${(await access.login(a.ctx.db, email, 'mot-de-passe-de-banc-solide'))!.token}`;

// The live stream, read on B: arrival time of each (programme, state).
const arrived = new Map<string, number>();
let ready!: () => void;
const isReady = new Promise<void>((r) => (ready = r));
const controller = new AbortController();
let allArrived!: () => void;
const everything = new Promise<void>((r) => (allArrived = r));
const ours = new Set<string>();
(async () => {
  const res = await fetch(`${b.address}/api/construction/events`, { headers: { accept: 'text/event-stream', cookie }, signal: controller.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let sep;
    while ((sep = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, sep);
      buf = buf.slice(sep + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev === 'ready') ready();
      if (ev === 'change' && data) {
        const c = JSON.parse(data);
        if (c.type === 'programme') arrived.set(`${c.id}|${c.state}`, performance.now());
        if (arrived.size >= programmes * 5 && ours.size === programmes) allArrived();
      }
    }
  }
})().catch(() => {});
await isReady;

const accepted = new Map<string, number>();
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${a.address}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path} → ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
};

async function oneProgramme(i: number) {
  // Times are taken when the request leaves: the event may reach the stream before the answer reaches us.
  let sent = performance.now();
  const p = await post('/api/construction/programmes', { name: `Banc ${i}`, commune_code: '31555', dwellings: 10 + (i % 50), state: 'project', state_date: '2026-01-02' });
  ours.add(p.id);
  accepted.set(`${p.id}|project`, sent);
  for (const [k, state] of STEPS.entries()) {
    sent = performance.now();
    await post(`/api/construction/programmes/${p.id}/state`, { state, date: `2026-0${k + 2}-01` });
    accepted.set(`${p.id}|${state}`, sent);
  }
}

const t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: Math.min(concurrency, programmes) }, async () => {
  while (next < programmes) await oneProgramme(next++);
}));
const tAccepted = performance.now();
const timeout = setTimeout(() => allArrived(), 30_000);
await everything;
clearTimeout(timeout);
const tDelivered = performance.now();

const stored = Number((await a.ctx.db.selectFrom('construction_event').select((eb) => eb.fn.countAll().as('n')).where('programme_id', 'in', [...ours]).executeTakeFirstOrThrow()).n);
const lost = [...accepted.keys()].filter((k) => !arrived.has(k));
const lat = [...accepted.entries()].filter(([k]) => arrived.has(k)).map(([k, t]) => arrived.get(k)! - t).sort((x, y) => x - y);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;

console.log(`${cpus()[0]?.model ?? '?'} (${cpus().length} cœurs), Node ${process.version} ; ${pgUrl ? 'PostgreSQL, 2 serveurs (écriture sur A, flux lu sur B)' : 'PGlite en mémoire, 1 serveur'}`);
console.log(`événements acceptés : ${accepted.size} (${programmes} programmes × 5) en ${((tAccepted - t0) / 1000).toFixed(2)} s, ${Math.round(accepted.size / ((tAccepted - t0) / 1000))} événements/s, concurrence ${concurrency}`);
console.log(`relus dans le stockage : ${stored} ; reçus sur le flux : ${accepted.size - lost.length} ; perdus : ${lost.length}`);
console.log(`délai envoi de la requête → réception sur le flux : médiane ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${lat[lat.length - 1]?.toFixed(1)} ms ; dernier reçu ${(tDelivered - tAccepted).toFixed(0)} ms après la dernière réponse`);

controller.abort();
if (b !== a) await b.close();
await a.close();
cluster?.stop();
if (lost.length || stored !== accepted.size) process.exitCode = 1;
