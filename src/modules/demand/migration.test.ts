// Migration 0402 renames the demand tables' columns to English and rewrites the JSON keys of grids and score lines:
// a store filled before it keeps every demand, person, attribution, grid and score, readable under the new names.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, storeKinds } from '../../../test/support/stores.ts';
import { openPglite, openPostgres, type Store } from '../../platform/db.ts';
import { migrate, MIGRATIONS_DIR } from '../../platform/migrate.ts';
import { parseGrid } from './model.ts';

const before = mkdtempSync(join(tmpdir(), 'habitat-migrations-0401-'));
for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < '0402')) cpSync(join(MIGRATIONS_DIR, f), join(before, f));
afterAll(() => rmSync(before, { recursive: true, force: true }));

const oldGrid = {
  name: 'Grille écrite avant la 1.0.0',
  epciSiren: '243100518',
  version: 1,
  validFrom: '2024-01-01',
  validTo: null,
  seniority: { label: 'Ancienneté', pointsPerMonth: 1, cap: 60 },
  abnormalDelay: { label: 'Délai', months: 36, points: 20 },
  refusals: { label: 'Refus', pointsPerRefusal: 10, maxLoss: null },
  sections: [{ id: 'p', label: 'P', mode: 'somme', cap: null, criteria: [{ id: 'dalo', label: 'DALO', points: 50, condition: { field: 'dalo', op: 'eq', value: true } }] }],
};
const oldLines = [{ id: 'p', label: 'P', mode: 'somme', cap: null, raw: 50, points: 50, capped: false, lines: [{ criterionId: 'dalo', label: 'DALO', satisfied: true, points: 50, potential: 50, note: 'Critère rempli.' }] }];

describe.each(storeKinds())('migration 0402 on %s', (kind) => {
  it('keeps the data of a store filled before it, under the new names', async () => {
    const store: Store = kind === 'pglite' ? await openPglite() : await openPostgres(await createPostgresDatabase({ empty: true }));
    try {
      await migrate(store, before);
      // The places the demand refers to, written as the territory's tables were then (`nom`, renamed by 0900).
      await sql`insert into epci (siren, nom, type) values ('243100518', 'Toulouse Métropole', 'MET')`.execute(store.db);
      await sql`insert into commune (code, nom, type, epci_siren) values ('31555', 'Toulouse', 'commune-actuelle', '243100518')`.execute(store.db);
      await sql`insert into demand_grid (id, epci_siren, version, name, status, valid_from, definition)
        values ('00000000-0000-4000-8000-000000000001', '243100518', 1, 'G', 'adoptee', '2024-01-01', ${JSON.stringify(oldGrid)}::jsonb),
               ('00000000-0000-4000-8000-000000000002', '243100518', 2, 'G2', 'brouillon', '2027-01-01', ${JSON.stringify({ ...oldGrid, version: 2, validFrom: '2027-01-01', seniority: null, refusals: null })}::jsonb)`.execute(store.db);
      await sql`insert into demand (id, numero, epci_siren, date_depot, statut, nb_adultes, nb_enfants, ressources_mensuelles, loyer_residuel,
          situation_logement, surface_logement, typologie, communes, mutation, priorites, nb_refus)
        values ('00000000-0000-4000-8000-0000000000d1', '031TEST000001', '243100518', '2023-07-01', 'attribuee', 1, 2, 1300, 500, 'hotel', 18.5, 'T3',
          '{31555}', false, '{dalo}', 1)`.execute(store.db);
      await sql`insert into demand_person (demand_id, nom, prenom, date_naissance, courriel, telephone)
        values ('00000000-0000-4000-8000-0000000000d1', 'FICTIF', 'Alix', '1990-05-17', 'a@example.invalid', '0600000000')`.execute(store.db);
      await sql`insert into demand_attribution (demand_id, epci_siren, commune_code, typologie, date_depot, date_attribution)
        values ('00000000-0000-4000-8000-0000000000d1', '243100518', '31555', 'T3', '2023-07-01', '2026-06-15')`.execute(store.db);
      await sql`insert into demand_score (demand_id, grid_id, total, sections, ref_date)
        values ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-000000000001', 50, ${JSON.stringify(oldLines)}::jsonb, '2026-11-01')`.execute(store.db);

      await migrate(store);

      const d = await sql<Record<string, unknown>>`select number, filing_date::text as filing_date, status, adults, children, monthly_income, residual_rent,
          housing_situation, current_surface, typology, communes, flags, refusals from demand`.execute(store.db);
      expect(d.rows).toEqual([
        { number: '031TEST000001', filing_date: '2023-07-01', status: 'attribuee', adults: 1, children: 2, monthly_income: 1300, residual_rent: 500,
          housing_situation: 'hotel', current_surface: 18.5, typology: 'T3', communes: ['31555'], flags: ['dalo'], refusals: 1 },
      ]);
      const p = await sql`select last_name, first_name, birth_date::text as birth_date, email, phone from demand_person`.execute(store.db);
      expect(p.rows).toEqual([{ last_name: 'FICTIF', first_name: 'Alix', birth_date: '1990-05-17', email: 'a@example.invalid', phone: '0600000000' }]);
      const a = await sql`select typology, filing_date::text as filing_date, attribution_date::text as attribution_date from demand_attribution`.execute(store.db);
      expect(a.rows).toEqual([{ typology: 'T3', filing_date: '2023-07-01', attribution_date: '2026-06-15' }]);

      const grids = await sql<{ version: number; status: string; definition: unknown }>`select version, status, definition from demand_grid order by version`.execute(store.db);
      expect(grids.rows.map((g) => g.status)).toEqual(['adopted', 'draft']);
      const [v1, v2] = grids.rows.map((g) => (typeof g.definition === 'string' ? JSON.parse(g.definition) : g.definition));
      expect(v1).toEqual({
        name: oldGrid.name,
        epci_siren: '243100518',
        version: 1,
        valid_from: '2024-01-01',
        valid_to: null,
        seniority: { label: 'Ancienneté', points_per_month: 1, cap: 60 },
        abnormal_delay: { label: 'Délai', months: 36, points: 20 },
        refusals: { label: 'Refus', points_per_refusal: 10, max_loss: null },
        sections: oldGrid.sections,
      });
      expect(v2).toMatchObject({ version: 2, valid_from: '2027-01-01', seniority: null, refusals: null });
      // What the migration wrote is a grid the application reads as such, with the same rules.
      expect(parseGrid(v1)).toMatchObject({ seniority: { points_per_month: 1, cap: 60 }, refusals: { points_per_refusal: 10, max_loss: null } });

      const s = await sql<{ sections: unknown }>`select sections from demand_score`.execute(store.db);
      const sections = typeof s.rows[0].sections === 'string' ? JSON.parse(s.rows[0].sections) : s.rows[0].sections;
      expect(sections[0].lines[0]).toEqual({ criterion_id: 'dalo', label: 'DALO', satisfied: true, points: 50, potential: 50, note: 'Critère rempli.' });
      await expect(sql`insert into demand_grid (epci_siren, version, name, status, valid_from, definition) values ('243100518', 3, 'x', 'brouillon', '2028-01-01', '{}')`.execute(store.db)).rejects.toThrow();
    } finally {
      await store.close();
    }
  }, 120_000);
});
