// Renovation: MaPrimeRénov' income category, the DPE rental calendar for landlords, the EPCI's top-ups.
import { z } from 'zod';
import { allOf, RuleModel, statusOf, verdictFromStatus, verdictOf, type Rules } from '../engine.ts';
import { RENTAL_BAN_CALENDAR } from '../../stock/index.ts';
import {
  ceilingFor,
  DPE_CLASSES,
  dpeClass,
  euros,
  frenchDate,
  MPR_CATEGORY_LABEL,
  pickTable,
  rentalStatus,
  tableRef,
  type AidAnswer,
  type Condition,
  type DpeClass,
  type LocalAid,
  type MprCategory,
  type SimulationAnswer,
  type TableSet,
} from '../model.ts';
import {
  ceilingCondition,
  communeQuestion,
  epciName as defaultEpciName,
  localAidPlaceCondition,
  resolvePlace,
  todayIso,
  type Question,
} from './common.ts';

const rules: Rules = {
  ménage: { valeur: 'oui' },
  'ménage . revenu fiscal de référence': { titre: 'Revenu fiscal de référence' },
  'ménage . statut': { titre: 'Statut d’occupation' },
  logement: { valeur: 'oui' },
  'logement . plus de 15 ans': { titre: 'Logement construit depuis plus de 15 ans' },
  plafond: { valeur: 'oui' },
  'plafond . très modestes': {},
  'plafond . modestes': {},
  'plafond . intermédiaires': {},
  MaPrimeRénov: { valeur: 'oui' },
  'MaPrimeRénov . très modestes': { valeur: 'ménage . revenu fiscal de référence <= plafond . très modestes' },
  'MaPrimeRénov . modestes': { valeur: 'ménage . revenu fiscal de référence <= plafond . modestes' },
  'MaPrimeRénov . intermédiaires': { valeur: 'ménage . revenu fiscal de référence <= plafond . intermédiaires' },
  'MaPrimeRénov . catégorie': {
    variations: [
      { si: 'MaPrimeRénov . très modestes', alors: "'very_modest'" },
      { si: 'MaPrimeRénov . modestes', alors: "'modest'" },
      { si: 'MaPrimeRénov . intermédiaires', alors: "'intermediate'" },
      { sinon: "'higher'" },
    ],
  },
  'MaPrimeRénov . propriétaire': { valeur: "ménage . statut != 'tenant'" },
  'MaPrimeRénov . éligible': { 'toutes ces conditions': ['MaPrimeRénov . propriétaire', 'logement . plus de 15 ans'] },
};
const model = new RuleModel(rules);

const OCCUPANCIES = ['owner_occupier', 'landlord', 'tenant'] as const;
const OCCUPANCY_LABEL: Record<(typeof OCCUPANCIES)[number], string> = {
  owner_occupier: 'Propriétaire et j’y habite',
  landlord: 'Propriétaire et je le loue (ou veux le louer)',
  tenant: 'Locataire',
};

export const renovationInput = z.object({
  year: z.number().int().min(2024).max(2100).optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  commune: z.string().max(10).optional(),
  ile_de_france: z.boolean().optional(),
  persons: z.number().int().min(1).max(20),
  reference_tax_income: z.number().min(0).max(100_000_000).optional(),
  status: z.enum(OCCUPANCIES).optional(),
  built_over_15_years: z.boolean().optional(),
  dpe_class: z.enum(DPE_CLASSES).optional(),
  energy_kwhep_m2: z.number().min(0).max(10_000).optional(),
  ghg_kgco2_m2: z.number().min(0).max(10_000).optional(),
});
export type RenovationInput = z.infer<typeof renovationInput>;

export function renovationQuestions(t: TableSet): Question[] {
  return [
    communeQuestion(t, 'Dans quelle commune se trouve le logement ?'),
    {
      id: 'ile_de_france',
      label: 'Le logement est-il en Île-de-France ?',
      type: 'yes_no',
      required: true,
      visible_if: { question: 'commune', values: ['other'] },
    },
    {
      id: 'status',
      label: 'Vous êtes…',
      type: 'choice',
      options: OCCUPANCIES.map((s) => ({ value: s, label: OCCUPANCY_LABEL[s] })),
      required: true,
    },
    {
      id: 'persons',
      label: 'Combien de personnes compte votre foyer fiscal ?',
      type: 'number',
      min: 1,
      max: 20,
      required: true,
    },
    {
      id: 'reference_tax_income',
      label: 'Revenu fiscal de référence de votre foyer',
      help: 'Il figure sur votre dernier avis d’impôt.',
      type: 'number',
      unit: '€',
      min: 0,
      required: true,
    },
    {
      id: 'built_over_15_years',
      label: 'Le logement a-t-il été construit il y a plus de 15 ans ?',
      type: 'yes_no',
      required: true,
    },
    {
      id: 'dpe_class',
      label: 'Classe énergie du logement (DPE)',
      help: 'La lettre de A à G du diagnostic de performance énergétique. Laissez vide si vous ne la connaissez pas.',
      type: 'choice',
      options: DPE_CLASSES.map((c) => ({ value: c, label: `Classe ${c}` })),
      required: false,
    },
  ];
}

const FRANCE_RENOV = {
  name: 'France Rénov’',
  text: 'Conseil gratuit pour votre projet de rénovation et votre demande de MaPrimeRénov’ : 0 808 800 700 (service et appel gratuits).',
  url: 'https://france-renov.gouv.fr',
};

export function simulateRenovation(
  input: RenovationInput,
  t: TableSet,
  localAids: LocalAid[] = [],
  epciName: (siren: string) => string = defaultEpciName,
): SimulationAnswer {
  const date = input.date ?? todayIso();
  const year = input.year ?? Number(date.slice(0, 4));
  const place = resolvePlace(input, t);
  const idf = place.ileDeFrance;
  const n = input.persons;
  const persons = `${n} personne${n > 1 ? 's' : ''}`;
  const picked = pickTable(t.mpr, "MaPrimeRénov'", year);
  const rows = picked && idf !== undefined ? picked.table.values[idf ? 'ile_de_france' : 'outside_ile_de_france'] : undefined;
  const bounds = {
    very_modest: rows ? ceilingFor(rows.very_modest, n) : undefined,
    modest: rows ? ceilingFor(rows.modest, n) : undefined,
    intermediate: rows ? ceilingFor(rows.intermediate, n) : undefined,
  };
  const r = model.evaluate(
    {
      'ménage . revenu fiscal de référence': input.reference_tax_income,
      'ménage . statut': input.status,
      'logement . plus de 15 ans': input.built_over_15_years,
      'plafond . très modestes': bounds.very_modest?.value,
      'plafond . modestes': bounds.modest?.value,
      'plafond . intermédiaires': bounds.intermediate?.value,
    },
    ['MaPrimeRénov . catégorie', 'MaPrimeRénov . propriétaire', 'MaPrimeRénov . éligible', 'logement . plus de 15 ans'],
  );
  const category = r['MaPrimeRénov . catégorie']!.value as MprCategory | undefined;
  const region = idf === undefined ? 'région non indiquée' : idf ? 'en Île-de-France' : 'hors Île-de-France';
  const tableYear = picked?.table.year ?? year;
  // An earlier year's barème still places the household: bounds are revalued upwards each year, so the
  // category of the year is the same or a more favourable one. Said, and flagged as not verified.
  const stale =
    picked && !picked.exact
      ? ` (barème ${tableYear} : le barème ${year} n’a pas été relu ; avec des plafonds revalorisés à la hausse, votre catégorie ${year} est la même ou plus favorable)`
      : '';
  const staleVerification = picked && !picked.exact ? ('deduced' as const) : undefined;

  // The category is shown as the checks that place the household: under its bound, above the one before.
  const order: Exclude<MprCategory, 'higher'>[] = ['very_modest', 'modest', 'intermediate'];
  const catConditions: Condition[] = [];
  if (category) {
    const idx = category === 'higher' ? 3 : order.indexOf(category);
    if (idx > 0) {
      const prev = order[idx - 1]!;
      catConditions.push(
        ceilingCondition({
          id: `MPR.${prev}`,
          status: 'not_met',
          valueLabel: 'revenu fiscal de référence',
          value: input.reference_tax_income,
          ceilingLabel: `plafond « ${MPR_CATEGORY_LABEL[prev]} » ${tableYear} pour ${persons} ${region}`,
          ceiling: bounds[prev]?.value,
          ceilingHow: bounds[prev]?.how,
          table: picked?.table,
          verification: staleVerification,
        }),
      );
    }
    if (idx < 3) {
      const cur = order[idx]!;
      catConditions.push(
        ceilingCondition({
          id: `MPR.${cur}`,
          status: 'met',
          valueLabel: 'revenu fiscal de référence',
          value: input.reference_tax_income,
          ceilingLabel: `plafond « ${MPR_CATEGORY_LABEL[cur]} » ${tableYear} pour ${persons} ${region}`,
          ceiling: bounds[cur]?.value,
          ceilingHow: bounds[cur]?.how,
          table: picked?.table,
          verification: staleVerification,
        }),
      );
    }
  } else {
    catConditions.push({
      id: 'MPR.category',
      status: 'unknown',
      text: `Catégorie de revenus : ${input.reference_tax_income === undefined ? 'revenu fiscal de référence non renseigné' : 'région (Île-de-France ou non) non indiquée'}`,
    });
  }
  const occupancyCond: Condition = {
    id: 'MPR.proprietaire',
    status: statusOf(r['MaPrimeRénov . propriétaire']!.value),
    text: input.status ? `Statut : ${OCCUPANCY_LABEL[input.status].toLowerCase()} ; MaPrimeRénov’ est réservée aux propriétaires` : 'Statut (propriétaire ou locataire) : non renseigné',
  };
  const ageCond: Condition = {
    id: 'MPR.15ans',
    status: statusOf(r['logement . plus de 15 ans']!.value),
    text: `Logement construit depuis plus de 15 ans : ${input.built_over_15_years === undefined ? 'non renseigné' : input.built_over_15_years ? 'oui' : 'non'}`,
    table: {
      file: 'règle',
      verification: 'unverified',
      verification_label: 'Non vérifié : règle connue mais texte officiel non relu',
      note: 'Condition d’ancienneté du logement de MaPrimeRénov’ (décret n° 2020-26 modifié) non relue ici.',
      sources: [{ title: 'France Rénov’', url: 'https://france-renov.gouv.fr' }],
    },
  };
  const mprVerdict = verdictOf(r['MaPrimeRénov . éligible']!.value);
  const aids: AidAnswer[] = [
    {
      id: 'MaPrimeRenov',
      name: 'MaPrimeRénov’',
      verdict: mprVerdict,
      summary:
        (mprVerdict === 'eligible'
          ? 'Vous pouvez demander MaPrimeRénov’'
          : mprVerdict === 'not_eligible'
            ? 'MaPrimeRénov’ ne s’applique pas à votre situation'
            : 'Il manque des réponses pour conclure sur MaPrimeRénov’') +
        (category ? `. Vos revenus sont dans la catégorie « ${MPR_CATEGORY_LABEL[category]} »${stale}.` : '.'),
      conditions: [occupancyCond, ageCond, ...catConditions],
      notes: ['Le montant dépend de la catégorie de revenus et des travaux ; un conseiller France Rénov’ vous aide à le calculer.'],
      missing: [],
      contact: FRANCE_RENOV,
    },
  ];

  // ---- DPE class and the rental calendar
  let energyClass = input.dpe_class as DpeClass | undefined;
  const context = [...place.context];
  if (!energyClass && input.energy_kwhep_m2 !== undefined && input.ghg_kgco2_m2 !== undefined) {
    const c = dpeClass(input.energy_kwhep_m2, input.ghg_kgco2_m2, t.dpe);
    energyClass = c.class;
    context.push(
      `Classe DPE calculée : ${c.class} (énergie ${input.energy_kwhep_m2} kWhEP/m²/an → ${c.energy}, climat ${input.ghg_kgco2_m2} kgCO2eq/m²/an → ${c.climate} ; la plus mauvaise des deux).`,
    );
  }
  const calendar = RENTAL_BAN_CALENDAR.map((s) => `Classe ${s.excludes} : location interdite à partir du ${frenchDate(s.from)}.`);
  if (input.status === 'landlord' || input.status === undefined || energyClass) {
    const status = energyClass ? rentalStatus(energyClass, date, t.dpe) : undefined;
    const cond: Condition = {
      id: 'DPE.location',
      status: !status ? 'unknown' : status.banned ? 'not_met' : 'met',
      text: !energyClass
        ? 'Classe DPE : non renseignée'
        : status!.bannedFrom
          ? `Classe ${energyClass} : location interdite à partir du ${frenchDate(status!.bannedFrom)} ; date de la simulation : ${frenchDate(date)}`
          : `Classe ${energyClass} : pas d’interdiction de louer prévue par le calendrier (G en 2025, F en 2028, E en 2034)`,
      value: energyClass,
      threshold: status?.bannedFrom,
      table: tableRef(t.dpe),
    };
    const infos = [...calendar];
    if (status?.rentFreeze) infos.unshift(`Classe ${energyClass} : le loyer ne peut pas être augmenté (${t.dpe.rent_freeze.text})`);
    if (status && !status.banned && status.bannedFrom) {
      infos.unshift(`Faites les travaux avant le ${frenchDate(status.bannedFrom)} pour pouvoir continuer à louer ce logement.`);
    }
    aids.push({
      id: 'calendrier-DPE',
      name: 'Louer le logement selon sa classe DPE',
      verdict: cond.status === 'met' ? 'eligible' : cond.status === 'not_met' ? 'not_eligible' : 'unknown',
      verdict_label:
        cond.status === 'met' ? 'Peut être loué' : cond.status === 'not_met' ? 'Ne peut plus être loué' : 'Classe DPE inconnue',
      summary: !energyClass
        ? 'Indiquez la classe DPE pour savoir jusqu’à quand le logement peut être loué.'
        : status!.banned
          ? `Un logement classé ${energyClass} est considéré comme non décent depuis le ${frenchDate(status!.bannedFrom!)} : il ne peut plus être proposé à la location.`
          : status!.bannedFrom
            ? `Le logement peut être loué jusqu’au ${frenchDate(status!.bannedFrom)} exclu.`
            : 'Le calendrier de la loi Climat et Résilience ne vise pas cette classe.',
      conditions: [cond],
      notes: infos,
      missing: energyClass ? [] : ['classe DPE'],
      contact: FRANCE_RENOV,
    });
  }

  // ---- the EPCI's own renovation top-ups
  for (const aid of localAids.filter((a) => a.kind === 'renovation' && a.active)) {
    const conditions: Condition[] = [localAidPlaceCondition(aid, place, epciName), occupancyCond];
    if (aid.mpr_categories.length) {
      conditions.push({
        id: 'category',
        status: !category ? 'unknown' : aid.mpr_categories.includes(category) ? 'met' : 'not_met',
        text: `Catégorie de revenus MaPrimeRénov’ : ${category ? MPR_CATEGORY_LABEL[category] : 'unknown'}${category && staleVerification ? ` (barème ${tableYear}, celui de ${year} n’a pas été relu)` : ''} ; aide réservée aux catégories ${aid.mpr_categories.map((c) => MPR_CATEGORY_LABEL[c]).join(', ')}`,
      });
    }
    if (aid.dpe_classes.length) {
      conditions.push({
        id: 'dpe_class',
        status: !energyClass ? 'unknown' : aid.dpe_classes.includes(energyClass) ? 'met' : 'not_met',
        text: `Classe DPE avant travaux : ${energyClass ?? 'non renseignée'} ; aide réservée aux classes ${aid.dpe_classes.join(', ')}`,
      });
    }
    const verdict = verdictFromStatus(allOf(conditions.map((c) => c.status)));
    aids.push({
      id: `local-${aid.id}`,
      name: aid.name,
      verdict,
      summary:
        (verdict === 'eligible'
          ? `Vous remplissez les conditions de ce complément de ${epciName(aid.epci_siren)}`
          : verdict === 'not_eligible'
            ? `Vous ne remplissez pas toutes les conditions de ce complément de ${epciName(aid.epci_siren)}`
            : `Il manque des réponses pour conclure sur ce complément de ${epciName(aid.epci_siren)}`) +
        (aid.amount_euros ? ` (montant : ${euros(aid.amount_euros)}).` : '.'),
      conditions,
      notes: [aid.description].filter(Boolean),
      missing: [],
      contact: { name: epciName(aid.epci_siren), text: aid.contact },
      source: aid.deliberation ?? undefined,
    });
  }

  return {
    simulator: 'renovation',
    title: 'Rénover un logement',
    date,
    year,
    aids,
    context: [...context, `Foyer de ${persons}, ${region}.`],
    warnings: [
      ...place.warnings,
      'Résultat indicatif : l’Anah instruit la demande de MaPrimeRénov’ et vérifie les revenus.',
      'Les seuils DPE appliqués sont ceux des logements de 40 m² et plus ; ceux des petits logements sont différents.',
    ],
  };
}
