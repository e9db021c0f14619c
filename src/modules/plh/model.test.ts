import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatEuros,
  formatInt,
  formatPct,
  CATEGORIES,
  aidProblem,
  landProblem,
  mergeAchievements,
  sruLine,
  sruSummary,
  targetsByCategory,
  sruLevy,
  sruProgress,
  sruSituation,
  targetStatus,
  triennialPeriod,
  type GrantedAid,
} from './model.ts';

// The worked example of shared/data/rules (copied beside the tests with its provenance).
const example = JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/plh/sru_rules_and_example.json'), 'utf8'))
  .worked_example_INFERRED as { inputs: Record<string, number>; steps: Record<string, number> };

describe('SRU situation (L302-5, L302-8)', () => {
  it('reproduces the worked example of the rules file step by step', () => {
    const i = example.inputs;
    const s = sruSituation({ mainResidences: i.residences_principales, socialDwellings: i.lls_inventaire, legalRate: i.taux_legal });
    expect(s.requiredDwellings).toBe(example.steps.lls_requis);
    expect(s.currentRate).toBeCloseTo(example.steps.taux_actuel, 10);
    expect(s.deficit).toBe(example.steps.deficit_lls);
    expect(s.triennialTarget).toBe(example.steps.objectif_triennal_33pct);
    expect(s.plaiMin).toBeCloseTo(example.steps.min_PLAI_30pct, 10);
    expect(s.plsMax).toBeCloseTo(example.steps.max_PLS_30pct, 10);
    expect(s.met).toBe(false);
  });

  it('reproduces the levy of the worked example (L302-7)', () => {
    const i = example.inputs;
    const levy = sruLevy({
      deficit: example.steps.deficit_lls,
      fiscalPotentialPerInhabitant: i.potentiel_fiscal_par_habitant_eur,
      operatingExpenses: i.depenses_reelles_fonctionnement_penultieme_eur,
      deductibleExpenses: i.depenses_deductibles_eur,
    });
    expect(levy.gross).toBe(example.steps.prelevement_brut);
    expect(levy.cap).toBe(example.steps.plafond_5pct_DRF);
    expect(levy.cappedGross).toBe(example.steps.prelevement_brut_plafonne);
    expect(levy.net).toBe(example.steps.prelevement_net);
  });

  it('caps the levy at 5 % of operating expenses', () => {
    expect(sruLevy({ deficit: 1000, fiscalPotentialPerInhabitant: 2000, operatingExpenses: 1_000_000 }).cappedGross).toBe(50_000);
  });

  it('at 20 % a commune with 2 000 social dwellings out of 10 000 has no deficit', () => {
    const s = sruSituation({ mainResidences: 10_000, socialDwellings: 2000, legalRate: 0.2 });
    expect(s).toMatchObject({ deficit: 0, triennialTarget: 0, met: true });
  });

  it('counts a fraction of a dwelling as a whole dwelling required', () => {
    // 25 % of 10 001 = 2 500.25: the commune needs 2 501 social dwellings to reach the rate.
    expect(sruSituation({ mainResidences: 10_001, socialDwellings: 2500, legalRate: 0.25 }).deficit).toBe(1);
  });

  it('uses a configured catch-up rate (e.g. 25 % under a contrat de mixité sociale)', () => {
    expect(sruSituation({ mainResidences: 10_000, socialDwellings: 1800, legalRate: 0.25, catchUpRate: 0.25 }).triennialTarget).toBe(175);
  });

  const inputs = fc.record({
    mainResidences: fc.integer({ min: 1, max: 500_000 }),
    socialDwellings: fc.integer({ min: 0, max: 600_000 }),
    legalRate: fc.constantFrom(0.2, 0.25),
    catchUpRate: fc.double({ min: 0.01, max: 1, noNaN: true }),
  });

  it('property: the deficit is never negative and the objective never exceeds it', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const s = sruSituation(i);
        expect(s.deficit).toBeGreaterThanOrEqual(0);
        expect(s.triennialTarget).toBeLessThanOrEqual(s.deficit);
        expect(s.triennialTarget).toBeGreaterThanOrEqual(0);
        expect(s.met).toBe(i.socialDwellings >= i.legalRate * i.mainResidences - 1e-9);
      }),
    );
  });

  it('property: the objective is monotone in the deficit (fewer social dwellings, never a smaller objective)', () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 0, max: 10_000 }), (i, fewer) => {
        const a = sruSituation(i);
        const b = sruSituation({ ...i, socialDwellings: Math.max(0, i.socialDwellings - fewer) });
        expect(b.deficit).toBeGreaterThanOrEqual(a.deficit);
        expect(b.triennialTarget).toBeGreaterThanOrEqual(a.triennialTarget);
      }),
    );
  });

  it('property: the PLAI minimum and PLS maximum are each 30 % of the objective', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const s = sruSituation(i);
        expect(s.plaiMin).toBeCloseTo(0.3 * s.triennialTarget, 9);
        expect(s.plsMax).toBeCloseTo(0.3 * s.triennialTarget, 9);
      }),
    );
  });
});

describe('triennial periods', () => {
  it('run in 3-year tranches from 2002', () => {
    expect(triennialPeriod(2002)).toEqual({ start: 2002, end: 2004 });
    expect(triennialPeriod(2025)).toEqual({ start: 2023, end: 2025 });
    expect(triennialPeriod(2026)).toEqual({ start: 2026, end: 2028 });
  });
  it('property: every year falls in its period, which lasts 3 years', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2002, max: 2100 }), (y) => {
        const p = triennialPeriod(y);
        expect(p.end - p.start).toBe(2);
        expect(y).toBeGreaterThanOrEqual(p.start);
        expect(y).toBeLessThanOrEqual(p.end);
      }),
    );
  });
});

describe('SRU progress', () => {
  it('checks production against the objective and the PLAI/PLS mix', () => {
    const p = sruProgress(231, { plai: 70, plus: 100, pls: 60 });
    expect(p.produced).toBe(230);
    expect(p.achievementRate).toBeCloseTo(230 / 231, 10);
    expect(p.plaiMet).toBe(true); // 70 >= 69.3
    expect(p.plsMet).toBe(true); // 60 <= 69.3
    const q = sruProgress(231, { plai: 60, plus: 100, pls: 80 });
    expect(q.plaiMet).toBe(false);
    expect(q.plsMet).toBe(false);
  });
});

const aid = (a: Partial<GrantedAid>): GrantedAid => ({
  reference: 'X',
  type: 'logement_social',
  communeCode: '31555',
  year: 2025,
  amountEuros: 0,
  dwellingsCount: 0,
  plaiCount: 0,
  plusCount: 0,
  plsCount: 0,
  ...a,
});

describe('targets against achievements', () => {
  it('sums aids granted per commune, category and year, and an entered figure replaces them', () => {
    const rows = mergeAchievements(
      [{ communeCode: '31555', category: 'renovation', year: 2025, value: 40, source: 'Anah, bilan 2025' }],
      [
        aid({ reference: 'A', plaiCount: 10, plusCount: 20, plsCount: 5 }),
        aid({ reference: 'B', plaiCount: 3, plusCount: 4 }),
        aid({ reference: 'C', type: 'renovation', dwellingsCount: 1 }),
        aid({ reference: 'D', type: 'accession', year: 2024 }),
      ],
    );
    const get = (k: string, y: number) => rows.find((r) => r.category === k && r.year === y);
    expect(get('logements_sociaux', 2025)?.value).toBe(42);
    expect(get('renovation', 2025)).toMatchObject({ value: 40, source: 'Anah, bilan 2025' });
    expect(get('accession_aidee', 2024)?.value).toBe(1);
  });

  it('counts achievements inside the target period up to the bilan year, with the expected pace', () => {
    const ach = [2024, 2025, 2026, 2027].map((year) => ({ communeCode: '31555', category: 'logements' as const, year, value: 100, source: 'S' }));
    const t = targetStatus({ communeCode: '31555', category: 'logements', startYear: 2025, endYear: 2030, value: 600 }, ach, 2026);
    expect(t.achieved).toBe(200);
    expect(t.achievementRate).toBeCloseTo(1 / 3, 10);
    expect(t.expectedProgress).toBeCloseTo(2 / 6, 10);
    expect(t.sources).toEqual(['S']);
  });
});

describe('French formatting', () => {
  it('groups thousands with plain spaces and uses a decimal comma', () => {
    expect(formatInt(1234567)).toBe('1 234 567');
    expect(formatEuros(160000)).toBe('160 000 €');
    expect(formatPct(0.18)).toBe('18,0 %');
    expect(formatPct(null)).toBe('—');
  });
});

describe('the API’s views', () => {
  const inventory = {
    communeCode: '31555', name: 'Toulouse', year: 2026, population: null, mainResidences: 10_000, socialDwellings: 1800, legalRate: 0.25,
    exempt: false, fiscalPotentialPerInhabitant: null, operatingExpenses: null, deductibleExpenses: null, source: 'test',
  };
  const aid = (year: number, plaiCount: number, communeCode = '31555') => ({ communeCode, year, plaiCount, plusCount: 0, plsCount: 0 });

  it('an SRU line counts only the commune’s aids of the triennial period, and owes nothing when exempt', () => {
    const period = triennialPeriod(2026); // 2026–2028
    const line = sruLine(inventory, undefined, [aid(2026, 5), aid(2028, 2), aid(2025, 100), aid(2026, 100, '31069')], period);
    // The rules' worked example: 2 500 required, deficit 700, a third of it (231) to build in the period.
    expect(line).toMatchObject({ name: 'Toulouse', required_dwellings: 2500, deficit: 700, triennial_target: 231, period: '2026-2028', produced: { plai: 7, total: 7 } });
    expect(line.rate).toBeCloseTo(7 / 231, 12);
    expect(sruLine({ ...inventory, exempt: true }, undefined, [], period)).toMatchObject({ deficit: 700, triennial_target: 0, plai_min: 0, pls_max: 0, rate: null });
  });

  it('sums targets per category, and its totals equal the sum of the lines', () => {
    const status = fc.record({
      communeCode: fc.constantFrom('31555', '31069'), category: fc.constantFrom(...CATEGORIES), startYear: fc.constant(2025), endYear: fc.constant(2030),
      target: fc.integer({ min: 0, max: 10_000 }), achieved: fc.integer({ min: 0, max: 10_000 }), expectedProgress: fc.constant(0.5), achievementRate: fc.constant(null), sources: fc.constant<string[]>([]),
    });
    fc.assert(
      fc.property(fc.array(status, { maxLength: 20 }), (lines) => {
        const out = targetsByCategory(lines);
        expect(out.reduce((x, c) => x + c.target, 0)).toBe(lines.reduce((x, l) => x + l.target, 0));
        expect(out.reduce((x, c) => x + c.achieved, 0)).toBe(lines.reduce((x, l) => x + l.achieved, 0));
        for (const c of out) expect(c.rate).toBe(c.target ? c.achieved / c.target : null);
      }),
    );
  });

  it('an EPCI’s SRU summary leaves exempt communes out of those in deficit', () => {
    const period = triennialPeriod(2026);
    const lines = [sruLine(inventory, undefined, [], period), sruLine({ ...inventory, communeCode: '31069', exempt: true }, undefined, [], period)];
    expect(sruSummary(lines)).toEqual({ communes: 2, in_deficit: 1, deficit: 1400, triennial_target: 231 });
    expect(sruSummary([])).toBeNull();
  });

  it('refuses a social housing aid without dwellings, a parcel of another commune, a lone coordinate', () => {
    expect(aidProblem({ type: 'logement_social', dwellingsCount: 0, plaiCount: 0, plusCount: 0, plsCount: 0 })).toMatch(/au moins un logement/);
    expect(aidProblem({ type: 'renovation', dwellingsCount: 0, plaiCount: 0, plusCount: 0, plsCount: 0 })).toBeNull();
    expect(landProblem({ communeCode: '31069', parcel: '31555000AB0246', longitude: null, latitude: null })?.code).toBe('plh.parcel_outside_commune');
    expect(landProblem({ communeCode: '31555', parcel: null, longitude: 1.4, latitude: null })?.code).toBe('plh.coordinates');
    expect(landProblem({ communeCode: '31555', parcel: '31555000AB0246', longitude: 1.4, latitude: 43.6 })).toBeNull();
  });
});
