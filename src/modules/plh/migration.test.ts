// Migration 0602 renames the PLH's tables and columns in place (docs/decisions/0004-naming.md): a store migrated
// before it keeps every figure, now under the English names.
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { storeBefore, type StoreBefore } from '../../../test/support/migration-replay.ts';

let before: StoreBefore | undefined;
afterAll(() => before?.close());

it('keeps a programme, its targets, an SRU inventory, an aid and a land site through the renaming', async () => {
  before = await storeBefore('0602');
  const db = before.store.db;
  await sql`insert into epci (siren, nom, type) values ('200000001', 'EPCI test', 'CA')`.execute(db);
  await sql`insert into commune (code, nom, type, epci_siren) values ('99001', 'Test', 'commune-actuelle', '200000001')`.execute(db);
  const [{ id }] = (await sql<{ id: string }>`insert into plh_programme (nom, annee_debut, annee_fin, taux_rattrapage_sru, epci_siren)
    values ('PLH test', 2025, 2030, 0.25, '200000001') returning id`.execute(db)).rows;
  await sql`insert into plh_objectif (programme_id, commune_code, categorie, annee_debut, annee_fin, valeur) values (${id}, '99001', 'logements', 2025, 2030, 600)`.execute(db);
  await sql`insert into plh_sru_inventaire (commune_code, annee, residences_principales, logements_sociaux, taux_legal, source) values ('99001', 2026, 10000, 1800, 0.25, 'DDT')`.execute(db);
  await sql`insert into plh_aide_accordee (reference, type, commune_code, annee, montant_euros, nb_plai) values ('A-1', 'logement_social', '99001', 2026, 1000, 3)`.execute(db);
  await sql`insert into plh_foncier (reference, nature, commune_code, surface_m2, logements_potentiels, statut) values ('F-1', 'friche', '99001', 4200, 60, 'etudie')`.execute(db);

  await before.migrateRest();
  // numeric columns come back as text from the driver (store.ts reads them with Number()).
  const num = <T extends Record<string, unknown>>(rows: T[], ...keys: (keyof T)[]) => rows.map((r) => ({ ...r, ...Object.fromEntries(keys.map((k) => [k, Number(r[k])])) }));
  expect(num(await db.selectFrom('plh_programme').select(['name', 'start_year', 'end_year', 'sru_catch_up_rate']).execute(), 'sru_catch_up_rate')).toEqual([
    { name: 'PLH test', start_year: 2025, end_year: 2030, sru_catch_up_rate: 0.25 },
  ]);
  expect(await db.selectFrom('plh_target').select(['category', 'start_year', 'value']).execute()).toEqual([{ category: 'logements', start_year: 2025, value: 600 }]);
  expect(num(await db.selectFrom('plh_sru_inventory').select(['year', 'main_residences', 'social_dwellings', 'legal_rate', 'exempt']).execute(), 'legal_rate')).toEqual([
    { year: 2026, main_residences: 10000, social_dwellings: 1800, legal_rate: 0.25, exempt: false },
  ]);
  expect(num(await db.selectFrom('plh_aid').select(['reference', 'year', 'amount_euros', 'plai_count']).execute(), 'amount_euros')).toEqual([{ reference: 'A-1', year: 2026, amount_euros: 1000, plai_count: 3 }]);
  expect(await db.selectFrom('plh_land').select(['reference', 'potential_dwellings', 'status']).execute()).toEqual([{ reference: 'F-1', potential_dwellings: 60, status: 'etudie' }]);
  // Replaying every migration on PGlite takes a while on a loaded machine: a generous limit, not a timing check.
}, 300_000);
