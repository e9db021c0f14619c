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
    expect(head).toMatchObject({ id: id1, nom: SAMPLE.nom, anneeDebut: 2025, tauxRattrapageSru: 0.33 });
    expect(await store.loadProgramme(db, head!)).toEqual(SAMPLE);
  });

  it('merges targets and budgets by key without duplicating', async () => {
    const db = getDb();
    const head = (await store.currentProgramme(db))!;
    await store.mergeObjectifs(db, head.id, [{ ...SAMPLE.objectifs[0], valeur: 650 }]);
    await store.mergeObjectifs(db, head.id, [{ ...SAMPLE.objectifs[0], valeur: 650 }]);
    await store.mergeBudgets(db, head.id, [{ actionCode: '2.1', annee: 2027, prevuEuros: 10, depenseEuros: 0 }]);
    const p = await store.loadProgramme(db, head);
    expect(p.objectifs).toHaveLength(3);
    expect(p.objectifs.find((o) => o.communeCode === '31069')?.valeur).toBe(650);
    expect(p.budgets).toHaveLength(4);
  });

  it('takes each commune’s latest SRU inventory at or before the year asked', async () => {
    const db = getDb();
    const base = { population: null, tauxLegal: 0.25, exemptee: false, potentielFiscalParHabitant: null, depensesReellesFonctionnement: null, depensesDeductibles: null, source: 'test' };
    await store.upsertSru(db, { ...base, communeCode: '31069', annee: 2024, residencesPrincipales: 12_000, logementsSociaux: 2000 });
    await store.upsertSru(db, { ...base, communeCode: '31069', annee: 2026, residencesPrincipales: 12_500, logementsSociaux: 2200 });
    await store.upsertSru(db, { ...base, communeCode: '31069', annee: 2026, residencesPrincipales: 12_500, logementsSociaux: 2250 });
    expect((await store.latestSruInventories(db, 2025)).map((s) => [s.annee, s.logementsSociaux])).toEqual([[2024, 2000]]);
    expect((await service.latestSruInventories(db, 2030)).map((s) => [s.annee, s.logementsSociaux, s.tauxLegal, s.nom])).toEqual([[2026, 2250, 0.25, 'Blagnac']]);
  });

  it('upserts aids and land sites by reference', async () => {
    const db = getDb();
    const aid = { reference: 'A-1', type: 'accession' as const, communeCode: '31555', annee: 2026, montantEuros: 4000, nbLogements: 1, nbPlai: 0, nbPlus: 0, nbPls: 0, organisationId: null, commentaire: '' };
    await store.upsertAide(db, aid);
    const again = await store.upsertAide(db, { ...aid, montantEuros: 4500 });
    expect(again.montantEuros).toBe(4500);
    expect(await store.listAides(db)).toHaveLength(1);
    const site = { reference: 'S-1', nature: 'gisement' as const, communeCode: '31555', parcelle: null, surfaceM2: 1200.5, zonage: 'AU', logementsPotentiels: 20, statut: 'identifie' as const, longitude: null, latitude: null, commentaire: '' };
    await store.upsertFoncier(db, site);
    await store.upsertFoncier(db, { ...site, statut: 'maitrise' });
    expect((await store.listFoncier(db)).map((f) => [f.reference, f.statut, f.surfaceM2])).toEqual([['S-1', 'maitrise', 1200.5]]);
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
    expect(rows).toEqual([{ communeCode: '69123', categorie: 'logements', annee: 2025, valeur: 42, source: SOURCE_SITADEL }]);
  });
});
