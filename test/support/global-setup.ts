// Vitest global setup: one PostgreSQL cluster for the whole run, and a migrated store with the COG loaded kept as a
// template on both databases, so each test file starts from it in a fraction of a second instead of reloading the COG.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPglite, openPostgres, type Store } from '../../src/platform/db.ts';
import { migrate } from '../../src/platform/migrate.ts';
import { loadTerritory } from '../../src/modules/territory/index.ts';
import { DEMO_EPCI_SIRENS } from '../../src/platform/config.ts';
import { findPostgresBin, startCluster, type TestCluster } from './postgres.ts';

let cluster: TestCluster | undefined;
let templateDir: string | undefined;

export const PG_TEMPLATE_DB = 'habitat_template';

async function prepare(store: Store) {
  await migrate(store);
  await loadTerritory(store.db, DEMO_EPCI_SIRENS);
}

export async function setup() {
  templateDir = mkdtempSync(join(tmpdir(), 'habitat-pglite-'));
  // A closed, file-backed PGlite data folder: each test file opens a copy of it.
  const dir = join(templateDir, 'pglite');
  const template = await openPglite(dir);
  await prepare(template);
  await template.close();
  process.env.HABITAT_TEST_PGLITE_TEMPLATE = dir;

  if (!findPostgresBin()) {
    if (process.env.CI === 'true') throw new Error('CI : le serveur PostgreSQL doit être installé (paquet « postgresql »).');
    console.warn('PostgreSQL absent : les tests du stockage ne tournent que sur PGlite.');
    return;
  }
  cluster = await startCluster();
  process.env.HABITAT_TEST_PG_URL = cluster.url;
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`create database ${PG_TEMPLATE_DB}`);
  await admin.end();
  const store = await openPostgres(cluster.url.replace(/\/[^/]*$/, `/${PG_TEMPLATE_DB}`));
  await prepare(store);
  await store.close();
}

export async function teardown() {
  cluster?.stop();
  if (templateDir) rmSync(templateDir, { recursive: true, force: true });
}
