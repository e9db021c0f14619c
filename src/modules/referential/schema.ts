// The shape of a published schema: Table Schema (as on schema.data.gouv.fr) plus our `x-habitat` block.
// Checked with zod when the catalogue is loaded, so a malformed schema file stops the start, not a delivery.
import { z } from 'zod';
import { FIELD_TYPES } from './values.ts';

const POLICIES = ['tout-ou-rien', 'ligne-à-ligne'] as const;
export type Policy = (typeof POLICIES)[number];

const constraintsZ = z
  .object({
    required: z.boolean().optional(),
    unique: z.boolean().optional(),
    enum: z.array(z.union([z.string(), z.number()])).optional(),
    pattern: z.string().optional(),
    minimum: z.union([z.number(), z.string()]).optional(),
    maximum: z.union([z.number(), z.string()]).optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().positive().optional(),
  })
  .strict();

const fieldZ = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'nom de champ en minuscules, chiffres et _'),
  title: z.string().optional(),
  description: z.string(),
  example: z.union([z.string(), z.number(), z.boolean()]).optional(),
  type: z.enum(FIELD_TYPES as [string, ...string[]]),
  format: z.string().optional(),
  decimalChar: z.string().length(1).optional(),
  groupChar: z.string().length(1).optional(),
  trueValues: z.array(z.string()).optional(),
  falseValues: z.array(z.string()).optional(),
  constraints: constraintsZ.optional(),
  'x-unite': z.string().optional(),
});

const controlZ = z.discriminatedUnion('type', [
  z.object({ type: z.literal('somme'), total: z.string(), parties: z.array(z.string()).min(2) }),
  z.object({ type: z.literal('inferieur-ou-egal'), champ: z.string(), limite: z.string() }),
]);

const habitatExtensionZ = z.object({
  politique: z.enum(POLICIES),
  references: z.array(z.object({ champ: z.string(), vers: z.literal('communes-du-territoire') })).default([]),
  controles: z.array(controlZ).default([]),
  /** Which partner kinds deliver this feed (informative; the charter says who must). */
  producteurs: z.array(z.string()).default([]),
});

export const tableSchemaZ = z.object({
  $schema: z.string().optional(),
  name: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  description: z.string(),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'version sémantique X.Y.Z'),
  homepage: z.string().optional(),
  countryCode: z.string().optional(),
  created: z.string().optional(),
  lastModified: z.string().optional(),
  licenses: z.array(z.object({ name: z.string(), title: z.string().optional(), path: z.string().optional() })).optional(),
  contributors: z.array(z.object({ title: z.string(), role: z.string().optional() })).optional(),
  fields: z.array(fieldZ).min(1),
  primaryKey: z.union([z.string(), z.array(z.string())]).optional(),
  missingValues: z.array(z.string()).optional(),
  'x-habitat': habitatExtensionZ,
});

export type SchemaField = z.infer<typeof fieldZ>;
export type TableSchema = z.infer<typeof tableSchemaZ>;

/** Coherence a type checker cannot see: keys, references and controls must name existing fields. */
export function schemaInconsistencies(s: TableSchema): string[] {
  const names = new Set<string>();
  const out: string[] = [];
  for (const f of s.fields) {
    if (names.has(f.name)) out.push(`champ « ${f.name} » en double`);
    names.add(f.name);
    if (f.constraints?.pattern) {
      try {
        new RegExp(f.constraints.pattern);
      } catch {
        out.push(`motif invalide pour « ${f.name} »`);
      }
    }
  }
  const mustExist = (n: string, where: string) => {
    if (!names.has(n)) out.push(`${where} : champ « ${n} » inconnu`);
  };
  for (const k of primaryKeyOf(s)) mustExist(k, 'primaryKey');
  for (const r of s['x-habitat'].references) mustExist(r.champ, 'références');
  for (const c of s['x-habitat'].controles) {
    if (c.type === 'somme') [c.total, ...c.parties].forEach((n) => mustExist(n, 'contrôle somme'));
    else [c.champ, c.limite].forEach((n) => mustExist(n, 'contrôle inférieur-ou-égal'));
  }
  return out;
}

export function primaryKeyOf(s: Pick<TableSchema, 'primaryKey'>): string[] {
  if (!s.primaryKey) return [];
  return Array.isArray(s.primaryKey) ? s.primaryKey : [s.primaryKey];
}

/** Semantic versions compared numerically (1.10.0 after 1.9.0). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}
