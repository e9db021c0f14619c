// Where to keep the indicators computed at import (docs/decisions/0005-precomputed-indicators.md), measured: Parquet
// files in the lake (read by DuckDB) or a table of the PostgreSQL store (PGlite here), for the demo's indicators.
//   write: the rows already computed, written (Parquet: COPY; PostgreSQL: CREATE TABLE + INSERT in batches + index);
//   first answer: one commune's rows from a cold reader; full read: every row (what the service keeps in memory).
//
//   npx tsx bench/indicators-store.ts [dossier-de-données]   (without it: a fresh store and the demo imported)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { modules } from '../src/modules/index.ts';
import { marketModule } from '../src/modules/market/index.ts';
import { indicatorsDir, readIndicatorsMeta } from '../src/modules/market/indicators-store.ts';
import { prepareContext } from '../src/platform/boot.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openPglite } from '../src/platform/db.ts';
import { openLake, sqlString } from '../src/platform/lake.ts';

const given = process.argv[2];
const dataDir = given ?? mkdtempSync(join(tmpdir(), 'habitat-bench-ind-'));
if (!given) {
  const ctx = await prepareContext({ ...loadConfig({ HABITAT_DATA_DIR: dataDir }), loadDemo: false, logLevel: 'warn' }, modules);
  await marketModule.loadDemo!(ctx);
  await ctx.close();
}
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const lake = await openLake(dataDir);
const meta = readIndicatorsMeta(lake.dir)!;
const source = join(indicatorsDir(lake.dir), 'indicators-habitat.parquet');
const rows = await lake.query<Record<string, string | number | null>>(`SELECT * FROM read_parquet(${sqlString(source)})`);
const columns = Object.keys(rows[0]);
console.log(`charge ${loadavg()[0].toFixed(2)} ; ${rows.length} indicateurs (méthode habitat), calcul complet des deux méthodes à l’import : ${meta.durationMs} ms`);

// Parquet: write, then a cold reader (a new DuckDB instance) for one commune, then for all.
const out = mkdtempSync(join(tmpdir(), 'habitat-bench-ind-out-'));
let t = process.hrtime.bigint();
await lake.query(`COPY (SELECT * FROM read_parquet(${sqlString(source)}) ORDER BY level, code, type, period) TO ${sqlString(join(out, 'i.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
const parquetWrite = ms(t);
const cold = await openLake(out);
t = process.hrtime.bigint();
await cold.query(`SELECT * FROM read_parquet(${sqlString(join(out, 'i.parquet'))}) WHERE level = 'commune' AND code = '69266'`);
const parquetFirst = ms(t);
t = process.hrtime.bigint();
await cold.query(`SELECT * FROM read_parquet(${sqlString(join(out, 'i.parquet'))})`);
const parquetAll = ms(t);
cold.close();

// PostgreSQL (PGlite, on disk like the embedded store).
const store = await openPglite(join(out, 'pg'));
t = process.hrtime.bigint();
await store.execScript(`CREATE TABLE market_indicator (level text, code text, parent text, type text, period text, sales_count integer,
  price_m2_q1 double precision, price_m2_median double precision, price_m2_q3 double precision, price_median double precision,
  price_m2_mean double precision, price_m2_iqr double precision, price_m2_median_ci_low double precision, price_m2_median_ci_high double precision)`);
for (let i = 0; i < rows.length; i += 1000) {
  const batch = rows.slice(i, i + 1000);
  await sql`INSERT INTO market_indicator (${sql.raw(columns.join(', '))}) VALUES ${sql.join(batch.map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`))}`.execute(store.db);
}
await store.execScript('CREATE INDEX market_indicator_place ON market_indicator (level, code)');
const pgWrite = ms(t);
await store.close();
const reopened = await openPglite(join(out, 'pg'));
t = process.hrtime.bigint();
await sql`SELECT * FROM market_indicator WHERE level = 'commune' AND code = '69266'`.execute(reopened.db);
const pgFirst = ms(t);
t = process.hrtime.bigint();
await sql`SELECT * FROM market_indicator`.execute(reopened.db);
const pgAll = ms(t);
await reopened.close();

console.log('\n| stockage | écriture | première réponse (une commune, lecteur froid) | lecture complète |');
console.log('|---|---|---|---|');
console.log(`| Parquet dans le lac (DuckDB) | ${parquetWrite.toFixed(0)} ms | ${parquetFirst.toFixed(1)} ms | ${parquetAll.toFixed(0)} ms |`);
console.log(`| table PostgreSQL (PGlite) | ${pgWrite.toFixed(0)} ms | ${pgFirst.toFixed(1)} ms | ${pgAll.toFixed(0)} ms |`);
lake.close();
rmSync(out, { recursive: true, force: true });
if (!given) rmSync(dataDir, { recursive: true, force: true });
