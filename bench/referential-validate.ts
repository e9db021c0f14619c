// Benchmark: validating a large delivery against its schema, beside a plain csv-parse of the same file (the floor).
// Usage: npx tsx bench/referential-validate.ts [rows=20000] [--store]   (docs/benchmarks.md uses 200000)
// --store also records the delivery in an in-memory PGlite (file kept as bytea, accepted rows as jsonb).
// The file is generated from programmes-logements' valid example, every row with its own identifier.
import { parse } from 'csv-parse';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Readable } from 'node:stream';
import { exampleFile, findSchema, loadCatalogue } from '../src/modules/referential/catalogue.ts';
import { validateFile } from '../src/modules/referential/ingest/validate-file.ts';
import { acceptDelivery } from '../src/modules/referential/service.ts';
import { openPglite } from '../src/platform/db.ts';
import { migrate } from '../src/platform/migrate.ts';

const rows = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20_000);
const withStore = process.argv.includes('--store');
const entry = findSchema(loadCatalogue(), 'programmes-logements');
const [header, ...examples] = exampleFile(entry, 'valide').toString('utf8').trim().split('\n');
const parts: string[] = [header];
for (let i = 0; i < rows; i++) parts.push(examples[i % examples.length].replace(/^PRG-[0-9-]+/, `PRG-${i}`));
const bytes = Buffer.from(parts.join('\n') + '\n');
const communes = new Set(readFileSync(new URL('../test/fixtures/referential/communes-territoire.csv', import.meta.url), 'utf8').split('\n').slice(1).map((l) => l.split(';')[0]));

function sampler() {
  let peakHeap = 0;
  let peakRss = 0;
  const tick = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(tick, 20);
  return () => {
    clearInterval(timer);
    tick();
    return { peakHeapMiB: Math.round(peakHeap / 2 ** 20), peakRssMiB: Math.round(peakRss / 2 ** 20) };
  };
}

async function plainCsvParse(): Promise<number> {
  let n = 0;
  const text = bytes.toString('utf8');
  const chunks = function* () {
    for (let i = 0; i < text.length; i += 65536) yield text.slice(i, i + 65536);
  };
  for await (const _ of Readable.from(chunks()).pipe(parse({ delimiter: ',' }))) n++;
  return n - 1;
}

async function measure(name: string, fn: () => Promise<number>) {
  (globalThis as any).gc?.();
  const stop = sampler();
  const t0 = performance.now();
  const n = await fn();
  const ms = performance.now() - t0;
  const mem = stop();
  console.log(`${name.padEnd(34)} ${n} lignes  ${(ms / 1000).toFixed(2)} s  ${Math.round(n / (ms / 1000)).toLocaleString('fr-FR')} lignes/s  tas max ${mem.peakHeapMiB} Mio  RSS max ${mem.peakRssMiB} Mio`);
}

console.log(`Fichier : ${rows} lignes, ${(bytes.length / 2 ** 20).toFixed(1)} Mio ; ${cpus()[0]?.model ?? '?'} (${cpus().length} cœurs), Node ${process.version}`);
await measure('csv-parse seul (plancher)', plainCsvParse);
await measure('validation programmes-logements', async () => {
  let kept = 0;
  const report = await validateFile(bytes, { filename: 'bench.csv' }, entry.compiled, { communes }, { onValidRow: () => void kept++ });
  if (report.status !== 'acceptee') throw new Error(`rapport inattendu : ${report.verdict}`);
  return kept;
});

if (withStore) {
  const store = await openPglite();
  await migrate(store);
  const org = await store.db.insertInto('organisation').values({ kind: 'promoteur', name: 'Banc d’essai' }).returning('id').executeTakeFirstOrThrow();
  await measure('livraison enregistrée (PGlite)', async () => {
    const r = await acceptDelivery(store.db, { organisationId: org.id, entry, bytes, filename: 'bench.csv', communes });
    return r.delivery.rowsAccepted;
  });
  await measure('même fichier renvoyé (rien d’écrit)', async () => {
    const r = await acceptDelivery(store.db, { organisationId: org.id, entry, bytes, filename: 'bench.csv', communes });
    if (r.created) throw new Error('doublon créé');
    return r.delivery.rowsAccepted;
  });
  await store.close();
}
