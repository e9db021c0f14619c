// The construction module's contract: the Zod schemas of its requests and answers, and their types. No I/O: the
// routes validate with them, OpenAPI is generated from them, and the web pages import their types from here.
import { z } from 'zod';
import { communeCode, siren } from '../territory/index.ts';
import { BUILDING_TYPES, FINANCINGS, MATCH_STATUSES, SOURCES, STATES } from './model.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ');
const count = z.number().int().min(0).max(100_000);
const yesNo = z.enum(['true', 'false']);

// ---------------------------------------------------------------------------------------------------------------
// Programmes

export const programmeBody = z.object({
  name: z.string().trim().min(1).max(200),
  commune_code: communeCode,
  address: z.string().max(300).nullish(),
  lat: z.number().min(-90).max(90).nullish(),
  lon: z.number().min(-180).max(180).nullish(),
  state: z.enum(STATES).default('project'),
  state_date: isoDate.optional().describe('date d’entrée dans cet état (aujourd’hui par défaut)'),
  project_owner: z.string().max(200).nullish(),
  dwellings: z.number().int().min(1).max(10_000),
  financing: z.partialRecord(z.enum(FINANCINGS), count).optional(),
  types: z.partialRecord(z.enum(BUILDING_TYPES), count).optional(),
  permits: z.array(z.string().max(20)).max(20).optional(),
});
export type ProgrammeBody = z.infer<typeof programmeBody>;

export const programmePatch = programmeBody.omit({ state: true, state_date: true, permits: true }).partial();
export type ProgrammePatch = z.infer<typeof programmePatch>;

export const stateBody = z.object({ state: z.enum(STATES), date: isoDate.optional() });
export const matchBody = z.object({ decision: z.enum(['confirmed', 'rejected']) });
export const programmeParams = z.object({ id: z.uuid() });

export const programmeListQuery = z.object({
  commune: communeCode.optional(),
  epci: siren.optional(),
  state: z.enum(STATES).optional(),
  source: z.enum(SOURCES).optional(),
  q: z.string().max(100).optional(),
  with_coordinates: yesNo.optional(),
  duplicates: yesNo.optional().describe('true : seulement les programmes rapprochés d’un autre'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ProgrammeListQuery = z.infer<typeof programmeListQuery>;

export const programme = z.object({
  id: z.string(),
  name: z.string(),
  commune_code: z.string(),
  commune: z.string().nullable().describe('nom de la commune'),
  address: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  state: z.enum(STATES),
  state_since: z.string(),
  source: z.enum(SOURCES),
  source_ref: z.string().nullable(),
  project_owner: z.string().nullable(),
  dwellings: z.number(),
  social_dwellings: z.number(),
  financing: z.record(z.enum(FINANCINGS), z.number()),
  types: z.record(z.enum(BUILDING_TYPES), z.number()),
  filing_date: z.string().nullable(),
  authorisation_date: z.string().nullable(),
  works_start_date: z.string().nullable(),
  delivery_date: z.string().nullable(),
  match: z.object({ programme_id: z.string(), status: z.enum(MATCH_STATUSES), reason: z.string().nullable() }).nullable(),
  permits: z.array(z.string()),
  /** The organisation that owns it (a partner's, the EPCI agent's), null for Sitadel. */
  organisation_id: z.string().nullable(),
});
export type Programme = z.infer<typeof programme>;

export const programmeList = z.object({ total: z.number(), programmes: z.array(programme) });
export type ProgrammeList = z.infer<typeof programmeList>;

const programmeEvent = z.object({
  id: z.number(),
  kind: z.enum(['created', 'state', 'updated', 'matched']),
  from: z.string().nullable(),
  to: z.string().nullable(),
  date: z.string(),
  source: z.string(),
  author: z.string(),
  detail: z.unknown(),
  recorded_at: z.string(),
});
export type ProgrammeEvent = z.infer<typeof programmeEvent>;

export const programmeDetail = z.object({ programme, events: z.array(programmeEvent), matched_with: programme.nullable() });
export type ProgrammeDetail = z.infer<typeof programmeDetail>;

export const communeStates = z.object({
  communes: z.record(z.string(), z.partialRecord(z.enum(STATES), z.object({ dwellings: z.number(), programmes: z.number() }))),
});
export type CommuneStates = z.infer<typeof communeStates>;

// ---------------------------------------------------------------------------------------------------------------
// Targets and the dashboard

const targetBody = z.object({
  commune_code: communeCode,
  period_start: z.number().int(),
  period_end: z.number().int(),
  target_dwellings: z.number().int(),
  target_social_dwellings: z.number().int(),
  sru: z.boolean().optional(),
});
export type TargetBody = z.infer<typeof targetBody>;

export const targetsBody = z.object({ targets: z.array(targetBody).min(1).max(2000) });
export type TargetsBody = z.infer<typeof targetsBody>;
export const targetsCsvBody = z.object({ csv: z.string().min(1).max(2_000_000), file: z.string().max(200).optional() });
export const targetParams = z.object({ code: communeCode, year: z.coerce.number().int() });
export const savedAnswer = z.object({ saved: z.number() });
export type SavedAnswer = z.infer<typeof savedAnswer>;

const target = targetBody.required({ sru: true }).extend({ commune: z.string().describe('nom de la commune') });
export const targetList = z.object({ targets: z.array(target) });

const progressZ = z.object({
  elapsed: z.number().describe('part de la période écoulée (0 à 1)'),
  expected_by_now: z.number(),
  remaining: z.number(),
  remaining_social: z.number(),
  years_left: z.number(),
  pace_per_year: z.number(),
  pace_per_year_social: z.number(),
  behind: z.boolean(),
  behind_total: z.boolean(),
  behind_social: z.boolean(),
  rate: z.number().nullable(),
  rate_social: z.number().nullable(),
});
export type ProgressAnswer = z.infer<typeof progressZ>;

const dashboardFigures = z.object({
  epci: z.string().nullable(),
  epci_name: z.string().nullable(),
  period_start: z.number(),
  period_end: z.number(),
  target_dwellings: z.number(),
  target_social_dwellings: z.number(),
  authorised: z.number(),
  authorised_social: z.number(),
  started: z.number(),
  delivered: z.number(),
  progress: progressZ,
});
const dashboardCommune = dashboardFigures.extend({ commune_code: z.string(), commune: z.string(), sru: z.boolean() });
export type DashboardCommune = z.infer<typeof dashboardCommune>;
const dashboardEpci = dashboardFigures.extend({ communes: z.number() });
export type DashboardEpci = z.infer<typeof dashboardEpci>;
export const dashboardQuery = z.object({ epci: siren.optional(), commune: communeCode.optional(), date: isoDate.optional() });
export const dashboard = z.object({ date: z.string(), communes: z.array(dashboardCommune), epci: z.array(dashboardEpci), note: z.string() });
export type Dashboard = z.infer<typeof dashboard>;

// ---------------------------------------------------------------------------------------------------------------
// Live stream, partner feed, alerts, public figures

/** What a change looks like on the live stream: small (NOTIFY payloads are limited to 8 kB), no personal data. */
const liveChange = z.object({
  type: z.enum(['programme', 'import', 'target', 'alert']),
  id: z.string().optional(),
  commune: z.string().optional(),
  state: z.string().optional(),
  from: z.string().optional(),
  source: z.string().optional(),
  detail: z.string().optional(),
  /** The organisation that owns the programme (a partner sees the live changes of its own programmes only). */
  organisation: z.string().nullable().optional(),
  /** The EPCI a change without a commune is about (targets, alerts). */
  epci: z.string().nullable().optional(),
  at: z.string(),
});
export type LiveChange = z.infer<typeof liveChange>;

const inputProblem = z.object({
  file: z.string(),
  line: z.number(),
  column: z.string().optional(),
  rule: z.string(),
  value: z.string().optional(),
  message: z.string(),
});

export const syncBody = z.object({ since: isoDate.optional() }).optional();
export const syncAnswer = z.object({ rows: z.number(), created: z.number(), updated: z.number(), unchanged: z.number(), problems: z.array(inputProblem) });
export type SyncAnswer = z.infer<typeof syncAnswer>;

export const notificationsQuery = z.object({ unread: yesNo.optional(), limit: z.coerce.number().int().min(1).max(5000).default(200) });
const notification = z.object({
  id: z.string(),
  rule: z.enum(['commune_behind', 'programme_stalled']),
  commune_code: z.string().nullable(),
  commune: z.string().nullable(),
  programme_id: z.string().nullable(),
  message: z.string(),
  created_at: z.string(),
  read_at: z.string().nullable(),
  emails_sent: z.number(),
});
export type Notification = z.infer<typeof notification>;
export const notificationList = z.object({ notifications: z.array(notification) });
export type NotificationList = z.infer<typeof notificationList>;
export const notificationParams = z.object({ id: z.uuid() });

export const alertsBody = z.object({ date: isoDate.optional() }).optional();
export const alertsAnswer = z.object({ created: z.number(), emailed: z.number() });

const publicRow = z.object({
  commune_code: z.string(),
  commune: z.string(),
  year: z.number(),
  authorised: z.number().nullable(),
  started: z.number().nullable(),
  delivered: z.number().nullable(),
  withheld: z.array(z.enum(['authorised', 'started', 'delivered'])).describe('les chiffres retenus (secret statistique)'),
});
export type PublicRow = z.infer<typeof publicRow>;
export const publicCommunes = z.object({ secrecy_threshold: z.number(), source: z.string(), note: z.string(), rows: z.array(publicRow) });
export type PublicCommunes = z.infer<typeof publicCommunes>;
