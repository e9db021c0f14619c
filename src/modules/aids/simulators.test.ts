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
  nom: 'Complément passoires thermiques',
  description: 'Pour les logements F et G des ménages modestes.',
  montant_euros: 2000,
  plafond_reference: 'aucun',
  primo_accedant_requis: false,
  types_logement: [],
  categories_mpr: ['tres_modeste', 'modeste'],
  classes_dpe: ['F', 'G'],
  communes: ['69123'],
  contact: 'Agence locale de l’énergie',
  deliberation: 'Délibération n° 2026-001 (exemple)',
  actif: true,
};

describe('the EPCI’s renovation top-ups', () => {
  const ask = (extra: object) =>
    simulateRenovation(
      { personnes: 2, revenu_fiscal: 30000, statut: 'proprietaire_occupant', logement_plus_15_ans: true, classe_dpe: 'F', date: '2026-03-01', ...extra } as any,
      t,
      [renovationAid],
    ).aides.find((a) => a.id === 'local-r1')!;

  it('applies in Lyon’s arrondissements when voted for Lyon', () => {
    const a = ask({ commune: '69383' });
    expect(a.verdict).toBe('eligible');
    expect(a.resume).toContain('2 000 €');
    expect(a.source).toBe('Délibération n° 2026-001 (exemple)');
  });

  it('is refused outside its communes, for other categories or classes, and unknown without a commune', () => {
    expect(ask({ commune: '69266' }).verdict).toBe('non_eligible');
    expect(ask({ commune: '69123', revenu_fiscal: 40000 }).verdict).toBe('non_eligible'); // intermédiaires
    expect(ask({ commune: '69123', classe_dpe: 'D' }).verdict).toBe('non_eligible');
    expect(ask({ ile_de_france: false }).verdict).toBe('inconnu');
  });

  it('ignores inactive aids and aids of the other kind', () => {
    const a = simulateRenovation({ commune: '69123', personnes: 1 }, t, [{ ...renovationAid, actif: false }, { ...renovationAid, id: 'x', kind: 'accession' }]);
    expect(a.aides.filter((x) => x.id.startsWith('local-'))).toEqual([]);
  });
});

describe('places', () => {
  it('asks for the zone of a commune the table does not know, and says so', () => {
    const a = simulateSocialHousing({ commune: '97502', personnes: 1, revenu_fiscal: 10000, annee: 2026 }, t);
    expect(a.avertissements[0]).toContain('97502');
    expect(a.aides.every((x) => x.verdict === 'inconnu')).toBe(true);
    expect(a.aides[1]!.manque).toContain('commune ou zone');
  });

  it('zones any commune of the national file by its INSEE code, outside the named communes too', () => {
    const a = simulateSocialHousing({ commune: '33063', personnes: 1, revenu_fiscal: 10000, annee: 2026 }, t);
    expect(a.contexte[0]).toContain('zone A du zonage ABC, plafonds HLM « autres régions »');
    expect(a.aides.every((x) => x.verdict === 'eligible')).toBe(true);
  });

  it('answers « autre commune » from the zone given', () => {
    const a = simulateOwnership({ commune: 'autre', zone_abc: 'C', personnes: 1, revenu_fiscal: 30000, annee: 2025 }, t);
    expect(a.aides.find((x) => x.id === 'BRS')!.verdict).toBe('eligible'); // 33 479 € in C
    expect(a.contexte[0]).toContain('Zone C du zonage ABC (indiquée par vous)');
  });
});

describe('explanations', () => {
  it('names the household category and the year of the incomes', () => {
    const a = simulateSocialHousing({ commune: '31555', personnes: 3, personne_seule_avec_charge: true, revenu_fiscal: 40000, annee: 2026 }, t);
    expect(a.contexte).toContain('Catégorie de ménage : 4 (une personne seule avec 2 personnes à charge).');
    const plus = a.aides.find((x) => x.id === 'PLUS')!;
    expect(plus.conditions[0]!.texte).toBe('revenu fiscal de référence 2024 : 40 000 € ≤ plafond PLUS 2026 pour la catégorie 4 en autres régions : 45 374 €');
  });

  it('says when a figure comes from an earlier year and cannot settle the answer', () => {
    // 2027: no table yet; the 2026 one only settles « below ».
    const a = simulateOwnership({ commune: '31555', personnes: 1, revenu_fiscal: 38845, annee: 2027 }, t);
    const brs = a.aides.find((x) => x.id === 'BRS')!;
    expect(brs.verdict).toBe('inconnu');
    expect(brs.conditions[0]!.texte).toContain('barème 2026 faute du barème 2027');
    expect(brs.conditions[0]!.texte).toContain('on ne peut pas conclure');
  });
  it('says which year’s MaPrimeRénov’ barème placed the household when a local aid depends on the category', () => {
    const cond = (annee: number) =>
      simulateRenovation(
        { annee, commune: '69123', personnes: 2, revenu_fiscal: 30000, statut: 'proprietaire_occupant', logement_plus_15_ans: true, classe_dpe: 'F' },
        t,
        [renovationAid],
      ).aides.find((a) => a.id === 'local-r1')!.conditions.find((c) => c.id === 'categorie')!.texte;
    expect(cond(2025)).toBe('Catégorie de revenus MaPrimeRénov’ : modestes (jaune) ; aide réservée aux catégories très modestes (bleu), modestes (jaune)');
    expect(cond(2026)).toContain('modestes (jaune) (barème 2025, celui de 2026 n’a pas été relu)');
  });
});
