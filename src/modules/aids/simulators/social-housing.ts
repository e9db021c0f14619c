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
  annee: z.number().int().min(2023).max(2100).optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  commune: z.string().max(10).optional(),
  zone_logement_social: z.enum(ZONES_HLM).optional(),
  personnes: z.number().int().min(1).max(20),
  personne_seule_avec_charge: z.boolean().optional(),
  jeune_menage: z.boolean().optional(),
  handicap: z.boolean().optional(),
  revenu_fiscal: z.number().min(0).max(100_000_000).optional(),
});
export type SocialHousingInput = z.infer<typeof socialHousingInput>;

export function socialHousingQuestions(t: TableSet): Question[] {
  return [
    communeQuestion(t, 'Dans quelle commune cherchez-vous un logement ?'),
    {
      id: 'zone_logement_social',
      libelle: 'Où se trouve cette commune ?',
      type: 'choix',
      options: ZONES_HLM.map((z) => ({ valeur: z, libelle: ZONE_HLM_LABEL[z][0]!.toUpperCase() + ZONE_HLM_LABEL[z].slice(1) })),
      obligatoire: true,
      visibleSi: { question: 'commune', valeurs: ['autre'] },
    },
    {
      id: 'personnes',
      libelle: 'Combien de personnes vivront dans le logement ?',
      aide: 'Vous compris, avec les enfants (un enfant en garde alternée compte chez chacun des parents).',
      type: 'nombre',
      min: 1,
      max: 20,
      obligatoire: true,
    },
    {
      id: 'personne_seule_avec_charge',
      libelle: 'Vivez-vous seul(e) avec des enfants ou d’autres personnes à votre charge ?',
      type: 'oui_non',
      obligatoire: false,
      visibleSi: { question: 'personnes', min: 2 },
    },
    {
      id: 'jeune_menage',
      libelle: 'Êtes-vous un couple sans enfant dont la somme des âges ne dépasse pas 55 ans ?',
      type: 'oui_non',
      obligatoire: false,
      visibleSi: { question: 'personnes', egal: 2 },
    },
    {
      id: 'handicap',
      libelle: 'Une personne du foyer est-elle en situation de handicap ?',
      type: 'oui_non',
      obligatoire: false,
    },
    {
      id: 'revenu_fiscal',
      libelle: 'Revenu fiscal de référence de l’avant-dernière année, pour tout le foyer',
      aide: 'Il figure sur l’avis d’impôt. En 2026, c’est celui des revenus 2024 (avis reçu en 2025). Additionnez les avis de toutes les personnes du foyer.',
      type: 'nombre',
      unite: '€',
      min: 0,
      obligatoire: true,
    },
  ];
}

export function simulateSocialHousing(input: SocialHousingInput, t: TableSet): SimulationAnswer {
  const date = input.date ?? todayIso();
  const annee = input.annee ?? Number(date.slice(0, 4));
  const place = resolvePlace(input, t);
  const cat = householdCategory({
    personnes: input.personnes,
    personneSeuleAvecCharge: input.personne_seule_avec_charge,
    jeuneMenage: input.jeune_menage,
    handicap: input.handicap,
  });
  const zone = place.zoneHlm;
  const avertissements = [...place.avertissements];
  const situation: Record<string, number | undefined> = { 'ménage . revenu fiscal de référence': input.revenu_fiscal };
  // Filled for every product by the loop below.
  const looked = {} as Record<Product, { ceiling?: ReturnType<typeof ceilingFor>; table?: ReturnType<typeof pickTable<(typeof t.ceilings)[number]>> }>;
  for (const p of PRODUCTS) {
    const picked = pickTable(t.ceilings, p, annee);
    const ceiling = picked && zone ? ceilingFor(picked.table.valeurs[zone], cat.rang) : undefined;
    looked[p] = { ceiling, table: picked };
    // An earlier year's ceiling is only trusted to say « below »: ceilings are revalued upwards each year.
    if (ceiling && picked!.exact) situation[`plafond . ${p}`] = ceiling.value;
    if (ceiling && !picked!.exact && input.revenu_fiscal !== undefined && input.revenu_fiscal <= ceiling.value) {
      situation[`plafond . ${p}`] = ceiling.value;
    }
  }
  const names = PRODUCTS.flatMap((p) => [`${p} . ressources`, `${p} . éligible`]);
  const r = model.evaluate(situation, names);
  const revenuLabel = `revenu fiscal de référence ${annee - 2}`;
  const catLabel = `catégorie ${cat.categorie}${cat.supplementaires ? ` + ${cat.supplementaires} personne${cat.supplementaires > 1 ? 's' : ''} supplémentaire${cat.supplementaires > 1 ? 's' : ''}` : ''}`;

  const condition = (p: Product): Condition => {
    const { ceiling, table } = looked[p];
    const tableYear = table?.table.annee ?? annee;
    const stale = table && !table.exact ? `, barème ${tableYear} faute du barème ${annee}` : '';
    return ceilingCondition({
      id: `${p}.ressources`,
      status: statusOf(r[`${p} . ressources`]!.value),
      valueLabel: revenuLabel,
      value: input.revenu_fiscal,
      ceilingLabel: `plafond ${p} ${tableYear} pour la ${catLabel}${zone ? ` en ${ZONE_HLM_LABEL[zone]}` : ''}${stale}`,
      ceiling: ceiling?.value,
      ceilingHow: ceiling?.how,
      table: table?.table,
      verification: table && zone && ceiling ? cellVerification(table.table, zone, ceiling) : undefined,
      unknownWhy: `au-dessus du plafond ${tableYear}, le plafond ${annee} n’étant pas disponible on ne peut pas conclure`,
    });
  };

  const aides: AidAnswer[] = PRODUCTS.map((p) => {
    const verdict = verdictOf(r[`${p} . éligible`]!.value);
    const conditions = p === 'PLAI' ? [condition('PLUS'), condition('PLAI')] : [condition(p)];
    if (p === 'PLAI') conditions[0]!.texte += ' (le plafond PLAI est toujours inférieur au plafond PLUS)';
    const manque: string[] = [];
    if (input.revenu_fiscal === undefined) manque.push('revenu fiscal de référence');
    if (!zone) manque.push('commune ou zone');
    if (zone && !looked[p].ceiling) manque.push(`plafond ${p} ${annee} (barème non disponible)`);
    else if (zone && verdict === 'inconnu' && !looked[p].table!.exact && input.revenu_fiscal !== undefined) {
      manque.push(`plafond ${p} ${annee} (seul le barème ${looked[p].table!.table.annee} est disponible)`);
    }
    return {
      id: p,
      nom: NAMES[p],
      verdict,
      resume:
        verdict === 'eligible'
          ? `Vos revenus sont sous le plafond ${p} : vous pouvez demander un logement financé en ${p}.`
          : verdict === 'non_eligible'
            ? p === 'PLAI' && r['PLUS . ressources']!.value === false
              ? 'Vos revenus dépassent le plafond PLUS, donc aussi le plafond PLAI.'
              : `Vos revenus dépassent le plafond ${p}.`
            : `Impossible de conclure pour le ${p} : ${manque.join(', ') || 'information manquante'}.`,
      conditions,
      informations: unverifiedNotice(conditions.at(-1)),
      manque,
      contact: {
        nom: 'Demande de logement social',
        texte: 'Déposez ou renouvelez votre demande en ligne, ou auprès d’un guichet d’enregistrement (mairie, bailleur social, EPCI).',
        url: 'https://www.demande-logement-social.gouv.fr',
      },
    };
  });

  return {
    simulateur: 'logement-social',
    titre: 'Logement social',
    date,
    annee,
    aides,
    contexte: [
      ...place.contexte,
      `Catégorie de ménage : ${cat.categorie} (${cat.motif})${cat.supplementaires ? `, plus ${cat.supplementaires} personne(s) au-delà de la catégorie 6` : ''}.`,
      `Plafonds ${annee}, comparés au revenu fiscal de référence ${annee - 2}.`,
    ],
    avertissements: [
      ...avertissements,
      'Résultat indicatif : le bailleur vérifie les ressources et la composition du foyer au moment de l’attribution.',
    ],
  };
}
