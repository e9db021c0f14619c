// A grid written as publicodes rules (the French public rules engine): the same grid, readable and runnable by the
// tools of that ecosystem. Our own evaluator (model.ts) stays the one that scores; the test compares both on random
// demands, so each checks the other. See docs/decisions/demand-cotation-evaluator.md.
import Engine, { type Logger, type RawPublicodes, type Situation } from 'publicodes';
import type { Condition, Facts } from './conditions.ts';
import { FACT_FIELDS, type Grid } from './model.ts';

type Rules = Record<string, unknown>;
const OPS = { eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

const literal = (field: string, v: unknown) =>
  FACT_FIELDS[field]?.type === 'boolean' ? (v ? 'oui' : 'non') : typeof v === 'string' ? `'${v}'` : String(v);

/**
 * Every condition becomes a named boolean rule, so `not` can be written `rule = non`. Names are flat (`conditions .
 * r0_c1_0`), never a child of another condition: in publicodes a false parent disables its children.
 */
function compileCondition(c: Condition, name: string, rules: Rules): string {
  if ('all' in c || 'any' in c) {
    const parts = ('all' in c ? c.all : c.any).map((x, i) => compileCondition(x, `${name}_${i}`, rules));
    rules[name] = { valeur: { [('all' in c) ? 'toutes ces conditions' : 'une de ces conditions']: parts } };
    return name;
  }
  if ('not' in c) {
    const inner = compileCondition(c.not, `${name}_0`, rules);
    rules[name] = { valeur: `${inner} = non` };
    return name;
  }
  const fact = `faits . ${c.field}`;
  const comparisons =
    c.op === 'in'
      ? { 'une de ces conditions': (c.value as unknown[]).map((v) => `${fact} = ${literal(c.field, v)}`) }
      : `${fact} ${OPS[c.op]} ${literal(c.field, c.value)}`;
  // A missing fact never meets a condition (same rule as model.ts): « connus . <fait> » says whether it is known.
  rules[name] = { valeur: { 'toutes ces conditions': [`connus . ${c.field}`, comparisons] } };
  return name;
}

export function gridToPublicodes(grid: Grid): Rules {
  const rules: Rules = { faits: null, connus: null, conditions: null };
  for (const [name, spec] of Object.entries(FACT_FIELDS)) {
    rules[`faits . ${name}`] = { titre: spec.label, valeur: spec.type === 'boolean' ? 'non' : spec.type === 'number' ? 0 : "''" };
    rules[`connus . ${name}`] = { valeur: 'oui' };
  }
  const parts: string[] = [];
  if (grid.seniority) {
    rules['anciennete'] = { titre: grid.seniority.label, valeur: `faits . anciennete_mois * ${grid.seniority.points_per_month}`, ...(grid.seniority.cap !== null ? { plafond: grid.seniority.cap } : {}) };
    parts.push('anciennete');
  }
  if (grid.abnormal_delay) {
    rules['delai_anormalement_long'] = { titre: grid.abnormal_delay.label, 'applicable si': `faits . anciennete_mois > ${grid.abnormal_delay.months}`, valeur: grid.abnormal_delay.points };
    parts.push('delai_anormalement_long');
  }
  for (const s of grid.sections) {
    const names = s.criteria.map((c) => {
      const cond = compileCondition(c.condition, `conditions . ${s.id}__${c.id}`, rules);
      rules[`${s.id} . ${c.id}`] = { titre: c.label, 'applicable si': cond, valeur: c.points };
      return `${s.id} . ${c.id}`;
    });
    // « le maximum de » over criteria that do not apply is empty: 0 keeps the section a number.
    const value = s.mode === 'somme' ? { somme: names } : { 'le maximum de': [...names, 0] };
    rules[s.id] = { titre: s.label, valeur: value, ...(s.cap !== null ? { plafond: s.cap } : {}) };
    parts.push(s.id);
  }
  if (grid.refusals) {
    rules['refus'] = { titre: grid.refusals.label, valeur: `faits . nb_refus * ${grid.refusals.points_per_refusal}`, ...(grid.refusals.max_loss !== null ? { plafond: grid.refusals.max_loss } : {}) };
  }
  rules['note'] = { titre: grid.name, valeur: grid.refusals ? `somme_des_rubriques - refus` : 'somme_des_rubriques', plancher: 0 };
  rules['somme_des_rubriques'] = { somme: parts.length ? parts : [0] };
  return rules;
}

/** The situation publicodes wants for a demand's facts: oui/non, quoted texts, and « connu = non » for a missing fact. */
function factsToSituation(facts: Facts): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, spec] of Object.entries(FACT_FIELDS)) {
    const v = facts[name];
    if (v === null || v === undefined) {
      out[`connus . ${name}`] = 'non';
      continue;
    }
    out[`faits . ${name}`] = spec.type === 'boolean' ? (v ? 'oui' : 'non') : spec.type === 'text' ? `'${v}'` : (v as number);
  }
  return out;
}

export function publicodesEngine(grid: Grid): Engine {
  const quiet: Logger = { log() {}, warn() {}, error() {} };
  // Our rules are plain publicodes documents (strings, numbers, nested objects): the engine parses and checks them.
  return new Engine(gridToPublicodes(grid) as RawPublicodes<string>, { logger: quiet });
}

export function publicodesTotal(engine: Engine, facts: Facts): number {
  engine.setSituation(factsToSituation(facts) as Situation<string>);
  return Number(engine.evaluate('note').nodeValue ?? 0);
}
