// New construction: the programmes pipeline, its state rules, duplicate matching across sources, progress against
// PLH targets and the alert rules. Pure functions only; the store and the routes call them.

/** The life of a housing programme, in order. `abandonne` may end any programme not yet delivered. */
export const STATES = ['projet', 'pc_depose', 'pc_accorde', 'chantier_ouvert', 'livre', 'abandonne'] as const;
export type ProgrammeState = (typeof STATES)[number];
export const PIPELINE: ProgrammeState[] = ['projet', 'pc_depose', 'pc_accorde', 'chantier_ouvert', 'livre'];

export const STATE_LABELS: Record<ProgrammeState, string> = {
  projet: 'Projet',
  pc_depose: 'PC déposé',
  pc_accorde: 'PC accordé',
  chantier_ouvert: 'Chantier ouvert',
  livre: 'Livré',
  abandonne: 'Abandonné',
};

/**
 * Allowed transitions: forward along the pipeline, skipping steps allowed (sources often learn of a programme only once
 * its permit is granted), or to `abandonne` from any state before delivery. Delivered and abandoned are final: a
 * programme abandoned and revived is a new programme with a new permit.
 */
export function canTransition(from: ProgrammeState, to: ProgrammeState): boolean {
  if (from === to) return false;
  if (from === 'livre' || from === 'abandonne') return false;
  if (to === 'abandonne') return true;
  return PIPELINE.indexOf(to) > PIPELINE.indexOf(from);
}

export function transitionRefusal(from: ProgrammeState, to: ProgrammeState): string | undefined {
  if (canTransition(from, to)) return undefined;
  if (from === to) return `Le programme est déjà à l’état « ${STATE_LABELS[to]} ».`;
  if (from === 'livre' || from === 'abandonne') return `Un programme ${STATE_LABELS[from].toLowerCase()} ne change plus d’état.`;
  return `Passage de « ${STATE_LABELS[from]} » à « ${STATE_LABELS[to]} » interdit : un programme ne revient pas en arrière.`;
}

export const FINANCINGS = ['plai', 'plus', 'pls', 'psla', 'brs', 'libre', 'lls_non_ventile', 'accession_non_ventilee'] as const;
export type Financing = (typeof FINANCINGS)[number];
export const FINANCING_LABELS: Record<Financing, string> = {
  plai: 'PLAI',
  plus: 'PLUS',
  pls: 'PLS',
  psla: 'PSLA',
  brs: 'BRS',
  libre: 'Libre',
  // Sitadel counts social rented and aided ownership units without the product: kept apart, never guessed.
  lls_non_ventile: 'Locatif social (produit non précisé)',
  accession_non_ventilee: 'Accession aidée (produit non précisé)',
};
/** Social rented housing, the "logements sociaux" of PLH and SRU targets. */
export const SOCIAL_FINANCINGS: Financing[] = ['plai', 'plus', 'pls', 'lls_non_ventile'];

export const BUILDING_TYPES = ['individuel_pur', 'individuel_groupe', 'collectif', 'residence'] as const;
export type BuildingType = (typeof BUILDING_TYPES)[number];
export const BUILDING_TYPE_LABELS: Record<BuildingType, string> = {
  individuel_pur: 'Individuel pur',
  individuel_groupe: 'Individuel groupé',
  collectif: 'Collectif',
  residence: 'Résidence',
};

export type UnitMix = Record<Financing, number> & Record<BuildingType, number>;
export const emptyMix = (): UnitMix =>
  Object.fromEntries([...FINANCINGS, ...BUILDING_TYPES].map((k) => [k, 0])) as UnitMix;
export const socialUnits = (m: Partial<UnitMix>) => SOCIAL_FINANCINGS.reduce((s, k) => s + (m[k] ?? 0), 0);

export const SOURCES = ['sitadel', 'partenaire', 'saisie'] as const;
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
export function distanceMetres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const R = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Unit counts within 10 % of the larger, or 2 units, whichever is more tolerant (small operations vary by a unit or two). */
export function similarUnits(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(2, 0.1 * Math.max(a, b));
}

export const MATCH_DISTANCE_M = 100;

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
  projet: 24,
  pc_depose: 6,
  pc_accorde: 18,
  chantier_ouvert: 36,
};

export function monthsBetween(from: Date, to: Date): number {
  return (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth()) - (to.getUTCDate() < from.getUTCDate() ? 1 : 0);
}

/**
 * Past this age a state is no longer "stalled" but over: a building permit lapses when works have not started within
 * three years, extendable twice by one year (code de l'urbanisme R424-17 and R424-21), so five years at most.
 */
export const STALL_UNTIL_MONTHS: Partial<Record<ProgrammeState, number>> = { pc_accorde: 60 };

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
  rule: 'commune_en_retard' | 'programme_bloque';
  communeCode: string;
  programmeId?: string;
  message: string;
}

export function stalledAlert(p: { id: string; name: string; communeCode: string; state: ProgrammeState; stateSince: Date }, now: Date, limits = STALL_MONTHS): Alert | undefined {
  if (!isStalled(p.state, p.stateSince, now, limits)) return undefined;
  const months = monthsBetween(p.stateSince, now);
  return {
    key: `programme_bloque:${p.id}:${p.state}`,
    rule: 'programme_bloque',
    communeCode: p.communeCode,
    programmeId: p.id,
    message: `Le programme « ${p.name} » est à l’état « ${STATE_LABELS[p.state]} » depuis ${months} mois (seuil : ${limits[p.state]} mois).`,
  };
}

export function behindAlert(communeName: string, target: Target, achieved: Achieved, now: Date): Alert | undefined {
  const p = progress(target, achieved, now);
  if (!p.behind || p.elapsed === 0) return undefined;
  return {
    key: `commune_en_retard:${target.communeCode}:${target.periodStart}:${now.getUTCFullYear()}`,
    rule: 'commune_en_retard',
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
