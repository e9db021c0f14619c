// The PLH SQL on both databases (PGlite and PostgreSQL 15): replace and merge, latest SRU inventory, upserts.
import { expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { SAMPLE } from './sample-programme.test-support.ts';
import { SOURCE_SITADEL } from './model.ts';
import * as service from './service.ts';
import * as store from './store.ts';

describeStores('plh store', (getDb) => {
  it('replaces the programme starting the same year, leaving the same rows when run twice', async () => {
    const db = getDb();
    const id1 = await store.replaceProgramme(db, SAMPLE, '243100518');
    const id2 = await store.replaceProgramme(db, SAMPLE, '243100518');
    expect(id2).toBe(id1);
    expect(await store.currentProgramme(db, '200046977')).toBeNull();
    const head = await store.currentProgramme(db, '243100518');
    expect(head).toMatchObject({ id: id1, name: SAMPLE.name, startYear: 2025, sruCatchUpRate: 0.33 });
    expect(await store.loadProgramme(db, head!)).toEqual(SAMPLE);
  });

  it('merges targets and budgets by key without duplicating', async () => {
    const db = getDb();
    const head = (await store.currentProgramme(db))!;
    await store.mergeTargets(db, head.id, [{ ...SAMPLE.targets[0], value: 650 }]);
    await store.mergeTargets(db, head.id, [{ ...SAMPLE.targets[0], value: 650 }]);
    await store.mergeBudgets(db, head.id, [{ actionCode: '2.1', year: 2027, plannedEuros: 10, spentEuros: 0 }]);
    const p = await store.loadProgramme(db, head);
    expect(p.targets).toHaveLength(3);
    expect(p.targets.find((o) => o.communeCode === '31069')?.value).toBe(650);
    expect(p.budgets).toHaveLength(4);
  });

  it('takes each commune’s latest SRU inventory at or before the year asked', async () => {
    const db = getDb();
    const base = { population: null, legalRate: 0.25, exempt: false, fiscalPotentialPerInhabitant: null, operatingExpenses: null, deductibleExpenses: null, source: 'test' };
    await store.upsertSru(db, { ...base, communeCode: '31069', year: 2024, mainResidences: 12_000, socialDwellings: 2000 });
    await store.upsertSru(db, { ...base, communeCode: '31069', year: 2026, mainResidences: 12_500, socialDwellings: 2200 });
    await store.upsertSru(db, { ...base, communeCode: '31069', year: 2026, mainResidences: 12_500, socialDwellings: 2250 });
    expect((await store.latestSruInventories(db, 2025)).map((s) => [s.year, s.socialDwellings])).toEqual([[2024, 2000]]);
    expect((await service.latestSruInventories(db, 2030)).map((s) => [s.year, s.socialDwellings, s.legalRate, s.name])).toEqual([[2026, 2250, 0.25, 'Blagnac']]);
  });

  it('upserts aids and land sites by reference', async () => {
    const db = getDb();
    const aid = { reference: 'A-1', type: 'accession' as const, communeCode: '31555', year: 2026, amountEuros: 4000, dwellingsCount: 1, plaiCount: 0, plusCount: 0, plsCount: 0, organisationId: null, comment: '' };
    await store.upsertAid(db, aid);
    const again = await store.upsertAid(db, { ...aid, amountEuros: 4500 });
    expect(again.amountEuros).toBe(4500);
    expect(await store.listAids(db)).toHaveLength(1);
    const site = { reference: 'S-1', nature: 'gisement' as const, communeCode: '31555', parcel: null, surfaceM2: 1200.5, zoning: 'AU', potentialDwellings: 20, status: 'identifie' as const, longitude: null, latitude: null, comment: '' };
    await store.upsertLand(db, site);
    await store.upsertLand(db, { ...site, status: 'maitrise' });
    expect((await store.listLand(db)).map((f) => [f.reference, f.status, f.surfaceM2])).toEqual([['S-1', 'maitrise', 1200.5]]);
  });

  it('reads dwellings authorised from the construction module’s permits, arrondissements counted in their commune', async () => {
    const db = getDb();
    // Skipped silently by the code when the construction module is absent; here its tables exist.
    const prog = await db
      .insertInto('construction_programme')
      .values({ name: 'Opération test', commune_code: '69381', state: 'permit_granted', state_since: '2025-03-01', source: 'manual', units: 30 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const permit = { programme_id: prog.id, type_dau: 'PC', state: 'authorised', source: 'test', fingerprint: 'x' };
    await db
      .insertInto('construction_permit')
      .values([
        { ...permit, num_dau: 'T1', commune_code: '69381', authorisation_date: '2025-03-01', units: 30 },
        { ...permit, num_dau: 'T2', commune_code: '69123', authorisation_date: '2025-06-01', units: 12 },
        { ...permit, num_dau: 'T3', commune_code: '69123', authorisation_date: '2025-07-01', units: 99, state: 'cancelled' },
      ])
      .execute();
    const rows = await service.platformAchievements(db);
    expect(rows).toEqual([{ communeCode: '69123', category: 'logements', year: 2025, value: 42, source: SOURCE_SITADEL }]);
  });
});
