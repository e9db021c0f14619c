// The referential's contract: the shapes of its answers. No I/O: the routes validate with these schemas, OpenAPI is
// generated from them, and the web pages take their types from here (`import type`). Field names are those the API
// answers today (the English renaming of the referential's JSON is still to come: docs/decisions/0004-naming.md).
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
    rowsTotal: z.number(),
    rowsValid: z.number(),
    rowsInvalid: z.number(),
    rowsAccepted: z.number(),
    errors: z.number(),
    warnings: z.number(),
    byRule: z.record(z.string(), z.number()),
    byColumn: z.record(z.string(), z.number()),
  }),
  header: z.array(problemZ),
  problems: z.array(problemZ),
  truncated: z.boolean(),
  file: z.object({ name: z.string().optional(), format: z.string(), encoding: z.string().optional(), delimiter: z.string().optional() }).optional(),
});
const deliveryZ = z.object({
  id: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  schemaName: z.string(),
  schemaVersion: z.string(),
  receivedAt: z.string(),
  lastReceivedAt: z.string(),
  timesReceived: z.number(),
  filename: z.string().nullable(),
  byteSize: z.number(),
  sha256: z.string(),
  status: deliveryStatusZ,
  rowsTotal: z.number(),
  rowsValid: z.number(),
  rowsAccepted: z.number(),
  onBehalf: z.boolean(),
});
const feedComplianceZ = z.object({
  schema: z.string(),
  attendu: z.boolean(),
  obligatoire: z.boolean(),
  frequence: z.string().nullable(),
  derniereLivraison: z.object({ date: z.string(), statut: deliveryStatusZ, partValide: z.number().nullable() }).nullable(),
  derniereAcceptee: z.string().nullable(),
  echeance: z.string().nullable(),
  fraicheur: z.enum(['a-jour', 'en-retard', 'jamais-livre']).nullable(),
  partValide: z.number().nullable(),
  tendance: z.array(z.object({ date: z.string(), partValide: z.number().nullable() })),
  sens: z.enum(['hausse', 'baisse', 'stable']).nullable(),
  livraisons: z.number(),
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
      politique: z.string(),
      producteurs: z.array(z.string()),
      champs: z.number(),
    }),
  ),
});
export type SchemaListItem = z.infer<typeof schemaListAnswer>['schemas'][number];

export const deliveriesAnswer = z.object({ livraisons: z.array(deliveryZ) });
export const deliveryAnswer = z.object({ delivery: deliveryZ, report: reportZ });
export type DeliveryAnswer = z.infer<typeof deliveryAnswer>;

const partnerComplianceZ = z.object({ organisation: z.object({ id: z.string(), name: z.string(), kind: z.string() }), charte: z.string().nullable(), flux: z.array(feedComplianceZ) });
export const complianceAnswer = z.object({ genereLe: z.string(), partenaires: z.array(partnerComplianceZ) });
export type ComplianceAnswer = z.infer<typeof complianceAnswer>;

export const clubComplianceAnswer = z.object({
  genereLe: z.string(),
  epcis: z.array(
    z.object({
      epci: z.string(),
      nom: z.string(),
      partage: z.boolean().describe('false : l’EPCI ne partage pas la conformité de ses partenaires'),
      partenaires: z.number().nullable(),
      flux_attendus: z.number().nullable(),
      a_jour: z.number().nullable(),
      en_retard: z.number().nullable(),
      jamais_livres: z.number().nullable(),
    }),
  ),
});
export type ClubComplianceAnswer = z.infer<typeof clubComplianceAnswer>;
