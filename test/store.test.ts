// The store on both databases: migrations, the COG load, and driver types that read the same everywhere.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeStores } from './support/stores.ts';
import { insertInBatches } from '../src/platform/db.ts';
import { loadCog } from '../src/modules/territory/store.ts';
import { instanceCommunes, findCommune, searchCommunes } from '../src/modules/territory/store.ts';
import { createOrganisation, createUser, login, principalFromSession } from '../src/modules/access/store.ts';

describeStores('store', (getDb, kind) => {
  it('applies every migration once', async () => {
    const rows = await getDb().selectFrom('schema_migration').select('name').execute();
    expect(rows.map((r) => r.name)).toContain('0001_territory.sql');
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  it('reads bigint and numeric as numbers on this driver', async () => {
    const r = await sql<{ b: number; n: number; c: number }>`select 9007199254740::bigint as b, 12.5::numeric as n, count(*) as c from region`.execute(getDb());
    expect(r.rows[0]).toEqual({ b: 9007199254740, n: 12.5, c: expect.any(Number) });
  });

  it('loads the COG: current communes, arrondissements as children, EPCI membership', async () => {
    const db = getDb();
    const lyon = await findCommune(db, '69123');
    expect(lyon?.name).toBe('Lyon');
    expect(lyon?.epci_siren).toBe('200046977');
    expect(lyon?.arrondissements.map((a) => a.code)).toEqual(['69381', '69382', '69383', '69384', '69385', '69386', '69387', '69388', '69389']);
    const paris = await findCommune(db, '75056');
    expect(paris?.arrondissements).toHaveLength(20);
    // Arrondissements inherit the EPCI of their commune.
    expect((await findCommune(db, '69388'))?.epci_siren).toBe('200046977');
    const communes = await instanceCommunes(db);
    const toulouse = communes.filter((c) => c.epci_siren === '243100518');
    expect(toulouse).toHaveLength(37);
    expect(communes.filter((c) => c.epci_siren === '200046977')).toHaveLength(58);
    const { count } = await db.selectFrom('commune').select(db.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    expect(count).toBeGreaterThan(34_000);
  });

  it('re-running the COG load changes nothing', async () => {
    const db = getDb();
    const before = await db.selectFrom('commune').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(await loadCog(db)).toBe(false);
    const after = await db.selectFrom('commune').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('finds communes by name without accents or by postcode', async () => {
    const db = getDb();
    expect((await searchCommunes(db, 'villeurbanne')).map((c) => c.code)).toContain('69266');
    expect((await searchCommunes(db, 'ecully')).map((c) => c.name)).toContain('Écully');
    expect((await searchCommunes(db, '31000')).map((c) => c.code)).toContain('31555');
  });

  it('inserts in batches and keeps a failed batch out entirely (one transaction)', async () => {
    const db = getDb();
    // A scratch table of the schema's shape: the helper takes only the store's own tables (typed at the call).
    await sql`create table if not exists territory_load_probe (like territory_load including all)`.execute(db);
    const probe = 'territory_load_probe' as 'territory_load';
    const rows = Array.from({ length: 1234 }, (_, i) => ({ name: `probe-${i}`, version: '1' }));
    await insertInBatches(db, probe, rows, 100);
    const n = await db.selectFrom(probe).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(n.n).toBe(1234);
    await expect(
      db.transaction().execute((trx) => insertInBatches(trx, probe, [{ name: 'probe-new', version: '1' }, { name: 'probe-1', version: '1' }], 1)),
    ).rejects.toThrow();
    expect(await db.selectFrom(probe).select('name').where('name', '=', 'probe-new').executeTakeFirst()).toBeUndefined();
  });

  it('opens and checks a session for a user, stores only hashes', async () => {
    const db = getDb();
    const org = await createOrganisation(db, { kind: 'bailleur', name: `Bailleur ${kind}` });
    await createUser(db, { email: `Agent.${kind}@Exemple.fr`, name: 'A', role: 'partner', organisationId: org.id, password: 'un-mot-de-passe-long' });
    expect(await login(db, `agent.${kind}@exemple.fr`, 'mauvais-mot-de-passe')).toBeNull();
    const opened = await login(db, `agent.${kind}@exemple.fr`, 'un-mot-de-passe-long');
    expect(opened).not.toBeNull();
    const p = await principalFromSession(db, opened!.token);
    expect(p).toMatchObject({ role: 'partner', organisationId: org.id, organisationKind: 'bailleur' });
    const stored = await db.selectFrom('user_session').select('token_hash').execute();
    expect(stored.some((s) => s.token_hash === opened!.token)).toBe(false);
    const user = await db.selectFrom('app_user').select('password_hash').where('organisation_id', '=', org.id).executeTakeFirstOrThrow();
    expect(user.password_hash.startsWith('$argon2')).toBe(true);
  });
});

describeStores(
  'migrations from an empty database',
  (getDb) => {
    it('builds the whole schema from nothing', async () => {
      const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(getDb());
      const names = tables.rows.map((t) => t.table_name);
      for (const t of ['commune', 'epci', 'organisation', 'app_user', 'api_key', 'audit_log', 'user_session']) expect(names).toContain(t);
    });
  },
  { fresh: true },
);
