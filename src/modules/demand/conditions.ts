// Conditions of a grid criterion: a small JSON language over a demand's facts (no code in a grid),
// evaluated, checked against the known fields, and described in French for the published grid.
import { z } from 'zod';

export type FactValue = number | boolean | string | null;
export type Facts = Record<string, FactValue>;

type Comparison = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in';
export type Condition =
  | { field: string; op: Comparison; value: number | boolean | string | (number | string)[] }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const Scalar = z.union([z.number(), z.boolean(), z.string()]);
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({
      field: z.string(),
      op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in']),
      value: z.union([Scalar, z.array(z.union([z.number(), z.string()]))]),
    }),
    z.object({ all: z.array(ConditionSchema).min(1) }),
    z.object({ any: z.array(ConditionSchema).min(1) }),
    z.object({ not: ConditionSchema }),
  ]),
);

/** A missing fact (null) never satisfies a comparison: an unknown income gives no « taux d'effort » points. */
export function evaluateCondition(c: Condition, facts: Facts): boolean {
  if ('all' in c) return c.all.every((x) => evaluateCondition(x, facts));
  if ('any' in c) return c.any.some((x) => evaluateCondition(x, facts));
  if ('not' in c) return !evaluateCondition(c.not, facts);
  const v = facts[c.field];
  if (v === null || v === undefined) return false;
  switch (c.op) {
    case 'eq':
      return v === c.value;
    case 'ne':
      return v !== c.value;
    case 'in':
      return Array.isArray(c.value) && (c.value as unknown[]).includes(v);
    case 'gt':
      return typeof v === 'number' && typeof c.value === 'number' && v > c.value;
    case 'gte':
      return typeof v === 'number' && typeof c.value === 'number' && v >= c.value;
    case 'lt':
      return typeof v === 'number' && typeof c.value === 'number' && v < c.value;
    case 'lte':
      return typeof v === 'number' && typeof c.value === 'number' && v <= c.value;
  }
}

interface FieldSpec {
  label: string;
  type: 'number' | 'boolean' | 'text';
  values?: Record<string, string>;
}

/** Problems (French) of a condition against the known fields: unknown field, operator or value of the wrong type. */
export function checkCondition(c: Condition, fields: Record<string, FieldSpec>): string[] {
  if ('all' in c) return c.all.flatMap((x) => checkCondition(x, fields));
  if ('any' in c) return c.any.flatMap((x) => checkCondition(x, fields));
  if ('not' in c) return checkCondition(c.not, fields);
  const spec = fields[c.field];
  if (!spec) return [`champ inconnu « ${c.field} » (champs possibles : ${Object.keys(fields).join(', ')})`];
  const values = Array.isArray(c.value) ? c.value : [c.value];
  if (c.op === 'in' && !Array.isArray(c.value)) return [`« ${c.field} » : l’opérateur « in » attend une liste de valeurs`];
  if (c.op !== 'in' && Array.isArray(c.value)) return [`« ${c.field} » : une liste de valeurs demande l’opérateur « in »`];
  const problems: string[] = [];
  if (spec.type === 'boolean' && !(['eq', 'ne'] as string[]).includes(c.op)) problems.push(`« ${c.field} » est oui/non : opérateurs eq ou ne seulement`);
  if (spec.type === 'text' && !(['eq', 'ne', 'in'] as string[]).includes(c.op)) problems.push(`« ${c.field} » est un texte : opérateurs eq, ne ou in seulement`);
  for (const v of values) {
    const t = typeof v === 'string' ? 'text' : typeof v === 'number' ? 'number' : 'boolean';
    if (t !== spec.type) problems.push(`« ${c.field} » attend une valeur de type ${spec.type}, pas « ${String(v)} »`);
    else if (spec.values && !(String(v) in spec.values)) problems.push(`« ${c.field} » : valeur inconnue « ${String(v)} »`);
  }
  return problems;
}

const OPS: Record<Comparison, string> = {
  eq: 'égal à',
  ne: 'différent de',
  gt: 'supérieur à',
  gte: 'supérieur ou égal à',
  lt: 'inférieur à',
  lte: 'inférieur ou égal à',
  in: 'parmi',
};

/** The condition in plain French, for the published grid. */
export function describeCondition(c: Condition, fields: Record<string, FieldSpec>): string {
  if ('all' in c) return c.all.map((x) => describeCondition(x, fields)).join(' et ');
  if ('any' in c) return `(${c.any.map((x) => describeCondition(x, fields)).join(' ou ')})`;
  if ('not' in c) return `non (${describeCondition(c.not, fields)})`;
  const spec = fields[c.field];
  const label = spec?.label ?? c.field;
  if (spec?.type === 'boolean') return (c.value === true) === (c.op === 'eq') ? label : `non : ${label}`;
  const show = (v: unknown) => (spec?.values?.[String(v)] ?? String(v));
  const value = Array.isArray(c.value) ? c.value.map(show).join(', ') : show(c.value);
  return `${label} ${OPS[c.op]} ${value}`;
}
