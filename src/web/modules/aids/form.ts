// Pure helpers of the simulator form: which questions show, and the answers checked and typed for the API.
import type { Question, Verification } from '../../../modules/aids/contract.ts';

export type Answers = Record<string, string>;

export function isVisible(q: Question, answers: Answers): boolean {
  const cond = q.visible_if;
  if (!cond) return true;
  const raw = answers[cond.question] ?? '';
  if (cond.values) return cond.values.map(String).includes(raw);
  const n = parseNumber(raw);
  if (n === undefined) return false;
  if (cond.min !== undefined && n < cond.min) return false;
  if (cond.equals !== undefined && n !== cond.equals) return false;
  return true;
}

/** « 24 000 », « 24000,50 » or « 24 000 € » all read as numbers. */
function parseNumber(raw: string): number | undefined {
  const s = raw.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!s) return undefined;
  if (!/^\d+(\.\d+)?$/.test(s)) return undefined;
  return Number(s);
}

export interface Checked {
  body: Record<string, unknown>;
  errors: Record<string, string>;
}

/** Checks the visible answers and builds the request body; hidden answers are left out. */
export function checkAnswers(questions: Question[], answers: Answers): Checked {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const q of questions) {
    if (!isVisible(q, answers)) continue;
    const raw = (answers[q.id] ?? '').trim();
    if (!raw) {
      if (q.required) errors[q.id] = q.type === 'number' ? 'Indiquez un nombre.' : 'Choisissez une réponse.';
      continue;
    }
    if (q.type === 'number') {
      const n = parseNumber(raw);
      if (n === undefined) errors[q.id] = 'Écrivez un nombre, en chiffres (par exemple 24 000).';
      else if (q.min !== undefined && n < q.min) errors[q.id] = `Le nombre doit être au moins ${q.min}.`;
      else if (q.max !== undefined && n > q.max) errors[q.id] = `Le nombre doit être au plus ${q.max}.`;
      else if (q.id === 'persons' && !Number.isInteger(n)) errors[q.id] = 'Indiquez un nombre entier de personnes.';
      else body[q.id] = n;
    } else if (q.type === 'yes_no') {
      body[q.id] = raw === 'oui';
    } else if (q.id === 'commune' && raw === 'other') {
      // « Autre commune »: the zone questions take over.
    } else {
      body[q.id] = raw;
    }
  }
  return { body, errors };
}

/** Figures of an official text, or computed from one; the others are shown as to be checked. */
export const isVerified = (v: Verification) => v === 'official' || v === 'computed';

/**
 * Page addresses stay French (people type and share them, docs/decisions/0004-naming.md) while the API names the
 * simulators in English: `/aides/logement-social` asks `/api/aids/simulate/social-housing`.
 */
const PAGE_OF_SIMULATOR: Record<string, string> = { 'social-housing': 'logement-social', ownership: 'accession', renovation: 'renovation' };
export const simulatorPage = (id: string) => PAGE_OF_SIMULATOR[id] ?? id;
