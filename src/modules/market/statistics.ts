// Honest statistics for the portal's tables: the 95 % confidence interval of a median by order statistics, and the
// grouping of rows under the secrecy threshold. Pure.

/**
 * 95 % confidence interval of the median of `sorted` (ascending) by order statistics, without any assumption on the
 * distribution: the number of values below the true median follows Binomial(n, ½), so [x(j), x(n+1−j)] covers it
 * with probability 1 − 2·P(B < j). `j` is the largest rank keeping that probability at least 95 % (exact binomial up to
 * 1 000 values, normal approximation beyond). Below 6 values no pair of ranks reaches 95 %: the interval is then the
 * whole range [min, max] and `coverage` says how much less it covers.
 */
export function medianConfidenceInterval(sorted: readonly number[], level = 0.95): { low: number; high: number; coverage: number } {
  const n = sorted.length;
  if (!n) return { low: NaN, high: NaN, coverage: 0 };
  const alpha = (1 - level) / 2;
  let j: number;
  let tail: number;
  if (n <= 1000) {
    // cdf[k] = P(B <= k), built from the pmf by the ratio pmf(k+1)/pmf(k) = (n−k)/(k+1), starting in log space.
    let pmf = Math.exp(n * Math.log(0.5));
    let below = 0; // P(B < j) for the current j
    j = 0;
    tail = 0;
    for (let k = 0; k < n; k++) {
      // Can j become k + 1? Needs P(B <= k) <= alpha.
      if (below + pmf > alpha) break;
      below += pmf;
      j = k + 1;
      tail = below;
      pmf = (pmf * (n - k)) / (k + 1);
    }
  } else {
    j = Math.floor(n / 2 - (1.959964 * Math.sqrt(n)) / 2);
    tail = alpha;
  }
  if (j < 1) return { low: sorted[0], high: sorted[n - 1], coverage: 1 - 2 * 0.5 ** n };
  return { low: sorted[j - 1], high: sorted[n - j], coverage: 1 - 2 * tail };
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
