// New construction: the programmes pipeline, its state rules, duplicate matching across sources, progress against
// PLH targets and the alert rules. Pure functions only; the store and the routes call them.

/** The life of a housing programme, in order. `abandoned` may end any programme not yet delivered. */
export const STATES = ['project', 'permit_filed', 'permit_granted', 'works_started', 'delivered', 'abandoned'] as const;
export type ProgrammeState = (typeof STATES)[number];
export const PIPELINE: ProgrammeState[] = ['project', 'permit_filed', 'permit_granted', 'works_started', 'delivered'];

export const STATE_LABELS: Record<ProgrammeState, string> = {
  project: 'Projet',
  permit_filed: 'PC déposé',
  permit_granted: 'PC accordé',
  works_started: 'Chantier ouvert',
  delivered: 'Livré',
  abandoned: 'Abandonné',
};

/**
 * Allowed transitions: forward along the pipeline, skipping steps allowed (sources often learn of a programme only once
 * its permit is granted), or to `abandoned` from any state before delivery. Delivered and abandoned are final: a
 * programme abandoned and revived is a new programme with a new permit.
 */
export function canTransition(from: ProgrammeState, to: ProgrammeState): boolean {
  if (from === to) return false;
  if (from === 'delivered' || from === 'abandoned') return false;
  if (to === 'abandoned') return true;
  return PIPELINE.indexOf(to) > PIPELINE.indexOf(from);
}

export function transitionRefusal(from: ProgrammeState, to: ProgrammeState): string | undefined {
  if (canTransition(from, to)) return undefined;
  if (from === to) return `Le programme est déjà à l’état « ${STATE_LABELS[to]} ».`;
  if (from === 'delivered' || from === 'abandoned') return `Un programme ${STATE_LABELS[from].toLowerCase()} ne change plus d’état.`;
  return `Passage de « ${STATE_LABELS[from]} » à « ${STATE_LABELS[to]} » interdit : un programme ne revient pas en arrière.`;
}

export const FINANCINGS = ['plai', 'plus', 'pls', 'psla', 'brs', 'free_market', 'social_unspecified', 'aided_ownership_unspecified'] as const;
export type Financing = (typeof FINANCINGS)[number];
export const FINANCING_LABELS: Record<Financing, string> = {
  plai: 'PLAI',
  plus: 'PLUS',
  pls: 'PLS',
  psla: 'PSLA',
  brs: 'BRS',
  free_market: 'Libre',
  // Sitadel counts social rented and aided ownership units without the product: kept apart, never guessed.
  social_unspecified: 'Locatif social (produit non précisé)',
  aided_ownership_unspecified: 'Accession aidée (produit non précisé)',
};
/** Social rented housing, the "logements sociaux" of PLH and SRU targets. */
const SOCIAL_FINANCINGS: Financing[] = ['plai', 'plus', 'pls', 'social_unspecified'];

export const BUILDING_TYPES = ['single_house', 'grouped_houses', 'collective', 'residence'] as const;
export type BuildingType = (typeof BUILDING_TYPES)[number];
export const BUILDING_TYPE_LABELS: Record<BuildingType, string> = {
  single_house: 'Individuel pur',
  grouped_houses: 'Individuel groupé',
  collective: 'Collectif',
  residence: 'Résidence',
};

export type UnitMix = Record<Financing, number> & Record<BuildingType, number>;
const emptyMix = (): UnitMix =>
  Object.fromEntries([...FINANCINGS, ...BUILDING_TYPES].map((k) => [k, 0])) as UnitMix;
export const socialUnits = (m: Partial<UnitMix>) => SOCIAL_FINANCINGS.reduce((s, k) => s + (m[k] ?? 0), 0);

export const SOURCES = ['sitadel', 'partner', 'manual'] as const;
export const SOURCE_LABELS: Record<Source, string> = { sitadel: 'Sitadel', partner: 'Partenaire', manual: 'Saisie' };
export type Source = (typeof SOURCES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Duplicate matching across sources

export interface MatchCandidate {
  communeCode: string;
  permits: string[];
  address?: string | null;
  lat?: number | null;
  lon?: number | null;
  units: number;
}

/** Upper case, no accents, street-type abbreviations expanded, punctuation collapsed: "12 av. de l'Église" ≈ "12 AVENUE DE L EGLISE". */
export function normaliseAddress(a: string): string {
  const ABBREV: Record<string, string> = { AV: 'AVENUE', BD: 'BOULEVARD', BLD: 'BOULEVARD', BVD: 'BOULEVARD', CHE: 'CHEMIN', CHEM: 'CHEMIN', PL: 'PLACE', RTE: 'ROUTE', IMP: 'IMPASSE', ALL: 'ALLEE', ALLE: 'ALLEE', CRS: 'COURS', QU: 'QUAI', FG: 'FAUBOURG', R: 'RUE', ST: 'SAINT', STE: 'SAINTE' };
  return a
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .map((w) => ABBREV[w] ?? w)
    .filter((w) => !['DE', 'DU', 'DES', 'LA', 'LE', 'LES', 'L', 'D'].includes(w))
    .join(' ');
}

/** Great-circle distance in metres. */
function distanceMetres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const R = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Unit counts within 10 % of the larger, or 2 units, whichever is more tolerant (small operations vary by a unit or two). */
function similarUnits(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(2, 0.1 * Math.max(a, b));
}

const MATCH_DISTANCE_M = 100;

/**
 * Are two programmes from different sources the same operation? Certain when they share a permit number; suggested when
 * they are in the same commune, at the same address or within 100 m, with a similar number of units. Symmetric.
 */
export function matchReason(a: MatchCandidate, b: MatchCandidate): string | undefined {
  const shared = a.permits.find((p) => b.permits.includes(p));
  if (shared) return `même permis ${shared}`;
  if (a.communeCode !== b.communeCode) return undefined;
  if (!similarUnits(a.units, b.units)) return undefined;
  if (a.lat != null && a.lon != null && b.lat != null && b.lon != null) {
    const d = distanceMetres({ lat: a.lat, lon: a.lon }, { lat: b.lat, lon: b.lon });
    if (d <= MATCH_DISTANCE_M) return `même commune, à ${Math.round(d)} m, ${a.units} et ${b.units} logements`;
  }
  if (a.address && b.address) {
    const na = normaliseAddress(a.address);
    if (na.length >= 5 && na === normaliseAddress(b.address)) return `même commune et même adresse, ${a.units} et ${b.units} logements`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Targets and pace

export interface Target {
  communeCode: string;
  periodStart: number;
  periodEnd: number;
  total: number;
  social: number;
  sru: boolean;
}

export interface Achieved {
  authorised: number;
  authorisedSocial: number;
  started: number;
  delivered: number;
}

export interface Progress {
  /** Share of the period elapsed at `now` (0..1). */
  elapsed: number;
  /** Units that should have been authorised by now at a steady pace. */
  expectedByNow: number;
  remaining: number;
  remainingSocial: number;
  /** Years left including the current one; 0 once the period is over. */
  yearsLeft: number;
  /** Units to authorise per year from now on to reach the target (the whole remainder once the period is over). */
  pacePerYear: number;
  pacePerYearSocial: number;
  /** Behind on the total or on the social share (each also given apart). */
  behind: boolean;
  behindTotal: boolean;
  behindSocial: boolean;
  rate: number | null;
  rateSocial: number | null;
}

/** Whole calendar years: a period 2020–2025 is six years, from 1 January 2020 to 31 December 2025. */
export function progress(target: Target, achieved: Achieved, now: Date): Progress {
  const start = Date.UTC(target.periodStart, 0, 1);
  const end = Date.UTC(target.periodEnd + 1, 0, 1);
  const elapsed = Math.min(1, Math.max(0, (now.getTime() - start) / (end - start)));
  const year = now.getUTCFullYear();
  const yearsLeft = year > target.periodEnd ? 0 : target.periodEnd - Math.max(year, target.periodStart) + 1;
  const remaining = Math.max(0, target.total - achieved.authorised);
  const remainingSocial = Math.max(0, target.social - achieved.authorisedSocial);
  const expectedByNow = target.total * elapsed;
  const behindTotal = achieved.authorised < expectedByNow;
  const behindSocial = achieved.authorisedSocial < target.social * elapsed;
  return {
    elapsed,
    expectedByNow,
    remaining,
    remainingSocial,
    yearsLeft,
    pacePerYear: yearsLeft ? remaining / yearsLeft : remaining,
    pacePerYearSocial: yearsLeft ? remainingSocial / yearsLeft : remainingSocial,
    behind: behindTotal || behindSocial,
    behindTotal,
    behindSocial,
    rate: target.total ? achieved.authorised / target.total : null,
    rateSocial: target.social ? achieved.authorisedSocial / target.social : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Alerts

/** How long a programme may stay in a state before it is called stalled (months). Final states never stall. */
export const STALL_MONTHS: Partial<Record<ProgrammeState, number>> = {
  project: 24,
  permit_filed: 6,
  permit_granted: 18,
  works_started: 36,
};

export function monthsBetween(from: Date, to: Date): number {
  return (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth()) - (to.getUTCDate() < from.getUTCDate() ? 1 : 0);
}

/**
 * Past this age a state is no longer "stalled" but over: a building permit lapses when works have not started within
 * three years, extendable twice by one year (code de l'urbanisme R424-17 and R424-21), so five years at most.
 */
const STALL_UNTIL_MONTHS: Partial<Record<ProgrammeState, number>> = { permit_granted: 60 };

export function isStalled(state: ProgrammeState, since: Date, now: Date, limits = STALL_MONTHS): boolean {
  const limit = limits[state];
  if (limit === undefined) return false;
  const months = monthsBetween(since, now);
  const until = STALL_UNTIL_MONTHS[state];
  return months >= limit && (until === undefined || months < until);
}

export interface Alert {
  /** Stable key: the same situation raises one notification, however often the rules run. */
  key: string;
  rule: 'commune_behind' | 'programme_stalled';
  communeCode: string;
  programmeId?: string;
  message: string;
}

export function stalledAlert(p: { id: string; name: string; communeCode: string; state: ProgrammeState; stateSince: Date }, now: Date, limits = STALL_MONTHS): Alert | undefined {
  if (!isStalled(p.state, p.stateSince, now, limits)) return undefined;
  const months = monthsBetween(p.stateSince, now);
  return {
    key: `programme_stalled:${p.id}:${p.state}`,
    rule: 'programme_stalled',
    communeCode: p.communeCode,
    programmeId: p.id,
    message: `Le programme « ${p.name} » est à l’état « ${STATE_LABELS[p.state]} » depuis ${months} mois (seuil : ${limits[p.state]} mois).`,
  };
}

export function behindAlert(communeName: string, target: Target, achieved: Achieved, now: Date): Alert | undefined {
  const p = progress(target, achieved, now);
  if (!p.behind || p.elapsed === 0) return undefined;
  return {
    key: `commune_behind:${target.communeCode}:${target.periodStart}:${now.getUTCFullYear()}`,
    rule: 'commune_behind',
    communeCode: target.communeCode,
    message:
      `${communeName} est en retard sur son objectif PLH ${target.periodStart}–${target.periodEnd} : ` +
      `${achieved.authorised} logements autorisés pour ${Math.round(p.expectedByNow)} attendus à ce jour ` +
      `(${achieved.authorisedSocial} sociaux pour ${Math.round(target.social * p.elapsed)}) ; ` +
      `rythme nécessaire : ${Math.ceil(p.pacePerYear)} logements par an.`,
  };
}

/**
 * Whether a live change reaches a subscriber (issue 21): an EPCI's staff see the changes of its communes and those
 * about its EPCI (or about none: an import summary); anyone else sees only the changes of its own organisation's
 * programmes, never another landlord's or developer's.
 */
export function liveChangeVisible(
  c: { type: string; commune?: string; epci?: string | null; organisation?: string | null },
  to: { staff: boolean; communes: string[]; epcis: string[]; organisations: string[] },
): boolean {
  if (to.staff) {
    if (c.commune) return to.communes.includes(c.commune);
    return !c.epci || to.epcis.includes(c.epci);
  }
  return c.type === 'programme' && !!c.organisation && to.organisations.includes(c.organisation);
}

// ---------------------------------------------------------------------------------------------------------------
// Entry rules

/** A programme's dwellings and how they split, as entered or delivered. */
export interface UnitSplit {
  dwellings: number;
  financing?: Partial<Record<Financing, number>>;
  types?: Partial<Record<BuildingType, number>>;
}

/** Financings and types, when given, must add up to the unit count: a mix that does not is a typing mistake. */
export function mixProblems(input: UnitSplit): string[] {
  const out: string[] = [];
  const f = Object.values(input.financing ?? {}).reduce((s, v) => s + (v ?? 0), 0);
  if (f > 0 && f !== input.dwellings) out.push(`La répartition par financement (${f}) ne correspond pas au nombre de logements (${input.dwellings}).`);
  const t = Object.values(input.types ?? {}).reduce((s, v) => s + (v ?? 0), 0);
  if (t > 0 && t !== input.dwellings) out.push(`La répartition par type (${t}) ne correspond pas au nombre de logements (${input.dwellings}).`);
  return out;
}

/** The full mix of a programme: a programme entered without its financing split counts as free-market housing, never as social by accident. */
export function unitMix(input: UnitSplit): UnitMix {
  const out = emptyMix();
  for (const k of FINANCINGS) out[k] = input.financing?.[k] ?? 0;
  for (const k of BUILDING_TYPES) out[k] = input.types?.[k] ?? 0;
  if (!Object.values(input.financing ?? {}).some((v) => (v ?? 0) > 0)) out.free_market = input.dwellings;
  return out;
}

/** The date of each step of the pipeline, kept on the programme so counts per period read it without walking events. */
export const STEP_DATES = ['filing_date', 'authorisation_date', 'works_start_date', 'delivery_date'] as const;
export type StepDate = (typeof STEP_DATES)[number];

export function stateDateColumn(state: ProgrammeState): StepDate | undefined {
  const of: Partial<Record<ProgrammeState, StepDate>> = { permit_filed: 'filing_date', permit_granted: 'authorisation_date', works_started: 'works_start_date', delivered: 'delivery_date' };
  return of[state];
}

/** The step dates a programme entering `state` on `date` implies: entering "works started" does not invent a permit date. */
export function datesFor(state: ProgrammeState, date: string): Partial<Record<StepDate, string>> {
  const col = stateDateColumn(state);
  return col ? { [col]: date } : {};
}

// ---------------------------------------------------------------------------------------------------------------
// Matching a programme against the ones already known

export type PoolCandidate = MatchCandidate & { id: string; source: Source };

/** Permit numbers compared without their type ("PC 0315…" and "0315…" are the same number). */
export const bareNumber = (p: string) => p.replace(/^(PC|DP|PA)\s+/i, '').toUpperCase();

/** The first programme of the pool that is the same operation, and why; two Sitadel permits are two permits. */
export function firstMatch(c: MatchCandidate & { source: Source; id?: string }, pool: PoolCandidate[]): { other: PoolCandidate; reason: string } | undefined {
  const me = { ...c, permits: c.permits.map(bareNumber) };
  for (const other of pool) {
    // Any other pair (even two entries by agents) may be one operation.
    if ((other.source === 'sitadel' && c.source === 'sitadel') || other.id === c.id) continue;
    const reason = matchReason(me, { ...other, permits: other.permits.map(bareNumber) });
    if (reason) return { other, reason };
  }
  return undefined;
}

export const MATCH_STATUSES = ['suggested', 'confirmed', 'rejected'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

/** A shared permit number is certain; anything else is a suggestion an agent confirms or rejects. */
export const matchStatusOf = (reason: string): MatchStatus => (reason.startsWith('même permis') ? 'confirmed' : 'suggested');

/**
 * Which of two matched programmes is counted: Sitadel, the official count of permits, over any other source; between
 * partners and manual entry, the one already known.
 */
export function countedOf(newSource: Source, otherSource: Source): 'new' | 'other' {
  return newSource === 'sitadel' && otherSource !== 'sitadel' ? 'new' : 'other';
}

// ---------------------------------------------------------------------------------------------------------------
// Targets as entered

export type TargetField = 'periodStart' | 'periodEnd' | 'total' | 'social';

/** French reasons a target cannot be saved (the CSV reader adds file, line and column; the commune is checked apart). */
export function targetProblems(t: Omit<Target, 'communeCode' | 'sru'>): { field: TargetField; rule: string; message: string }[] {
  const out: { field: TargetField; rule: string; message: string }[] = [];
  if (!Number.isInteger(t.periodStart) || t.periodStart < 2000 || t.periodStart > 2100) out.push({ field: 'periodStart', rule: 'annee', message: 'l’année de début doit être entre 2000 et 2100.' });
  if (!Number.isInteger(t.periodEnd) || t.periodEnd < t.periodStart || t.periodEnd - t.periodStart > 9)
    out.push({ field: 'periodEnd', rule: 'periode', message: 'l’année de fin doit suivre l’année de début, sur dix ans au plus (un PLH dure six ans).' });
  if (!Number.isInteger(t.total) || t.total < 0) out.push({ field: 'total', rule: 'entier_positif', message: 'l’objectif doit être un entier positif ou nul.' });
  if (!Number.isInteger(t.social) || t.social < 0 || t.social > t.total)
    out.push({ field: 'social', rule: 'part_sociale', message: 'l’objectif de logements sociaux doit être un entier entre 0 et l’objectif total.' });
  return out;
}
