// Every table checked against the structure the texts give it, and the simulators checked to answer for
// every category, zone and year in force. The rules come from the texts (arrêté du 29 juillet 1987 art. 1,
// CCH R441-1, D31-10-3-1); no figure below is copied from the tables except the few anchors at the end,
// which are written out from the source each table names, so a wrong file cannot pass by agreeing with itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cellVerification,
  ceilingFor,
  isVerified,
  pickTable,
  placeOfCommune,
  ZONES_ABC,
  ZONES_HLM,
  type CeilingTable,
  type ZoneAbc,
  type ZoneHlm,
} from './model.ts';
import { simulateOwnership } from './simulators/ownership.ts';
import { simulateRenovation } from './simulators/renovation.ts';
import { simulateSocialHousing } from './simulators/social-housing.ts';
import { tables } from './tables.ts';

const t = tables();
/** The years the simulators must answer for: every year whose ceilings are in force up to now. */
const YEARS_IN_FORCE = [2024, 2025, 2026];
const HLM = ['PLAI', 'PLUS', 'PLS'];
const ACCESSION = ['BRS', 'PSLA'];
const KEYS = ['1', '2', '3', '4', '5', '6', 'per_extra_person'];
const table = (scheme: string, year: number) => t.ceilings.find((c) => c.scheme === scheme && c.year === year);
const sizes = (row: Record<string, number>) =>
  Object.keys(row)
    .filter((k) => /^\d+$/.test(k))
    .map(Number)
    .sort((a, b) => a - b);

describe('every table is complete for every year in force', () => {
  for (const d of [...HLM, ...ACCESSION]) {
    for (const y of YEARS_IN_FORCE) {
      it(`${d} ${y}: every zone, categories 1 to 6 and the step per extra person`, () => {
        const c = table(d, y);
        expect(c, `barème ${d} ${y}`).toBeDefined();
        const zones = HLM.includes(d) ? ZONES_HLM : ZONES_ABC;
        expect(Object.keys(c!.values).sort()).toEqual([...zones].sort());
        for (const z of zones) expect(Object.keys(c!.values[z]!).sort(), `${d} ${y} ${z}`).toEqual([...KEYS].sort());
      });
    }
  }
  it('PTZ: the table of D31-10-3-1 in force since 1 April 2024 covers every zone and size', () => {
    for (const y of YEARS_IN_FORCE) {
      const p = pickTable(t.ptz, 'PTZ', y)!.table;
      expect(p.in_force_since! <= `${y}-12-31`).toBe(true);
      for (const z of ['A', 'B1', 'B2', 'C']) for (let n = 1; n <= 12; n++) expect(ceilingFor(p.values[z], n), `${z} ${n}`).toBeDefined();
    }
  });
  it('MaPrimeRénov’: 2024 and 2025 read; 2026 answered from 2025 and flagged', () => {
    expect(pickTable(t.mpr, "MaPrimeRénov'", 2024)!.exact).toBe(true);
    expect(pickTable(t.mpr, "MaPrimeRénov'", 2025)!.exact).toBe(true);
    expect(pickTable(t.mpr, "MaPrimeRénov'", 2026)).toMatchObject({ exact: false, table: { year: 2025 } });
  });
});

describe('every table has the structure of its text', () => {
  const all = t.ceilings;
  it('categories (or sizes) increase, and each extra person adds a positive step smaller than the first category', () => {
    for (const c of [...all, ...t.ptz]) {
      for (const [z, row] of Object.entries(c.values)) {
        const s = sizes(row);
        for (let i = 1; i < s.length; i++) expect(row[s[i]!]!, `${c.file} ${z} ${s[i]}`).toBeGreaterThan(row[s[i - 1]!]!);
        const step = row.per_extra_person;
        if (step !== undefined) {
          expect(step).toBeGreaterThan(0);
          expect(step).toBeLessThan(row['1']!);
        }
      }
    }
    for (const m of t.mpr) {
      for (const region of Object.values(m.values)) {
        for (const row of Object.values(region)) {
          const s = sizes(row);
          for (let i = 1; i < s.length; i++) expect(row[s[i]!]!).toBeGreaterThan(row[s[i - 1]!]!);
          expect(row.per_extra_person).toBeGreaterThan(0);
        }
        // très modestes < modestes < intermédiaires, size by size
        for (let n = 1; n <= 8; n++) {
          const b = ['very_modest', 'modest', 'intermediate'].map((k) => ceilingFor((region as any)[k], n)!.value);
          expect(b[0]!).toBeLessThan(b[1]!);
          expect(b[1]!).toBeLessThan(b[2]!);
        }
      }
    }
  });

  it('zones are ordered: Paris ≥ Île-de-France ≥ autres régions; A bis ≥ A ≥ B1 ≥ B2 ≥ C; Île-de-France ≥ elsewhere', () => {
    const ordered = (c: { values: Record<string, Record<string, number>>; file: string }, zones: string[]) => {
      for (let i = 1; i < zones.length; i++) {
        for (let n = 1; n <= 8; n++) {
          const hi = ceilingFor(c.values[zones[i - 1]!], n)!.value;
          const lo = ceilingFor(c.values[zones[i]!], n)!.value;
          expect(hi, `${c.file} ${zones[i - 1]} ≥ ${zones[i]} pour ${n}`).toBeGreaterThanOrEqual(lo);
        }
      }
    };
    for (const c of all.filter((x) => HLM.includes(x.scheme))) {
      ordered(c, ZONES_HLM);
      // The arrêté gives the two Île-de-France columns the same figures for categories 1 and 2.
      for (const k of ['1', '2']) expect(c.values.paris_and_neighbours![k]).toBe(c.values.ile_de_france![k]);
    }
    for (const c of all.filter((x) => ACCESSION.includes(x.scheme))) ordered(c, ZONES_ABC);
    for (const p of t.ptz) ordered(p, ['A', 'B1', 'B2', 'C']);
    for (const m of t.mpr) {
      for (const k of ['very_modest', 'modest', 'intermediate'] as const) {
        ordered({ file: m.file, values: { idf: m.values.ile_de_france[k], hors: m.values.outside_ile_de_france[k] } }, ['idf', 'hors']);
      }
    }
  });

  it('PLS = PLUS × 1.30 rounded to the euro (arrêté du 29 juillet 1987, art. 1), every year', () => {
    for (const pls of all.filter((c) => c.scheme === 'PLS')) {
      const plus = table('PLUS', pls.year)!;
      for (const z of ZONES_HLM) for (const k of KEYS) expect(pls.values[z]![k], `${pls.year} ${z} ${k}`).toBe(Math.round(plus.values[z]![k]! * 1.3));
    }
  });

  it('PLAI < PLUS in every cell of every year (the very social product has the lowest ceilings)', () => {
    for (const plai of all.filter((c) => c.scheme === 'PLAI')) {
      const plus = table('PLUS', plai.year)!;
      for (const z of ZONES_HLM) for (const k of KEYS) expect(plai.values[z]![k]!).toBeLessThan(plus.values[z]![k]!);
    }
  });

  it('each year is the year before revalued by the IRL of the 3rd quarter, rounded to the euro (CCH R441-1)', () => {
    // This holds for the official PLUS 2023 → 2026 and BRS 2024 → 2025 tables, which is what makes the
    // deduced tables (PLAI 2025 in part, PLAI 2026, BRS and PSLA 2026) trustworthy enough to answer with.
    // PLS is not revalued on its own: it is PLUS × 1.30 (checked above).
    for (const d of ['PLAI', 'PLUS', ...ACCESSION]) {
      const years = all.filter((c) => c.scheme === d).map((c) => c.year).sort();
      for (const y of years.slice(1)) {
        const prev = table(d, y - 1)!;
        const next = table(d, y)!;
        const ratio = t.irl[y - 1]! / t.irl[y - 2]!;
        for (const [z, row] of Object.entries(prev.values)) {
          for (const [k, v] of Object.entries(row)) expect(next.values[z]![k], `${d} ${y} ${z} ${k}`).toBe(Math.round(v * ratio));
        }
      }
    }
  });

  it('a table not read in an official text says so, and so does every cell less sure than its table', () => {
    const levels = (c: CeilingTable) => [c.verification, ...Object.values(c.verification_values ?? {}).flatMap((r) => Object.values(r))];
    for (const c of all) {
      for (const [z, cells] of Object.entries(c.verification_values ?? {})) {
        for (const k of Object.keys(cells)) expect(c.values[z]?.[k], `${c.file} ${z} ${k}`).toBeDefined();
      }
      if (levels(c).some((v) => !isVerified(v))) expect(c.verification_note.length).toBeGreaterThan(40);
    }
    expect(table('PLUS', 2026)!.verification).toBe('official');
    expect(table('PLAI', 2026)!.verification).toBe('deduced');
  });
});

describe('the simulators answer for every category, zone and year in force', () => {
  it('social housing: PLAI, PLUS and PLS settled for every zone, category 1 to 6 and beyond, both sides of the ceiling', () => {
    for (const year of YEARS_IN_FORCE) {
      for (const zone of ZONES_HLM) {
        for (let persons = 1; persons <= 9; persons++) {
          for (const reference_tax_income of [0, 1_000_000]) {
            const a = simulateSocialHousing({ year, social_housing_zone: zone, persons, reference_tax_income }, t);
            for (const aid of a.aids) {
              expect(aid.verdict, `${aid.id} ${year} ${zone} ${persons} p. ${reference_tax_income} €`).not.toBe('unknown');
              expect(aid.summary).not.toContain('non disponible');
            }
          }
        }
      }
    }
  });

  it('ownership: PTZ, PSLA and BRS settled for every zone and size', () => {
    for (const year of YEARS_IN_FORCE) {
      for (const zone_abc of ZONES_ABC) {
        for (let persons = 1; persons <= 9; persons++) {
          for (const reference_tax_income of [0, 1_000_000]) {
            const a = simulateOwnership(
              { year, zone_abc, persons, reference_tax_income, owner_last_two_years: false, housing_type: 'new_build', operation_cost: 0 },
              t,
            );
            for (const aid of a.aids) expect(aid.verdict, `${aid.id} ${year} ${zone_abc} ${persons} p.`).not.toBe('unknown');
          }
        }
      }
    }
  });

  it('renovation: a MaPrimeRénov’ category for every region, size and year, flagged when the year’s barème was not read', () => {
    for (const year of YEARS_IN_FORCE) {
      for (const ile_de_france of [true, false]) {
        for (let persons = 1; persons <= 9; persons++) {
          const a = simulateRenovation(
            { year, ile_de_france, persons, reference_tax_income: 25_000, status: 'owner_occupier', built_over_15_years: true },
            t,
          );
          const mpr = a.aids.find((x) => x.id === 'MaPrimeRenov')!;
          expect(mpr.summary).toMatch(/catégorie « (très modestes|modestes|intermédiaires|supérieurs)/);
          const cat = mpr.conditions.filter((c) => c.table?.file.startsWith('renovation/MPR-'));
          expect(cat.length).toBeGreaterThan(0);
          for (const c of cat) expect(isVerified(c.table!.verification), `${year} ${persons}`).toBe(year !== 2026);
        }
      }
    }
  });

  it('property: with every answer given, a social-housing verdict is never unknown in a year in force', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...YEARS_IN_FORCE),
        fc.constantFrom(...ZONES_HLM),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 200_000 }),
        (year, zone, persons, disability, reference_tax_income) => {
          const a = simulateSocialHousing({ year, social_housing_zone: zone as ZoneHlm, persons, disability, reference_tax_income }, t);
          return a.aids.every((x) => x.verdict !== 'unknown' && x.missing.length === 0);
        },
      ),
    );
  });

  it('shows a figure as not verified exactly when its cell is not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...YEARS_IN_FORCE), fc.constantFrom(...ZONES_HLM), fc.integer({ min: 1, max: 9 }), (year, zone, persons) => {
        const a = simulateSocialHousing({ year, social_housing_zone: zone, persons, reference_tax_income: 1 }, t);
        const plai = a.aids.find((x) => x.id === 'PLAI')!.conditions[1]!;
        const c = table('PLAI', year)!;
        return plai.table!.verification === cellVerification(c, zone, ceilingFor(c.values[zone], persons));
      }),
    );
  });
});

describe('zoning covers every commune of the instance', () => {
  it('every commune and arrondissement of the default EPCIs, and the demo list agrees with the national file', () => {
    expect(t.communes.length).toBe(105);
    for (const c of t.communes) {
      expect(placeOfCommune(c.code, t.national), c.code).toMatchObject({
        zone_abc: c.zone_abc,
        social_housing_zone: c.social_housing_zone,
        ile_de_france: c.ile_de_france,
      });
    }
  });

  it('every commune of the national file has one of the five zones', () => {
    expect(t.national.zones.size).toBe(34935);
    const counts = Object.fromEntries(ZONES_ABC.map((z) => [z, 0])) as Record<ZoneAbc, number>;
    for (const z of t.national.zones.values()) counts[z]++;
    // Counts of the OpenFisca copy of the July 2024 file, taken when it was copied: a truncated or edited copy fails here.
    expect(counts).toEqual({ Abis: 124, A: 816, B1: 2216, B2: 3156, C: 28623 });
  });
});

describe('anchors read in the sources each table names', () => {
  const at = (d: string, y: number, z: string, k: string) => table(d, y)!.values[z]![k];
  it('HLM ceilings', () => {
    // PLAI 2024, annexe II as reproduced by haye-expert-comptable.fr (arrêté du 18 décembre 2023)
    expect(at('PLAI', 2024, 'other_regions', '1')).toBe(12452);
    expect(at('PLAI', 2024, 'paris_and_neighbours', '6')).toBe(44861);
    expect(at('PLAI', 2024, 'ile_de_france', 'per_extra_person')).toBe(4573);
    // PLAI 2025, press (tradetrans.eu for Paris, mes-allocs.fr for categories 1 to 4)
    expect(at('PLAI', 2025, 'paris_and_neighbours', '1')).toBe(14683);
    expect(at('PLAI', 2025, 'other_regions', '4')).toBe(24875);
    // PLUS 2026, OpenFisca (annexe I, arrêté du 19 décembre 2025)
    expect(at('PLUS', 2026, 'other_regions', '2')).toBe(31254);
    // PLS 2026 Paris, service-public.gouv.fr F869 (2026): 3 persons 68 562 €, 1 adult + 2 dependants 81 858 €
    expect(at('PLS', 2026, 'paris_and_neighbours', '3')).toBe(68562);
    expect(at('PLS', 2026, 'paris_and_neighbours', '4')).toBe(81858);
  });
  it('accession and renovation', () => {
    expect(at('BRS', 2025, 'A', '1')).toBe(38508); // OpenFisca, arrêté du 23/12/2024 annexe III
    expect(t.ptz[0]!.values.B1!['3']).toBe(62100); // CCH D31-10-3-1
    expect(t.mpr.find((m) => m.year === 2025)!.values.outside_ile_de_france.very_modest['1']).toBe(17173); // Mes Aides Réno
  });
  it('zones', () => {
    expect(placeOfCommune('31555', t.national)!.zone_abc).toBe('A'); // Toulouse
    expect(placeOfCommune('69266', t.national)!.zone_abc).toBe('A'); // Villeurbanne
    expect(placeOfCommune('75056', t.national)!.zone_abc).toBe('Abis'); // Paris
  });
});
