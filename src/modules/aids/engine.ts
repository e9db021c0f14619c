// A thin layer over publicodes: one parsed engine per model, situations in plain JS values, and
// three-valued answers (true / false / unknown) with the inputs still missing.
import Engine, { type RawPublicodes } from 'publicodes';
import type { ConditionStatus, Verdict } from './model.ts';

export type SituationValue = number | boolean | string | undefined;
export type Rules = Record<string, Record<string, unknown> | null>;

const quiet = { log() {}, warn() {}, error() {} };

export interface RuleResult {
  value: boolean | number | string | undefined;
  missing: string[];
}

export class RuleModel {
  private engine: Engine;
  constructor(readonly rules: Rules) {
    // Parsing once per model: evaluation with a new situation is then cheap and synchronous.
    this.engine = new Engine(rules as RawPublicodes<string>, { logger: quiet });
  }

  /** Evaluates the rules for one situation; undefined values are left out so they count as missing. */
  evaluate(situation: Record<string, SituationValue>, names: string[]): Record<string, RuleResult> {
    const s: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(situation)) {
      if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) continue;
      s[k] = typeof v === 'boolean' ? (v ? 'oui' : 'non') : typeof v === 'string' ? `'${v.replace(/'/g, ' ')}'` : v;
    }
    // Synchronous set-then-evaluate: no other request can interleave on the shared engine.
    this.engine.setSituation(s);
    const out: Record<string, RuleResult> = {};
    for (const name of names) {
      const r = this.engine.evaluate(name);
      const v = r.nodeValue as unknown;
      out[name] = {
        value: v === null ? false : (v as RuleResult['value']),
        missing: Object.keys(r.missingVariables ?? {}),
      };
    }
    return out;
  }

  title(name: string): string {
    const raw = (this.rules[name] ?? {}) as { titre?: string };
    return raw.titre ?? name;
  }
}

export function statusOf(v: RuleResult['value']): ConditionStatus {
  if (v === true) return 'met';
  if (v === false) return 'not_met';
  return 'unknown';
}

export function verdictOf(v: RuleResult['value']): Verdict {
  if (v === true) return 'eligible';
  if (v === false) return 'not_eligible';
  return 'unknown';
}

/** Three-valued AND, as publicodes' « toutes ces conditions »: one false settles it, else one unknown. */
export function allOf(statuses: ConditionStatus[]): ConditionStatus {
  if (statuses.includes('not_met')) return 'not_met';
  if (statuses.includes('unknown')) return 'unknown';
  return 'met';
}

export const verdictFromStatus = (s: ConditionStatus): Verdict =>
  s === 'met' ? 'eligible' : s === 'not_met' ? 'not_eligible' : 'unknown';
