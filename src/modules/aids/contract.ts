// The aids module's contract: the simulators' questions and explained answers, the tables, the EPCIs' own aids.
// No I/O: routes validate with these schemas, OpenAPI is generated from them, and the web pages import their types.
import { z } from 'zod';
import { communeCode, siren } from '../territory/index.ts';
import { DPE_CLASSES, INCOME_REFERENCES, MPR_CATEGORIES } from './model.ts';

const sourceSchema = z.object({ title: z.string(), url: z.string().optional() });
const verificationSchema = z.enum(['official', 'computed', 'secondary', 'deduced', 'unverified']);
const conditionSchema = z.object({
  id: z.string(),
  status: z.enum(['met', 'not_met', 'unknown']),
  text: z.string(),
  value: z.union([z.number(), z.string()]).optional(),
  threshold: z.union([z.number(), z.string()]).optional(),
  table: z
    .object({
      file: z.string(),
      verification: verificationSchema,
      verification_label: z.string(),
      note: z.string(),
      sources: z.array(sourceSchema),
    })
    .optional(),
});
export const answerSchema = z.object({
  simulator: z.string(),
  title: z.string(),
  date: z.string(),
  year: z.number(),
  context: z.array(z.string()),
  warnings: z.array(z.string()),
  aids: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      verdict: z.enum(['eligible', 'not_eligible', 'unknown']),
      verdict_label: z.string().optional(),
      summary: z.string(),
      conditions: z.array(conditionSchema),
      notes: z.array(z.string()),
      missing: z.array(z.string()),
      contact: z.object({ name: z.string(), text: z.string(), url: z.string().optional() }).optional(),
      source: z.string().optional(),
    }),
  ),
});
const questionSchema = z.object({
  id: z.string(),
  label: z.string(),
  help: z.string().optional(),
  type: z.enum(['number', 'yes_no', 'choice', 'commune']),
  unit: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  required: z.boolean(),
  visible_if: z
    .object({
      question: z.string(),
      values: z.array(z.union([z.string(), z.boolean()])).optional(),
      min: z.number().optional(),
      equals: z.number().optional(),
    })
    .optional(),
});
export const simulatorSchema = z.object({ id: z.string(), title: z.string(), description: z.string(), questions: z.array(questionSchema) });

export const localAidBody = z.object({
  epci_siren: siren,
  kind: z.enum(['accession', 'renovation']),
  name: z.string().trim().min(1, 'Le nom de l’aide est obligatoire.').max(200),
  description: z.string().max(2000).default(''),
  amount_euros: z.number().min(0).max(1_000_000).nullable().default(null),
  ceiling_reference: z.enum(INCOME_REFERENCES).default('none'),
  primo_accedant_required: z.boolean().default(false),
  housing_types: z.array(z.enum(['new_build', 'existing_with_works', 'existing_without_works'])).max(3).default([]),
  mpr_categories: z.array(z.enum(MPR_CATEGORIES)).max(4).default([]),
  dpe_classes: z.array(z.enum(DPE_CLASSES)).max(7).default([]),
  communes: z.array(communeCode).max(500).default([]),
  contact: z.string().max(500).default(''),
  deliberation: z.string().max(500).nullable().default(null),
  active: z.boolean().default(true),
});
export const localAidSchema = localAidBody.extend({ id: z.string() });


export const tableRowSchema = z.object({
  file: z.string(),
  scheme: z.string(),
  year: z.number().nullable(),
  verification: verificationSchema,
  verification_label: z.string(),
  note: z.string(),
  sources: z.array(sourceSchema),
  values: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  verification_values: z.record(z.string(), z.record(z.string(), verificationSchema)).optional(),
});
export const simulatorParams = z.object({ simulator: z.string() });
export const localAidParams = z.object({ id: z.uuid('Identifiant d’aide invalide') });

export type Verification = z.infer<typeof verificationSchema>;
export type Question = z.infer<typeof questionSchema>;
export type SimulatorInfo = z.infer<typeof simulatorSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type SimulationAnswer = z.infer<typeof answerSchema>;
export type AidAnswer = SimulationAnswer['aids'][number];
export type TableRow = z.infer<typeof tableRowSchema>;
export type LocalAidAnswer = z.infer<typeof localAidSchema>;
