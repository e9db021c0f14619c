// Every ceiling of every table, checked through the simulators (publicodes rules included): just below,
// at, and just above, per household size or category and zone. The figures come from the table files;
// a few are also written out by hand below so a wrong file cannot pass by agreeing with itself.
import { describe, expect, it } from 'vitest';
import { ceilingFor, pickTable, placeOfCommune, ZONES_ABC, ZONES_HLM, type ZoneAbc, type ZoneHlm } from './model.ts';
import { simulateOwnership } from './simulators/ownership.ts';
import { simulateRenovation } from './simulators/renovation.ts';
import { simulateSocialHousing } from './simulators/social-housing.ts';
import { tables } from './tables.ts';

const t = tables();
const verdict = (answer: { aids: { id: string; verdict: string }[] }, id: string) => answer.aids.find((a) => a.id === id)!.verdict;

describe('social-housing ceilings (PLUS, PLS, PLAI), each year, zone and category', () => {
  for (const table of t.ceilings.filter((c) => ['PLUS', 'PLS', 'PLAI'].includes(c.scheme))) {
    it(`${table.scheme} ${table.year} (${table.verification})`, () => {
      let checked = 0;
      for (const [zone, row] of Object.entries(table.values)) {
        for (let rank = 1; rank <= 8; rank++) {
          const ceiling = ceilingFor(row, rank);
          if (!ceiling) continue;
          const ask = (income: number) =>
            verdict(
              simulateSocialHousing(
                { year: table.year, social_housing_zone: zone as ZoneHlm, persons: rank, reference_tax_income: income },
                t,
              ),
              table.scheme,
            );
          expect(ask(ceiling.value - 1), `${zone} rang ${rank} juste sous ${ceiling.value}`).toBe('eligible');
          expect(ask(ceiling.value), `${zone} rang ${rank} au plafond ${ceiling.value}`).toBe('eligible');
          expect(ask(ceiling.value + 1), `${zone} rang ${rank} juste au-dessus de ${ceiling.value}`).toBe('not_eligible');
          checked++;
        }
      }
      // Every table is complete now: 3 zones × 8 ranks (6 categories and two persons beyond).
      expect(checked).toBe(24);
    });
  }

  it('uses the official figures (PLUS 2026, autres régions; PLS 2026 = PLUS × 1,30)', () => {
    const at = (persons: number, income: number, p = 'PLUS', extra: object = {}) =>
      verdict(simulateSocialHousing({ year: 2026, commune: '31555', persons, reference_tax_income: income, ...extra }, t), p);
    expect(at(1, 23403)).toBe('eligible');
    expect(at(1, 23404)).toBe('not_eligible');
    expect(at(4, 45374)).toBe('eligible');
    expect(at(4, 45375)).toBe('not_eligible');
    expect(at(7, 60156 + 6710)).toBe('eligible');
    expect(at(7, 60156 + 6711)).toBe('not_eligible');
    expect(at(2, 40630, 'PLS')).toBe('eligible');
    expect(at(2, 40631, 'PLS')).toBe('not_eligible');
    // A young couple is category 3: 37 584 €, not the 31 254 € of two persons.
    expect(at(2, 37584, 'PLUS', { young_couple: true })).toBe('eligible');
    expect(at(2, 37585, 'PLUS', { young_couple: true })).toBe('not_eligible');
  });

  it('knows a household above the PLUS ceiling is above PLAI too, where the PLAI table of the year is missing', () => {
    // The PLAI table of 2026 taken out: the 2025 one only settles « below ».
    const without = { ...t, ceilings: t.ceilings.filter((c) => !(c.scheme === 'PLAI' && c.year === 2026)) };
    const answer = simulateSocialHousing({ year: 2026, commune: '69123', persons: 2, reference_tax_income: 31255 }, without);
    expect(verdict(answer, 'PLAI')).toBe('not_eligible');
    const below = simulateSocialHousing({ year: 2026, commune: '69123', persons: 2, reference_tax_income: 20000 }, without);
    expect(verdict(below, 'PLAI')).toBe('unknown');
    expect(below.aids.find((a) => a.id === 'PLAI')!.conditions[1]!.table!.verification).toBe('secondary');
  });

  it('zones: Paris and its neighbours have higher ceilings from category 3', () => {
    const at = (zone: ZoneHlm, income: number) =>
      verdict(simulateSocialHousing({ year: 2025, social_housing_zone: zone, persons: 3, reference_tax_income: income }, t), 'PLUS');
    expect(at('paris_and_neighbours', 52284)).toBe('eligible');
    expect(at('ile_de_france', 52284)).toBe('not_eligible');
    expect(at('ile_de_france', 47944)).toBe('eligible');
    expect(at('other_regions', 47944)).toBe('not_eligible');
  });
});

describe('aided ownership ceilings', () => {
  for (const table of t.ceilings.filter((c) => c.scheme === 'PSLA' || c.scheme === 'BRS')) {
    it(`${table.scheme} ${table.year}, each zone and size`, () => {
      for (const [zone, row] of Object.entries(table.values)) {
        for (let n = 1; n <= 8; n++) {
          const ceiling = ceilingFor(row, n)!;
          const ask = (income: number) =>
            verdict(simulateOwnership({ year: table.year, zone_abc: zone as ZoneAbc, persons: n, reference_tax_income: income }, t), table.scheme);
          expect(ask(ceiling.value - 1)).toBe('eligible');
          expect(ask(ceiling.value)).toBe('eligible');
          expect(ask(ceiling.value + 1)).toBe('not_eligible');
        }
      }
    });
  }

  // The PTZ table stays in force until a decree changes it: checked for every year it serves.
  for (const year of [2024, 2025, 2026]) it(`PTZ ${year}: income strictly below the ceiling, each zone (A bis uses A) and size`, () => {
    const ptz = pickTable(t.ptz, 'PTZ', year)!.table;
    for (const zone of ['Abis', 'A', 'B1', 'B2', 'C'] as ZoneAbc[]) {
      const row = ptz.values[zone === 'Abis' ? 'A' : zone]!;
      for (let n = 1; n <= 9; n++) {
        const ceiling = ceilingFor(row, n)!;
        const ask = (income: number) =>
          verdict(
            simulateOwnership(
              { year, zone_abc: zone, persons: n, reference_tax_income: income, owner_last_two_years: false, housing_type: 'new_build', operation_cost: 0 },
              t,
            ),
            'PTZ',
          );
        expect(ask(ceiling.value - 1), `${zone} ${n} p.`).toBe('eligible');
        expect(ask(ceiling.value), `${zone} ${n} p. au plafond (strict)`).toBe('not_eligible');
        expect(ask(ceiling.value + 1)).toBe('not_eligible');
      }
    }
  });

  it('PTZ: the official figures, and the cost divided by 9 counts when higher than the income', () => {
    const ask = (extra: object) =>
      simulateOwnership({ year: 2026, zone_abc: 'B1', persons: 3, owner_last_two_years: false, housing_type: 'new_build', ...extra } as any, t);
    expect(verdict(ask({ reference_tax_income: 62099, operation_cost: 0 }), 'PTZ')).toBe('eligible');
    expect(verdict(ask({ reference_tax_income: 62100, operation_cost: 0 }), 'PTZ')).toBe('not_eligible');
    expect(verdict(ask({ reference_tax_income: 30000, operation_cost: 62099 * 9 }), 'PTZ')).toBe('eligible');
    expect(verdict(ask({ reference_tax_income: 30000, operation_cost: 62100 * 9 }), 'PTZ')).toBe('not_eligible');
    // Without the cost the resources cannot be settled: the answer says what is missing.
    const unknown = ask({ reference_tax_income: 30000 });
    expect(verdict(unknown, 'PTZ')).toBe('unknown');
    expect(unknown.aids[0]!.missing).toContain('coût total de l’achat');
  });

  it('PTZ: first-time buyers only; old dwellings with works in B2 and C only', () => {
    const ask = (extra: object) =>
      verdict(simulateOwnership({ year: 2026, persons: 2, reference_tax_income: 20000, operation_cost: 150000, owner_last_two_years: false, ...extra } as any, t), 'PTZ');
    expect(ask({ zone_abc: 'B1', owner_last_two_years: true, housing_type: 'new_build' })).toBe('not_eligible');
    expect(ask({ zone_abc: 'B1', housing_type: 'existing_with_works' })).toBe('not_eligible');
    expect(ask({ zone_abc: 'B2', housing_type: 'existing_with_works' })).toBe('eligible');
    expect(ask({ zone_abc: 'C', housing_type: 'existing_with_works' })).toBe('eligible');
    expect(ask({ zone_abc: 'C', housing_type: 'existing_without_works' })).toBe('not_eligible');
  });

  it('PTZ: the cost ceiling limits the loan, it does not exclude', () => {
    const a = simulateOwnership(
      { year: 2026, commune: '31555', persons: 3, reference_tax_income: 40000, owner_last_two_years: false, housing_type: 'new_build', operation_cost: 400000 },
      t,
    );
    expect(verdict(a, 'PTZ')).toBe('eligible');
    expect(a.aids[0]!.notes[0]).toContain('270 000 €');
  });
});

describe('every ceiling through a real commune of each zone, as a household asks', () => {
  // One commune per zone, the first the national zoning file gives: the boundaries are then checked through
  // the whole chain (INSEE code -> zones -> table column -> rules), not only with a zone typed in.
  const codes = [...t.national.zones.keys()].sort();
  const hlmCommune = Object.fromEntries(
    ZONES_HLM.map((z) => [z, codes.find((c) => placeOfCommune(c, t.national)!.social_housing_zone === z)!]),
  ) as Record<ZoneHlm, string>;
  const abcCommune = Object.fromEntries(ZONES_ABC.map((z) => [z, codes.find((c) => t.national.zones.get(c) === z)!])) as Record<ZoneAbc, string>;
  for (const table of t.ceilings) {
    it(`${table.scheme} ${table.year}`, () => {
      const hlm = ['PLAI', 'PLUS', 'PLS'].includes(table.scheme);
      for (const zone of Object.keys(table.values)) {
        const commune = hlm ? hlmCommune[zone as ZoneHlm] : abcCommune[zone as ZoneAbc];
        expect(commune, zone).toBeDefined();
        for (let n = 1; n <= 8; n++) {
          const ceiling = ceilingFor(table.values[zone], n)!.value;
          const ask = (reference_tax_income: number) =>
            verdict(
              hlm
                ? simulateSocialHousing({ year: table.year, commune, persons: n, reference_tax_income }, t)
                : simulateOwnership({ year: table.year, commune, persons: n, reference_tax_income }, t),
              table.scheme,
            );
          expect(ask(ceiling), `${commune} (${zone}) ${n} p. au plafond ${ceiling}`).toBe('eligible');
          expect(ask(ceiling + 1), `${commune} (${zone}) ${n} p. à ${ceiling + 1}`).toBe('not_eligible');
        }
      }
    });
  }
});

describe('MaPrimeRénov’ categories, each year, region and size', () => {
  for (const table of t.mpr) {
    it(`barème ${table.year}`, () => {
      for (const region of ['ile_de_france', 'outside_ile_de_france'] as const) {
        const rows = table.values[region];
        const order = ['very_modest', 'modest', 'intermediate'] as const;
        const next = { very_modest: 'modestes', modest: 'intermédiaires', intermediate: 'supérieurs' };
        const label = { very_modest: 'très modestes', modest: 'modestes', intermediate: 'intermédiaires' };
        for (let n = 1; n <= 7; n++) {
          for (const cat of order) {
            const bound = ceilingFor(rows[cat], n)!.value;
            const summary = (income: number) =>
              simulateRenovation(
                { year: table.year, ile_de_france: region === 'ile_de_france', persons: n, reference_tax_income: income, status: 'owner_occupier', built_over_15_years: true },
                t,
              ).aids[0]!.summary;
            expect(summary(bound - 1)).toContain(`« ${label[cat]}`);
            expect(summary(bound)).toContain(`« ${label[cat]}`);
            expect(summary(bound + 1)).toContain(`« ${next[cat]}`);
          }
        }
      }
    });
  }

  it('official 2025 figures out of Île-de-France', () => {
    const cat = (persons: number, income: number) =>
      simulateRenovation({ year: 2025, commune: '69123', persons, reference_tax_income: income, status: 'owner_occupier', built_over_15_years: true }, t)
        .aids[0]!.summary;
    expect(cat(1, 17173)).toContain('très modestes');
    expect(cat(1, 17174)).toContain('« modestes');
    expect(cat(6, 40388 + 5094)).toContain('très modestes');
    expect(cat(6, 40388 + 5095)).toContain('« modestes');
  });

  it('is for owners only', () => {
    const a = simulateRenovation({ commune: '69123', persons: 2, reference_tax_income: 20000, status: 'tenant', built_over_15_years: true }, t);
    expect(verdict(a, 'MaPrimeRenov')).toBe('not_eligible');
  });
});

describe('zones of the demo communes (zonage ABC of 5 July 2024)', () => {
  const zone = (code: string) => t.communes.find((c) => c.code === code)?.zone_abc;
  it('holds every commune of both demo EPCIs, Lyon’s arrondissements included', () => {
    expect(t.communes.filter((c) => c.epci_siren === '243100518')).toHaveLength(37);
    expect(t.communes.filter((c) => c.epci_siren === '200046977')).toHaveLength(68);
  });
  it('gives the zones of the official file', () => {
    expect(zone('31555')).toBe('A'); // Toulouse
    expect(zone('31069')).toBe('A'); // Blagnac, reclassified in 2024
    expect(zone('31557')).toBe('B1'); // Tournefeuille
    expect(zone('31003')).toBe('C'); // Aigrefeuille
    expect(zone('69123')).toBe('A'); // Lyon
    expect(zone('69383')).toBe('A'); // Lyon 3e, as Lyon
    expect(zone('69266')).toBe('A'); // Villeurbanne
    expect(zone('69259')).toBe('B1'); // Vénissieux
    expect(zone('69152')).toBe('B1'); // Pierre-Bénite, merged into Oullins-Pierre-Bénite
  });
  it('feeds the simulators: the same household is eligible to a BRS in B1 and not in C', () => {
    const ask = (commune: string) =>
      verdict(simulateOwnership({ year: 2025, commune, persons: 3, reference_tax_income: 60000 }, t), 'BRS');
    expect(ask('31557')).toBe('eligible'); // B1: 69 183 €
    expect(ask('31003')).toBe('not_eligible'); // C: 53 766 €
  });
});

describe('rental calendar through the renovation simulator', () => {
  const rent = (dpeClass: string, date: string) =>
    simulateRenovation({ commune: '31555', persons: 1, status: 'landlord', dpe_class: dpeClass as any, date }, t).aids.find(
      (a) => a.id === 'calendrier-DPE',
    )!;
  it('G from 2025, F from 2028, E from 2034', () => {
    expect(rent('G', '2024-12-31').verdict).toBe('eligible');
    expect(rent('G', '2025-01-01').verdict).toBe('not_eligible');
    expect(rent('F', '2027-12-31').verdict).toBe('eligible');
    expect(rent('F', '2028-01-01').verdict_label).toBe('Ne peut plus être loué');
    expect(rent('E', '2033-12-31').verdict).toBe('eligible');
    expect(rent('E', '2034-01-01').verdict).toBe('not_eligible');
    expect(rent('D', '2050-01-01').verdict).toBe('eligible');
    expect(rent('F', '2026-03-01').conditions[0]!.text).toBe(
      'Classe F : location interdite à partir du 1er janvier 2028 ; date de la simulation : 1er mars 2026',
    );
  });
  it('computes the class from the DPE figures when the letter is not given', () => {
    const a = simulateRenovation({ commune: '31555', persons: 1, status: 'landlord', energy_kwhep_m2: 300, ghg_kgco2_m2: 80, date: '2026-01-01' }, t);
    expect(a.context.join(' ')).toContain('Classe DPE calculée : F');
  });
});
