// The stock's contract: the shapes of its requests and answers. No I/O: routes validate with these schemas, OpenAPI is
// generated from them, and the web pages import their types (`import type`), so renaming a field breaks the web build.
import { z } from 'zod';
import { communeCode } from '../territory/index.ts';
import {
  CLASS_KEYS,
  CONTACT_CHANNELS,
  DPE_CLASSES,
  FINANCINGS,
  INCIDENT_CATEGORIES,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  type ClassKey,
} from './model.ts';

const uuid = z.string().uuid('identifiant attendu (UUID)');
const dpeClass = z.enum(DPE_CLASSES);
const byClass = <T extends z.ZodTypeAny>(value: T) =>
  z.object(Object.fromEntries(CLASS_KEYS.map((k) => [k, value])) as Record<ClassKey, T>);

/** A published figure, or a withheld one (statistical secrecy) with its French reason. */
const published = z.object({ value: z.number().nullable(), withheld: z.boolean(), reason: z.string().optional() });
export type PublishedFigure = z.infer<typeof published>;

const classCounts = byClass(z.number());

const exposureAnswer = z.object({
  total: z.number(),
  known: z.number(),
  unknown: z.number(),
  banned_today: z.number(),
  steps: z.array(z.object({ date: z.string(), excluded_class: dpeClass, banned_dwellings: z.number(), share_of_known: z.number().nullable() })),
});

// ---------------------------------------------------------------- public figures

export const communeEnergyParams = z.object({ code: communeCode });

export const communeEnergy = z.object({
  commune: z.object({ code: z.string(), name: z.string() }),
  secrecy_threshold: z.number(),
  calendar: z.string(),
  rpls: z
    .object({
      vintage: z.number(),
      source: z.string(),
      dwellings: published,
      classes: byClass(published),
      banned_today: published,
      steps: z.array(z.object({ date: z.string(), excluded_class: dpeClass, banned_dwellings: published })),
    })
    .nullable(),
  ademe_dpe: z.object({ source: z.string(), dpe_count: published, classes: byClass(published), last_received: z.string().nullable() }),
});
export type CommuneEnergy = z.infer<typeof communeEnergy>;

export const territoryEnergy = z.object({
  vintage: z.number().nullable(),
  source: z.string(),
  calendar: z.string(),
  secrecy_threshold: z.number(),
  communes: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      dwellings: published,
      known_class_dwellings: published,
      banned_2025: published,
      banned_2028: published,
      banned_2034: published,
    }),
  ),
});
export type TerritoryEnergy = z.infer<typeof territoryEnergy>;

export const stockSources = z.object({
  rpls: z.array(
    z.object({
      vintage: z.number(),
      file: z.string(),
      lines: z.number(),
      dwellings: z.number(),
      perimeter: z.union([z.literal('france'), z.object({ epci: z.array(z.string()) })]),
      imported_at: z.string(),
    }),
  ),
  dpe: z.array(
    z.object({ file: z.string(), layout: z.string(), lines: z.number(), accepted: z.number(), corrected: z.number(), rejected: z.number(), imported_at: z.string() }),
  ),
});
export type StockSources = z.infer<typeof stockSources>;

// ---------------------------------------------------------------- exposure and priorities

const SCOPE_LEVELS = ['commune', 'epci', 'bailleur'] as const;
export type ScopeLevel = (typeof SCOPE_LEVELS)[number];

export const scopeQuery = z.object({
  level: z.enum(SCOPE_LEVELS).describe('commune (code INSEE), epci (SIREN) ou bailleur (identifiant d’organisation)'),
  code: z.string().min(1).max(40),
});

const declaredStock = z.object({
  source: z.string(),
  bailleurs_count: z.number(),
  rows_count: z.number(),
  year: z.number().nullable(),
  dwellings_count: z.number(),
  qpv_dwellings_count: z.number(),
  dpe_f_g_dwellings_count: z.number().nullable(),
  vacant_dwellings_count: z.number(),
});

export const exposurePage = z.object({
  level: z.enum(SCOPE_LEVELS),
  code: z.string(),
  name: z.string(),
  calendar: z.string(),
  rpls: z.object({ vintage: z.number(), source: z.string(), classes: classCounts, exposure: exposureAnswer }).nullable(),
  declared_buildings: z.object({ source: z.string(), buildings_count: z.number(), classes: classCounts, exposure: exposureAnswer }),
  referential: declaredStock,
});
export type ExposurePage = z.infer<typeof exposurePage>;

const priority = z.object({
  rank: z.number(),
  id: z.string(),
  label: z.string(),
  commune_code: z.string(),
  dpe: dpeClass.nullable(),
  dwellings_count: z.number(),
  primary_energy_kwh_m2: z.number().nullable().optional(),
  banned_from: z.string().nullable(),
  reason: z.string(),
});
export const prioritiesPage = z.object({ name: z.string(), priorities: z.array(priority) });
export type PrioritiesPage = z.infer<typeof prioritiesPage>;

// ---------------------------------------------------------------- buildings

const buildingInput = z.object({
  reference: z.string().trim().min(1).max(60).describe('Identifiant du bâtiment chez le bailleur'),
  commune_code: communeCode,
  address: z.string().max(300).nullish(),
  ban_id: z.string().max(80).nullish().describe('Identifiant BAN de l’adresse (rattache les DPE de l’ADEME)'),
  construction_year: z.number().int().min(1000).max(2100).nullish(),
  dwellings_count: z.number().int().min(0).max(5000),
  financing: z.enum(FINANCINGS).nullish(),
  qpv: z.boolean().nullish(),
  dpe_class: dpeClass.nullish(),
  dpe_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ').nullish(),
  primary_energy_kwh_m2: z.number().min(0).max(5000).nullish(),
});
export type BuildingInput = z.infer<typeof buildingInput>;

export const buildingsBody = z.object({ buildings: z.array(buildingInput).min(1).max(10_000) });
export const buildingsSaved = z.object({ created: z.number(), updated: z.number(), linked_dpes: z.number() });
export type BuildingsSaved = z.infer<typeof buildingsSaved>;

export const buildingsQuery = z.object({ commune: communeCode.optional() });

const building = z.object({
  id: z.string(),
  organisation_id: z.string(),
  bailleur: z.string(),
  reference: z.string(),
  commune_code: z.string(),
  commune_name: z.string(),
  address: z.string().nullable(),
  ban_id: z.string().nullable(),
  construction_year: z.number().nullable(),
  dwellings_count: z.number(),
  financing: z.string().nullable(),
  qpv: z.boolean().nullable(),
  declared_dpe: dpeClass.nullable(),
  /** Worst label of the ADEME DPEs linked to the building. */
  worst_ademe_dpe: dpeClass.nullable(),
  ademe_dpe_count: z.number(),
  /** The class used for exposure: the declared one, else the worst linked ADEME label. */
  retained_dpe: dpeClass.nullable(),
  primary_energy_kwh_m2: z.number().nullable(),
});
export type Building = z.infer<typeof building>;
export const buildingList = z.object({ buildings: z.array(building) });
export type BuildingList = z.infer<typeof buildingList>;

// ---------------------------------------------------------------- incidents and alerts

const incident = z.object({
  id: z.string(),
  building_id: z.string(),
  building_reference: z.string(),
  commune_code: z.string(),
  address: z.string().nullable(),
  reference: z.string().nullable(),
  category: z.enum(INCIDENT_CATEGORIES),
  severity: z.enum(INCIDENT_SEVERITIES),
  status: z.enum(INCIDENT_STATUSES),
  affected_dwellings: z.number().nullable(),
  started_at: z.string(),
  resolved_at: z.string().nullable(),
});
export type Incident = z.infer<typeof incident>;

const notificationSummary = z.object({ tenants: z.number(), agents: z.number(), failures: z.number(), no_provider: z.number() });

export const newIncident = z.object({
  building_id: uuid,
  category: z.enum(INCIDENT_CATEGORIES),
  severity: z.enum(INCIDENT_SEVERITIES).default('moyenne'),
  status: z.enum(INCIDENT_STATUSES).default('ouvert'),
  started_at: z.coerce.date().describe('Date et heure du début (ISO 8601)'),
  resolved_at: z.coerce.date().nullish(),
  reference: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'lettres, chiffres, _ et -, 40 caractères au plus').nullish(),
  affected_dwellings: z.number().int().min(0).max(2000).nullish(),
});
export type NewIncident = z.infer<typeof newIncident>;
export const incidentCreated = z.object({ incident, notifications: notificationSummary });
export type IncidentCreated = z.infer<typeof incidentCreated>;

export const incidentParams = z.object({ incidentId: uuid });
export const incidentChange = z.object({
  status: z.enum(INCIDENT_STATUSES),
  resolved_at: z.coerce.date().nullish(),
  severity: z.enum(INCIDENT_SEVERITIES).optional(),
});
export type IncidentChange = z.infer<typeof incidentChange>;
export const incidentUpdated = z.object({ incident, notifications: notificationSummary.nullable() });

export const incidentsQuery = z.object({ status: z.enum(INCIDENT_STATUSES).optional(), building: uuid.optional() });
export const incidentList = z.object({ incidents: z.array(incident) });
export type IncidentList = z.infer<typeof incidentList>;

export const notificationList = z.object({
  notifications: z.array(z.object({ event: z.string(), recipient_kind: z.string(), channel: z.string(), status: z.string(), at: z.string() })),
});

const DURATION_GROUPS = ['building', 'bailleur'] as const;
export type DurationGroup = (typeof DURATION_GROUPS)[number];
export const durationsQuery = z.object({ by: z.enum(DURATION_GROUPS).default('building') });
const durationRow = z.object({
  key: z.string(),
  label: z.string(),
  incidents: z.number(),
  open: z.number(),
  resolved: z.number(),
  mean_duration_h: z.number().nullable(),
  median_duration_h: z.number().nullable(),
  max_duration_h: z.number().nullable(),
  oldest_open_h: z.number().nullable(),
});
export const durationsPage = z.object({ by: z.enum(DURATION_GROUPS), rows: z.array(durationRow) });
export type DurationsPage = z.infer<typeof durationsPage>;

// ---------------------------------------------------------------- tenants' contacts

export const newContact = z.object({
  building_id: uuid,
  channel: z.enum(CONTACT_CHANNELS),
  address: z.string().min(3).max(254).describe('Adresse électronique ou numéro de mobile'),
  consent: z.boolean(),
  consent_at: z.coerce.date().optional(),
});
export type NewContact = z.infer<typeof newContact>;
export const contactCreated = z.object({ id: z.string(), purpose: z.string(), retention_until: z.string() });

export const buildingParams = z.object({ buildingId: uuid });
export const contactList = z.object({
  contacts: z.array(
    z.object({
      id: z.string(),
      channel: z.enum(CONTACT_CHANNELS),
      masked_address: z.string(),
      purpose: z.string(),
      consent: z.boolean(),
      consent_at: z.string(),
      withdrawn_at: z.string().nullable(),
      retention_until: z.string(),
    }),
  ),
});

export const contactParams = z.object({ contactId: uuid });
export const contactErased = z.object({ erased: z.boolean() });
