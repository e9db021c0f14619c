// Runs a block of store tests on both databases: PGlite (embedded) and the throwaway PostgreSQL server.
// Each file gets fresh, migrated databases, so tests never see each other's rows.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openPglite, openPostgres, type Db, type Store } from '../../src/platform/db.ts';
import { migrate } from '../../src/platform/migrate.ts';
import { loadTerritory } from '../../src/modules/territory/index.ts';
import { DEMO_EPCI_SIRENS } from '../../src/platform/config.ts';

export type StoreKind = 'pglite' | 'postgres';

/** Creates a database on the test cluster (a copy of the migrated template unless `empty`) and returns its URL. */
export async function createPostgresDatabase(opts: { empty?: boolean } = {}): Promise<string> {
  const base = process.env.HABITAT_TEST_PG_URL;
  if (!base) throw new Error('Pas de serveur PostgreSQL de test.');
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}${opts.empty ? '' : ' template habitat_template'}`);
  await admin.end();
  return base.replace(/\/[^/]*$/, `/${name}`);
}

/**
 * A migrated store with the COG loaded and the demo EPCIs as the instance's territory, copied from the template the
 * global setup made. `fresh: true` gives an empty store migrated from scratch instead (to test migrations themselves).
 */
export async function openTestStore(kind: StoreKind, opts: { fresh?: boolean } = {}): Promise<Store> {
  if (opts.fresh) {
    const store = kind === 'pglite' ? await openPglite() : await openPostgres(await createPostgresDatabase({ empty: true }));
    await migrate(store);
    await loadTerritory(store.db, DEMO_EPCI_SIRENS);
    return store;
  }
  if (kind === 'postgres') return openPostgres(await createPostgresDatabase());
  const template = process.env.HABITAT_TEST_PGLITE_TEMPLATE;
  if (!template) throw new Error('Modèle PGlite absent : lancez les tests avec vitest (global setup).');
  const dir = mkdtempSync(join(tmpdir(), 'habitat-pglite-copy-'));
  cpSync(template, dir, { recursive: true });
  const store = await openPglite(dir);
  return { ...store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export function storeKinds(): StoreKind[] {
  return process.env.HABITAT_TEST_PG_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * `describeStores('programmes', (getDb) => { it(...) })`: the block runs once per database, on a migrated store with
 * the COG loaded and the demo EPCIs as the instance's territory.
 */
export function describeStores(name: string, block: (getDb: () => Db, kind: StoreKind) => void, opts: { fresh?: boolean } = {}) {
  for (const kind of storeKinds()) {
    describe(`${name} [${kind}]`, () => {
      let store: Store | undefined;
      beforeAll(async () => {
        store = await openTestStore(kind, opts);
      }); // the config's hookTimeout (180 s): 120 s here was below it, for no reason
      afterAll(async () => {
        await store?.close();
      });
      block(() => {
        if (!store) throw new Error('store not ready');
        return store.db;
      }, kind);
    });
  }
}
