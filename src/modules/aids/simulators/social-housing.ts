// Social housing: may the household's income give access to a dwelling financed in PLAI, PLUS or PLS?
import { z } from 'zod';
import { RuleModel, statusOf, verdictOf, type Rules } from '../engine.ts';
import {
  cellVerification,
  ceilingFor,
  householdCategory,
  pickTable,
  ZONE_HLM_LABEL,
  ZONES_HLM,
  type AidAnswer,
  type Condition,
  type SimulationAnswer,
  type TableSet,
} from '../model.ts';
import { ceilingCondition, communeQuestion, resolvePlace, todayIso, unverifiedNotice, type Question } from './common.ts';

const PRODUCTS = ['PLAI', 'PLUS', 'PLS'] as const;
export type Product = (typeof PRODUCTS)[number];

// The rules: each product's income condition, and PLAI also needs the PLUS one because PLAI ceilings are
// always below PLUS ceilings — so a household above PLUS is known not eligible to PLAI even where the PLAI
// table of the year is missing.
const rules: Rules = {
  ménage: { valeur: 'oui' },
  'ménage . revenu fiscal de référence': { titre: 'Revenu fiscal de référence (année N-2)' },
  plafond: { valeur: 'oui' },
  'plafond . PLAI': { titre: 'Plafond PLAI' },
  'plafond . PLUS': { titre: 'Plafond PLUS' },
  'plafond . PLS': { titre: 'Plafond PLS' },
  PLAI: { valeur: 'oui', titre: 'Logement très social (PLAI)' },
  'PLAI . ressources': { valeur: 'ménage . revenu fiscal de référence <= plafond . PLAI' },
  'PLAI . éligible': { 'toutes ces conditions': ['PLUS . ressources', 'PLAI . ressources'] },
  PLUS: { valeur: 'oui', titre: 'Logement social (PLUS)' },
  'PLUS . ressources': { valeur: 'ménage . revenu fiscal de référence <= plafond . PLUS' },
  'PLUS . éligible': { 'toutes ces conditions': ['PLUS . ressources'] },
  PLS: { valeur: 'oui', titre: 'Logement intermédiaire social (PLS)' },
  'PLS . ressources': { valeur: 'ménage . revenu fiscal de référence <= plafond . PLS' },
  'PLS . éligible': { 'toutes ces conditions': ['PLS . ressources'] },
};
const model = new RuleModel(rules);

const NAMES: Record<Product, string> = {
  PLAI: 'Logement très social (PLAI)',
  PLUS: 'Logement social (PLUS)',
  PLS: 'Logement social intermédiaire (PLS)',
};

export const socialHousingInput = z.object({
  year: z.number().int().min(2023).max(2100).optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  commune: z.string().max(10).optional(),
  social_housing_zone: z.enum(ZONES_HLM).optional(),
  persons: z.number().int().min(1).max(20),
  single_with_dependants: z.boolean().optional(),
  young_couple: z.boolean().optional(),
  disability: z.boolean().optional(),
  reference_tax_income: z.number().min(0).max(100_000_000).optional(),
});
export type SocialHousingInput = z.infer<typeof socialHousingInput>;

export function socialHousingQuestions(t: TableSet): Question[] {
  return [
    communeQuestion(t, 'Dans quelle commune cherchez-vous un logement ?'),
    {
      id: 'social_housing_zone',
      label: 'Où se trouve cette commune ?',
      type: 'choice',
      options: ZONES_HLM.map((z) => ({ value: z, label: ZONE_HLM_LABEL[z][0]!.toUpperCase() + ZONE_HLM_LABEL[z].slice(1) })),
      required: true,
      visible_if: { question: 'commune', values: ['other'] },
    },
    {
      id: 'persons',
      label: 'Combien de personnes vivront dans le logement ?',
      help: 'Vous compris, avec les enfants (un enfant en garde alternée compte chez chacun des parents).',
      type: 'number',
      min: 1,
      max: 20,
      required: true,
    },
    {
      id: 'single_with_dependants',
      label: 'Vivez-vous seul(e) avec des enfants ou d’autres personnes à votre charge ?',
      type: 'yes_no',
      required: false,
      visible_if: { question: 'persons', min: 2 },
    },
    {
      id: 'young_couple',
      label: 'Êtes-vous un couple sans enfant dont la somme des âges ne dépasse pas 55 ans ?',
      type: 'yes_no',
      required: false,
      visible_if: { question: 'persons', equals: 2 },
    },
    {
      id: 'disability',
      label: 'Une personne du foyer est-elle en situation de handicap ?',
      type: 'yes_no',
      required: false,
    },
    {
      id: 'reference_tax_income',
      label: 'Revenu fiscal de référence de l’avant-dernière année, pour tout le foyer',
      help: 'Il figure sur l’avis d’impôt. En 2026, c’est celui des revenus 2024 (avis reçu en 2025). Additionnez les avis de toutes les personnes du foyer.',
      type: 'number',
      unit: '€',
      min: 0,
      required: true,
    },
  ];
}

export function simulateSocialHousing(input: SocialHousingInput, t: TableSet): SimulationAnswer {
  const date = input.date ?? todayIso();
  const year = input.year ?? Number(date.slice(0, 4));
  const place = resolvePlace(input, t);
  const cat = householdCategory({
    persons: input.persons,
    singleWithDependants: input.single_with_dependants,
    youngCouple: input.young_couple,
    disability: input.disability,
  });
  const zone = place.zoneHlm;
  const warnings = [...place.warnings];
  const situation: Record<string, number | undefined> = { 'ménage . revenu fiscal de référence': input.reference_tax_income };
  // Filled for every product by the loop below.
  const looked = {} as Record<Product, { ceiling?: ReturnType<typeof ceilingFor>; table?: ReturnType<typeof pickTable<(typeof t.ceilings)[number]>> }>;
  for (const p of PRODUCTS) {
    const picked = pickTable(t.ceilings, p, year);
    const ceiling = picked && zone ? ceilingFor(picked.table.values[zone], cat.rank) : undefined;
    looked[p] = { ceiling, table: picked };
    // An earlier year's ceiling is only trusted to say « below »: ceilings are revalued upwards each year.
    if (ceiling && picked!.exact) situation[`plafond . ${p}`] = ceiling.value;
    if (ceiling && !picked!.exact && input.reference_tax_income !== undefined && input.reference_tax_income <= ceiling.value) {
      situation[`plafond . ${p}`] = ceiling.value;
    }
  }
  const names = PRODUCTS.flatMap((p) => [`${p} . ressources`, `${p} . éligible`]);
  const r = model.evaluate(situation, names);
  const incomeLabel = `revenu fiscal de référence ${year - 2}`;
  const categoryLabel = `catégorie ${cat.category}${cat.extraPersons ? ` + ${cat.extraPersons} personne${cat.extraPersons > 1 ? 's' : ''} supplémentaire${cat.extraPersons > 1 ? 's' : ''}` : ''}`;

  const condition = (p: Product): Condition => {
    const { ceiling, table } = looked[p];
    const tableYear = table?.table.year ?? year;
    const stale = table && !table.exact ? `, barème ${tableYear} faute du barème ${year}` : '';
    return ceilingCondition({
      id: `${p}.ressources`,
      status: statusOf(r[`${p} . ressources`]!.value),
      valueLabel: incomeLabel,
      value: input.reference_tax_income,
      ceilingLabel: `plafond ${p} ${tableYear} pour la ${categoryLabel}${zone ? ` en ${ZONE_HLM_LABEL[zone]}` : ''}${stale}`,
      ceiling: ceiling?.value,
      ceilingHow: ceiling?.how,
      table: table?.table,
      verification: table && zone && ceiling ? cellVerification(table.table, zone, ceiling) : undefined,
      unknownWhy: `au-dessus du plafond ${tableYear}, le plafond ${year} n’étant pas disponible on ne peut pas conclure`,
    });
  };

  const aids: AidAnswer[] = PRODUCTS.map((p) => {
    const verdict = verdictOf(r[`${p} . éligible`]!.value);
    const conditions = p === 'PLAI' ? [condition('PLUS'), condition('PLAI')] : [condition(p)];
    if (p === 'PLAI') conditions[0]!.text += ' (le plafond PLAI est toujours inférieur au plafond PLUS)';
    const missing: string[] = [];
    if (input.reference_tax_income === undefined) missing.push('revenu fiscal de référence');
    if (!zone) missing.push('commune ou zone');
    if (zone && !looked[p].ceiling) missing.push(`plafond ${p} ${year} (barème non disponible)`);
    else if (zone && verdict === 'unknown' && !looked[p].table!.exact && input.reference_tax_income !== undefined) {
      missing.push(`plafond ${p} ${year} (seul le barème ${looked[p].table!.table.year} est disponible)`);
    }
    return {
      id: p,
      name: NAMES[p],
      verdict,
      summary:
        verdict === 'eligible'
          ? `Vos revenus sont sous le plafond ${p} : vous pouvez demander un logement financé en ${p}.`
          : verdict === 'not_eligible'
            ? p === 'PLAI' && r['PLUS . ressources']!.value === false
              ? 'Vos revenus dépassent le plafond PLUS, donc aussi le plafond PLAI.'
              : `Vos revenus dépassent le plafond ${p}.`
            : `Impossible de conclure pour le ${p} : ${missing.join(', ') || 'information manquante'}.`,
      conditions,
      notes: unverifiedNotice(conditions.at(-1)),
      missing,
      contact: {
        name: 'Demande de logement social',
        text: 'Déposez ou renouvelez votre demande en ligne, ou auprès d’un guichet d’enregistrement (mairie, bailleur social, EPCI).',
        url: 'https://www.demande-logement-social.gouv.fr',
      },
    };
  });

  return {
    simulator: 'social-housing',
    title: 'Logement social',
    date,
    year,
    aids,
    context: [
      ...place.context,
      `Catégorie de ménage : ${cat.category} (${cat.reason})${cat.extraPersons ? `, plus ${cat.extraPersons} personne(s) au-delà de la catégorie 6` : ''}.`,
      `Plafonds ${year}, comparés au revenu fiscal de référence ${year - 2}.`,
    ],
    warnings: [
      ...warnings,
      'Résultat indicatif : le bailleur vérifie les ressources et la composition du foyer au moment de l’attribution.',
    ],
  };
}
