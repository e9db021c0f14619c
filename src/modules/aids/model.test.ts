import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cellVerification,
  ceilingFor,
  classOf,
  dpeClass,
  euros,
  householdCategory,
  pickTable,
  placeOfCommune,
  rentalStatus,
  weakest,
} from './model.ts';
import { tables } from './tables.ts';

const t = tables();

describe('household category (arrêté du 29 juillet 1987, art. 2)', () => {
  it('follows the size of the household, one rank higher for the listed cases', () => {
    expect(householdCategory({ persons: 1 }).category).toBe(1);
    expect(householdCategory({ persons: 1, disability: true }).category).toBe(2);
    expect(householdCategory({ persons: 2 }).category).toBe(2);
    expect(householdCategory({ persons: 2, youngCouple: true }).category).toBe(3);
    expect(householdCategory({ persons: 2, singleWithDependants: true }).category).toBe(3);
    expect(householdCategory({ persons: 2, disability: true }).category).toBe(3);
    expect(householdCategory({ persons: 3 }).category).toBe(3);
    expect(householdCategory({ persons: 3, singleWithDependants: true }).category).toBe(4);
    expect(householdCategory({ persons: 4, disability: true }).category).toBe(5);
    expect(householdCategory({ persons: 6 })).toMatchObject({ category: 6, extraPersons: 0 });
    expect(householdCategory({ persons: 8 })).toMatchObject({ category: 6, extraPersons: 2 });
  });

  it('does not add the increases up (a disabled single parent is one rank higher, not two)', () => {
    expect(householdCategory({ persons: 3, disability: true, singleWithDependants: true }).rank).toBe(4);
  });

  it('never lowers the rank when a person joins the household', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 19 }), fc.boolean(), fc.boolean(), fc.boolean(), (n, a, b, c) => {
        const h = { singleWithDependants: a, youngCouple: b, disability: c };
        expect(householdCategory({ persons: n + 1, ...h }).rank).toBeGreaterThanOrEqual(householdCategory({ persons: n, ...h }).rank);
      }),
    );
  });
});

describe('ceiling look-up', () => {
  const plus2026 = pickTable(t.ceilings, 'PLUS', 2026)!.table.values.other_regions!;

  it('reads the explicit sizes and adds the increment beyond the last one', () => {
    expect(ceilingFor(plus2026, 2)!.value).toBe(31254);
    expect(ceilingFor(plus2026, 6)!.value).toBe(60156);
    expect(ceilingFor(plus2026, 7)!.value).toBe(60156 + 6710);
    expect(ceilingFor(plus2026, 9)!.value).toBe(60156 + 3 * 6710);
    expect(ceilingFor(plus2026, 9)!.how).toContain('3 × 6 710 €');
  });

  it('uses an open « N et plus » column (PTZ)', () => {
    const a = t.ptz[0]!.values.A!;
    expect(ceilingFor(a, 8)!.value).toBe(161700);
    expect(ceilingFor(a, 12)!.value).toBe(161700);
    expect(ceilingFor(t.ptz[0]!.operation_cost.C!, 7)!.value).toBe(240000);
  });

  it('gives nothing for a cell a partial table lacks, rather than a guess', () => {
    // A partial row, as a table read in a press article may be: only size 1 and the step.
    const partial = { '1': 12759, per_extra_person: 3657 };
    expect(ceilingFor(partial, 1)!.value).toBe(12759);
    expect(ceilingFor(partial, 2)).toBeUndefined();
    expect(ceilingFor(partial, 7)).toBeUndefined();
    const plai2025 = pickTable(t.ceilings, 'PLAI', 2025)!.table;
    expect(ceilingFor(plai2025.values.paris_and_neighbours, 7)).toMatchObject({
      value: 45968 + 5121,
      keys: ['6', 'per_extra_person'],
    });
  });

  it('tells how sure a looked-up figure is, cell by cell', () => {
    const plai2025 = pickTable(t.ceilings, 'PLAI', 2025)!.table;
    const at = (zone: string, n: number) => cellVerification(plai2025, zone, ceilingFor(plai2025.values[zone], n));
    expect(at('other_regions', 4)).toBe('secondary'); // read in the press
    expect(at('other_regions', 5)).toBe('deduced'); // computed from 2024 and the IRL
    expect(at('paris_and_neighbours', 7)).toBe('secondary');
    expect(at('ile_de_france', 7)).toBe('deduced'); // the step per person is deduced
    expect(weakest(['official', 'computed'])).toBe('computed');
  });

  it('picks the year asked, or the latest earlier year flagged as not exact', () => {
    expect(pickTable(t.ceilings, 'PLUS', 2024)).toMatchObject({ exact: true, table: { year: 2024 } });
    expect(pickTable(t.ceilings, 'BRS', 2027)).toMatchObject({ exact: false, table: { year: 2026 } });
    expect(pickTable(t.mpr, "MaPrimeRénov'", 2026)).toMatchObject({ exact: false, table: { year: 2025 } });
    expect(pickTable(t.ceilings, 'PLUS', 2022)).toBeUndefined();
  });

  it('never lowers a ceiling when a person is added, in every table', () => {
    const rows: Record<string, number>[] = [
      ...t.ceilings.flatMap((c) => Object.values(c.values)),
      ...t.ptz.flatMap((p) => [...Object.values(p.values), ...Object.values(p.operation_cost)]),
      ...t.mpr.flatMap((m) => Object.values(m.values).flatMap((r) => Object.values(r))),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...rows), fc.integer({ min: 1, max: 15 }), (row, n) => {
        const a = ceilingFor(row, n);
        const b = ceilingFor(row, n + 1);
        if (a && b) expect(b.value).toBeGreaterThanOrEqual(a.value);
      }),
    );
  });
});

describe('DPE class (arrêté du 31 mars 2021, logements de 40 m² et plus)', () => {
  it('puts each bound in its own class and the next unit in the next class', () => {
    const e = t.dpe.energy_bounds_kwhep_m2_year;
    expect(classOf(70, e)).toBe('A');
    expect(classOf(70.1, e)).toBe('B');
    expect(classOf(110, e)).toBe('B');
    expect(classOf(180, e)).toBe('C');
    expect(classOf(250, e)).toBe('D');
    expect(classOf(330, e)).toBe('E');
    expect(classOf(420, e)).toBe('F');
    expect(classOf(421, e)).toBe('G');
  });

  it('keeps the worse of the energy and climate classes', () => {
    expect(dpeClass(100, 60, t.dpe)).toEqual({ class: 'E', energy: 'B', climate: 'E' });
    expect(dpeClass(430, 5, t.dpe)).toEqual({ class: 'G', energy: 'G', climate: 'A' });
    expect(dpeClass(200, 40, t.dpe).class).toBe('D');
  });
});

describe('rental calendar (loi Climat et Résilience)', () => {
  it('bans G from 2025, F from 2028, E from 2034', () => {
    expect(rentalStatus('G', '2024-12-31', t.dpe).banned).toBe(false);
    expect(rentalStatus('G', '2025-01-01', t.dpe).banned).toBe(true);
    expect(rentalStatus('F', '2027-12-31', t.dpe).banned).toBe(false);
    expect(rentalStatus('F', '2028-01-01', t.dpe).banned).toBe(true);
    expect(rentalStatus('E', '2033-12-31', t.dpe).banned).toBe(false);
    expect(rentalStatus('E', '2034-01-01', t.dpe).banned).toBe(true);
    expect(rentalStatus('D', '2040-01-01', t.dpe)).toEqual({ banned: false, rentFreeze: false });
  });

  it('freezes rents of F and G dwellings only', () => {
    expect(rentalStatus('F', '2026-01-01', t.dpe).rentFreeze).toBe(true);
    expect(rentalStatus('G', '2026-01-01', t.dpe).rentFreeze).toBe(true);
    expect(rentalStatus('E', '2026-01-01', t.dpe).rentFreeze).toBe(false);
  });
});

it('writes euros the French way', () => {
  expect(euros(31254)).toBe('31 254 €');
  expect(euros(1234567.4)).toBe('1 234 567 €');
  expect(euros(800)).toBe('800 €');
});

describe('places from the national zoning', () => {
  it('gives the three zones of any commune of the file, arrondissements and recoded communes included', () => {
    expect(placeOfCommune('33063', t.national)).toMatchObject({ zone_abc: 'A', social_housing_zone: 'other_regions', ile_de_france: false }); // Bordeaux
    expect(placeOfCommune('75056', t.national)).toMatchObject({ zone_abc: 'Abis', social_housing_zone: 'paris_and_neighbours', ile_de_france: true });
    expect(placeOfCommune('75111', t.national)).toMatchObject({ zone_abc: 'Abis', social_housing_zone: 'paris_and_neighbours' }); // Paris 11e
    expect(placeOfCommune('93066', t.national)).toMatchObject({ social_housing_zone: 'paris_and_neighbours' }); // Saint-Denis
    expect(placeOfCommune('77288', t.national)).toMatchObject({ zone_abc: 'A', social_housing_zone: 'ile_de_france', ile_de_france: true }); // Meaux
    expect(placeOfCommune('69114', t.national)).toMatchObject({ zone_abc: 'B1', verification: 'deduced' }); // new code of 69159
    expect(placeOfCommune('97502', t.national)).toBeUndefined(); // Saint-Pierre: no ABC zoning
    expect(placeOfCommune('99999', t.national)).toBeUndefined();
  });
});
