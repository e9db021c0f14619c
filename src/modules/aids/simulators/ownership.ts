// Aided ownership: PTZ, PSLA, BRS, and the EPCI's own first-time-buyer aids.
import { z } from 'zod';
import { allOf, RuleModel, statusOf, verdictFromStatus, verdictOf, type Rules } from '../engine.ts';
import {
  cellVerification,
  ceilingFor,
  euros,
  HOUSING_TYPE_LABEL,
  pickTable,
  ptzColumn,
  ZONE_ABC_LABEL,
  ZONES_ABC,
  type AidAnswer,
  type CeilingTable,
  type Condition,
  type HousingType,
  type LocalAid,
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
  unverifiedNotice,
  type Question,
} from './common.ts';

/** PTZ: « ressources » = the higher of the income and the operation cost divided by this coefficient. */
const PTZ_COST_DIVISOR = 9;

const rules: Rules = {
  ménage: { valeur: 'oui' },
  'ménage . revenu fiscal de référence': { titre: 'Revenu fiscal de référence (année N-2)' },
  'ménage . propriétaire ces deux dernières années': { titre: 'Propriétaire de sa résidence principale ces deux dernières années' },
  projet: { valeur: 'oui' },
  'projet . type de logement': { titre: 'Type de logement' },
  'projet . zone': { titre: 'Zone ABC de la commune' },
  'projet . coût total': { titre: 'Coût total de l’opération' },
  plafond: { valeur: 'oui' },
  'plafond . PTZ': {},
  'plafond . PSLA': {},
  'plafond . BRS': {},
  PTZ: { valeur: 'oui', titre: 'Prêt à taux zéro' },
  'PTZ . primo-accédant': { valeur: 'ménage . propriétaire ces deux dernières années = non' },
  'PTZ . neuf': { valeur: "projet . type de logement = 'neuf'" },
  'PTZ . ancien avec travaux en zone détendue': {
    'toutes ces conditions': [
      "projet . type de logement = 'ancien_avec_travaux'",
      { 'une de ces conditions': ["projet . zone = 'B2'", "projet . zone = 'C'"] },
    ],
  },
  'PTZ . logement éligible': { 'une de ces conditions': ['PTZ . neuf', 'PTZ . ancien avec travaux en zone détendue'] },
  'PTZ . ressources retenues': {
    valeur: { 'le maximum de': ['ménage . revenu fiscal de référence', `projet . coût total / ${PTZ_COST_DIVISOR}`] },
  },
  'PTZ . ressources': { valeur: 'PTZ . ressources retenues < plafond . PTZ' },
  'PTZ . éligible': { 'toutes ces conditions': ['PTZ . primo-accédant', 'PTZ . logement éligible', 'PTZ . ressources'] },
  PSLA: { valeur: 'oui' },
  'PSLA . ressources': { valeur: 'ménage . revenu fiscal de référence <= plafond . PSLA' },
  'PSLA . éligible': { 'toutes ces conditions': ['PSLA . ressources'] },
  BRS: { valeur: 'oui' },
  'BRS . ressources': { valeur: 'ménage . revenu fiscal de référence <= plafond . BRS' },
  'BRS . éligible': { 'toutes ces conditions': ['BRS . ressources'] },
};
const model = new RuleModel(rules);

const HOUSING_TYPES: HousingType[] = ['neuf', 'ancien_avec_travaux', 'ancien_sans_travaux'];

export const ownershipInput = z.object({
  annee: z.number().int().min(2024).max(2100).optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  commune: z.string().max(10).optional(),
  zone_abc: z.enum(ZONES_ABC).optional(),
  personnes: z.number().int().min(1).max(20),
  revenu_fiscal: z.number().min(0).max(100_000_000).optional(),
  proprietaire_2_ans: z.boolean().optional(),
  type_logement: z.enum(HOUSING_TYPES).optional(),
  cout_operation: z.number().min(0).max(100_000_000).optional(),
});
export type OwnershipInput = z.infer<typeof ownershipInput>;

export function ownershipQuestions(t: TableSet): Question[] {
  return [
    communeQuestion(t, 'Dans quelle commune voulez-vous acheter ?'),
    {
      id: 'zone_abc',
      libelle: 'Zone de la commune (zonage A, B, C)',
      aide: 'Le zonage ABC classe les communes selon la tension du marché du logement, de A bis (la plus tendue) à C. Votre mairie ou l’ADIL peut vous l’indiquer.',
      type: 'choix',
      options: ZONES_ABC.map((z) => ({ valeur: z, libelle: `Zone ${ZONE_ABC_LABEL[z]}` })),
      obligatoire: true,
      visibleSi: { question: 'commune', valeurs: ['autre'] },
    },
    {
      id: 'personnes',
      libelle: 'Combien de personnes vivront dans le logement ?',
      type: 'nombre',
      min: 1,
      max: 20,
      obligatoire: true,
    },
    {
      id: 'revenu_fiscal',
      libelle: 'Revenu fiscal de référence de l’avant-dernière année, pour tout le foyer',
      aide: 'Il figure sur l’avis d’impôt. En 2026, c’est celui des revenus 2024. Additionnez les avis de toutes les personnes qui vivront dans le logement.',
      type: 'nombre',
      unite: '€',
      min: 0,
      obligatoire: true,
    },
    {
      id: 'proprietaire_2_ans',
      libelle: 'Avez-vous été propriétaire de votre résidence principale au cours des deux dernières années ?',
      type: 'oui_non',
      obligatoire: true,
    },
    {
      id: 'type_logement',
      libelle: 'Quel logement voulez-vous acheter ?',
      type: 'choix',
      options: HOUSING_TYPES.map((h) => ({ valeur: h, libelle: HOUSING_TYPE_LABEL[h][0]!.toUpperCase() + HOUSING_TYPE_LABEL[h].slice(1) })),
      obligatoire: true,
    },
    {
      id: 'cout_operation',
      libelle: 'Coût total de l’achat',
      aide: 'Prix du logement, travaux et frais compris. Laissez vide si vous ne le connaissez pas encore.',
      type: 'nombre',
      unite: '€',
      min: 0,
      obligatoire: false,
    },
  ];
}

const CONTACT_ADIL = {
  nom: 'ADIL (Agence départementale d’information sur le logement)',
  texte: 'Conseil gratuit et neutre sur le financement de votre achat.',
  url: 'https://www.anil.org/lanil-et-les-adil/votre-adil/',
};

export function simulateOwnership(
  input: OwnershipInput,
  t: TableSet,
  localAids: LocalAid[] = [],
  epciName: (siren: string) => string = defaultEpciName,
): SimulationAnswer {
  const date = input.date ?? todayIso();
  const annee = input.annee ?? Number(date.slice(0, 4));
  const place = resolvePlace(input, t);
  const zone = place.zoneAbc;
  const n = input.personnes;
  const situation: Record<string, string | number | boolean | undefined> = {
    'ménage . revenu fiscal de référence': input.revenu_fiscal,
    'ménage . propriétaire ces deux dernières années': input.proprietaire_2_ans,
    'projet . type de logement': input.type_logement,
    'projet . zone': zone,
    'projet . coût total': input.cout_operation,
  };
  const ptzPicked = pickTable(t.ptz, 'PTZ', annee);
  const ptzCeiling = ptzPicked && zone ? ceilingFor(ptzPicked.table.valeurs[ptzColumn(zone)], n) : undefined;
  // The PTZ table stays in force until a decree changes it: a table of an earlier year is the current one.
  if (ptzCeiling) situation['plafond . PTZ'] = ptzCeiling.value;
  // Filled for both schemes by the loop below.
  const picked = {} as Record<'PSLA' | 'BRS', { table?: CeilingTable; exact: boolean; ceiling?: ReturnType<typeof ceilingFor> }>;
  for (const p of ['PSLA', 'BRS'] as const) {
    const pk = pickTable(t.ceilings, p, annee);
    const ceiling = pk && zone ? ceilingFor(pk.table.valeurs[zone], n) : undefined;
    picked[p] = { table: pk?.table, exact: !!pk?.exact, ceiling };
    if (ceiling && (pk!.exact || (input.revenu_fiscal !== undefined && input.revenu_fiscal <= ceiling.value))) {
      situation[`plafond . ${p}`] = ceiling.value;
    }
  }
  const names = [
    'PTZ . primo-accédant', 'PTZ . logement éligible', 'PTZ . ressources retenues', 'PTZ . ressources', 'PTZ . éligible',
    'PSLA . ressources', 'PSLA . éligible', 'BRS . ressources', 'BRS . éligible',
  ];
  const r = model.evaluate(situation, names);
  const revenuLabel = `revenu fiscal de référence ${annee - 2}`;
  const persons = `${n} personne${n > 1 ? 's' : ''}`;

  // ---- PTZ
  const primo: Condition = {
    id: 'PTZ.primo',
    statut: statusOf(r['PTZ . primo-accédant']!.value),
    texte:
      input.proprietaire_2_ans === undefined
        ? 'Primo-accédant (pas propriétaire de sa résidence principale ces deux dernières années) : non renseigné'
        : input.proprietaire_2_ans
          ? 'Vous avez été propriétaire de votre résidence principale ces deux dernières années : le PTZ est réservé aux primo-accédants (sauf exceptions : handicap, catastrophe)'
          : 'Primo-accédant : vous n’avez pas été propriétaire de votre résidence principale ces deux dernières années',
  };
  const housing: Condition = {
    id: 'PTZ.logement',
    statut: statusOf(r['PTZ . logement éligible']!.value),
    texte: !input.type_logement
      ? 'Type de logement : non renseigné (neuf dans toutes les zones ; ancien avec travaux en zones B2 et C)'
      : input.type_logement === 'neuf'
        ? 'Logement neuf : finançable par le PTZ dans toutes les zones'
        : input.type_logement === 'ancien_avec_travaux'
          ? `Logement ancien avec travaux en zone ${zone ? ZONE_ABC_LABEL[zone] : 'non indiquée'} : finançable en zones B2 et C seulement`
          : 'Logement ancien sans travaux : non finançable par le PTZ',
    table: {
      fichier: 'règle',
      verification: 'a_verifier',
      verification_libelle: 'Non vérifié : règle connue mais texte officiel non relu',
      note: 'Logements éligibles selon la loi de finances pour 2025 (neuf dans toutes les zones depuis le 1er avril 2025, ancien avec travaux d’au moins 25 % du coût en zones B2 et C) ; texte non relu ici.',
      sources: [{ titre: 'CCH art. L31-10-2 et loi de finances pour 2025' }],
    },
  };
  const retained = r['PTZ . ressources retenues']!.value as number | undefined;
  const ptzRes = ceilingCondition({
    id: 'PTZ.ressources',
    status: statusOf(r['PTZ . ressources']!.value),
    valueLabel: `ressources retenues (le plus élevé du ${revenuLabel}${input.revenu_fiscal !== undefined ? ` : ${euros(input.revenu_fiscal)}` : ''} et du coût de l’opération ÷ ${PTZ_COST_DIVISOR}${input.cout_operation !== undefined ? ` : ${euros(input.cout_operation / PTZ_COST_DIVISOR)}` : ''})`,
    value: retained,
    ceilingLabel: `plafond PTZ pour ${persons} en zone ${zone ? ZONE_ABC_LABEL[zone] : 'non indiquée'}${zone === 'Abis' ? ' (colonne A)' : ''}`,
    ceiling: ptzCeiling?.value,
    ceilingHow: ptzCeiling?.how,
    table: ptzPicked?.table,
    verification: ptzPicked && zone && ptzCeiling ? cellVerification(ptzPicked.table, ptzColumn(zone), ptzCeiling) : undefined,
    strict: true,
  });
  const ptzInfo: string[] = [];
  if (ptzPicked && zone) {
    const cost = ceilingFor(ptzPicked.table.cout_operation[ptzColumn(zone)], n);
    if (cost) {
      ptzInfo.push(
        `Le prêt est calculé sur un coût plafonné à ${euros(cost.value)} pour ${persons} en zone ${ZONE_ABC_LABEL[zone]} (CCH art. D31-10-10)` +
          (input.cout_operation !== undefined ? ` : coût retenu ${euros(Math.min(cost.value, input.cout_operation))}.` : '.'),
      );
    }
  }
  ptzInfo.push(`La règle du coût divisé par ${PTZ_COST_DIVISOR} (CCH art. L31-10-4) n’a pas été relue dans le texte officiel.`);
  const ptzVerdict = verdictOf(r['PTZ . éligible']!.value);
  const aides: AidAnswer[] = [
    {
      id: 'PTZ',
      nom: 'Prêt à taux zéro (PTZ)',
      verdict: ptzVerdict,
      resume:
        ptzVerdict === 'eligible'
          ? 'Votre projet remplit les conditions du prêt à taux zéro.'
          : ptzVerdict === 'non_eligible'
            ? 'Votre projet ne remplit pas toutes les conditions du prêt à taux zéro.'
            : 'Il manque des réponses pour conclure sur le prêt à taux zéro.',
      conditions: [primo, housing, ptzRes],
      informations: ptzInfo,
      manque: missingLabels(r['PTZ . éligible']!.missing),
      contact: { nom: 'Votre banque', texte: 'Le PTZ est demandé à la banque qui accorde le prêt principal.' },
    },
  ];

  // ---- PSLA and BRS
  for (const p of ['PSLA', 'BRS'] as const) {
    const { table, exact, ceiling } = picked[p];
    const verdict = verdictOf(r[`${p} . éligible`]!.value);
    const tableYear = table?.annee ?? annee;
    const cond = ceilingCondition({
      id: `${p}.ressources`,
      status: statusOf(r[`${p} . ressources`]!.value),
      valueLabel: revenuLabel,
      value: input.revenu_fiscal,
      ceilingLabel: `plafond ${p} ${tableYear} pour ${persons} en zone ${zone ? ZONE_ABC_LABEL[zone] : 'non indiquée'}${table && !exact ? `, barème ${tableYear} faute du barème ${annee}` : ''}`,
      ceiling: ceiling?.value,
      ceilingHow: ceiling?.how,
      table,
      verification: table && zone && ceiling ? cellVerification(table, zone, ceiling) : undefined,
      unknownWhy: `au-dessus du plafond ${tableYear}, le plafond ${annee} n’étant pas disponible on ne peut pas conclure`,
    });
    aides.push({
      id: p,
      nom: p === 'PSLA' ? 'Location-accession (PSLA)' : 'Bail réel solidaire (BRS)',
      verdict,
      resume:
        verdict === 'eligible'
          ? `Vos revenus sont sous le plafond ${p} : vous pouvez acheter un logement proposé en ${p}.`
          : verdict === 'non_eligible'
            ? `Vos revenus dépassent le plafond ${p}.`
            : `Impossible de conclure pour le ${p}.`,
      conditions: [cond],
      informations: [
        p === 'PSLA'
          ? 'Le PSLA s’applique à des programmes précis : vous louez d’abord le logement, puis vous l’achetez à un prix plafonné.'
          : 'Le BRS s’applique à des programmes précis : vous achetez le logement, le terrain reste à un organisme de foncier solidaire (OFS) contre une redevance.',
        ...unverifiedNotice(cond),
      ],
      manque: missingLabels(r[`${p} . éligible`]!.missing),
      contact: CONTACT_ADIL,
    });
  }

  // ---- the EPCI's own aids
  const statusByRef: Record<string, Condition> = { PTZ: ptzRes, PSLA: aides[1]!.conditions[0]!, BRS: aides[2]!.conditions[0]! };
  for (const aid of localAids.filter((a) => a.kind === 'accession' && a.actif)) {
    const conditions: Condition[] = [localAidPlaceCondition(aid, place, epciName)];
    if (aid.primo_accedant_requis) conditions.push({ ...primo, id: 'primo' });
    if (aid.types_logement.length) {
      const ok = input.type_logement ? aid.types_logement.includes(input.type_logement as HousingType) : undefined;
      conditions.push({
        id: 'type_logement',
        statut: ok === undefined ? 'inconnue' : ok ? 'remplie' : 'non_remplie',
        texte: `Type de logement : ${input.type_logement ? HOUSING_TYPE_LABEL[input.type_logement as HousingType] : 'non renseigné'} ; aide réservée à : ${aid.types_logement.map((h) => HOUSING_TYPE_LABEL[h]).join(', ')}`,
      });
    }
    if (aid.plafond_reference !== 'aucun') {
      const ref = statusByRef[aid.plafond_reference]!;
      conditions.push({ ...ref, id: 'ressources', texte: `${ref.texte} (plafond retenu par l’EPCI : ${aid.plafond_reference})` });
    }
    const statut = allOf(conditions.map((c) => c.statut));
    const verdict = verdictFromStatus(statut);
    aides.push({
      id: `local-${aid.id}`,
      nom: aid.nom,
      verdict,
      resume:
        (verdict === 'eligible'
          ? `Votre projet remplit les conditions de cette aide de ${epciName(aid.epci_siren)}`
          : verdict === 'non_eligible'
            ? `Votre projet ne remplit pas toutes les conditions de cette aide de ${epciName(aid.epci_siren)}`
            : `Il manque des réponses pour conclure sur cette aide de ${epciName(aid.epci_siren)}`) +
        (aid.montant_euros ? ` (montant : ${euros(aid.montant_euros)}).` : '.'),
      conditions,
      informations: [aid.description].filter(Boolean),
      manque: [],
      contact: { nom: epciName(aid.epci_siren), texte: aid.contact },
      source: aid.deliberation ?? undefined,
    });
  }

  return {
    simulateur: 'accession',
    titre: 'Devenir propriétaire',
    date,
    annee,
    aides,
    contexte: [...place.contexte, `Foyer de ${persons} ; plafonds ${annee} comparés au revenu fiscal de référence ${annee - 2}.`],
    avertissements: [
      ...place.avertissements,
      'Résultat indicatif : la banque, l’organisme vendeur ou l’EPCI vérifient votre dossier.',
    ],
  };
}

const MISSING_LABELS: Record<string, string> = {
  'ménage . revenu fiscal de référence': 'revenu fiscal de référence',
  'ménage . propriétaire ces deux dernières années': 'propriété ces deux dernières années',
  'projet . type de logement': 'type de logement',
  'projet . zone': 'commune ou zone',
  'projet . coût total': 'coût total de l’achat',
  'plafond . PTZ': 'plafond PTZ (barème non disponible)',
  'plafond . PSLA': 'plafond PSLA (barème non disponible)',
  'plafond . BRS': 'plafond BRS (barème non disponible)',
};
const missingLabels = (names: string[]) => names.map((n) => MISSING_LABELS[n] ?? n);
