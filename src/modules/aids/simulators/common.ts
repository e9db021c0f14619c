// Pieces every simulator shares: questions as data (the page renders them), the place of the project,
// and conditions « value ≤ ceiling » written with their figures and the table they come from.
import {
  euros,
  parentCommune,
  placeOfCommune,
  VERIFICATION_LABEL,
  VERIFICATION_ORDER,
  tableRef,
  ZONE_ABC_LABEL,
  ZONE_HLM_LABEL,
  type CeilingTable,
  type CommuneZone,
  type Condition,
  type ConditionStatus,
  type LocalAid,
  type TableInfo,
  type TableSet,
  type Verification,
  type ZoneAbc,
  type ZoneHlm,
} from '../model.ts';

export interface QuestionOption {
  value: string;
  label: string;
}

export interface Question {
  id: string;
  label: string;
  help?: string;
  type: 'number' | 'yes_no' | 'choice' | 'commune';
  unit?: string;
  min?: number;
  max?: number;
  options?: QuestionOption[];
  required: boolean;
  /** Shown only when another answer has one of these values (`'≥2'` style bounds are written as min). */
  visible_if?: { question: string; values?: (string | boolean)[]; min?: number; equals?: number };
}

const COMMUNE_OTHER = 'other';

export function communeQuestion(t: TableSet, label: string): Question {
  const options = [...t.communes]
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'))
    .map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }));
  return {
    id: 'commune',
    label,
    help: 'Les communes du territoire sont listées ; pour une autre commune, choisissez « Autre commune » et indiquez sa zone.',
    type: 'commune',
    options: [...options, { value: COMMUNE_OTHER, label: 'Autre commune' }],
    required: true,
  };
}

export interface PlaceInput {
  commune?: string;
  zone_abc?: ZoneAbc;
  social_housing_zone?: ZoneHlm;
  ile_de_france?: boolean;
}

export interface Place {
  commune?: CommuneZone;
  zoneAbc?: ZoneAbc;
  zoneHlm?: ZoneHlm;
  ileDeFrance?: boolean;
  context: string[];
  warnings: string[];
}

/**
 * The commune's zones: from the named communes of the form, else from the national zoning by INSEE code,
 * else the zones the household gave.
 */
export function resolvePlace(input: PlaceInput, t: TableSet): Place {
  const named = input.commune ? t.communes.find((c) => c.code === input.commune) : undefined;
  const national = !named && input.commune && input.commune !== COMMUNE_OTHER ? placeOfCommune(input.commune, t.national) : undefined;
  const commune: CommuneZone | undefined =
    named ??
    (national && input.commune
      ? { code: input.commune, name: '', epci_siren: '', ...national }
      : undefined);
  const warnings: string[] = [];
  if (input.commune && input.commune !== COMMUNE_OTHER && !commune) {
    warnings.push(`La commune ${input.commune} n’est pas dans le zonage national de juillet 2024 : indiquez sa zone.`);
  }
  if (commune) {
    const note = commune.note ? ` (${commune.note})` : '';
    const v = commune.verification ?? 'official';
    const unsure = v !== 'official' ? ` (zone : ${VERIFICATION_LABEL[v].toLowerCase()})` : '';
    return {
      commune,
      zoneAbc: commune.zone_abc,
      zoneHlm: commune.social_housing_zone,
      ileDeFrance: commune.ile_de_france,
      context: [
        `Commune : ${commune.name ? `${commune.name} (${commune.code})` : `code INSEE ${commune.code}`}, zone ${ZONE_ABC_LABEL[commune.zone_abc]} du zonage ABC, plafonds HLM « ${ZONE_HLM_LABEL[commune.social_housing_zone]} »${note}${unsure}.`,
      ],
      warnings,
    };
  }
  const ileDeFrance =
    input.ile_de_france ?? (input.social_housing_zone ? input.social_housing_zone !== 'other_regions' : undefined);
  const context: string[] = [];
  if (input.zone_abc) context.push(`Zone ${ZONE_ABC_LABEL[input.zone_abc]} du zonage ABC (indiquée par vous).`);
  if (input.social_housing_zone) context.push(`Plafonds HLM « ${ZONE_HLM_LABEL[input.social_housing_zone]} » (indiqué par vous).`);
  return { zoneAbc: input.zone_abc, zoneHlm: input.social_housing_zone, ileDeFrance, context, warnings };
}

/**
 * A condition « value ≤ ceiling » (or « < » for the PTZ) with both figures. `status` comes from the rules
 * engine; the text is written here so each answer reads as the check that was made.
 */
export function ceilingCondition(args: {
  id: string;
  status: ConditionStatus;
  valueLabel: string;
  value?: number;
  ceilingLabel: string;
  ceiling?: number;
  ceilingHow?: string;
  table?: CeilingTable | (TableInfo & { comparison?: string });
  /** How sure this very figure is, when less than its table (a deduced cell, an earlier year's table). */
  verification?: Verification;
  strict?: boolean;
  /** Why an unknown status could not be settled although both figures are known. */
  unknownWhy?: string;
}): Condition {
  const { status, value, ceiling } = args;
  const le = args.strict ? '<' : '≤';
  const gt = args.strict ? '≥' : '>';
  const left = `${args.valueLabel} : ${value === undefined ? 'non renseigné' : euros(value)}`;
  const how = args.ceilingHow ? ` (${args.ceilingHow})` : '';
  const right = `${args.ceilingLabel} : ${ceiling === undefined ? 'non disponible' : euros(ceiling) + how}`;
  let text: string;
  if (value === undefined || ceiling === undefined) text = `${left} ; ${right}`;
  else if (status === 'unknown') text = `${left} ; ${right}${args.unknownWhy ? ` — ${args.unknownWhy}` : ''}`;
  else text = `${left} ${status === 'not_met' ? gt : le} ${right}`;
  return {
    id: args.id,
    status: status,
    text,
    value: value,
    threshold: ceiling,
    table: args.table ? tableRef(args.table, args.verification) : undefined,
  };
}

/** A plain sentence for the household when the figure its answer rests on was not read in an official text. */
export function unverifiedNotice(c: Condition | undefined): string[] {
  const v = c?.table?.verification;
  if (!c || !v || VERIFICATION_ORDER.indexOf(v) < VERIFICATION_ORDER.indexOf('secondary') || c.threshold === undefined) return [];
  return [`Le plafond utilisé n’est pas vérifié dans le texte officiel (${VERIFICATION_LABEL[v].toLowerCase()}) : faites confirmer votre situation par l’organisme.`];
}

/** Does the local aid apply in the household's commune? Unknown when the commune was not given. */
export function localAidPlaceCondition(aid: LocalAid, place: Place, epciName: (siren: string) => string): Condition {
  const c = place.commune;
  if (!c) {
    return {
      id: 'commune',
      status: 'unknown',
      text: `Commune du projet : non indiquée ; cette aide est réservée aux communes de ${epciName(aid.epci_siren)}${aid.communes.length ? ' listées par l’EPCI' : ''}.`,
    };
  }
  const inEpci = c.epci_siren === aid.epci_siren;
  // An aid voted for Lyon applies in its arrondissements, which the form lists separately.
  const listed = aid.communes.length === 0 || aid.communes.includes(c.code) || aid.communes.includes(parentCommune(c.code) ?? '');
  const ok = inEpci && listed;
  return {
    id: 'commune',
    status: ok ? 'met' : 'not_met',
    text: ok
      ? `Commune du projet : ${c.name}, dans le périmètre de l’aide (${epciName(aid.epci_siren)}).`
      : `Commune du projet : ${c.name || c.code}, hors du périmètre de l’aide (${epciName(aid.epci_siren)}${aid.communes.length ? ', communes listées' : ''}).`,
  };
}

/** An EPCI named by its SIREN, when the caller gave no names (the routes give the territory's). */
export const epciName = (siren: string) => `l’EPCI ${siren}`;

export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}
