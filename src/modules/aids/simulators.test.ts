import { describe, expect, it } from 'vitest';
import type { LocalAid } from './model.ts';
import { simulateOwnership } from './simulators/ownership.ts';
import { simulateRenovation } from './simulators/renovation.ts';
import { simulateSocialHousing } from './simulators/social-housing.ts';
import { tables } from './tables.ts';

const t = tables();
const renovationAid: LocalAid = {
  id: 'r1',
  epci_siren: '200046977',
  kind: 'renovation',
  name: 'Complément passoires thermiques',
  description: 'Pour les logements F et G des ménages modestes.',
  amount_euros: 2000,
  ceiling_reference: 'none',
  primo_accedant_required: false,
  housing_types: [],
  mpr_categories: ['very_modest', 'modest'],
  dpe_classes: ['F', 'G'],
  communes: ['69123'],
  contact: 'Agence locale de l’énergie',
  deliberation: 'Délibération n° 2026-001 (exemple)',
  active: true,
};

describe('the EPCI’s renovation top-ups', () => {
  const ask = (extra: object) =>
    simulateRenovation(
      { persons: 2, reference_tax_income: 30000, status: 'owner_occupier', built_over_15_years: true, dpe_class: 'F', date: '2026-03-01', ...extra } as any,
      t,
      [renovationAid],
    ).aids.find((a) => a.id === 'local-r1')!;

  it('applies in Lyon’s arrondissements when voted for Lyon', () => {
    const a = ask({ commune: '69383' });
    expect(a.verdict).toBe('eligible');
    expect(a.summary).toContain('2 000 €');
    expect(a.source).toBe('Délibération n° 2026-001 (exemple)');
  });

  it('is refused outside its communes, for other categories or classes, and unknown without a commune', () => {
    expect(ask({ commune: '69266' }).verdict).toBe('not_eligible');
    expect(ask({ commune: '69123', reference_tax_income: 40000 }).verdict).toBe('not_eligible'); // intermédiaires
    expect(ask({ commune: '69123', dpe_class: 'D' }).verdict).toBe('not_eligible');
    expect(ask({ ile_de_france: false }).verdict).toBe('unknown');
  });

  it('ignores inactive aids and aids of the other kind', () => {
    const a = simulateRenovation({ commune: '69123', persons: 1 }, t, [{ ...renovationAid, active: false }, { ...renovationAid, id: 'x', kind: 'accession' }]);
    expect(a.aids.filter((x) => x.id.startsWith('local-'))).toEqual([]);
  });
});

describe('places', () => {
  it('asks for the zone of a commune the table does not know, and says so', () => {
    const a = simulateSocialHousing({ commune: '97502', persons: 1, reference_tax_income: 10000, year: 2026 }, t);
    expect(a.warnings[0]).toContain('97502');
    expect(a.aids.every((x) => x.verdict === 'unknown')).toBe(true);
    expect(a.aids[1]!.missing).toContain('commune ou zone');
  });

  it('zones any commune of the national file by its INSEE code, outside the named communes too', () => {
    const a = simulateSocialHousing({ commune: '33063', persons: 1, reference_tax_income: 10000, year: 2026 }, t);
    expect(a.context[0]).toContain('zone A du zonage ABC, plafonds HLM « autres régions »');
    expect(a.aids.every((x) => x.verdict === 'eligible')).toBe(true);
  });

  it('answers « autre commune » from the zone given', () => {
    const a = simulateOwnership({ commune: 'other', zone_abc: 'C', persons: 1, reference_tax_income: 30000, year: 2025 }, t);
    expect(a.aids.find((x) => x.id === 'BRS')!.verdict).toBe('eligible'); // 33 479 € in C
    expect(a.context[0]).toContain('Zone C du zonage ABC (indiquée par vous)');
  });
});

describe('explanations', () => {
  it('names the household category and the year of the incomes', () => {
    const a = simulateSocialHousing({ commune: '31555', persons: 3, single_with_dependants: true, reference_tax_income: 40000, year: 2026 }, t);
    expect(a.context).toContain('Catégorie de ménage : 4 (une personne seule avec 2 personnes à charge).');
    const plus = a.aids.find((x) => x.id === 'PLUS')!;
    expect(plus.conditions[0]!.text).toBe('revenu fiscal de référence 2024 : 40 000 € ≤ plafond PLUS 2026 pour la catégorie 4 en autres régions : 45 374 €');
  });

  it('says when a figure comes from an earlier year and cannot settle the answer', () => {
    // 2027: no table yet; the 2026 one only settles « below ».
    const a = simulateOwnership({ commune: '31555', persons: 1, reference_tax_income: 38845, year: 2027 }, t);
    const brs = a.aids.find((x) => x.id === 'BRS')!;
    expect(brs.verdict).toBe('unknown');
    expect(brs.conditions[0]!.text).toContain('barème 2026 faute du barème 2027');
    expect(brs.conditions[0]!.text).toContain('on ne peut pas conclure');
  });
  it('says which year’s MaPrimeRénov’ barème placed the household when a local aid depends on the category', () => {
    const cond = (year: number) =>
      simulateRenovation(
        { year, commune: '69123', persons: 2, reference_tax_income: 30000, status: 'owner_occupier', built_over_15_years: true, dpe_class: 'F' },
        t,
        [renovationAid],
      ).aids.find((a) => a.id === 'local-r1')!.conditions.find((c) => c.id === 'category')!.text;
    expect(cond(2025)).toBe('Catégorie de revenus MaPrimeRénov’ : modestes (jaune) ; aide réservée aux catégories très modestes (bleu), modestes (jaune)');
    expect(cond(2026)).toContain('modestes (jaune) (barème 2025, celui de 2026 n’a pas été relu)');
  });
});
