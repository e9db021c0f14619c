// Honest statistics for the portal's tables: the 95 % confidence interval of a median by order statistics, and the
// grouping of rows under the secrecy threshold. Pure.
import { medianConfidenceRanks } from './model.ts';

/** 95 % confidence interval of the median of `sorted` (ascending) by order statistics (model.ts medianConfidenceRanks). */
export function medianConfidenceInterval(sorted: readonly number[]): { low: number; high: number; coverage: number } {
  const n = sorted.length;
  if (!n) return { low: NaN, high: NaN, coverage: 0 };
  const { lower, upper, coverage } = medianConfidenceRanks(n);
  return { low: sorted[lower - 1], high: sorted[upper - 1], coverage };
}

/** Median by linear interpolation (DuckDB's `median`). */
export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (!n) return NaN;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * Rows whose figure is withheld for too few sales, gathered into one line (« 12 communes de moins de 11 ventes »)
 * instead of a line each: the table stays readable and says how many there are, never which counts they have.
 */
export function groupWithheld<R extends { withheld: boolean }>(rows: readonly R[], noun: [string, string], min: number): { shown: R[]; grouped: number; label: string | null } {
  const shown = rows.filter((r) => !r.withheld);
  const grouped = rows.length - shown.length;
  const label = grouped ? `${grouped} ${grouped > 1 ? noun[1] : noun[0]} de moins de ${min} ventes ou masquée${grouped > 1 ? 's' : ''} par le secret statistique` : null;
  return { shown, grouped, label };
}
