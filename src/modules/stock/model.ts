// Housing stock rules: DPE classes, the rental-ban calendar, exposure and renovation priorities, the public figures and
// their statistical secrecy, incidents and their durations, tenants' contacts and consent. Pure functions only.
//
// The DPE classes and the rental-ban calendar are the platform's one copy (other modules import them from index.ts):
// - class thresholds: arrêté du 31 mars 2021, annexe 5 (logements ≥ 40 m², métropole, altitude < 800 m);
// - rental calendar: loi n° 2021-1104 Climat et Résilience, loi 89-462 art. 6 modifié (G excluded from 2025-01-01,
//   F from 2028-01-01, E from 2034-01-01).

import { isPrimary, protectTotal } from '../../platform/secrecy.ts';

// ---------------------------------------------------------------- DPE classes

export const DPE_CLASSES = ['A', 'B', 'C', 'D', 'E', 'F', 'G'] as const;
export type DpeClass = (typeof DPE_CLASSES)[number];

const isDpeClass = (s: string): s is DpeClass => (DPE_CLASSES as readonly string[]).includes(s);

/** 'Inconnu', empty or anything else is "no class": the dwelling's exposure is unknown, not zero. */
export function parseDpeClass(s: string | null | undefined): DpeClass | null {
  const v = (s ?? '').trim().toUpperCase();
  return isDpeClass(v) ? v : null;
}

/** Upper bounds of each class (value ≤ bound); G above F's bound. */
export type ClassBounds = Record<Exclude<DpeClass, 'G'>, number>;
/** Primary energy, kWhEP per m² and year. */
const ENERGY_BOUNDS_KWH_EP_M2: ClassBounds = { A: 70, B: 110, C: 180, D: 250, E: 330, F: 420 };
/** Greenhouse-gas emissions, kgCO2eq per m² and year. */
const GES_BOUNDS_KG_CO2_M2: ClassBounds = { A: 6, B: 11, C: 30, D: 50, E: 70, F: 100 };

/** The class of one indicator: the first class whose upper bound is not exceeded, else G. */
export function classUnder(value: number, bounds: ClassBounds): DpeClass {
  for (const c of DPE_CLASSES) if (c !== 'G' && value <= bounds[c]) return c;
  return 'G';
}

/** The energy class of a primary energy consumption (kWhEP/m²/year). */
const energyClass = (kwhEpM2: number): DpeClass => classUnder(kwhEpM2, ENERGY_BOUNDS_KWH_EP_M2);
/** The climate class of greenhouse-gas emissions (kgCO2eq/m²/year). */
const climateClass = (kgCo2M2: number): DpeClass => classUnder(kgCo2M2, GES_BOUNDS_KG_CO2_M2);

const rank = (c: DpeClass) => DPE_CLASSES.indexOf(c);
export const worseClass = (a: DpeClass, b: DpeClass): DpeClass => (rank(a) >= rank(b) ? a : b);

/** The 2021 DPE label: the worse of the energy class and the climate (GES) class. */
export function dpeClassFromValues(energyKwhEpM2: number, gesKgM2: number): DpeClass {
  return worseClass(energyClass(energyKwhEpM2), climateClass(gesKgM2));
}

// ---------------------------------------------------------------- rental-ban calendar

export interface BanStep {
  /** First day the class may no longer be newly rented (ISO date). */
  from: string;
  /** The class that becomes excluded that day (the worse ones already are). */
  excludes: DpeClass;
}

export const RENTAL_BAN_CALENDAR: readonly BanStep[] = [
  { from: '2025-01-01', excludes: 'G' },
  { from: '2028-01-01', excludes: 'F' },
  { from: '2034-01-01', excludes: 'E' },
];

export const CALENDAR_NOTE =
  'Calendrier de la loi Climat et Résilience (loi 89-462 art. 6) : logements G interdits à la location depuis le 1er janvier 2025, F à partir de 2028, E à partir de 2034.';

/** ISO date (YYYY-MM-DD) of a Date in UTC; the calendar's days are compared as strings. */
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The day from which a class may no longer be rented, or null (A to D stay rentable under the current law). */
export function rentalBanDate(c: DpeClass): string | null {
  return RENTAL_BAN_CALENDAR.find((s) => s.excludes === c)?.from ?? null;
}

/** Whether a dwelling of class `c` is excluded from renting on day `day` (ISO date). */
export function isRentalBanned(c: DpeClass, day: string): boolean {
  const from = rentalBanDate(c);
  return from !== null && from <= day;
}

/** The classes excluded from renting on a day, cumulated (G; G and F; G, F and E). */
function bannedClassesOn(day: string): DpeClass[] {
  return DPE_CLASSES.filter((c) => isRentalBanned(c, day));
}

function frenchDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

// ---------------------------------------------------------------- distributions and exposure

/** Dwellings per class, and those whose class is unknown. */
export type ClassCounts = Record<DpeClass | 'unknown', number>;
export type ClassKey = keyof ClassCounts;
export const CLASS_KEYS: readonly ClassKey[] = [...DPE_CLASSES, 'unknown'];

export const emptyCounts = (): ClassCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0, F: 0, G: 0, unknown: 0 });

/** Distribution of dwellings by class from weighted items (an RPLS cell counts `n` dwellings). */
export function classDistribution(items: Iterable<{ dpe: DpeClass | null; n: number }>): ClassCounts {
  const out = emptyCounts();
  for (const it of items) out[it.dpe ?? 'unknown'] += it.n;
  return out;
}

/** The sum of several distributions (the communes of an EPCI, a commune and its arrondissements). */
export function sumCounts(list: Iterable<ClassCounts>): ClassCounts {
  const out = emptyCounts();
  for (const c of list) for (const k of CLASS_KEYS) out[k] += c[k];
  return out;
}

/** Dwelling-weighted class distribution of buildings (a landlord's declared stock), by the class each one retains. */
export function buildingCounts(buildings: Iterable<{ retained_dpe: DpeClass | null; dwellings_count: number }>): ClassCounts {
  return classDistribution([...buildings].map((b) => ({ dpe: b.retained_dpe, n: b.dwellings_count })));
}

export interface Exposure {
  total: number;
  known: number;
  unknown: number;
  /** Dwellings excluded from renting on the reference day. */
  banned_today: number;
  /** For each step: dwellings excluded from that day on (cumulative: G, then G+F, then G+F+E). */
  steps: { date: string; excluded_class: DpeClass; banned_dwellings: number; share_of_known: number | null }[];
}

export function exposure(counts: ClassCounts, day: string): Exposure {
  const known = DPE_CLASSES.reduce((s, c) => s + counts[c], 0);
  const bannedOn = (d: string) => bannedClassesOn(d).reduce((s, c) => s + counts[c], 0);
  return {
    total: known + counts.unknown,
    known,
    unknown: counts.unknown,
    banned_today: bannedOn(day),
    steps: RENTAL_BAN_CALENDAR.map((s) => {
      const n = bannedOn(s.from);
      return { date: s.from, excluded_class: s.excludes, banned_dwellings: n, share_of_known: known ? Math.round((1000 * n) / known) / 10 : null };
    }),
  };
}

// ---------------------------------------------------------------- renovation priorities

export interface BuildingForPriority {
  id: string;
  label: string;
  commune_code: string;
  dpe: DpeClass | null;
  dwellings_count: number;
  /** Primary energy per m² and year from the DPE, when known (tie-breaker: the worst first). */
  primary_energy_kwh_m2?: number | null;
}

export interface Priority extends BuildingForPriority {
  rank: number;
  banned_from: string | null;
  reason: string;
}

/**
 * Renovation order: buildings already excluded from renting first, then by the nearest ban date, then the most
 * dwellings, then the highest consumption. Buildings with classes A–D or no DPE are not on the list (no deadline).
 */
export function renovationPriorities(buildings: BuildingForPriority[], day: string): Priority[] {
  const listed = buildings.flatMap((b) => {
    const ban = b.dpe === null ? null : rentalBanDate(b.dpe);
    return ban === null ? [] : [{ b, ban }];
  });
  listed.sort(
    (x, y) =>
      x.ban.localeCompare(y.ban) ||
      y.b.dwellings_count - x.b.dwellings_count ||
      (y.b.primary_energy_kwh_m2 ?? -1) - (x.b.primary_energy_kwh_m2 ?? -1) ||
      x.b.id.localeCompare(y.b.id),
  );
  return listed.map(({ b, ban }, i) => {
    const dwellings = `${b.dwellings_count} logement${b.dwellings_count > 1 ? 's' : ''}`;
    return {
      ...b,
      rank: i + 1,
      banned_from: ban,
      reason:
        ban <= day
          ? `Classe ${b.dpe} : location interdite depuis le ${frenchDate(ban)} (${dwellings}).`
          : `Classe ${b.dpe} : location interdite à partir du ${frenchDate(ban)} (${dwellings}).`,
    };
  });
}

// ---------------------------------------------------------------- public figures and statistical secrecy

export const SOURCE_RPLS =
  'SDES, Répertoire des logements locatifs des bailleurs sociaux (RPLS) au 1er janvier 2019, agrégé par commune (paquet R rrrpls, MIT) ; classe « dpeenergie » telle que déclarée par les bailleurs (DPE antérieurs à la réforme de 2021).';
export const SOURCE_DPE = 'ADEME, base des diagnostics de performance énergétique (DPE) des logements ; calculs Habitat Commun.';
export const SOURCE_DECLARED_BUILDINGS =
  'Bâtiments déclarés par les bailleurs ; classe déclarée, sinon la plus mauvaise étiquette des DPE ADEME rattachés.';

/** A published count, or a withheld one with its reason in French. */
export type Published = { value: number; withheld: false } | { value: null; withheld: true; reason: string };

/** A count of dwellings is published only when it is zero or at least `min` (one cell of fewer could single out a household). */
export function publishCount(n: number, min: number): Published {
  if (!isPrimary(n, min)) return { value: n, withheld: false };
  return { value: null, withheld: true, reason: `Secret statistique : moins de ${min} logements.` };
}

const SECONDARY = 'Secret statistique (secret secondaire) : masqué pour qu’un chiffre secret ne puisse pas être déduit du total.';

/**
 * Statistical secrecy for a distribution by class whose total is published: the platform's rule for a table with its
 * total (platform/secrecy.ts). Primary: every non-zero cell under `min` is withheld. Secondary: the withheld cells
 * must together count 0 or at least `min` dwellings, otherwise the total minus the published cells would reveal them;
 * the smallest published non-zero cells are withheld with them until so. When the total itself is under `min`,
 * everything is withheld.
 */
export function protectDistribution(counts: ClassCounts, min: number): { total: Published; cells: Record<ClassKey, Published> } {
  const total = CLASS_KEYS.reduce((s, k) => s + counts[k], 0);
  const totalPub = publishCount(total, min);
  const status = protectTotal(CLASS_KEYS.map((k) => counts[k]), { min });
  const cells = Object.fromEntries(
    CLASS_KEYS.map((k, i): [ClassKey, Published] => {
      if (totalPub.withheld && counts[k] > 0) return [k, totalPub];
      if (status.parts[i] === 'published') return [k, { value: counts[k], withheld: false }];
      return [k, status.parts[i] === 'primary' ? publishCount(counts[k], min) : { value: null, withheld: true, reason: SECONDARY }];
    }),
  ) as Record<ClassKey, Published>;
  return { total: totalPub, cells };
}

/**
 * A sum of some classes, published only when the published figures already give it (all its classes published, or
 * the total and all the other classes published): derived figures then reveal nothing the cells do not.
 */
export function publishSum(counts: ClassCounts, prot: ReturnType<typeof protectDistribution>, keys: readonly ClassKey[]): Published {
  const value = keys.reduce((s, k) => s + counts[k], 0);
  const inside = keys.every((k) => !prot.cells[k].withheld);
  const outside = !prot.total.withheld && CLASS_KEYS.filter((k) => !keys.includes(k)).every((k) => !prot.cells[k].withheld);
  if (inside || outside) return { value, withheld: false };
  return { value: null, withheld: true, reason: prot.total.withheld ? prot.total.reason : SECONDARY };
}

/**
 * Every public figure of a place comes from one protected distribution: the classes (with secondary secrecy), the
 * total, and sums of classes published only when the published classes already give them. So no two public answers
 * can be combined to reveal a withheld figure.
 */
export function publicFigures(counts: ClassCounts, min: number, today: string) {
  const prot = protectDistribution(counts, min);
  return {
    total: prot.total,
    classes: prot.cells,
    known: publishSum(counts, prot, DPE_CLASSES),
    banned_today: publishSum(counts, prot, bannedClassesOn(today)),
    steps: RENTAL_BAN_CALENDAR.map((s) => ({ date: s.from, excluded_class: s.excludes, banned_dwellings: publishSum(counts, prot, bannedClassesOn(s.from)) })),
  };
}

// ---------------------------------------------------------------- what landlords deliver to the referential

const SOURCE_DECLARED_STOCK =
  'Livraisons « parc-social » des bailleurs au référentiel (dernière livraison de chaque bailleur, année la plus récente).';

/** The sums of the referential's « parc-social » rows (per landlord × commune × year) for a scope. */
export interface DeclaredStock {
  source: string;
  bailleurs_count: number;
  rows_count: number;
  year: number | null;
  dwellings_count: number;
  qpv_dwellings_count: number;
  /** Null when no delivered line gave the (optional) F/G count. */
  dpe_f_g_dwellings_count: number | null;
  vacant_dwellings_count: number;
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : null);

/**
 * Sums delivered « parc-social » rows (the schema's own fields: annee, code_commune, nb_logements…), keeping each
 * landlord's most recent year only: a delivery may hold several years.
 */
export function sumDeclaredStock(rows: { organisationId: string; data: Record<string, unknown> }[], communes?: ReadonlySet<string>): DeclaredStock {
  const kept = rows.filter((r) => !communes || communes.has(String(r.data.code_commune)));
  const lastYear = new Map<string, number>();
  for (const r of kept) lastYear.set(r.organisationId, Math.max(lastYear.get(r.organisationId) ?? 0, num(r.data.annee) ?? 0));
  const latest = kept.filter((r) => num(r.data.annee) === lastYear.get(r.organisationId));
  const sum = (k: string) => latest.reduce((s, r) => s + (num(r.data[k]) ?? 0), 0);
  let fg: number | null = null;
  for (const r of latest) {
    const v = num(r.data.nb_logements_dpe_f_g);
    if (v !== null) fg = (fg ?? 0) + v;
  }
  return {
    source: SOURCE_DECLARED_STOCK,
    bailleurs_count: lastYear.size,
    rows_count: latest.length,
    year: lastYear.size ? Math.max(...lastYear.values()) : null,
    dwellings_count: sum('nb_logements'),
    qpv_dwellings_count: sum('nb_logements_qpv'),
    dpe_f_g_dwellings_count: fg,
    vacant_dwellings_count: sum('nb_logements_vacants'),
  };
}

// ---------------------------------------------------------------- buildings

export const FINANCINGS = ['PLAI', 'PLUS', 'PLS', 'PLI', 'other'] as const;

// ---------------------------------------------------------------- incidents

// The values of the referential's « incidents-batiments » schema (categorie, gravite, statut): the partners' contract,
// so a landlord or a sensor uses the same words through the API and in its deliveries.
export const INCIDENT_CATEGORIES = ['ascenseur', 'chauffage', 'eau', 'electricite', 'infiltration', 'securite', 'nuisibles', 'autre'] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];
export const INCIDENT_CATEGORY_LABELS: Record<IncidentCategory, string> = {
  ascenseur: 'Ascenseur en panne',
  chauffage: 'Panne de chauffage',
  eau: "Coupure ou fuite d'eau",
  electricite: "Panne d'électricité",
  infiltration: 'Infiltration',
  securite: 'Sécurité',
  nuisibles: 'Nuisibles',
  autre: 'Autre incident',
};
export const INCIDENT_SEVERITIES = ['faible', 'moyenne', 'elevee', 'critique'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];
export const INCIDENT_STATUSES = ['ouvert', 'en-cours', 'resolu'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const INCIDENT_STATUS_LABELS: Record<IncidentStatus, string> = { ouvert: 'Ouvert', 'en-cours': 'En cours', resolu: 'Résolu' };

/** A resolved incident is closed: a new failure is a new incident, so durations stay true. */
export function transitionProblem(from: IncidentStatus, to: IncidentStatus): string | null {
  if (from === 'resolu') return 'Cet incident est déjà résolu : signalez un nouvel incident plutôt que de le rouvrir.';
  if (from === 'en-cours' && to === 'ouvert') return 'Un incident en cours ne peut pas revenir au statut « ouvert ».';
  return null;
}

/** The resolution time of an incident reaching `status`, or a French reason why the dates are wrong. */
export function resolutionTime(status: IncidentStatus, startedAt: Date, resolvedAt: Date | null | undefined, now: Date): { at: Date | null } | { problem: string } {
  const at = status === 'resolu' ? (resolvedAt ?? now) : null;
  if (at && at < startedAt) return { problem: 'La date de résolution précède la date de début de l’incident.' };
  return { at };
}

/** EPCI agents are alerted only when people may be at risk or many households are affected. */
export const alertsAgents = (severity: IncidentSeverity) => severity === 'elevee' || severity === 'critique';

export interface IncidentSpan {
  key: string;
  started_at: Date;
  resolved_at: Date | null;
}

export interface DurationSummary {
  key: string;
  incidents: number;
  open: number;
  resolved: number;
  /** Hours, one decimal; over resolved incidents only. */
  mean_duration_h: number | null;
  median_duration_h: number | null;
  max_duration_h: number | null;
  /** Age in hours of the oldest unresolved incident at the reference time. */
  oldest_open_h: number | null;
}

const hours = (ms: number) => Math.round(ms / 360_000) / 10;

export function durationSummaries(spans: IncidentSpan[], now: Date): DurationSummary[] {
  const byKey = new Map<string, IncidentSpan[]>();
  for (const s of spans) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
  return [...byKey.entries()]
    .map(([key, list]) => {
      const done = list.flatMap((s) => (s.resolved_at ? [s.resolved_at.getTime() - s.started_at.getTime()] : [])).sort((a, b) => a - b);
      const open = list.filter((s) => !s.resolved_at).map((s) => now.getTime() - s.started_at.getTime());
      const median = done.length ? (done.length % 2 ? done[(done.length - 1) / 2] : (done[done.length / 2 - 1] + done[done.length / 2]) / 2) : null;
      return {
        key,
        incidents: list.length,
        open: open.length,
        resolved: done.length,
        mean_duration_h: done.length ? hours(done.reduce((a, b) => a + b, 0) / done.length) : null,
        median_duration_h: median === null ? null : hours(median),
        max_duration_h: done.length ? hours(done[done.length - 1]) : null,
        oldest_open_h: open.length ? hours(Math.max(...open)) : null,
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

// ---------------------------------------------------------------- alerts

export type NotificationEvent = 'opened' | 'resolved';
export type RecipientKind = 'tenant' | 'agent';
export type NotificationStatus = 'sent' | 'failed' | 'no_provider';

/** How many people an alert reached, and how many it could not. */
export interface NotificationSummary {
  tenants: number;
  agents: number;
  failures: number;
  no_provider: number;
}

export function incidentMessage(i: { category: IncidentCategory; status: IncidentStatus; address: string | null; building_reference: string }): { subject: string; text: string } {
  const what = INCIDENT_CATEGORY_LABELS[i.category];
  const where = i.address ? `${i.address} (bâtiment ${i.building_reference})` : `bâtiment ${i.building_reference}`;
  if (i.status === 'resolu')
    return { subject: `Résolu : ${what.toLowerCase()}`, text: `Bonne nouvelle : l'incident « ${what} » au ${where} est résolu.` };
  return {
    subject: `Incident : ${what.toLowerCase()}`,
    text: `Votre bailleur signale un incident « ${what} » au ${where}. Il est pris en charge ; vous serez prévenu de sa résolution.`,
  };
}

// ---------------------------------------------------------------- tenants' contacts and consent

export const CONTACT_CHANNELS = ['email', 'sms'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
/** The only purpose contacts are collected for; another purpose needs another consent. */
export const CONTACT_PURPOSE = 'incident_alerts' as const;
export const CONTACT_PURPOSE_TEXT =
  'Recevoir les alertes sur les incidents du bâtiment (ascenseur, chauffage, eau…) et leur résolution.';
/** Retention: a contact is erased this many months after its opt-in unless renewed (decision, see docs/stock.md). */
const CONTACT_RETENTION_MONTHS = 36;

export function retentionEnd(optIn: Date): Date {
  const d = new Date(optIn);
  d.setUTCMonth(d.getUTCMonth() + CONTACT_RETENTION_MONTHS);
  return d;
}

export interface ContactConsent {
  consent: boolean;
  purpose: string;
  withdrawn_at: Date | null;
  retention_until: Date;
}

/** Only a contact who said yes to this very purpose, has not withdrawn and is within retention may be alerted. */
export function mayNotify(c: ContactConsent, now: Date): boolean {
  return c.consent && c.purpose === CONTACT_PURPOSE && c.withdrawn_at === null && c.retention_until.getTime() > now.getTime();
}

/** Normalises an address for its channel, or returns a French reason. Phones: French numbers, stored as +33…. */
export function normaliseContactAddress(channel: ContactChannel, raw: string): { ok: true; value: string } | { ok: false; message: string } {
  const v = raw.trim();
  if (channel === 'email') {
    return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) && v.length <= 254
      ? { ok: true, value: v.toLowerCase() }
      : { ok: false, message: `Adresse électronique invalide : « ${v} ».` };
  }
  const digits = v.replace(/[\s.-]/g, '');
  const m = /^(?:\+33|0033|0)([1-9]\d{8})$/.exec(digits);
  return m ? { ok: true, value: `+33${m[1]}` } : { ok: false, message: `Numéro de téléphone français invalide : « ${v} ».` };
}

/** What a landlord's screen shows of a contact: enough to recognise it, not to copy it. */
export function maskAddress(channel: ContactChannel, value: string): string {
  if (channel === 'sms') return value.slice(0, 4) + '•••••' + value.slice(-2);
  const [user, domain] = value.split('@');
  return `${user.slice(0, 1)}•••@${domain}`;
}
