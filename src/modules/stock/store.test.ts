import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { createOrganisation } from '../access/store.ts';
import { DEMO_DPE } from './demo.ts';
import { buildingViews, importDpe, saveBuildings } from './service.ts';
import { dpeCounts } from './store.ts';

// Every file a test writes lives under one folder, removed at the end.
const TMP = mkdtempSync(join(tmpdir(), 'habitat-stock-test-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describeStores('stock store', (getDb) => {
  it('imports the real DPE extract: every line kept, the 16 Ancy DPEs in Ancy, the rest in Lyon 8e', async () => {
    const r = await importDpe(getDb(), DEMO_DPE);
    expect(r).toMatchObject({ status: 'imported', layout: 'ademe-v2-accentue', lines: 2851, accepted: 2851 });
    expect(r.problems).toEqual([]);
    expect(r.corrections).toEqual([]);
    const lyon8 = (await dpeCounts(getDb(), ['69388'])).counts;
    expect([lyon8.A, lyon8.B, lyon8.C, lyon8.D, lyon8.E]).toEqual([80, 828, 1904, 15, 8]);
    const ancy = (await dpeCounts(getDb(), ['69008'])).counts;
    expect(ancy.A + ancy.B + ancy.C).toBe(16);
  });

  it('re-importing the same file changes nothing, even forced', async () => {
    const again = await importDpe(getDb(), DEMO_DPE);
    expect(again.status).toBe('already_imported');
    const forced = await importDpe(getDb(), DEMO_DPE, { force: true });
    expect(forced.accepted).toBe(2851);
    const n = await getDb().selectFrom('stock_dpe').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(2851);
  });

  it('corrects a postcode found in the INSEE field and rejects an unknown code, reporting both in French', async () => {
    const dir = mkdtempSync(join(TMP, 'dpe-'));
    const f = join(dir, 'dpe_anomalies.csv');
    // Real rows of the extract; the second has its INSEE field replaced by its postcode, the third by a code that exists nowhere.
    writeFileSync(
      f,
      'numero_dpe,date_reception_dpe,etiquette_dpe,code_insee_ban,code_postal_ban,identifiant_ban\n' +
        '2469N0892783Y,2024-03-12,C,69388,69008,69388_tit1oq_00019_bis\n' +
        '2469N0892780V,2024-03-12,C,69008,69008,\n' +
        '2469N0892802R,2024-03-12,C,69999,69008,\n',
    );
    const r = await importDpe(getDb(), f);
    expect(r.accepted).toBe(2);
    expect(r.corrections).toHaveLength(1);
    expect(r.corrections[0]).toMatchObject({ line: 3, column: 'code_insee_ban', value: '69008' });
    expect(r.corrections[0].message).toMatch(/DPE rattaché à Lyon 8e Arrondissement \(69388\)/);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 4, rule: 'stock.dpe_unknown_commune', value: '69999' });
    const row = await getDb().selectFrom('stock_dpe').select(['commune_code', 'code_insee_source']).where('numero_dpe', '=', '2469N0892780V').executeTakeFirstOrThrow();
    expect(row).toEqual({ commune_code: '69388', code_insee_source: '69008' });
  });

  it('a broken file writes nothing', async () => {
    const dir = mkdtempSync(join(TMP, 'dpe-'));
    const f = join(dir, 'casse.csv');
    copyFileSync(DEMO_DPE, f);
    writeFileSync(f, 'numero_dpe,date_reception_dpe,etiquette_dpe,code_insee_ban\n"2469N0000000A,2024-03-12,C,69388\n');
    const before = await getDb().selectFrom('stock_dpe').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const r = await importDpe(getDb(), f);
    expect(r.status).toBe('refused');
    expect(r.problems[0].rule).toBe('stock.csv_syntax');
    const after = await getDb().selectFrom('stock_dpe').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('links DPEs to a landlord’s building through the BAN address id, and upserts by the landlord’s reference', async () => {
    const org = await createOrganisation(getDb(), { kind: 'bailleur', name: 'Bailleur de test' });
    const b = { reference: 'BAT-19BIS', commune_code: '69388', address: '19bis Rue Antoine Dumont', ban_id: '69388_tit1oq_00019_bis', dwellings_count: 31 };
    const first = await saveBuildings(getDb(), org.id, [b]);
    expect(first.created).toBe(1);
    expect(first.linked_dpes).toBeGreaterThan(0);
    const second = await saveBuildings(getDb(), org.id, [{ ...b, dwellings_count: 32 }]);
    expect(second).toMatchObject({ created: 0, updated: 1 });
    const [view] = await buildingViews(getDb(), { organisationId: org.id });
    expect(view.dwellings_count).toBe(32);
    expect(view.ademe_dpe_count).toBeGreaterThan(0);
    expect(view.declared_dpe).toBeNull();
    expect(view.retained_dpe).toBe(view.worst_ademe_dpe);
  });
});
