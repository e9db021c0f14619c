// Migration 0900 renames the territory's columns in place (docs/decisions/0004-naming.md): a store migrated before it
// keeps every region, département, EPCI, commune and contour, now under the English names.
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { storeBefore, type StoreBefore } from '../../../test/support/migration-replay.ts';

let before: StoreBefore | undefined;
afterAll(() => before?.close());

it('keeps the places, their names, postcodes and contours through the renaming', async () => {
  before = await storeBefore('0900');
  const db = before.store.db;
  await sql`insert into region (code, nom) values ('84', 'Auvergne-Rhône-Alpes')`.execute(db);
  await sql`insert into departement (code, nom, region_code) values ('69', 'Rhône', '84')`.execute(db);
  await sql`insert into epci (siren, nom, type, population) values ('200046977', 'Métropole de Lyon', 'MET69', 1400000)`.execute(db);
  await sql`insert into commune (code, nom, type, departement_code, region_code, epci_siren, population, codes_postaux)
    values ('69266', 'Villeurbanne', 'commune-actuelle', '69', '84', '200046977', 160000, '{69100}')`.execute(db);
  await sql`insert into commune_contour (code, geometry, source, millesime) values ('69266', '{"type":"Point","coordinates":[4.88,45.77]}', 'IGN', 2018)`.execute(db);

  expect(await before.migrateRest()).toContain('0900_territory_naming.sql');
  expect(await db.selectFrom('region').select(['code', 'name']).execute()).toEqual([{ code: '84', name: 'Auvergne-Rhône-Alpes' }]);
  expect(await db.selectFrom('departement').select(['code', 'name']).execute()).toEqual([{ code: '69', name: 'Rhône' }]);
  expect(await db.selectFrom('epci').select(['siren', 'name', 'population']).execute()).toEqual([{ siren: '200046977', name: 'Métropole de Lyon', population: 1400000 }]);
  expect(await db.selectFrom('commune').select(['code', 'name', 'epci_siren', 'postal_codes']).execute()).toEqual([
    { code: '69266', name: 'Villeurbanne', epci_siren: '200046977', postal_codes: ['69100'] },
  ]);
  expect(await db.selectFrom('commune_contour').select(['code', 'vintage']).execute()).toEqual([{ code: '69266', vintage: 2018 }]);
  // Replaying every migration on PGlite takes a while on a loaded machine: a generous limit, not a timing check.
}, 300_000);
