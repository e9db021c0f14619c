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

export type Point = [number, number];

/** Twice the signed area of the triangle o, a, b: positive when o → a → b turns left (counter-clockwise). */
const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/**
 * The convex hull of points (Andrew's monotone chain), counter-clockwise, without repeated or collinear vertices:
 * the outline of a cadastral section's sales on the map — the area where its sales are, not its cadastral outline.
 * Null when the points span no area (fewer than three distinct points, or all on one line): the map then shows the
 * section as a point only.
 */
export function convexHull(points: readonly Point[]): Point[] | null {
  const sorted = [...new Map(points.map((p) => [`${p[0]},${p[1]}`, p])).values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return null;
  const chain = (ps: Point[]) => {
    const out: Point[] = [];
    for (const p of ps) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
      out.push(p);
    }
    return out.slice(0, -1);
  };
  const hull = [...chain(sorted), ...chain([...sorted].reverse())];
  return hull.length >= 3 ? hull : null;
}
