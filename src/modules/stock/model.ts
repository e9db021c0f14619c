// Housing stock rules: DPE classes, the rental-ban calendar, exposure and renovation priorities, incidents and their
// durations, tenants' contacts and consent. Pure functions only: the store and the routes call them.
//
// Figures come from /work/shared/data/rules/dpe.json:
// - class thresholds: arrêté du 31 mars 2021, annexe 5 (logements ≥ 40 m², métropole, altitude < 800 m);
// - rental calendar: loi n° 2021-1104 Climat et Résilience, loi 89-462 art. 6 modifié (G excluded from 2025-01-01,
//   F from 2028-01-01, E from 2034-01-01).

import { protectTotal } from '../../platform/secrecy.ts';

export const DPE_CLASSES = ['A', 'B', 'C', 'D', 'E', 'F', 'G'] as const;
export type DpeClass = (typeof DPE_CLASSES)[number];

export const isDpeClass = (s: string): s is DpeClass => (DPE_CLASSES as readonly string[]).includes(s);

/** 'Inconnu', empty or anything else is "no class": the dwelling's exposure is unknown, not zero. */
export function parseDpeClass(s: string | null | undefined): DpeClass | null {
  const v = (s ?? '').trim().toUpperCase();
  return isDpeClass(v) ? v : null;
}

/** Upper bounds of each class (value ≤ bound); G above F's bound. */
export const ENERGY_BOUNDS_KWH_EP_M2: Record<Exclude<DpeClass, 'G'>, number> = { A: 70, B: 110, C: 180, D: 250, E: 330, F: 420 };
export const GES_BOUNDS_KG_CO2_M2: Record<Exclude<DpeClass, 'G'>, number> = { A: 6, B: 11, C: 30, D: 50, E: 70, F: 100 };

function classUnder(value: number, bounds: Record<Exclude<DpeClass, 'G'>, number>): DpeClass {
  for (const c of DPE_CLASSES) if (c !== 'G' && value <= bounds[c]) return c;
  return 'G';
}

const rank = (c: DpeClass) => DPE_CLASSES.indexOf(c);
export const worseClass = (a: DpeClass, b: DpeClass): DpeClass => (rank(a) >= rank(b) ? a : b);

/** The 2021 DPE label: the worse of the energy class and the climate (GES) class. */
export function dpeClassFromValues(energyKwhEpM2: number, gesKgM2: number): DpeClass {
  return worseClass(classUnder(energyKwhEpM2, ENERGY_BOUNDS_KWH_EP_M2), classUnder(gesKgM2, GES_BOUNDS_KG_CO2_M2));
}

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

export type ClassCounts = Record<DpeClass | 'inconnu', number>;

export const emptyCounts = (): ClassCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0, F: 0, G: 0, inconnu: 0 });

/** Distribution of dwellings by class from weighted items (an RPLS cell counts `n` dwellings). */
export function classDistribution(items: Iterable<{ dpe: DpeClass | null; n: number }>): ClassCounts {
  const out = emptyCounts();
  for (const it of items) out[it.dpe ?? 'inconnu'] += it.n;
  return out;
}

export interface Exposure {
  total: number;
  connus: number;
  inconnus: number;
  /** Dwellings excluded from renting on the reference day. */
  interditsAujourdhui: number;
  /** For each step: dwellings excluded from that day on (cumulative: G, then G+F, then G+F+E). */
  etapes: { date: string; classe_exclue: DpeClass; logements_interdits: number; part_des_connus: number | null }[];
}

export function exposure(counts: ClassCounts, day: string): Exposure {
  const connus = DPE_CLASSES.reduce((s, c) => s + counts[c], 0);
  const bannedOn = (d: string) => DPE_CLASSES.filter((c) => isRentalBanned(c, d)).reduce((s, c) => s + counts[c], 0);
  return {
    total: connus + counts.inconnu,
    connus,
    inconnus: counts.inconnu,
    interditsAujourdhui: bannedOn(day),
    etapes: RENTAL_BAN_CALENDAR.map((s) => {
      const n = bannedOn(s.from);
      return { date: s.from, classe_exclue: s.excludes, logements_interdits: n, part_des_connus: connus ? Math.round((1000 * n) / connus) / 10 : null };
    }),
  };
}

export interface BuildingForPriority {
  id: string;
  label: string;
  commune_code: string;
  dpe: DpeClass | null;
  nb_logements: number;
  /** Primary energy per m² and year from the DPE, when known (tie-breaker: the worst first). */
  conso_ep_m2?: number | null;
}

export interface Priority extends BuildingForPriority {
  rang: number;
  interdit_depuis: string | null;
  raison: string;
}

/**
 * Renovation order: buildings already excluded from renting first, then by the nearest ban date, then the most
 * dwellings, then the highest consumption. Buildings with classes A–D or no DPE are not on the list (no deadline).
 */
export function renovationPriorities(buildings: BuildingForPriority[], day: string): Priority[] {
  const listed = buildings
    .filter((b) => b.dpe !== null && rentalBanDate(b.dpe) !== null)
    .map((b) => ({ b, ban: rentalBanDate(b.dpe!)! }));
  listed.sort(
    (x, y) =>
      x.ban.localeCompare(y.ban) ||
      y.b.nb_logements - x.b.nb_logements ||
      (y.b.conso_ep_m2 ?? -1) - (x.b.conso_ep_m2 ?? -1) ||
      x.b.id.localeCompare(y.b.id),
  );
  return listed.map(({ b, ban }, i) => ({
    ...b,
    rang: i + 1,
    interdit_depuis: ban,
    raison:
      ban <= day
        ? `Classe ${b.dpe} : location interdite depuis le ${frenchDate(ban)} (${b.nb_logements} logement${b.nb_logements > 1 ? 's' : ''}).`
        : `Classe ${b.dpe} : location interdite à partir du ${frenchDate(ban)} (${b.nb_logements} logement${b.nb_logements > 1 ? 's' : ''}).`,
  }));
}

export function frenchDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

// ---------------------------------------------------------------- statistical secrecy

export type Published = { valeur: number; secret: false } | { valeur: null; secret: true; raison: string };

/** A count of dwellings is published only when it is zero or at least `min` (one cell of fewer could single out a household). */
export function publishCount(n: number, min: number): Published {
  if (n === 0 || n >= min) return { valeur: n, secret: false };
  return { valeur: null, secret: true, raison: `Secret statistique : moins de ${min} logements.` };
}

const SECONDARY = 'Secret statistique (secret secondaire) : masqué pour qu’un chiffre secret ne puisse pas être déduit du total.';

/**
 * Statistical secrecy for a distribution by class whose total is published: the platform's rule for a table with its
 * total (platform/secrecy.ts). Primary: every non-zero cell under `min` is withheld. Secondary: the withheld cells
 * must together count 0 or at least `min` dwellings, otherwise the total minus the published cells would reveal them;
 * the smallest published non-zero cells are withheld with them until so. When the total itself is under `min`,
 * everything is withheld.
 */
export function protectDistribution(counts: ClassCounts, min: number): { total: Published; cells: Record<keyof ClassCounts, Published> } {
  const keys = Object.keys(counts) as (keyof ClassCounts)[];
  const total = keys.reduce((s, k) => s + counts[k], 0);
  const totalPub = publishCount(total, min);
  const status = protectTotal(keys.map((k) => counts[k]), { min });
  const cells = Object.fromEntries(
    keys.map((k, i) => {
      if (totalPub.secret && counts[k] > 0) return [k, totalPub];
      if (status.parts[i] === 'published') return [k, { valeur: counts[k], secret: false }];
      return [k, status.parts[i] === 'primary' ? publishCount(counts[k], min) : { valeur: null, secret: true, raison: SECONDARY }];
    }),
  ) as Record<keyof ClassCounts, Published>;
  return { total: totalPub, cells };
}

/**
 * A sum of some classes, published only when the published figures already give it (all its classes published, or
 * the total and all the other classes published): derived figures then reveal nothing the cells do not.
 */
export function publishSum(counts: ClassCounts, prot: ReturnType<typeof protectDistribution>, keys: (keyof ClassCounts)[]): Published {
  const all = Object.keys(counts) as (keyof ClassCounts)[];
  const value = keys.reduce((s, k) => s + counts[k], 0);
  const inside = keys.every((k) => !prot.cells[k].secret);
  const outside = !prot.total.secret && all.filter((k) => !keys.includes(k)).every((k) => !prot.cells[k].secret);
  if (inside || outside) return { valeur: value, secret: false };
  return { valeur: null, secret: true, raison: prot.total.secret ? (prot.total as { raison: string }).raison : SECONDARY };
}

/** The classes excluded from renting on a step's date, cumulated (G; G and F; G, F and E). */
export function bannedClassesOn(day: string): DpeClass[] {
  return DPE_CLASSES.filter((c) => isRentalBanned(c, day));
}

// ---------------------------------------------------------------- incidents

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

/** A resolved incident is closed: a new failure is a new incident, so durations stay true. */
export function transitionProblem(from: IncidentStatus, to: IncidentStatus): string | null {
  if (from === 'resolu') return 'Cet incident est déjà résolu : signalez un nouvel incident plutôt que de le rouvrir.';
  if (from === 'en-cours' && to === 'ouvert') return 'Un incident en cours ne peut pas revenir au statut « ouvert ».';
  return null;
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
  en_cours: number;
  resolus: number;
  /** Hours, one decimal; over resolved incidents only. */
  duree_moyenne_h: number | null;
  duree_mediane_h: number | null;
  duree_max_h: number | null;
  /** Age in hours of the oldest unresolved incident at the reference time. */
  plus_ancien_en_cours_h: number | null;
}

const hours = (ms: number) => Math.round(ms / 360_000) / 10;

export function durationSummaries(spans: IncidentSpan[], now: Date): DurationSummary[] {
  const byKey = new Map<string, IncidentSpan[]>();
  for (const s of spans) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
  return [...byKey.entries()]
    .map(([key, list]) => {
      const done = list.filter((s) => s.resolved_at).map((s) => s.resolved_at!.getTime() - s.started_at.getTime()).sort((a, b) => a - b);
      const open = list.filter((s) => !s.resolved_at).map((s) => now.getTime() - s.started_at.getTime());
      const median = done.length ? (done.length % 2 ? done[(done.length - 1) / 2] : (done[done.length / 2 - 1] + done[done.length / 2]) / 2) : null;
      return {
        key,
        incidents: list.length,
        en_cours: open.length,
        resolus: done.length,
        duree_moyenne_h: done.length ? hours(done.reduce((a, b) => a + b, 0) / done.length) : null,
        duree_mediane_h: median === null ? null : hours(median),
        duree_max_h: done.length ? hours(done[done.length - 1]) : null,
        plus_ancien_en_cours_h: open.length ? hours(Math.max(...open)) : null,
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

// ---------------------------------------------------------------- tenants' contacts and consent

export const CONTACT_CHANNELS = ['email', 'sms'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
/** The only purpose contacts are collected for; another purpose needs another consent. */
export const CONTACT_PURPOSE = 'alertes-incidents' as const;
export const CONTACT_PURPOSE_TEXT =
  'Recevoir les alertes sur les incidents du bâtiment (ascenseur, chauffage, eau…) et leur résolution.';
/** Retention: a contact is erased this many months after its opt-in unless renewed (decision, see docs/stock.md). */
export const CONTACT_RETENTION_MONTHS = 36;

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

export function incidentMessage(i: { category: IncidentCategory; status: IncidentStatus; address: string | null; building_ref: string }): { subject: string; text: string } {
  const what = INCIDENT_CATEGORY_LABELS[i.category];
  const where = i.address ? `${i.address} (bâtiment ${i.building_ref})` : `bâtiment ${i.building_ref}`;
  if (i.status === 'resolu')
    return { subject: `Résolu : ${what.toLowerCase()}`, text: `Bonne nouvelle : l'incident « ${what} » au ${where} est résolu.` };
  return {
    subject: `Incident : ${what.toLowerCase()}`,
    text: `Votre bailleur signale un incident « ${what} » au ${where}. Il est pris en charge ; vous serez prévenu de sa résolution.`,
  };
}
