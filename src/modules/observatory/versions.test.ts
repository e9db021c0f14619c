// The change counters the kept portraits are keyed on (migration 0801), on both stores: a committed write to a
// source's tables moves that source's counter, and only that one; a rolled-back write moves nothing.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { createProgramme } from '../construction/service.ts';
import { DEMO_INSEE, importInsee } from './index.ts';
import { storeVersions } from './store.ts';

describeStores('observatory: versions of the sources', (getDb) => {
  const moved = (a: Record<string, number>, b: Record<string, number>) => Object.keys({ ...a, ...b }).filter((k) => (a[k] ?? 0) !== (b[k] ?? 0)).sort();

  it('an INSEE import moves the INSEE counter only', async () => {
    const before = await storeVersions(getDb());
    await importInsee(getDb(), DEMO_INSEE);
    expect(moved(before, await storeVersions(getDb()))).toEqual(['insee']);
  });

  it('a programme of the pipeline moves the construction counter only', async () => {
    const before = await storeVersions(getDb());
    await createProgramme(getDb(), { name: 'Compteur', commune_code: '31555', state: 'permit_granted', state_date: '2024-02-01', dwellings: 3 }, { source: 'manual', author: 'test' });
    expect(moved(before, await storeVersions(getDb()))).toEqual(['construction']);
  });

  it('a statement that changes no row moves nothing (the daily purge finding nothing to purge)', async () => {
    const before = await storeVersions(getDb());
    await sql`update demand set updated_at = now() where false`.execute(getDb());
    await sql`delete from construction_target where commune_code = '00000'`.execute(getDb());
    expect(await storeVersions(getDb())).toEqual(before);
  });

  it('a write rolled back moves nothing', async () => {
    const before = await storeVersions(getDb());
    await expect(
      getDb().transaction().execute(async (trx) => {
        await sql`insert into construction_target (commune_code, period_start, period_end, total, social) values ('31555', 2030, 2035, 10, 2)`.execute(trx);
        throw new Error('annulé');
      }),
    ).rejects.toThrow('annulé');
    expect(await storeVersions(getDb())).toEqual(before);
  });
});
