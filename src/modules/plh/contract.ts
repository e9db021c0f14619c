// The PLH module's contract: the Zod schemas of its requests and answers, and their types. No I/O: the routes
// validate with them, OpenAPI is generated from them, and the web pages import their types from here.
import { z } from 'zod';
import { communeCode, parcelId } from '../territory/index.ts';
import { ACTION_STATUSES, AID_TYPES, CATEGORIES, LAND_STATUSES } from './model.ts';

export const year = z.coerce.number().int().min(2000).max(2100);

export const programmeZ = z.object({
  id: z.string(),
  name: z.string(),
  start_year: z.number(),
  end_year: z.number(),
  sru_catch_up_rate: z.number(),
  orientations: z.array(z.object({ code: z.string(), title: z.string() })),
  actions: z.array(
    z.object({
      code: z.string(),
      orientation_code: z.string(),
      title: z.string(),
      lead: z.string(),
      partners: z.string(),
      status: z.enum(ACTION_STATUSES),
      indicators: z.string(),
      indicator_category: z.enum(CATEGORIES).nullable(),
      comment: z.string(),
      budgets: z.array(z.object({ year: z.number(), planned_euros: z.number(), spent_euros: z.number() })),
    }),
  ),
});

export const sruLineZ = z.object({
  commune_code: z.string(),
  name: z.string(),
  inventory_year: z.number(),
  population: z.number().nullable(),
  main_residences: z.number(),
  social_dwellings: z.number(),
  legal_rate: z.number(),
  exempt: z.boolean(),
  current_rate: z.number(),
  required_dwellings: z.number(),
  deficit: z.number(),
  period: z.string(),
  triennial_target: z.number(),
  plai_min: z.number(),
  pls_max: z.number(),
  produced: z.object({ plai: z.number(), plus: z.number(), pls: z.number(), total: z.number() }),
  rate: z.number().nullable().describe('Part de l’objectif triennal produite (null sans objectif)'),
  plai_met: z.boolean(),
  pls_met: z.boolean(),
  source: z.string(),
});

export const aidZ = z.object({
  reference: z.string().trim().min(1).max(60).describe('Référence du dossier ou de l’opération (jamais le nom d’un bénéficiaire)'),
  type: z.enum(AID_TYPES),
  commune_code: communeCode,
  year,
  amount_euros: z.number().min(0),
  dwellings_count: z.number().int().min(0).default(0),
  plai_count: z.number().int().min(0).default(0),
  plus_count: z.number().int().min(0).default(0),
  pls_count: z.number().int().min(0).default(0),
  energy_gain_pct: z.number().min(0).max(100).nullable().default(null),
  operation: z.string().max(300).default(''),
  organisation_id: z.uuid().nullable().default(null),
  action_code: z.string().max(20).nullable().default(null),
  comment: z.string().max(2000).default(''),
});
export const aidOutZ = aidZ.extend({ id: z.string() });

export const landZ = z.object({
  reference: z.string().trim().min(1).max(60),
  nature: z.enum(['gisement', 'friche']),
  commune_code: communeCode,
  parcel: parcelId.nullable().default(null),
  surface_m2: z.number().positive(),
  zoning: z.string().max(50).default(''),
  potential_dwellings: z.number().int().min(0).default(0),
  status: z.enum(LAND_STATUSES).default('identifie'),
  longitude: z.number().min(-180).max(180).nullable().default(null),
  latitude: z.number().min(-90).max(90).nullable().default(null),
  comment: z.string().max(2000).default(''),
});
export const landOutZ = landZ.extend({ id: z.string() });

export const sruInZ = z.object({
  population: z.number().int().min(0).nullable().default(null),
  main_residences: z.number().int().positive(),
  social_dwellings: z.number().int().min(0),
  legal_rate: z.union([z.literal(0.2), z.literal(0.25)]),
  exempt: z.boolean().default(false),
  fiscal_potential_per_inhabitant: z.number().min(0).nullable().default(null),
  operating_expenses: z.number().min(0).nullable().default(null),
  deductible_expenses: z.number().min(0).nullable().default(null),
  source: z.string().trim().min(1).max(300).describe('Ex. : « Inventaire SRU notifié par la DDT, 1er janvier 2025 »'),
});

export const targetsAnswer = z.object({
  year: z.number(),
  targets: z.array(
    z.object({
      commune_code: z.string(),
      commune: z.string(),
      category: z.enum(CATEGORIES),
      start_year: z.number(),
      end_year: z.number(),
      target: z.number(),
      achieved: z.number(),
      rate: z.number().nullable(),
      expected_progress: z.number().describe('Part de la période écoulée : l’avancement d’une commune dans les temps'),
      sources: z.array(z.string()),
      action_code: z.string().nullable(),
    }),
  ),
});

export const clubAnswer = z.object({
  year: z.number(),
  epcis: z.array(
    z.object({
      epci: z.string(),
      name: z.string(),
      shared: z.boolean().describe('false : l’EPCI ne partage pas ses indicateurs avec le club'),
      programme: z.object({ name: z.string(), start_year: z.number(), end_year: z.number() }).nullable(),
      targets: z.array(z.object({ category: z.enum(CATEGORIES), target: z.number(), achieved: z.number(), rate: z.number().nullable() })),
      sru: z.object({ communes: z.number(), in_deficit: z.number(), deficit: z.number(), triennial_target: z.number() }).nullable(),
    }),
  ),
});

export const sruAnswer = z.object({ year: z.number(), rules: z.string(), communes: z.array(sruLineZ) });

export const sruPrivateAnswer = z.object({
  year: z.number(),
  catch_up_rate: z.number(),
  communes: z.array(sruLineZ.extend({ net_levy_estimate: z.number().nullable().describe('Prélèvement SRU net estimé, en euros') })),
});

export type Programme = z.infer<typeof programmeZ>;
export type LandSite = z.infer<typeof landOutZ>;
export type AidOut = z.infer<typeof aidOutZ>;
export type TargetLine = z.infer<typeof targetsAnswer>['targets'][number];
export type ClubLine = z.infer<typeof clubAnswer>['epcis'][number];
export type SruAnswer = z.infer<typeof sruAnswer>;
export type SruLine = z.infer<typeof sruLineZ>;
