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
    expect(householdCategory({ personnes: 1 }).categorie).toBe(1);
    expect(householdCategory({ personnes: 1, handicap: true }).categorie).toBe(2);
    expect(householdCategory({ personnes: 2 }).categorie).toBe(2);
    expect(householdCategory({ personnes: 2, jeuneMenage: true }).categorie).toBe(3);
    expect(householdCategory({ personnes: 2, personneSeuleAvecCharge: true }).categorie).toBe(3);
    expect(householdCategory({ personnes: 2, handicap: true }).categorie).toBe(3);
    expect(householdCategory({ personnes: 3 }).categorie).toBe(3);
    expect(householdCategory({ personnes: 3, personneSeuleAvecCharge: true }).categorie).toBe(4);
    expect(householdCategory({ personnes: 4, handicap: true }).categorie).toBe(5);
    expect(householdCategory({ personnes: 6 })).toMatchObject({ categorie: 6, supplementaires: 0 });
    expect(householdCategory({ personnes: 8 })).toMatchObject({ categorie: 6, supplementaires: 2 });
  });

  it('does not add the increases up (a disabled single parent is one rank higher, not two)', () => {
    expect(householdCategory({ personnes: 3, handicap: true, personneSeuleAvecCharge: true }).rang).toBe(4);
  });

  it('never lowers the rank when a person joins the household', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 19 }), fc.boolean(), fc.boolean(), fc.boolean(), (n, a, b, c) => {
        const h = { personneSeuleAvecCharge: a, jeuneMenage: b, handicap: c };
        expect(householdCategory({ personnes: n + 1, ...h }).rang).toBeGreaterThanOrEqual(householdCategory({ personnes: n, ...h }).rang);
      }),
    );
  });
});

describe('ceiling look-up', () => {
  const plus2026 = pickTable(t.ceilings, 'PLUS', 2026)!.table.valeurs.autres_regions!;

  it('reads the explicit sizes and adds the increment beyond the last one', () => {
    expect(ceilingFor(plus2026, 2)!.value).toBe(31254);
    expect(ceilingFor(plus2026, 6)!.value).toBe(60156);
    expect(ceilingFor(plus2026, 7)!.value).toBe(60156 + 6710);
    expect(ceilingFor(plus2026, 9)!.value).toBe(60156 + 3 * 6710);
    expect(ceilingFor(plus2026, 9)!.how).toContain('3 × 6 710 €');
  });

  it('uses an open « N et plus » column (PTZ)', () => {
    const a = t.ptz[0]!.valeurs.A!;
    expect(ceilingFor(a, 8)!.value).toBe(161700);
    expect(ceilingFor(a, 12)!.value).toBe(161700);
    expect(ceilingFor(t.ptz[0]!.cout_operation.C!, 7)!.value).toBe(240000);
  });

  it('gives nothing for a cell a partial table lacks, rather than a guess', () => {
    // A partial row, as a table read in a press article may be: only size 1 and the step.
    const partial = { '1': 12759, par_personne_supplementaire: 3657 };
    expect(ceilingFor(partial, 1)!.value).toBe(12759);
    expect(ceilingFor(partial, 2)).toBeUndefined();
    expect(ceilingFor(partial, 7)).toBeUndefined();
    const plai2025 = pickTable(t.ceilings, 'PLAI', 2025)!.table;
    expect(ceilingFor(plai2025.valeurs.paris_communes_limitrophes, 7)).toMatchObject({
      value: 45968 + 5121,
      keys: ['6', 'par_personne_supplementaire'],
    });
  });

  it('tells how sure a looked-up figure is, cell by cell', () => {
    const plai2025 = pickTable(t.ceilings, 'PLAI', 2025)!.table;
    const at = (zone: string, n: number) => cellVerification(plai2025, zone, ceilingFor(plai2025.valeurs[zone], n));
    expect(at('autres_regions', 4)).toBe('secondaire'); // read in the press
    expect(at('autres_regions', 5)).toBe('deduit'); // computed from 2024 and the IRL
    expect(at('paris_communes_limitrophes', 7)).toBe('secondaire');
    expect(at('ile_de_france', 7)).toBe('deduit'); // the step per person is deduced
    expect(weakest(['officiel', 'calcule'])).toBe('calcule');
  });

  it('picks the year asked, or the latest earlier year flagged as not exact', () => {
    expect(pickTable(t.ceilings, 'PLUS', 2024)).toMatchObject({ exact: true, table: { annee: 2024 } });
    expect(pickTable(t.ceilings, 'BRS', 2027)).toMatchObject({ exact: false, table: { annee: 2026 } });
    expect(pickTable(t.mpr, "MaPrimeRénov'", 2026)).toMatchObject({ exact: false, table: { annee: 2025 } });
    expect(pickTable(t.ceilings, 'PLUS', 2022)).toBeUndefined();
  });

  it('never lowers a ceiling when a person is added, in every table', () => {
    const rows: Record<string, number>[] = [
      ...t.ceilings.flatMap((c) => Object.values(c.valeurs)),
      ...t.ptz.flatMap((p) => [...Object.values(p.valeurs), ...Object.values(p.cout_operation)]),
      ...t.mpr.flatMap((m) => Object.values(m.valeurs).flatMap((r) => Object.values(r))),
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
    const e = t.dpe.seuils_energie_primaire_kwhep_m2_an;
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
    expect(dpeClass(100, 60, t.dpe)).toEqual({ classe: 'E', energie: 'B', climat: 'E' });
    expect(dpeClass(430, 5, t.dpe)).toEqual({ classe: 'G', energie: 'G', climat: 'A' });
    expect(dpeClass(200, 40, t.dpe).classe).toBe('D');
  });
});

describe('rental calendar (loi Climat et Résilience)', () => {
  it('bans G from 2025, F from 2028, E from 2034', () => {
    expect(rentalStatus('G', '2024-12-31', t.dpe).interdit).toBe(false);
    expect(rentalStatus('G', '2025-01-01', t.dpe).interdit).toBe(true);
    expect(rentalStatus('F', '2027-12-31', t.dpe).interdit).toBe(false);
    expect(rentalStatus('F', '2028-01-01', t.dpe).interdit).toBe(true);
    expect(rentalStatus('E', '2033-12-31', t.dpe).interdit).toBe(false);
    expect(rentalStatus('E', '2034-01-01', t.dpe).interdit).toBe(true);
    expect(rentalStatus('D', '2040-01-01', t.dpe)).toEqual({ interdit: false, gelDesLoyers: false });
  });

  it('freezes rents of F and G dwellings only', () => {
    expect(rentalStatus('F', '2026-01-01', t.dpe).gelDesLoyers).toBe(true);
    expect(rentalStatus('G', '2026-01-01', t.dpe).gelDesLoyers).toBe(true);
    expect(rentalStatus('E', '2026-01-01', t.dpe).gelDesLoyers).toBe(false);
  });
});

it('writes euros the French way', () => {
  expect(euros(31254)).toBe('31 254 €');
  expect(euros(1234567.4)).toBe('1 234 567 €');
  expect(euros(800)).toBe('800 €');
});

describe('places from the national zoning', () => {
  it('gives the three zones of any commune of the file, arrondissements and recoded communes included', () => {
    expect(placeOfCommune('33063', t.national)).toMatchObject({ zone_abc: 'A', zone_logement_social: 'autres_regions', ile_de_france: false }); // Bordeaux
    expect(placeOfCommune('75056', t.national)).toMatchObject({ zone_abc: 'Abis', zone_logement_social: 'paris_communes_limitrophes', ile_de_france: true });
    expect(placeOfCommune('75111', t.national)).toMatchObject({ zone_abc: 'Abis', zone_logement_social: 'paris_communes_limitrophes' }); // Paris 11e
    expect(placeOfCommune('93066', t.national)).toMatchObject({ zone_logement_social: 'paris_communes_limitrophes' }); // Saint-Denis
    expect(placeOfCommune('77288', t.national)).toMatchObject({ zone_abc: 'A', zone_logement_social: 'ile_de_france', ile_de_france: true }); // Meaux
    expect(placeOfCommune('69114', t.national)).toMatchObject({ zone_abc: 'B1', verification: 'deduit' }); // new code of 69159
    expect(placeOfCommune('97502', t.national)).toBeUndefined(); // Saint-Pierre: no ABC zoning
    expect(placeOfCommune('99999', t.national)).toBeUndefined();
  });
});
