// Plain SQL migrations from migrations/*.sql, applied in file-name order, each in one transaction.
// The SQL must run on PostgreSQL 15 (the Debian server) as well as PGlite (PostgreSQL 18).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Store } from './db.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, '..', '..', 'migrations');

export async function migrate(store: Store, dir = MIGRATIONS_DIR): Promise<string[]> {
  const { db } = store;
  await sql`create table if not exists schema_migration (name text primary key, applied_at timestamptz not null default now())`.execute(db);
  const isApplied = async (name: string) =>
    !!(await db.selectFrom('schema_migration').select('name').where('name', '=', name).executeTakeFirst());
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  // One query for what is done (a command starts faster than with one per file); each pending one is checked again
  // under the lock below, in case another process applied it meanwhile.
  const done = new Set((await db.selectFrom('schema_migration').select('name').execute()).map((r) => r.name));
  const applied: string[] = [];
  for (const name of files) {
    if (done.has(name)) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    const record = `insert into schema_migration (name) values ('${name.replace(/'/g, "''")}');`;
    try {
      // The advisory lock serialises two server processes starting together on one PostgreSQL.
      await store.execScript(`select pg_advisory_xact_lock(7411);\n${text}\n;${record}`);
      applied.push(name);
    } catch (err) {
      if (await isApplied(name)) continue; // another process applied it while we waited for the lock
      throw new Error(`Migration ${name} impossible : ${(err as Error).message}`);
    }
  }
  return applied;
}
