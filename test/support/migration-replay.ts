// A store migrated up to, but not including, one migration: the tests of a renaming migration write rows under the
// old names, apply the rest, and read them back under the new ones (a store in production keeps its data).
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite, type Store } from '../../src/platform/db.ts';
import { MIGRATIONS_DIR, migrate } from '../../src/platform/migrate.ts';

export interface StoreBefore {
  store: Store;
  /** Applies the migration under test and those after it; returns the names applied. */
  migrateRest(): Promise<string[]>;
  close(): Promise<void>;
}

export async function storeBefore(migration: string): Promise<StoreBefore> {
  const dir = mkdtempSync(join(tmpdir(), `habitat-before-${migration.slice(0, 4)}-`));
  const all = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
  const copy = (names: string[]) => names.forEach((f) => copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f)));
  copy(all.filter((f) => f < migration));
  const store = await openPglite();
  await migrate(store, dir);
  return {
    store,
    migrateRest: async () => {
      copy(all.filter((f) => f >= migration));
      return migrate(store, dir);
    },
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
