import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition } from './conditions.ts';
import { readGridDir } from './ingest/grid-files.ts';
import { deriveFacts, parseGrid, PRIORITY_FLAG_NAMES, scoreDemand } from './model.ts';
import { publicodesEngine, publicodesTotal } from './publicodes.ts';
import { demandArb } from './test-arbitraries.ts';

const grids = readGridDir();
const REF = '2026-11-01';


const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc.tuple(fc.constantFrom(...PRIORITY_FLAG_NAMES, 'parent_isole', 'sur_occupation', 'mutation'), fc.constantFrom('eq', 'ne'), fc.boolean()).map(([field, op, value]) => ({ field, op: op as 'eq', value })),
  fc.tuple(fc.constantFrom('taux_effort', 'anciennete_mois', 'nb_personnes', 'ressources_mensuelles', 'nb_refus'), fc.constantFrom('gt', 'gte', 'lt', 'lte', 'eq', 'ne'), fc.integer({ min: 0, max: 60 })).map(
    ([field, op, value]) => ({ field, op: op as 'gt', value }),
  ),
  fc.subarray(['hotel', 'sans_abri', 'structure_hebergement', 'locataire_hlm'], { minLength: 1 }).map((v) => ({ field: 'situation_logement', op: 'in' as const, value: v })),
);
const condition: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { minLength: 1, maxLength: 3 }).map((all) => ({ all })) },
  { weight: 1, arbitrary: fc.array(leaf, { minLength: 1, maxLength: 3 }).map((any) => ({ any })) },
  { weight: 1, arbitrary: leaf.map((c) => ({ not: c })) },
);
const gridArb = fc
  .record({
    sections: fc.array(
      fc.record({
        mode: fc.constantFrom('somme', 'meilleur'),
        cap: fc.option(fc.integer({ min: 0, max: 80 })),
        criteria: fc.array(fc.record({ points: fc.integer({ min: 0, max: 50 }), condition }), { minLength: 1, maxLength: 5 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    seniority: fc.option(fc.record({ points_per_month: fc.constantFrom(0.5, 1, 2), cap: fc.option(fc.integer({ min: 0, max: 100 })) })),
    abnormal_delay: fc.option(fc.record({ months: fc.integer({ min: 1, max: 60 }), points: fc.integer({ min: 0, max: 40 }) })),
    refusals: fc.option(fc.record({ points_per_refusal: fc.integer({ min: 0, max: 20 }), max_loss: fc.option(fc.integer({ min: 0, max: 50 })) })),
  })
  .map((g) =>
    parseGrid({
      name: 'aléatoire',
      version: 1,
      valid_from: '2024-01-01',
      seniority: g.seniority,
      abnormal_delay: g.abnormal_delay,
      refusals: g.refusals,
      sections: g.sections.map((s, si) => ({ id: `r${si}`, label: `R${si}`, mode: s.mode, cap: s.cap, criteria: s.criteria.map((c, ci) => ({ id: `c${si}_${ci}`, label: 'C', ...c })) })),
    }),
  );

describe('the same grid in publicodes', () => {
  it('gives the worked examples of the published grids', () => {
    const lyon = deriveFacts({ ...fc.sample(demandArb, { numRuns: 1, seed: 1 })[0], adults: 1, children: 2, monthly_income: 1300, residual_rent: 500, flags: ['menace_expulsion'] }, REF);
    expect(publicodesTotal(publicodesEngine(grids.rhone_lyon_csf69), lyon)).toBe(35);
    const toulouse = deriveFacts({ ...fc.sample(demandArb, { numRuns: 1, seed: 1 })[0], filing_date: '2023-07-01', flags: ['dalo'] }, REF);
    expect(publicodesTotal(publicodesEngine(grids.toulouse_metropole), toulouse)).toBe(110);
    const paris = deriveFacts({ ...fc.sample(demandArb, { numRuns: 1, seed: 1 })[0], flags: ['decohabitation', 'chez_parents'] }, REF);
    expect(publicodesTotal(publicodesEngine(grids.ville_de_paris_2014), paris)).toBe(2);
  });

  it('agrees with our evaluator on the demo grids for any demand', () => {
    const engines = Object.values(grids).map((g) => [g, publicodesEngine(g)] as const);
    fc.assert(
      fc.property(demandArb, (d) => {
        for (const [g, e] of engines) expect(publicodesTotal(e, deriveFacts(d, REF))).toBeCloseTo(scoreDemand(g, d, REF).total, 6);
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with our evaluator on random grids (caps, best criterion, and/or/not, missing facts, refusals)', () => {
    fc.assert(
      fc.property(gridArb, fc.array(demandArb, { minLength: 1, maxLength: 5 }), (g, ds) => {
        const e = publicodesEngine(g);
        for (const d of ds) expect(publicodesTotal(e, deriveFacts(d, REF))).toBeCloseTo(scoreDemand(g, d, REF).total, 6);
      }),
      { numRuns: 40 },
    );
  });
});
