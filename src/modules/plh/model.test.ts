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
  type AideAccordee,
} from './model.ts';

// The worked example of shared/data/rules (copied beside the tests with its provenance).
const example = JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/plh/sru_rules_and_example.json'), 'utf8'))
  .worked_example_INFERRED as { inputs: Record<string, number>; steps: Record<string, number> };

describe('SRU situation (L302-5, L302-8)', () => {
  it('reproduces the worked example of the rules file step by step', () => {
    const i = example.inputs;
    const s = sruSituation({ residencesPrincipales: i.residences_principales, logementsSociaux: i.lls_inventaire, tauxLegal: i.taux_legal });
    expect(s.logementsRequis).toBe(example.steps.lls_requis);
    expect(s.tauxActuel).toBeCloseTo(example.steps.taux_actuel, 10);
    expect(s.deficit).toBe(example.steps.deficit_lls);
    expect(s.objectifTriennal).toBe(example.steps.objectif_triennal_33pct);
    expect(s.plaiMin).toBeCloseTo(example.steps.min_PLAI_30pct, 10);
    expect(s.plsMax).toBeCloseTo(example.steps.max_PLS_30pct, 10);
    expect(s.atteint).toBe(false);
  });

  it('reproduces the levy of the worked example (L302-7)', () => {
    const i = example.inputs;
    const levy = sruLevy({
      deficit: example.steps.deficit_lls,
      potentielFiscalParHabitant: i.potentiel_fiscal_par_habitant_eur,
      depensesReellesFonctionnement: i.depenses_reelles_fonctionnement_penultieme_eur,
      depensesDeductibles: i.depenses_deductibles_eur,
    });
    expect(levy.brut).toBe(example.steps.prelevement_brut);
    expect(levy.plafond).toBe(example.steps.plafond_5pct_DRF);
    expect(levy.brutPlafonne).toBe(example.steps.prelevement_brut_plafonne);
    expect(levy.net).toBe(example.steps.prelevement_net);
  });

  it('caps the levy at 5 % of operating expenses', () => {
    expect(sruLevy({ deficit: 1000, potentielFiscalParHabitant: 2000, depensesReellesFonctionnement: 1_000_000 }).brutPlafonne).toBe(50_000);
  });

  it('at 20 % a commune with 2 000 social dwellings out of 10 000 has no deficit', () => {
    const s = sruSituation({ residencesPrincipales: 10_000, logementsSociaux: 2000, tauxLegal: 0.2 });
    expect(s).toMatchObject({ deficit: 0, objectifTriennal: 0, atteint: true });
  });

  it('counts a fraction of a dwelling as a whole dwelling required', () => {
    // 25 % of 10 001 = 2 500.25: the commune needs 2 501 social dwellings to reach the rate.
    expect(sruSituation({ residencesPrincipales: 10_001, logementsSociaux: 2500, tauxLegal: 0.25 }).deficit).toBe(1);
  });

  it('uses a configured catch-up rate (e.g. 25 % under a contrat de mixité sociale)', () => {
    expect(sruSituation({ residencesPrincipales: 10_000, logementsSociaux: 1800, tauxLegal: 0.25, tauxRattrapage: 0.25 }).objectifTriennal).toBe(175);
  });

  const inputs = fc.record({
    residencesPrincipales: fc.integer({ min: 1, max: 500_000 }),
    logementsSociaux: fc.integer({ min: 0, max: 600_000 }),
    tauxLegal: fc.constantFrom(0.2, 0.25),
    tauxRattrapage: fc.double({ min: 0.01, max: 1, noNaN: true }),
  });

  it('property: the deficit is never negative and the objective never exceeds it', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const s = sruSituation(i);
        expect(s.deficit).toBeGreaterThanOrEqual(0);
        expect(s.objectifTriennal).toBeLessThanOrEqual(s.deficit);
        expect(s.objectifTriennal).toBeGreaterThanOrEqual(0);
        expect(s.atteint).toBe(i.logementsSociaux >= i.tauxLegal * i.residencesPrincipales - 1e-9);
      }),
    );
  });

  it('property: the objective is monotone in the deficit (fewer social dwellings, never a smaller objective)', () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 0, max: 10_000 }), (i, fewer) => {
        const a = sruSituation(i);
        const b = sruSituation({ ...i, logementsSociaux: Math.max(0, i.logementsSociaux - fewer) });
        expect(b.deficit).toBeGreaterThanOrEqual(a.deficit);
        expect(b.objectifTriennal).toBeGreaterThanOrEqual(a.objectifTriennal);
      }),
    );
  });

  it('property: the PLAI minimum and PLS maximum are each 30 % of the objective', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const s = sruSituation(i);
        expect(s.plaiMin).toBeCloseTo(0.3 * s.objectifTriennal, 9);
        expect(s.plsMax).toBeCloseTo(0.3 * s.objectifTriennal, 9);
      }),
    );
  });
});

describe('triennial periods', () => {
  it('run in 3-year tranches from 2002', () => {
    expect(triennialPeriod(2002)).toEqual({ debut: 2002, fin: 2004 });
    expect(triennialPeriod(2025)).toEqual({ debut: 2023, fin: 2025 });
    expect(triennialPeriod(2026)).toEqual({ debut: 2026, fin: 2028 });
  });
  it('property: every year falls in its period, which lasts 3 years', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2002, max: 2100 }), (y) => {
        const p = triennialPeriod(y);
        expect(p.fin - p.debut).toBe(2);
        expect(y).toBeGreaterThanOrEqual(p.debut);
        expect(y).toBeLessThanOrEqual(p.fin);
      }),
    );
  });
});

describe('SRU progress', () => {
  it('checks production against the objective and the PLAI/PLS mix', () => {
    const p = sruProgress(231, { plai: 70, plus: 100, pls: 60 });
    expect(p.produits).toBe(230);
    expect(p.tauxRealisation).toBeCloseTo(230 / 231, 10);
    expect(p.plaiRespecte).toBe(true); // 70 >= 69.3
    expect(p.plsRespecte).toBe(true); // 60 <= 69.3
    const q = sruProgress(231, { plai: 60, plus: 100, pls: 80 });
    expect(q.plaiRespecte).toBe(false);
    expect(q.plsRespecte).toBe(false);
  });
});

const aid = (a: Partial<AideAccordee>): AideAccordee => ({
  reference: 'X',
  type: 'logement_social',
  communeCode: '31555',
  annee: 2025,
  montantEuros: 0,
  nbLogements: 0,
  nbPlai: 0,
  nbPlus: 0,
  nbPls: 0,
  ...a,
});

describe('targets against achievements', () => {
  it('sums aids granted per commune, category and year, and an entered figure replaces them', () => {
    const rows = mergeAchievements(
      [{ communeCode: '31555', categorie: 'renovation', annee: 2025, valeur: 40, source: 'Anah, bilan 2025' }],
      [
        aid({ reference: 'A', nbPlai: 10, nbPlus: 20, nbPls: 5 }),
        aid({ reference: 'B', nbPlai: 3, nbPlus: 4 }),
        aid({ reference: 'C', type: 'renovation', nbLogements: 1 }),
        aid({ reference: 'D', type: 'accession', annee: 2024 }),
      ],
    );
    const get = (k: string, y: number) => rows.find((r) => r.categorie === k && r.annee === y);
    expect(get('logements_sociaux', 2025)?.valeur).toBe(42);
    expect(get('renovation', 2025)).toMatchObject({ valeur: 40, source: 'Anah, bilan 2025' });
    expect(get('accession_aidee', 2024)?.valeur).toBe(1);
  });

  it('counts achievements inside the target period up to the bilan year, with the expected pace', () => {
    const ach = [2024, 2025, 2026, 2027].map((annee) => ({ communeCode: '31555', categorie: 'logements' as const, annee, valeur: 100, source: 'S' }));
    const t = targetStatus({ communeCode: '31555', categorie: 'logements', anneeDebut: 2025, anneeFin: 2030, valeur: 600 }, ach, 2026);
    expect(t.realise).toBe(200);
    expect(t.tauxRealisation).toBeCloseTo(1 / 3, 10);
    expect(t.avancementAttendu).toBeCloseTo(2 / 6, 10);
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
    communeCode: '31555', nom: 'Toulouse', annee: 2026, population: null, residencesPrincipales: 10_000, logementsSociaux: 1800, tauxLegal: 0.25,
    exemptee: false, potentielFiscalParHabitant: null, depensesReellesFonctionnement: null, depensesDeductibles: null, source: 'test',
  };
  const aid = (annee: number, nbPlai: number, communeCode = '31555') => ({ communeCode, annee, nbPlai, nbPlus: 0, nbPls: 0 });

  it('an SRU line counts only the commune’s aids of the triennial period, and owes nothing when exempt', () => {
    const period = triennialPeriod(2026); // 2026–2028
    const line = sruLine(inventory, undefined, [aid(2026, 5), aid(2028, 2), aid(2025, 100), aid(2026, 100, '31069')], period);
    // The rules' worked example: 2 500 required, deficit 700, a third of it (231) to build in the period.
    expect(line).toMatchObject({ name: 'Toulouse', required_dwellings: 2500, deficit: 700, triennial_target: 231, period: '2026-2028', produced: { plai: 7, total: 7 } });
    expect(line.rate).toBeCloseTo(7 / 231, 12);
    expect(sruLine({ ...inventory, exemptee: true }, undefined, [], period)).toMatchObject({ deficit: 700, triennial_target: 0, plai_min: 0, pls_max: 0, rate: null });
  });

  it('sums targets per category, and its totals equal the sum of the lines', () => {
    const status = fc.record({
      communeCode: fc.constantFrom('31555', '31069'), categorie: fc.constantFrom(...CATEGORIES), anneeDebut: fc.constant(2025), anneeFin: fc.constant(2030),
      objectif: fc.integer({ min: 0, max: 10_000 }), realise: fc.integer({ min: 0, max: 10_000 }), avancementAttendu: fc.constant(0.5), tauxRealisation: fc.constant(null), sources: fc.constant<string[]>([]),
    });
    fc.assert(
      fc.property(fc.array(status, { maxLength: 20 }), (lines) => {
        const out = targetsByCategory(lines);
        expect(out.reduce((x, c) => x + c.target, 0)).toBe(lines.reduce((x, l) => x + l.objectif, 0));
        expect(out.reduce((x, c) => x + c.achieved, 0)).toBe(lines.reduce((x, l) => x + l.realise, 0));
        for (const c of out) expect(c.rate).toBe(c.target ? c.achieved / c.target : null);
      }),
    );
  });

  it('an EPCI’s SRU summary leaves exempt communes out of those in deficit', () => {
    const period = triennialPeriod(2026);
    const lines = [sruLine(inventory, undefined, [], period), sruLine({ ...inventory, communeCode: '31069', exemptee: true }, undefined, [], period)];
    expect(sruSummary(lines)).toEqual({ communes: 2, in_deficit: 1, deficit: 1400, triennial_target: 231 });
    expect(sruSummary([])).toBeNull();
  });

  it('refuses a social housing aid without dwellings, a parcel of another commune, a lone coordinate', () => {
    expect(aidProblem({ type: 'logement_social', nbLogements: 0, nbPlai: 0, nbPlus: 0, nbPls: 0 })).toMatch(/au moins un logement/);
    expect(aidProblem({ type: 'renovation', nbLogements: 0, nbPlai: 0, nbPlus: 0, nbPls: 0 })).toBeNull();
    expect(landProblem({ communeCode: '31069', parcelle: '31555000AB0246', longitude: null, latitude: null })?.code).toBe('plh.parcel_outside_commune');
    expect(landProblem({ communeCode: '31555', parcelle: null, longitude: 1.4, latitude: null })?.code).toBe('plh.coordinates');
    expect(landProblem({ communeCode: '31555', parcelle: '31555000AB0246', longitude: 1.4, latitude: 43.6 })).toBeNull();
  });
});
