// The referential's contract: the shapes of its answers. No I/O: the routes validate with these schemas, OpenAPI is
// generated from them, and the web pages take their types from here (`import type`). Fields follow the naming rule
// (docs/decisions/0004-naming.md, API 1.2.0); the stored statuses and severities (`acceptee`, `erreur`…) stay French
// values, and the Table Schema and charters files keep their own field names (the partners' contract).
import { z } from 'zod';

const deliveryStatusZ = z.enum(['acceptee', 'partielle', 'refusee']);

const problemZ = z.object({
  line: z.number(),
  column: z.string().optional(),
  rule: z.string(),
  value: z.string().optional(),
  severity: z.enum(['erreur', 'avertissement']),
  message: z.string(),
  fix: z.string(),
});
const reportZ = z.object({
  schema: z.object({ name: z.string(), version: z.string(), title: z.string() }),
  policy: z.string(),
  status: deliveryStatusZ,
  verdict: z.string(),
  summary: z.object({
    rows_total: z.number(),
    rows_valid: z.number(),
    rows_invalid: z.number(),
    rows_accepted: z.number(),
    errors: z.number(),
    warnings: z.number(),
    by_rule: z.record(z.string(), z.number()),
    by_column: z.record(z.string(), z.number()),
  }),
  header: z.array(problemZ),
  problems: z.array(problemZ),
  truncated: z.boolean(),
  file: z.object({ name: z.string().optional(), format: z.string(), encoding: z.string().optional(), delimiter: z.string().optional() }).optional(),
});
const deliveryZ = z.object({
  id: z.string(),
  organisation_id: z.string(),
  organisation_name: z.string(),
  schema_name: z.string(),
  schema_version: z.string(),
  received_at: z.string(),
  last_received_at: z.string(),
  times_received: z.number(),
  filename: z.string().nullable(),
  byte_size: z.number(),
  sha256: z.string(),
  status: deliveryStatusZ,
  rows_total: z.number(),
  rows_valid: z.number(),
  rows_accepted: z.number(),
  on_behalf: z.boolean(),
});
const feedComplianceZ = z.object({
  schema: z.string(),
  expected: z.boolean(),
  required: z.boolean(),
  frequency: z.string().nullable(),
  last_delivery: z.object({ date: z.string(), status: deliveryStatusZ, valid_share: z.number().nullable() }).nullable(),
  last_accepted: z.string().nullable(),
  due_date: z.string().nullable(),
  freshness: z.enum(['up_to_date', 'late', 'never_delivered']).nullable(),
  valid_share: z.number().nullable(),
  trend: z.array(z.object({ date: z.string(), valid_share: z.number().nullable() })),
  direction: z.enum(['up', 'down', 'stable']).nullable(),
  delivery_count: z.number(),
});


export type Problem = z.infer<typeof problemZ>;
export type Report = z.infer<typeof reportZ>;
export type Delivery = z.infer<typeof deliveryZ>;

export const schemaListAnswer = z.object({
  schemas: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      description: z.string(),
      version: z.string(),
      versions: z.array(z.string()),
      policy: z.string(),
      producers: z.array(z.string()),
      field_count: z.number(),
    }),
  ),
});
export type SchemaListItem = z.infer<typeof schemaListAnswer>['schemas'][number];

export const deliveriesAnswer = z.object({ deliveries: z.array(deliveryZ) });
export const deliveryAnswer = z.object({ delivery: deliveryZ, report: reportZ });
export type DeliveryAnswer = z.infer<typeof deliveryAnswer>;

const partnerComplianceZ = z.object({ organisation: z.object({ id: z.string(), name: z.string(), kind: z.string() }), charter: z.string().nullable(), feeds: z.array(feedComplianceZ) });
export const complianceAnswer = z.object({ generated_at: z.string(), partners: z.array(partnerComplianceZ) });
export type ComplianceAnswer = z.infer<typeof complianceAnswer>;

export const clubComplianceAnswer = z.object({
  generated_at: z.string(),
  epcis: z.array(
    z.object({
      epci: z.string(),
      name: z.string(),
      shared: z.boolean().describe('false : l’EPCI ne partage pas la conformité de ses partenaires'),
      partners: z.number().nullable(),
      expected_feeds: z.number().nullable(),
      up_to_date: z.number().nullable(),
      late: z.number().nullable(),
      never_delivered: z.number().nullable(),
    }),
  ),
});
export type ClubComplianceAnswer = z.infer<typeof clubComplianceAnswer>;
