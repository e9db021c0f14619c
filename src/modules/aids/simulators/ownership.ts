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
  'PTZ . neuf': { valeur: "projet . type de logement = 'new_build'" },
  'PTZ . ancien avec travaux en zone détendue': {
    'toutes ces conditions': [
      "projet . type de logement = 'existing_with_works'",
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

const HOUSING_TYPES: HousingType[] = ['new_build', 'existing_with_works', 'existing_without_works'];

export const ownershipInput = z.object({
  year: z.number().int().min(2024).max(2100).optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  commune: z.string().max(10).optional(),
  zone_abc: z.enum(ZONES_ABC).optional(),
  persons: z.number().int().min(1).max(20),
  reference_tax_income: z.number().min(0).max(100_000_000).optional(),
  owner_last_two_years: z.boolean().optional(),
  housing_type: z.enum(HOUSING_TYPES).optional(),
  operation_cost: z.number().min(0).max(100_000_000).optional(),
});
export type OwnershipInput = z.infer<typeof ownershipInput>;

export function ownershipQuestions(t: TableSet): Question[] {
  return [
    communeQuestion(t, 'Dans quelle commune voulez-vous acheter ?'),
    {
      id: 'zone_abc',
      label: 'Zone de la commune (zonage A, B, C)',
      help: 'Le zonage ABC classe les communes selon la tension du marché du logement, de A bis (la plus tendue) à C. Votre mairie ou l’ADIL peut vous l’indiquer.',
      type: 'choice',
      options: ZONES_ABC.map((z) => ({ value: z, label: `Zone ${ZONE_ABC_LABEL[z]}` })),
      required: true,
      visible_if: { question: 'commune', values: ['other'] },
    },
    {
      id: 'persons',
      label: 'Combien de personnes vivront dans le logement ?',
      type: 'number',
      min: 1,
      max: 20,
      required: true,
    },
    {
      id: 'reference_tax_income',
      label: 'Revenu fiscal de référence de l’avant-dernière année, pour tout le foyer',
      help: 'Il figure sur l’avis d’impôt. En 2026, c’est celui des revenus 2024. Additionnez les avis de toutes les personnes qui vivront dans le logement.',
      type: 'number',
      unit: '€',
      min: 0,
      required: true,
    },
    {
      id: 'owner_last_two_years',
      label: 'Avez-vous été propriétaire de votre résidence principale au cours des deux dernières années ?',
      type: 'yes_no',
      required: true,
    },
    {
      id: 'housing_type',
      label: 'Quel logement voulez-vous acheter ?',
      type: 'choice',
      options: HOUSING_TYPES.map((h) => ({ value: h, label: HOUSING_TYPE_LABEL[h][0]!.toUpperCase() + HOUSING_TYPE_LABEL[h].slice(1) })),
      required: true,
    },
    {
      id: 'operation_cost',
      label: 'Coût total de l’achat',
      help: 'Prix du logement, travaux et frais compris. Laissez vide si vous ne le connaissez pas encore.',
      type: 'number',
      unit: '€',
      min: 0,
      required: false,
    },
  ];
}

const CONTACT_ADIL = {
  name: 'ADIL (Agence départementale d’information sur le logement)',
  text: 'Conseil gratuit et neutre sur le financement de votre achat.',
  url: 'https://www.anil.org/lanil-et-les-adil/votre-adil/',
};

export function simulateOwnership(
  input: OwnershipInput,
  t: TableSet,
  localAids: LocalAid[] = [],
  epciName: (siren: string) => string = defaultEpciName,
): SimulationAnswer {
  const date = input.date ?? todayIso();
  const year = input.year ?? Number(date.slice(0, 4));
  const place = resolvePlace(input, t);
  const zone = place.zoneAbc;
  const n = input.persons;
  const situation: Record<string, string | number | boolean | undefined> = {
    'ménage . revenu fiscal de référence': input.reference_tax_income,
    'ménage . propriétaire ces deux dernières années': input.owner_last_two_years,
    'projet . type de logement': input.housing_type,
    'projet . zone': zone,
    'projet . coût total': input.operation_cost,
  };
  const ptzPicked = pickTable(t.ptz, 'PTZ', year);
  const ptzCeiling = ptzPicked && zone ? ceilingFor(ptzPicked.table.values[ptzColumn(zone)], n) : undefined;
  // The PTZ table stays in force until a decree changes it: a table of an earlier year is the current one.
  if (ptzCeiling) situation['plafond . PTZ'] = ptzCeiling.value;
  // Filled for both schemes by the loop below.
  const picked = {} as Record<'PSLA' | 'BRS', { table?: CeilingTable; exact: boolean; ceiling?: ReturnType<typeof ceilingFor> }>;
  for (const p of ['PSLA', 'BRS'] as const) {
    const pk = pickTable(t.ceilings, p, year);
    const ceiling = pk && zone ? ceilingFor(pk.table.values[zone], n) : undefined;
    picked[p] = { table: pk?.table, exact: !!pk?.exact, ceiling };
    if (ceiling && (pk!.exact || (input.reference_tax_income !== undefined && input.reference_tax_income <= ceiling.value))) {
      situation[`plafond . ${p}`] = ceiling.value;
    }
  }
  const names = [
    'PTZ . primo-accédant', 'PTZ . logement éligible', 'PTZ . ressources retenues', 'PTZ . ressources', 'PTZ . éligible',
    'PSLA . ressources', 'PSLA . éligible', 'BRS . ressources', 'BRS . éligible',
  ];
  const r = model.evaluate(situation, names);
  const incomeLabel = `revenu fiscal de référence ${year - 2}`;
  const persons = `${n} personne${n > 1 ? 's' : ''}`;

  // ---- PTZ
  const primo: Condition = {
    id: 'PTZ.primo',
    status: statusOf(r['PTZ . primo-accédant']!.value),
    text:
      input.owner_last_two_years === undefined
        ? 'Primo-accédant (pas propriétaire de sa résidence principale ces deux dernières années) : non renseigné'
        : input.owner_last_two_years
          ? 'Vous avez été propriétaire de votre résidence principale ces deux dernières années : le PTZ est réservé aux primo-accédants (sauf exceptions : handicap, catastrophe)'
          : 'Primo-accédant : vous n’avez pas été propriétaire de votre résidence principale ces deux dernières années',
  };
  const housing: Condition = {
    id: 'PTZ.logement',
    status: statusOf(r['PTZ . logement éligible']!.value),
    text: !input.housing_type
      ? 'Type de logement : non renseigné (neuf dans toutes les zones ; ancien avec travaux en zones B2 et C)'
      : input.housing_type === 'new_build'
        ? 'Logement neuf : finançable par le PTZ dans toutes les zones'
        : input.housing_type === 'existing_with_works'
          ? `Logement ancien avec travaux en zone ${zone ? ZONE_ABC_LABEL[zone] : 'non indiquée'} : finançable en zones B2 et C seulement`
          : 'Logement ancien sans travaux : non finançable par le PTZ',
    table: {
      file: 'règle',
      verification: 'unverified',
      verification_label: 'Non vérifié : règle connue mais texte officiel non relu',
      note: 'Logements éligibles selon la loi de finances pour 2025 (neuf dans toutes les zones depuis le 1er avril 2025, ancien avec travaux d’au moins 25 % du coût en zones B2 et C) ; texte non relu ici.',
      sources: [{ title: 'CCH art. L31-10-2 et loi de finances pour 2025' }],
    },
  };
  const retained = r['PTZ . ressources retenues']!.value as number | undefined;
  const ptzRes = ceilingCondition({
    id: 'PTZ.ressources',
    status: statusOf(r['PTZ . ressources']!.value),
    valueLabel: `ressources retenues (le plus élevé du ${incomeLabel}${input.reference_tax_income !== undefined ? ` : ${euros(input.reference_tax_income)}` : ''} et du coût de l’opération ÷ ${PTZ_COST_DIVISOR}${input.operation_cost !== undefined ? ` : ${euros(input.operation_cost / PTZ_COST_DIVISOR)}` : ''})`,
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
    const cost = ceilingFor(ptzPicked.table.operation_cost[ptzColumn(zone)], n);
    if (cost) {
      ptzInfo.push(
        `Le prêt est calculé sur un coût plafonné à ${euros(cost.value)} pour ${persons} en zone ${ZONE_ABC_LABEL[zone]} (CCH art. D31-10-10)` +
          (input.operation_cost !== undefined ? ` : coût retenu ${euros(Math.min(cost.value, input.operation_cost))}.` : '.'),
      );
    }
  }
  ptzInfo.push(`La règle du coût divisé par ${PTZ_COST_DIVISOR} (CCH art. L31-10-4) n’a pas été relue dans le texte officiel.`);
  const ptzVerdict = verdictOf(r['PTZ . éligible']!.value);
  const aids: AidAnswer[] = [
    {
      id: 'PTZ',
      name: 'Prêt à taux zéro (PTZ)',
      verdict: ptzVerdict,
      summary:
        ptzVerdict === 'eligible'
          ? 'Votre projet remplit les conditions du prêt à taux zéro.'
          : ptzVerdict === 'not_eligible'
            ? 'Votre projet ne remplit pas toutes les conditions du prêt à taux zéro.'
            : 'Il manque des réponses pour conclure sur le prêt à taux zéro.',
      conditions: [primo, housing, ptzRes],
      notes: ptzInfo,
      missing: missingLabels(r['PTZ . éligible']!.missing),
      contact: { name: 'Votre banque', text: 'Le PTZ est demandé à la banque qui accorde le prêt principal.' },
    },
  ];

  // ---- PSLA and BRS
  for (const p of ['PSLA', 'BRS'] as const) {
    const { table, exact, ceiling } = picked[p];
    const verdict = verdictOf(r[`${p} . éligible`]!.value);
    const tableYear = table?.year ?? year;
    const cond = ceilingCondition({
      id: `${p}.ressources`,
      status: statusOf(r[`${p} . ressources`]!.value),
      valueLabel: incomeLabel,
      value: input.reference_tax_income,
      ceilingLabel: `plafond ${p} ${tableYear} pour ${persons} en zone ${zone ? ZONE_ABC_LABEL[zone] : 'non indiquée'}${table && !exact ? `, barème ${tableYear} faute du barème ${year}` : ''}`,
      ceiling: ceiling?.value,
      ceilingHow: ceiling?.how,
      table,
      verification: table && zone && ceiling ? cellVerification(table, zone, ceiling) : undefined,
      unknownWhy: `au-dessus du plafond ${tableYear}, le plafond ${year} n’étant pas disponible on ne peut pas conclure`,
    });
    aids.push({
      id: p,
      name: p === 'PSLA' ? 'Location-accession (PSLA)' : 'Bail réel solidaire (BRS)',
      verdict,
      summary:
        verdict === 'eligible'
          ? `Vos revenus sont sous le plafond ${p} : vous pouvez acheter un logement proposé en ${p}.`
          : verdict === 'not_eligible'
            ? `Vos revenus dépassent le plafond ${p}.`
            : `Impossible de conclure pour le ${p}.`,
      conditions: [cond],
      notes: [
        p === 'PSLA'
          ? 'Le PSLA s’applique à des programmes précis : vous louez d’abord le logement, puis vous l’achetez à un prix plafonné.'
          : 'Le BRS s’applique à des programmes précis : vous achetez le logement, le terrain reste à un organisme de foncier solidaire (OFS) contre une redevance.',
        ...unverifiedNotice(cond),
      ],
      missing: missingLabels(r[`${p} . éligible`]!.missing),
      contact: CONTACT_ADIL,
    });
  }

  // ---- the EPCI's own aids
  const statusByRef: Record<string, Condition> = { PTZ: ptzRes, PSLA: aids[1]!.conditions[0]!, BRS: aids[2]!.conditions[0]! };
  for (const aid of localAids.filter((a) => a.kind === 'accession' && a.active)) {
    const conditions: Condition[] = [localAidPlaceCondition(aid, place, epciName)];
    if (aid.primo_accedant_required) conditions.push({ ...primo, id: 'primo' });
    if (aid.housing_types.length) {
      const ok = input.housing_type ? aid.housing_types.includes(input.housing_type as HousingType) : undefined;
      conditions.push({
        id: 'housing_type',
        status: ok === undefined ? 'unknown' : ok ? 'met' : 'not_met',
        text: `Type de logement : ${input.housing_type ? HOUSING_TYPE_LABEL[input.housing_type as HousingType] : 'non renseigné'} ; aide réservée à : ${aid.housing_types.map((h) => HOUSING_TYPE_LABEL[h]).join(', ')}`,
      });
    }
    if (aid.ceiling_reference !== 'none') {
      const ref = statusByRef[aid.ceiling_reference]!;
      conditions.push({ ...ref, id: 'ressources', text: `${ref.text} (plafond retenu par l’EPCI : ${aid.ceiling_reference})` });
    }
    const status = allOf(conditions.map((c) => c.status));
    const verdict = verdictFromStatus(status);
    aids.push({
      id: `local-${aid.id}`,
      name: aid.name,
      verdict,
      summary:
        (verdict === 'eligible'
          ? `Votre projet remplit les conditions de cette aide de ${epciName(aid.epci_siren)}`
          : verdict === 'not_eligible'
            ? `Votre projet ne remplit pas toutes les conditions de cette aide de ${epciName(aid.epci_siren)}`
            : `Il manque des réponses pour conclure sur cette aide de ${epciName(aid.epci_siren)}`) +
        (aid.amount_euros ? ` (montant : ${euros(aid.amount_euros)}).` : '.'),
      conditions,
      notes: [aid.description].filter(Boolean),
      missing: [],
      contact: { name: epciName(aid.epci_siren), text: aid.contact },
      source: aid.deliberation ?? undefined,
    });
  }

  return {
    simulator: 'ownership',
    title: 'Devenir propriétaire',
    date,
    year,
    aids,
    context: [...place.context, `Foyer de ${persons} ; plafonds ${year} comparés au revenu fiscal de référence ${year - 2}.`],
    warnings: [
      ...place.warnings,
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
