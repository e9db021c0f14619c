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
      { si: 'MaPrimeRénov . très modestes', alors: "'tres_modeste'" },
      { si: 'MaPrimeRénov . modestes', alors: "'modeste'" },
      { si: 'MaPrimeRénov . intermédiaires', alors: "'intermediaire'" },
      { sinon: "'superieur'" },
    ],
  },
  'MaPrimeRénov . propriétaire': { valeur: "ménage . statut != 'locataire'" },
  'MaPrimeRénov . éligible': { 'toutes ces conditions': ['MaPrimeRénov . propriétaire', 'logement . plus de 15 ans'] },
};
const model = new RuleModel(rules);

const STATUTS = ['proprietaire_occupant', 'proprietaire_bailleur', 'locataire'] as const;
const STATUT_LABEL: Record<(typeof STATUTS)[number], string> = {
  proprietaire_occupant: 'Propriétaire et j’y habite',
  proprietaire_bailleur: 'Propriétaire et je le loue (ou veux le louer)',
  locataire: 'Locataire',
};

export const renovationInput = z.object({
  annee: z.number().int().min(2024).max(2100).optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  commune: z.string().max(10).optional(),
  ile_de_france: z.boolean().optional(),
  personnes: z.number().int().min(1).max(20),
  revenu_fiscal: z.number().min(0).max(100_000_000).optional(),
  statut: z.enum(STATUTS).optional(),
  logement_plus_15_ans: z.boolean().optional(),
  classe_dpe: z.enum(DPE_CLASSES).optional(),
  energie_kwhep_m2: z.number().min(0).max(10_000).optional(),
  ges_kgco2_m2: z.number().min(0).max(10_000).optional(),
});
export type RenovationInput = z.infer<typeof renovationInput>;

export function renovationQuestions(t: TableSet): Question[] {
  return [
    communeQuestion(t, 'Dans quelle commune se trouve le logement ?'),
    {
      id: 'ile_de_france',
      libelle: 'Le logement est-il en Île-de-France ?',
      type: 'oui_non',
      obligatoire: true,
      visibleSi: { question: 'commune', valeurs: ['autre'] },
    },
    {
      id: 'statut',
      libelle: 'Vous êtes…',
      type: 'choix',
      options: STATUTS.map((s) => ({ valeur: s, libelle: STATUT_LABEL[s] })),
      obligatoire: true,
    },
    {
      id: 'personnes',
      libelle: 'Combien de personnes compte votre foyer fiscal ?',
      type: 'nombre',
      min: 1,
      max: 20,
      obligatoire: true,
    },
    {
      id: 'revenu_fiscal',
      libelle: 'Revenu fiscal de référence de votre foyer',
      aide: 'Il figure sur votre dernier avis d’impôt.',
      type: 'nombre',
      unite: '€',
      min: 0,
      obligatoire: true,
    },
    {
      id: 'logement_plus_15_ans',
      libelle: 'Le logement a-t-il été construit il y a plus de 15 ans ?',
      type: 'oui_non',
      obligatoire: true,
    },
    {
      id: 'classe_dpe',
      libelle: 'Classe énergie du logement (DPE)',
      aide: 'La lettre de A à G du diagnostic de performance énergétique. Laissez vide si vous ne la connaissez pas.',
      type: 'choix',
      options: DPE_CLASSES.map((c) => ({ valeur: c, libelle: `Classe ${c}` })),
      obligatoire: false,
    },
  ];
}

const FRANCE_RENOV = {
  nom: 'France Rénov’',
  texte: 'Conseil gratuit pour votre projet de rénovation et votre demande de MaPrimeRénov’ : 0 808 800 700 (service et appel gratuits).',
  url: 'https://france-renov.gouv.fr',
};

export function simulateRenovation(
  input: RenovationInput,
  t: TableSet,
  localAids: LocalAid[] = [],
  epciName: (siren: string) => string = defaultEpciName,
): SimulationAnswer {
  const date = input.date ?? todayIso();
  const annee = input.annee ?? Number(date.slice(0, 4));
  const place = resolvePlace(input, t);
  const idf = place.ileDeFrance;
  const n = input.personnes;
  const persons = `${n} personne${n > 1 ? 's' : ''}`;
  const picked = pickTable(t.mpr, "MaPrimeRénov'", annee);
  const rows = picked && idf !== undefined ? picked.table.valeurs[idf ? 'ile_de_france' : 'hors_ile_de_france'] : undefined;
  const bounds = {
    tres_modeste: rows ? ceilingFor(rows.tres_modeste, n) : undefined,
    modeste: rows ? ceilingFor(rows.modeste, n) : undefined,
    intermediaire: rows ? ceilingFor(rows.intermediaire, n) : undefined,
  };
  const r = model.evaluate(
    {
      'ménage . revenu fiscal de référence': input.revenu_fiscal,
      'ménage . statut': input.statut,
      'logement . plus de 15 ans': input.logement_plus_15_ans,
      'plafond . très modestes': bounds.tres_modeste?.value,
      'plafond . modestes': bounds.modeste?.value,
      'plafond . intermédiaires': bounds.intermediaire?.value,
    },
    ['MaPrimeRénov . catégorie', 'MaPrimeRénov . propriétaire', 'MaPrimeRénov . éligible', 'logement . plus de 15 ans'],
  );
  const category = r['MaPrimeRénov . catégorie']!.value as MprCategory | undefined;
  const region = idf === undefined ? 'région non indiquée' : idf ? 'en Île-de-France' : 'hors Île-de-France';
  const tableYear = picked?.table.annee ?? annee;
  // An earlier year's barème still places the household: bounds are revalued upwards each year, so the
  // category of the year is the same or a more favourable one. Said, and flagged as not verified.
  const stale =
    picked && !picked.exact
      ? ` (barème ${tableYear} : le barème ${annee} n’a pas été relu ; avec des plafonds revalorisés à la hausse, votre catégorie ${annee} est la même ou plus favorable)`
      : '';
  const staleVerification = picked && !picked.exact ? ('deduit' as const) : undefined;

  // The category is shown as the checks that place the household: under its bound, above the one before.
  const order: Exclude<MprCategory, 'superieur'>[] = ['tres_modeste', 'modeste', 'intermediaire'];
  const catConditions: Condition[] = [];
  if (category) {
    const idx = category === 'superieur' ? 3 : order.indexOf(category);
    if (idx > 0) {
      const prev = order[idx - 1]!;
      catConditions.push(
        ceilingCondition({
          id: `MPR.${prev}`,
          status: 'non_remplie',
          valueLabel: 'revenu fiscal de référence',
          value: input.revenu_fiscal,
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
          status: 'remplie',
          valueLabel: 'revenu fiscal de référence',
          value: input.revenu_fiscal,
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
      id: 'MPR.categorie',
      statut: 'inconnue',
      texte: `Catégorie de revenus : ${input.revenu_fiscal === undefined ? 'revenu fiscal de référence non renseigné' : 'région (Île-de-France ou non) non indiquée'}`,
    });
  }
  const statutCond: Condition = {
    id: 'MPR.proprietaire',
    statut: statusOf(r['MaPrimeRénov . propriétaire']!.value),
    texte: input.statut ? `Statut : ${STATUT_LABEL[input.statut].toLowerCase()} ; MaPrimeRénov’ est réservée aux propriétaires` : 'Statut (propriétaire ou locataire) : non renseigné',
  };
  const ageCond: Condition = {
    id: 'MPR.15ans',
    statut: statusOf(r['logement . plus de 15 ans']!.value),
    texte: `Logement construit depuis plus de 15 ans : ${input.logement_plus_15_ans === undefined ? 'non renseigné' : input.logement_plus_15_ans ? 'oui' : 'non'}`,
    table: {
      fichier: 'règle',
      verification: 'a_verifier',
      verification_libelle: 'Non vérifié : règle connue mais texte officiel non relu',
      note: 'Condition d’ancienneté du logement de MaPrimeRénov’ (décret n° 2020-26 modifié) non relue ici.',
      sources: [{ titre: 'France Rénov’', url: 'https://france-renov.gouv.fr' }],
    },
  };
  const mprVerdict = verdictOf(r['MaPrimeRénov . éligible']!.value);
  const aides: AidAnswer[] = [
    {
      id: 'MaPrimeRenov',
      nom: 'MaPrimeRénov’',
      verdict: mprVerdict,
      resume:
        (mprVerdict === 'eligible'
          ? 'Vous pouvez demander MaPrimeRénov’'
          : mprVerdict === 'non_eligible'
            ? 'MaPrimeRénov’ ne s’applique pas à votre situation'
            : 'Il manque des réponses pour conclure sur MaPrimeRénov’') +
        (category ? `. Vos revenus sont dans la catégorie « ${MPR_CATEGORY_LABEL[category]} »${stale}.` : '.'),
      conditions: [statutCond, ageCond, ...catConditions],
      informations: ['Le montant dépend de la catégorie de revenus et des travaux ; un conseiller France Rénov’ vous aide à le calculer.'],
      manque: [],
      contact: FRANCE_RENOV,
    },
  ];

  // ---- DPE class and the rental calendar
  let classe = input.classe_dpe as DpeClass | undefined;
  const contexte = [...place.contexte];
  if (!classe && input.energie_kwhep_m2 !== undefined && input.ges_kgco2_m2 !== undefined) {
    const c = dpeClass(input.energie_kwhep_m2, input.ges_kgco2_m2, t.dpe);
    classe = c.classe;
    contexte.push(
      `Classe DPE calculée : ${c.classe} (énergie ${input.energie_kwhep_m2} kWhEP/m²/an → ${c.energie}, climat ${input.ges_kgco2_m2} kgCO2eq/m²/an → ${c.climat} ; la plus mauvaise des deux).`,
    );
  }
  const calendar = RENTAL_BAN_CALENDAR.map((s) => `Classe ${s.excludes} : location interdite à partir du ${frenchDate(s.from)}.`);
  if (input.statut === 'proprietaire_bailleur' || input.statut === undefined || classe) {
    const status = classe ? rentalStatus(classe, date, t.dpe) : undefined;
    const cond: Condition = {
      id: 'DPE.location',
      statut: !status ? 'inconnue' : status.interdit ? 'non_remplie' : 'remplie',
      texte: !classe
        ? 'Classe DPE : non renseignée'
        : status!.interditDepuis
          ? `Classe ${classe} : location interdite à partir du ${frenchDate(status!.interditDepuis)} ; date de la simulation : ${frenchDate(date)}`
          : `Classe ${classe} : pas d’interdiction de louer prévue par le calendrier (G en 2025, F en 2028, E en 2034)`,
      valeur: classe,
      seuil: status?.interditDepuis,
      table: tableRef(t.dpe),
    };
    const infos = [...calendar];
    if (status?.gelDesLoyers) infos.unshift(`Classe ${classe} : le loyer ne peut pas être augmenté (${t.dpe.gel_des_loyers.texte})`);
    if (status && !status.interdit && status.interditDepuis) {
      infos.unshift(`Faites les travaux avant le ${frenchDate(status.interditDepuis)} pour pouvoir continuer à louer ce logement.`);
    }
    aides.push({
      id: 'calendrier-DPE',
      nom: 'Louer le logement selon sa classe DPE',
      verdict: cond.statut === 'remplie' ? 'eligible' : cond.statut === 'non_remplie' ? 'non_eligible' : 'inconnu',
      libelle_verdict:
        cond.statut === 'remplie' ? 'Peut être loué' : cond.statut === 'non_remplie' ? 'Ne peut plus être loué' : 'Classe DPE inconnue',
      resume: !classe
        ? 'Indiquez la classe DPE pour savoir jusqu’à quand le logement peut être loué.'
        : status!.interdit
          ? `Un logement classé ${classe} est considéré comme non décent depuis le ${frenchDate(status!.interditDepuis!)} : il ne peut plus être proposé à la location.`
          : status!.interditDepuis
            ? `Le logement peut être loué jusqu’au ${frenchDate(status!.interditDepuis)} exclu.`
            : 'Le calendrier de la loi Climat et Résilience ne vise pas cette classe.',
      conditions: [cond],
      informations: infos,
      manque: classe ? [] : ['classe DPE'],
      contact: FRANCE_RENOV,
    });
  }

  // ---- the EPCI's own renovation top-ups
  for (const aid of localAids.filter((a) => a.kind === 'renovation' && a.actif)) {
    const conditions: Condition[] = [localAidPlaceCondition(aid, place, epciName), statutCond];
    if (aid.categories_mpr.length) {
      conditions.push({
        id: 'categorie',
        statut: !category ? 'inconnue' : aid.categories_mpr.includes(category) ? 'remplie' : 'non_remplie',
        texte: `Catégorie de revenus MaPrimeRénov’ : ${category ? MPR_CATEGORY_LABEL[category] : 'inconnue'}${category && staleVerification ? ` (barème ${tableYear}, celui de ${annee} n’a pas été relu)` : ''} ; aide réservée aux catégories ${aid.categories_mpr.map((c) => MPR_CATEGORY_LABEL[c]).join(', ')}`,
      });
    }
    if (aid.classes_dpe.length) {
      conditions.push({
        id: 'classe_dpe',
        statut: !classe ? 'inconnue' : aid.classes_dpe.includes(classe) ? 'remplie' : 'non_remplie',
        texte: `Classe DPE avant travaux : ${classe ?? 'non renseignée'} ; aide réservée aux classes ${aid.classes_dpe.join(', ')}`,
      });
    }
    const verdict = verdictFromStatus(allOf(conditions.map((c) => c.statut)));
    aides.push({
      id: `local-${aid.id}`,
      nom: aid.nom,
      verdict,
      resume:
        (verdict === 'eligible'
          ? `Vous remplissez les conditions de ce complément de ${epciName(aid.epci_siren)}`
          : verdict === 'non_eligible'
            ? `Vous ne remplissez pas toutes les conditions de ce complément de ${epciName(aid.epci_siren)}`
            : `Il manque des réponses pour conclure sur ce complément de ${epciName(aid.epci_siren)}`) +
        (aid.montant_euros ? ` (montant : ${euros(aid.montant_euros)}).` : '.'),
      conditions,
      informations: [aid.description].filter(Boolean),
      manque: [],
      contact: { nom: epciName(aid.epci_siren), texte: aid.contact },
      source: aid.deliberation ?? undefined,
    });
  }

  return {
    simulateur: 'renovation',
    titre: 'Rénover un logement',
    date,
    annee,
    aides,
    contexte: [...contexte, `Foyer de ${persons}, ${region}.`],
    avertissements: [
      ...place.avertissements,
      'Résultat indicatif : l’Anah instruit la demande de MaPrimeRénov’ et vérifie les revenus.',
      'Les seuils DPE appliqués sont ceux des logements de 40 m² et plus ; ceux des petits logements sont différents.',
    ],
  };
}
