// The demand module's contract: the shapes of its requests and answers. No I/O: the routes validate with these
// schemas, OpenAPI is generated from them, and the web pages take their types from here (`import type`).
// A grid's definition is the module's own document format (model.ts), checked by `parseGrid` for French messages.
import { z } from 'zod';
import { communeCode, siren } from '../territory/index.ts';
import {
  DEMAND_NUMBER,
  DEMAND_STATUSES,
  type Grid,
  GRID_STATUSES,
  HOUSING_SITUATIONS,
  type HousingSituation,
  isoDate,
  PRIORITY_FLAG_NAMES,
  type PriorityFlag,
  TYPOLOGIES,
} from './model.ts';

// ---- demands ----------------------------------------------------------------------------------------------------

export const numberParam = z.object({ number: z.string().min(1).max(40) });

const demandZ = z.object({
  number: z.string().regex(DEMAND_NUMBER, 'numéro unique de 6 à 20 chiffres ou lettres majuscules'),
  epci_siren: siren,
  filing_date: isoDate,
  renewal_date: isoDate.nullable().default(null),
  status: z.enum(DEMAND_STATUSES).default('active'),
  adults: z.number().int().min(1).max(20),
  children: z.number().int().min(0).max(20),
  monthly_income: z.number().min(0).nullable(),
  residual_rent: z.number().min(0).nullable(),
  housing_situation: z.enum(Object.keys(HOUSING_SITUATIONS) as [HousingSituation, ...HousingSituation[]]),
  current_surface: z.number().min(0).nullable(),
  typology: z.enum(TYPOLOGIES),
  communes: z.array(communeCode).min(1).max(20),
  mutation: z.boolean().default(false),
  flags: z.array(z.enum(PRIORITY_FLAG_NAMES as [PriorityFlag, ...PriorityFlag[]])).default([]),
  refusals: z.number().int().min(0).default(0),
});

const personZ = z.object({
  last_name: z.string().min(1).max(200),
  first_name: z.string().min(1).max(200),
  birth_date: isoDate.nullable().default(null),
  email: z.string().max(200).nullable().default(null),
  phone: z.string().max(40).nullable().default(null),
});

/** A demand as an agent enters or changes it. */
export const demandBody = z.object({ demand: demandZ, person: personZ });

export const demandListQuery = z.object({
  epci: siren.optional(),
  status: z.enum(DEMAND_STATUSES).optional(),
  typology: z.enum(TYPOLOGIES).optional(),
  commune: communeCode.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const demandListAnswer = z.object({
  total: z.number(),
  items: z.array(
    z.object({ number: z.string(), epci_siren: z.string(), filing_date: z.string(), status: z.string(), typology: z.string(), communes: z.array(z.string()), score: z.number().nullable() }),
  ),
});
export type DemandListAnswer = z.infer<typeof demandListAnswer>;

export const attributionBody = z.object({
  attribution_date: isoDate,
  commune_code: communeCode,
  typology: z.enum(TYPOLOGIES),
  bailleur_id: z.uuid().nullable().default(null),
});

const attributionZ = z.object({ id: z.string(), commune_code: z.string(), typology: z.string(), filing_date: z.string(), attribution_date: z.string() });

// ---- scores and what the applicant is told ---------------------------------------------------------------------

const scoreLineZ = z.object({ criterion_id: z.string(), label: z.string(), satisfied: z.boolean(), points: z.number(), potential: z.number(), note: z.string() });
const sectionScoreZ = z.object({
  id: z.string(),
  label: z.string(),
  mode: z.enum(['meilleur', 'somme']),
  cap: z.number().nullable(),
  raw: z.number(),
  points: z.number(),
  capped: z.boolean(),
  lines: z.array(scoreLineZ),
});
const scoreZ = z.object({ total: z.number(), ref_date: z.string(), grid_version: z.number(), sections: z.array(sectionScoreZ) });
export type Score = z.infer<typeof scoreZ>;

const withheldZ = z.object({ withheld: z.literal(true), reason: z.string() });
const distributionZ = z.union([
  withheldZ,
  z.object({
    withheld: z.literal(false),
    count: z.number(),
    share_below: z.number(),
    quartiles: z.array(z.number()),
    bands: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  }),
]);
const waitingZ = z.union([withheldZ, z.object({ withheld: z.literal(false), count: z.number(), median_months: z.number(), mean_months: z.number() })]);

/** The applicant's page (R441-2-17): no identity, contact or income — the score, the position, the waiting time. */
export const applicantView = z.object({
  number: z.string(),
  epci_siren: z.string(),
  status: z.string(),
  typology: z.string(),
  communes: z.array(z.object({ code: z.string(), name: z.string() })),
  grid: z.object({ name: z.string(), version: z.number() }).nullable(),
  score: scoreZ.nullable(),
  distribution: distributionZ.nullable(),
  waiting: waitingZ,
  waiting_window_months: z.number(),
  secrecy_min_count: z.number(),
});
export type ApplicantView = z.infer<typeof applicantView>;

export const applicantBody = z.object({ number: z.string().min(1).max(40), code: z.string().min(1).max(40) });

export const demandDetail = z.object({ demand: demandZ, person: personZ.nullable(), attribution: attributionZ.nullable(), view: applicantView });
export type DemandDetail = z.infer<typeof demandDetail>;

export const createdAnswer = z.object({ number: z.string(), access_code: z.string() });
export type CreatedAnswer = z.infer<typeof createdAnswer>;
export const updatedAnswer = z.object({ number: z.string(), score: z.number().nullable() });
export const accessCodeAnswer = z.object({ access_code: z.string() });
export type AccessCodeAnswer = z.infer<typeof accessCodeAnswer>;
export const okAnswer = z.object({ ok: z.literal(true) });

export const importQuery = z.object({ epci: siren.optional(), name: z.string().max(200).default('fichier envoyé') });
export const importAnswer = z.object({ created: z.number(), updated: z.number(), unchanged: z.number() });
export type ImportAnswer = z.infer<typeof importAnswer>;

// ---- grids ------------------------------------------------------------------------------------------------------

export const gridIdParam = z.object({ id: z.string() });

/**
 * A grid document in an answer. Its conditions nest (and/or/not), which OpenAPI tools cannot follow as a recursive
 * schema: the answer is documented as an object, and typed as the model's Grid (the store parsed it with gridSchema).
 */
const gridDocument = z.custom<Grid>((v) => typeof v === 'object' && v !== null).meta({ type: 'object', additionalProperties: true, description: 'La grille (format de docs/demand.md).' });

/** A stored version of a grid: its definition is the grid document (model.ts), dates as adopted. */
export const storedGridZ = z.object({
  id: z.string(),
  epci_siren: z.string(),
  version: z.number(),
  name: z.string(),
  status: z.enum(GRID_STATUSES),
  valid_from: z.string(),
  valid_to: z.string().nullable(),
  definition: gridDocument,
});
export type StoredGridAnswer = z.infer<typeof storedGridZ>;

const ruleZ = <T extends z.ZodRawShape>(shape: T) => z.object({ label: z.string(), ...shape }).nullable();
/** The grid as published: every criterion with its condition in words. */
const publishedGridZ = z.object({
  name: z.string(),
  version: z.number(),
  valid_from: z.string(),
  valid_to: z.string().nullable(),
  seniority: ruleZ({ points_per_month: z.number(), cap: z.number().nullable() }),
  abnormal_delay: ruleZ({ months: z.number(), points: z.number() }),
  refusals: ruleZ({ points_per_refusal: z.number(), max_loss: z.number().nullable() }),
  sections: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      mode: z.string(),
      mode_label: z.string(),
      cap: z.number().nullable(),
      criteria: z.array(z.object({ id: z.string(), label: z.string(), points: z.number(), condition_text: z.string() })),
    }),
  ),
  provenance: z.object({ sources: z.array(z.string()), completeness: z.string(), note: z.string().optional() }).nullable(),
});
export type PublishedGrid = z.infer<typeof publishedGridZ>;

export const publicGridsAnswer = z.object({ grids: z.array(z.object({ epci_siren: z.string(), epci_name: z.string(), grid: publishedGridZ })) });
export type PublicGridsAnswer = z.infer<typeof publicGridsAnswer>;

export const gridWithPublished = storedGridZ.extend({ published: publishedGridZ });
export type GridWithPublished = z.infer<typeof gridWithPublished>;

export const newGridBody = z.object({ epci_siren: siren, definition: z.unknown() });
export const gridChangeBody = z.object({ definition: z.unknown() });

export const simulationBody = z.object({ epci_siren: siren, before: z.string(), after: z.union([z.string(), z.record(z.string(), z.unknown())]) });
export const simulationAnswer = z.object({
  count: z.number(),
  up: z.number(),
  down: z.number(),
  same: z.number(),
  mean_delta: z.number(),
  max_up: z.number(),
  max_down: z.number(),
  rows: z.array(z.object({ number: z.string(), before: z.number(), after: z.number(), delta: z.number(), rank_before: z.number(), rank_after: z.number() })),
});
export type SimulationAnswer = z.infer<typeof simulationAnswer>;

// ---- statistics (public figures under statistical secrecy) -------------------------------------------------------

const statisticsZ = z.object({
  epci_siren: z.string(),
  ref_date: z.string(),
  grid: z.object({ name: z.string(), version: z.number() }).nullable(),
  secrecy_min_count: z.number(),
  active_demands: z.number().nullable(),
  attributions: z.number().nullable(),
  by_typology: z.array(
    z.object({
      typology: z.string(),
      active_demands: z.number().nullable(),
      active_demands_reason: z.string().nullable(),
      score_quartiles: z.array(z.number()).nullable(),
      waiting: waitingZ,
    }),
  ),
});
export const statisticsAnswer = z.array(statisticsZ);
export type StatisticsAnswer = z.infer<typeof statisticsAnswer>;

// ---- organisations authorised to read demands --------------------------------------------------------------------

export const grantBody = z.object({ organisation_id: z.uuid(), epci_siren: siren });
export const grantParams = z.object({ organisation_id: z.uuid(), epci_siren: siren });
export const grantsAnswer = z.array(z.object({ organisation_id: z.string(), name: z.string(), epci_siren: z.string(), granted_at: z.string() }));
export type Grant = z.infer<typeof grantsAnswer>[number];
