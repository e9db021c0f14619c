// A repeat-sales price index (Bailey, Muth and Nourse, 1963; the method behind Case-Shiller, here unweighted):
// the same dwelling sold twice gives the change of prices between its two quarters, whatever its quality. Pure.
//
// A dwelling is a parcel (`id_parcelle`) and its lot number, or, without a lot (a house), its built surface: two
// sales of the same parcel with the same lot or the same surface are taken as the same dwelling sold again. Each pair
// says log(p2 / p1) = b(q2) − b(q1) + noise; the quarterly log-levels b (the first quarter at 0) are the least-squares
// solution, the index is 100 × exp(b).

export interface RepeatSale {
  id_parcelle: string | null;
  lot: string | null;
  surface: number;
  /** `YYYY-MM-DD` */
  date: string;
  price: number;
}

export interface RepeatSalesIndex {
  /** Pairs found (a dwelling sold three times gives two: each sale with the next). */
  pairs: number;
  /** Null when there are too few pairs to say anything (`reason`). */
  quarters: { quarter: string; index: number; pairs: number }[] | null;
  reason: string | null;
}

/** Below this many pairs the index is not published: a few resales say little about a market. */
export const MIN_PAIRS = 30;

export const quarterOf = (date: string) => `${date.slice(0, 4)}-T${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;

/** Pairs of successive sales of the same dwelling in different quarters. */
export function repeatPairs(sales: readonly RepeatSale[]): { from: RepeatSale; to: RepeatSale }[] {
  const byDwelling = new Map<string, RepeatSale[]>();
  for (const s of sales) {
    if (!s.id_parcelle || !(s.price > 0)) continue;
    const key = `${s.id_parcelle}|${s.lot ? `lot ${s.lot}` : `surface ${s.surface}`}`;
    byDwelling.set(key, [...(byDwelling.get(key) ?? []), s]);
  }
  const pairs: { from: RepeatSale; to: RepeatSale }[] = [];
  for (const list of byDwelling.values()) {
    list.sort((a, b) => a.date.localeCompare(b.date));
    for (let i = 1; i < list.length; i++) if (quarterOf(list[i - 1].date) !== quarterOf(list[i].date)) pairs.push({ from: list[i - 1], to: list[i] });
  }
  return pairs;
}

/** The quarterly index of these sales, or why there is none. */
export function repeatSalesIndex(sales: readonly RepeatSale[], minPairs = MIN_PAIRS): RepeatSalesIndex {
  const pairs = repeatPairs(sales);
  if (pairs.length < minPairs)
    return { pairs: pairs.length, quarters: null, reason: `Trop peu de paires : ${pairs.length} logement${pairs.length > 1 ? 's' : ''} revendu${pairs.length > 1 ? 's' : ''} dans les données chargées, il en faut au moins ${minPairs}.` };
  const quarters = [...new Set(pairs.flatMap((p) => [quarterOf(p.from.date), quarterOf(p.to.date)]))].sort();
  const col = new Map(quarters.slice(1).map((q, i) => [q, i]));
  const k = quarters.length - 1;
  // Normal equations X'X b = X'y, X with +1 at the later quarter and −1 at the earlier (the first quarter is the base).
  const a = Array.from({ length: k }, () => Array.from({ length: k + 1 }, () => 0));
  for (const p of pairs) {
    const y = Math.log(p.to.price / p.from.price);
    const terms: [number, number][] = [];
    const i1 = col.get(quarterOf(p.from.date));
    const i2 = col.get(quarterOf(p.to.date));
    if (i1 !== undefined) terms.push([i1, -1]);
    if (i2 !== undefined) terms.push([i2, 1]);
    for (const [i, xi] of terms) {
      for (const [j, xj] of terms) a[i][j] += xi * xj;
      a[i][k] += xi * y;
    }
  }
  const b = solve(a);
  if (!b) return { pairs: pairs.length, quarters: null, reason: 'Trop peu de paires : des trimestres ne sont reliés à aucun autre par une revente.' };
  const count = (q: string) => pairs.filter((p) => quarterOf(p.from.date) === q || quarterOf(p.to.date) === q).length;
  return {
    pairs: pairs.length,
    quarters: quarters.map((q, i) => ({ quarter: q, index: Math.round(1000 * Math.exp(i === 0 ? 0 : b[i - 1])) / 10, pairs: count(q) })),
    reason: null,
  };
}

/** Gaussian elimination with partial pivoting on an augmented matrix; null when singular (unconnected quarters). */
function solve(m: number[][]): number[] | null {
  const n = m.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) < 1e-9) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}
