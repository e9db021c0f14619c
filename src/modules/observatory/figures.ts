// How the portrait writes one figure or one series: a value with its unit, source, edition and secrecy status, or
// « pas de donnée » with its reason in French. No I/O.
import type { Figure, NoDataReason, Series } from './contract.ts';
import { indicatorByKey } from './indicators.ts';

export interface Provenance {
  source: string;
  edition: string | null;
  edition_date: string | null;
}

export interface Head {
  key: string;
  label: string;
  unit: string;
}

/** The head of a figure that is also a comparison indicator, from its definition (one label for both). */
export function indicatorHead(key: string): Head {
  const d = indicatorByKey(key);
  if (!d) throw new Error(`indicateur inconnu : ${key}`);
  return { key: d.key, label: d.label, unit: d.unit };
}

export const NOT_LOADED = 'Source non chargée dans cette instance.';
export const secrecyMessage = (min: number) => `Secret statistique : chiffre calculé sur moins de ${min} cas, non publié.`;

export function valueFigure(head: Head, prov: Provenance, period: string | null, value: number, note: string | null = null): Figure {
  return { ...head, ...prov, period, status: 'ok', value, secrecy: 'published', note };
}

export function missingFigure(head: Head, prov: Provenance, period: string | null, reason: NoDataReason, message: string): Figure {
  return { ...head, ...prov, period, status: 'no_data', reason, message, secrecy: reason === 'secrecy' ? 'withheld' : 'none' };
}

/** A value when there is one; otherwise `no_data` with the reason given (secrecy when `withheld`). */
export function figureOf(
  head: Head,
  prov: Provenance,
  period: string | null,
  value: number | null | undefined,
  missing: { reason: NoDataReason; message: string },
  note: string | null = null,
): Figure {
  return value === null || value === undefined || !Number.isFinite(value) ? missingFigure(head, prov, period, missing.reason, missing.message) : valueFigure(head, prov, period, value, note);
}

export function seriesOf(head: Head, prov: Provenance, points: { period: string; value: number | null; withheld: boolean }[], missing: { reason: NoDataReason; message: string }): Series {
  return points.length ? { ...head, ...prov, status: 'ok', points } : { ...head, ...prov, status: 'no_data', reason: missing.reason, message: missing.message };
}

/** The day of an ISO timestamp (AAAA-MM-JJ), or null. */
export const dayOf = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null);
