// Migration 0301 renames the EPCIs' own aids in place (docs/decisions/0004-naming.md): a store migrated before it
// keeps every aid, its amount and its lists, now under the English names and values.
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { storeBefore, type StoreBefore } from '../../../test/support/migration-replay.ts';
import { listLocalAids } from './store.ts';

let before: StoreBefore | undefined;
afterAll(() => before?.close());

// Two full migrations of an in-memory store take minutes on a loaded machine, hence the room (no timing is asserted).
it('keeps an ownership aid and a renovation aid (one with its lists stored as JSON text) through the renaming', async () => {
  before = await storeBefore('0301');
  const db = before.store.db;
  await sql`insert into epci (siren, nom, type) values ('200000001', 'EPCI test', 'CA')`.execute(db);
  await sql`insert into aids_local_aid (epci_siren, kind, nom, montant_euros, plafond_reference, primo_accedant_requis, types_logement, communes, deliberation)
    values ('200000001', 'accession', 'Prime primo-accédants', 3000, 'PSLA', true, '["neuf", "ancien_avec_travaux"]', '["99001"]', 'Délibération 2025-12')`.execute(db);
  // An older row: the lists written as JSON text inside jsonb (store.ts still reads both).
  await sql`insert into aids_local_aid (epci_siren, kind, nom, categories_mpr, classes_dpe, actif)
    values ('200000001', 'renovation', 'Complément passoires', ${JSON.stringify(JSON.stringify(['tres_modeste', 'modeste']))}::jsonb, ${JSON.stringify(JSON.stringify(['F', 'G']))}::jsonb, false)`.execute(db);

  await before.migrateRest();
  const aids = await listLocalAids(db);
  expect(aids.map(({ id: _id, ...a }) => a)).toEqual([
    {
      epci_siren: '200000001', kind: 'accession', name: 'Prime primo-accédants', description: '', amount_euros: 3000, ceiling_reference: 'PSLA',
      primo_accedant_required: true, housing_types: ['new_build', 'existing_with_works'], mpr_categories: [], dpe_classes: [], communes: ['99001'],
      contact: '', deliberation: 'Délibération 2025-12', active: true,
    },
    {
      epci_siren: '200000001', kind: 'renovation', name: 'Complément passoires', description: '', amount_euros: null, ceiling_reference: 'none',
      primo_accedant_required: false, housing_types: [], mpr_categories: ['very_modest', 'modest'], dpe_classes: ['F', 'G'], communes: [],
      contact: '', deliberation: null, active: false,
    },
  ]);
  // The old value is refused from now on.
  await expect(sql`update aids_local_aid set ceiling_reference = 'aucun'`.execute(db)).rejects.toThrow();
}, 300_000);
