// The store: Kysely over embedded PGlite (default) or a PostgreSQL server (DATABASE_URL).
// Both drivers are made to return the same JavaScript types: int8 and numeric as numbers, dates as Date.
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from './config.ts';
import { acquireStoreLock, type StoreLock } from './store-lock.ts';

export type Db = Kysely<any>;
export interface Store {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs a multi-statement SQL script in one transaction (simple protocol: Kysely prepares single statements). */
  execScript(text: string): Promise<void>;
  close(): Promise<void>;
  /** The embedded store's lock (PGlite under a data folder); none on a PostgreSQL server or in memory. */
  lock?: StoreLock;
}

const INT8 = 20;
const NUMERIC = 1700;
// Counts and sums stay far below 2^53, so numbers are safer for callers than strings.
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(NUMERIC, (v) => Number(v));

export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Store> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  const dir = join(config.dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  // Before PGlite touches the folder: a second process must be refused, never let in (see store-lock.ts).
  const lock = acquireStoreLock(dir);
  try {
    const store = await openPglite(dir);
    return {
      ...store,
      lock,
      async close() {
        try {
          await store.close();
        } finally {
          lock.release(); // only once PGlite has written everything and let go of the files
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

export async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const execScript = async (text: string) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(text);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw err;
    } finally {
      client.release();
    }
  };
  return { db, kind: 'postgres', execScript, close: () => db.destroy() };
}

/** `dir` undefined = in memory. */
export async function openPglite(dir?: string): Promise<Store> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = new PGlite(dir, {
    parsers: { [NUMERIC]: (v: string) => Number(v), [INT8]: (v: string) => Number(v) },
  });
  await pglite.waitReady;
  const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite }) });
  const execScript = async (text: string) => {
    await pglite.transaction(async (tx) => {
      await tx.exec(text);
    });
  };
  const close = async () => {
    await db.destroy();
    // Kysely closes PGlite only if it ran a query; a store closed unused must let go of its files too.
    if (!pglite.closed) await pglite.close();
  };
  return { db, kind: 'pglite', execScript, close };
}

/** Insert rows in batches: PGlite (and PostgreSQL's 65535-parameter limit) want bounded statements. */
export async function insertInBatches<T extends object>(
  db: Db,
  table: string,
  rows: T[],
  batchSize = 500,
  onConflict?: (oc: any) => any,
): Promise<void> {
  for (let i = 0; i < rows.length; i += batchSize) {
    let q: any = db.insertInto(table).values(rows.slice(i, i + batchSize));
    if (onConflict) q = q.onConflict(onConflict);
    await q.execute();
  }
}
