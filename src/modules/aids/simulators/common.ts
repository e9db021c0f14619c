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
  valeur: string;
  libelle: string;
}

export interface Question {
  id: string;
  libelle: string;
  aide?: string;
  type: 'nombre' | 'oui_non' | 'choix' | 'commune';
  unite?: string;
  min?: number;
  max?: number;
  options?: QuestionOption[];
  obligatoire: boolean;
  /** Shown only when another answer has one of these values (`'≥2'` style bounds are written as min). */
  visibleSi?: { question: string; valeurs?: (string | boolean)[]; min?: number; egal?: number };
}

const COMMUNE_OTHER = 'autre';

export function communeQuestion(t: TableSet, libelle: string): Question {
  const options = [...t.communes]
    .sort((a, b) => a.nom.localeCompare(b.nom, 'fr'))
    .map((c) => ({ valeur: c.code, libelle: `${c.nom} (${c.code})` }));
  return {
    id: 'commune',
    libelle,
    aide: 'Les communes du territoire sont listées ; pour une autre commune, choisissez « Autre commune » et indiquez sa zone.',
    type: 'commune',
    options: [...options, { valeur: COMMUNE_OTHER, libelle: 'Autre commune' }],
    obligatoire: true,
  };
}

export interface PlaceInput {
  commune?: string;
  zone_abc?: ZoneAbc;
  zone_logement_social?: ZoneHlm;
  ile_de_france?: boolean;
}

export interface Place {
  commune?: CommuneZone;
  zoneAbc?: ZoneAbc;
  zoneHlm?: ZoneHlm;
  ileDeFrance?: boolean;
  contexte: string[];
  avertissements: string[];
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
      ? { code: input.commune, nom: '', epci_siren: '', ...national }
      : undefined);
  const avertissements: string[] = [];
  if (input.commune && input.commune !== COMMUNE_OTHER && !commune) {
    avertissements.push(`La commune ${input.commune} n’est pas dans le zonage national de juillet 2024 : indiquez sa zone.`);
  }
  if (commune) {
    const note = commune.note ? ` (${commune.note})` : '';
    const v = commune.verification ?? 'officiel';
    const unsure = v !== 'officiel' ? ` (zone : ${VERIFICATION_LABEL[v].toLowerCase()})` : '';
    return {
      commune,
      zoneAbc: commune.zone_abc,
      zoneHlm: commune.zone_logement_social,
      ileDeFrance: commune.ile_de_france,
      contexte: [
        `Commune : ${commune.nom ? `${commune.nom} (${commune.code})` : `code INSEE ${commune.code}`}, zone ${ZONE_ABC_LABEL[commune.zone_abc]} du zonage ABC, plafonds HLM « ${ZONE_HLM_LABEL[commune.zone_logement_social]} »${note}${unsure}.`,
      ],
      avertissements,
    };
  }
  const ileDeFrance =
    input.ile_de_france ?? (input.zone_logement_social ? input.zone_logement_social !== 'autres_regions' : undefined);
  const contexte: string[] = [];
  if (input.zone_abc) contexte.push(`Zone ${ZONE_ABC_LABEL[input.zone_abc]} du zonage ABC (indiquée par vous).`);
  if (input.zone_logement_social) contexte.push(`Plafonds HLM « ${ZONE_HLM_LABEL[input.zone_logement_social]} » (indiqué par vous).`);
  return { zoneAbc: input.zone_abc, zoneHlm: input.zone_logement_social, ileDeFrance, contexte, avertissements };
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
  table?: CeilingTable | (TableInfo & { comparaison?: string });
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
  let texte: string;
  if (value === undefined || ceiling === undefined) texte = `${left} ; ${right}`;
  else if (status === 'inconnue') texte = `${left} ; ${right}${args.unknownWhy ? ` — ${args.unknownWhy}` : ''}`;
  else texte = `${left} ${status === 'non_remplie' ? gt : le} ${right}`;
  return {
    id: args.id,
    statut: status,
    texte,
    valeur: value,
    seuil: ceiling,
    table: args.table ? tableRef(args.table, args.verification) : undefined,
  };
}

/** A plain sentence for the household when the figure its answer rests on was not read in an official text. */
export function unverifiedNotice(c: Condition | undefined): string[] {
  const v = c?.table?.verification;
  if (!c || !v || VERIFICATION_ORDER.indexOf(v) < VERIFICATION_ORDER.indexOf('secondaire') || c.seuil === undefined) return [];
  return [`Le plafond utilisé n’est pas vérifié dans le texte officiel (${VERIFICATION_LABEL[v].toLowerCase()}) : faites confirmer votre situation par l’organisme.`];
}

/** Does the local aid apply in the household's commune? Unknown when the commune was not given. */
export function localAidPlaceCondition(aid: LocalAid, place: Place, epciName: (siren: string) => string): Condition {
  const c = place.commune;
  if (!c) {
    return {
      id: 'commune',
      statut: 'inconnue',
      texte: `Commune du projet : non indiquée ; cette aide est réservée aux communes de ${epciName(aid.epci_siren)}${aid.communes.length ? ' listées par l’EPCI' : ''}.`,
    };
  }
  const inEpci = c.epci_siren === aid.epci_siren;
  // An aid voted for Lyon applies in its arrondissements, which the form lists separately.
  const listed = aid.communes.length === 0 || aid.communes.includes(c.code) || aid.communes.includes(parentCommune(c.code) ?? '');
  const ok = inEpci && listed;
  return {
    id: 'commune',
    statut: ok ? 'remplie' : 'non_remplie',
    texte: ok
      ? `Commune du projet : ${c.nom}, dans le périmètre de l’aide (${epciName(aid.epci_siren)}).`
      : `Commune du projet : ${c.nom || c.code}, hors du périmètre de l’aide (${epciName(aid.epci_siren)}${aid.communes.length ? ', communes listées' : ''}).`,
  };
}

/** An EPCI named by its SIREN, when the caller gave no names (the routes give the territory's). */
export const epciName = (siren: string) => `l’EPCI ${siren}`;

export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}
