// Statistical secrecy for every published table of the platform, in one pure function (no I/O).
//
// Primary secrecy: a figure computed from a non-zero number of cases below the threshold is withheld (a zero is
// published: it describes nobody). Secondary (complementary) secrecy: when a table also publishes totals or margins,
// a withheld cell must not be recoverable from them. A reader who knows a total and all but one of its parts knows
// the last part; a reader who knows a total and all of its published parts knows the sum of the withheld ones, which
// is itself a figure from few cases when it is small. So, for every relation `total = sum of parts` the table obeys,
// repeated until nothing changes:
//   - a relation with exactly one withheld cell gets a second one: the smallest published part (the classic rule),
//     or the total when no part can be withheld (or when the relation says its total goes first);
//   - a relation whose total is published must leave its withheld parts summing to 0 or at least the threshold;
//     the smallest published parts are withheld with them until so;
// and then, because those two rules alone do not cover every pattern of a table with both row and column margins
// (a withheld cell can be the only link between two groups of withheld cells, and sums of equations then give it),
// the relations are solved as a linear system: as long as some withheld cell is determined by the published
// figures, one more cell next to it is withheld.
//
// What the reader may still learn is bounds (a withheld cell of a line with a published total is at most that
// total); what they cannot learn is the exact value of any withheld cell, nor a small sum of withheld cells of a
// line. docs/security.md « Secret statistique » lists where the rule applies; secrecy.test.ts checks it by attack.

/** What becomes of a figure: published, withheld for its own small count, or withheld to protect another one. */
export type Status = 'published' | 'primary' | 'secondary';

/** A relation the published table obeys: the cell `total` equals the sum of the cells `parts` (indices). */
export interface Relation {
  total: number;
  parts: readonly number[];
  /**
   * Which cell to withhold first when this relation needs a second one: the smallest published part (the classic
   * rule, the default), or its total, when the parts are the figures readers look for and the total adds nothing to
   * them but the withheld part.
   */
  prefer?: 'parts' | 'total';
}

export interface ProtectOptions {
  /** The threshold: a count of cases in 1 … min−1 is withheld. */
  min: number;
  /**
   * Cells whose fate was decided elsewhere (another answer publishes or withholds them): they keep that status and
   * are never picked for secondary secrecy here. Undefined entries are decided here.
   */
  known?: readonly (Status | undefined)[];
  /** The count of cases behind each cell when it is not the cell's value (default: the value itself). */
  cases?: readonly number[];
}

/** Primary secrecy on one count: 1 … min−1 cases is too few to publish; zero is published. */
export function isPrimary(cases: number, min: number): boolean {
  return cases > 0 && cases < min;
}

/** Above this many coefficients the linear-algebra pass is skipped (the two line rules still apply). */
const MAX_SYSTEM = 4_000_000;
const EPS = 1e-9;

/**
 * Primary and secondary secrecy of the cells `values` (counts of cases) bound by `relations`. Returns each cell's
 * status. Deterministic: the same table always gives the same pattern, so two answers built from the same cells
 * withhold the same ones.
 */
export function protect(values: readonly number[], relations: readonly Relation[], opts: ProtectOptions): Status[] {
  const { min } = opts;
  const cases = opts.cases ?? values;
  const status: Status[] = values.map((_, i) => opts.known?.[i] ?? (isPrimary(cases[i], min) ? 'primary' : 'published'));
  const free = (i: number) => opts.known?.[i] === undefined;
  const hidden = (i: number) => status[i] !== 'published';
  // Smallest published non-zero count first (the least information lost), then zeros, by index for determinism.
  const byCost = (a: number, b: number) => Number(values[a] === 0) - Number(values[b] === 0) || values[a] - values[b] || a - b;

  const exposed = (r: Relation): boolean => {
    const withheld = [r.total, ...r.parts].filter(hidden);
    if (withheld.length === 0) return false;
    if (withheld.length === 1) return true;
    if (hidden(r.total)) return false;
    const sum = r.parts.filter(hidden).reduce((s, i) => s + values[i], 0);
    return sum > 0 && sum < min;
  };
  const candidates = (r: Relation): number[] => {
    const parts = r.parts.filter((i) => free(i) && !hidden(i)).sort(byCost);
    const total = free(r.total) && !hidden(r.total) ? [r.total] : [];
    return r.prefer === 'total' ? [...total, ...parts] : parts.length ? parts : total;
  };

  for (;;) {
    let changed = false;
    for (const r of relations) {
      while (exposed(r)) {
        const [pick] = candidates(r);
        if (pick === undefined) break; // nothing left that may be withheld here: see `known`
        status[pick] = 'secondary';
        changed = true;
      }
    }
    if (changed) continue;
    const determined = recoverable(values, relations, status);
    if (!determined.length) break;
    const target = determined[0];
    const near = [
      ...new Set(relations.filter((r) => r.total === target || r.parts.includes(target)).flatMap((r) => candidates(r))),
    ].sort(byCost);
    if (!near.length) break;
    // The first neighbour that frees the target; failing that the cheapest one (the next round goes on from there).
    let chosen = near[0];
    for (const c of near) {
      status[c] = 'secondary';
      const still = recoverable(values, relations, status).includes(target);
      status[c] = 'published';
      if (!still) {
        chosen = c;
        break;
      }
    }
    status[chosen] = 'secondary';
  }
  return status;
}

/**
 * The withheld cells whose value the published cells and the relations determine exactly: `e_k` is in the row space
 * of the relations restricted to the withheld cells. Gaussian elimination (the coefficients are 0 and ±1).
 */
export function recoverable(values: readonly number[], relations: readonly Relation[], status: readonly Status[]): number[] {
  const unknowns = [...new Set(relations.flatMap((r) => [r.total, ...r.parts]).filter((i) => status[i] !== 'published'))].sort((a, b) => a - b);
  if (!unknowns.length) return [];
  const col = new Map(unknowns.map((u, j) => [u, j]));
  const rows: Float64Array[] = [];
  for (const r of relations) {
    const row = new Float64Array(unknowns.length);
    let any = false;
    for (const p of r.parts)
      if (col.has(p)) {
        row[col.get(p)!] += 1;
        any = true;
      }
    if (col.has(r.total)) {
      row[col.get(r.total)!] -= 1;
      any = true;
    }
    if (any) rows.push(row);
  }
  if (rows.length * unknowns.length * Math.min(rows.length, unknowns.length) > MAX_SYSTEM) return [];
  const k = unknowns.length;
  const pivots: number[] = [];
  let top = 0;
  for (let c = 0; c < k && top < rows.length; c++) {
    let p = -1;
    let best = EPS;
    for (let i = top; i < rows.length; i++)
      if (Math.abs(rows[i][c]) > best) {
        best = Math.abs(rows[i][c]);
        p = i;
      }
    if (p < 0) continue;
    [rows[top], rows[p]] = [rows[p], rows[top]];
    const pr = rows[top];
    const d = pr[c];
    for (let j = c; j < k; j++) pr[j] /= d;
    for (let i = 0; i < rows.length; i++) {
      if (i === top) continue;
      const f = rows[i][c];
      if (Math.abs(f) <= EPS) continue;
      const ri = rows[i];
      for (let j = c; j < k; j++) ri[j] -= f * pr[j];
    }
    pivots.push(c);
    top++;
  }
  const isPivot = new Set(pivots);
  const out: number[] = [];
  pivots.forEach((c, t) => {
    let alone = true;
    for (let j = 0; j < k && alone; j++) if (!isPivot.has(j) && Math.abs(rows[t][j]) > EPS) alone = false;
    if (alone) out.push(unknowns[c]);
  });
  return out.sort((a, b) => a - b);
}

/** A one-way table with its total: the parts, then the total. The total defaults to the sum of the parts. */
export function protectTotal(parts: readonly number[], opts: ProtectOptions & { total?: number }): { parts: Status[]; total: Status } {
  const total = opts.total ?? parts.reduce((s, v) => s + v, 0);
  const values = [...parts, total];
  const status = protect(values, [{ total: parts.length, parts: parts.map((_, i) => i) }], opts);
  return { parts: status.slice(0, parts.length), total: status[parts.length] };
}

/** A two-way table with its row totals, column totals and grand total (all published unless secret). */
export function protectMargins(
  table: readonly (readonly number[])[],
  opts: ProtectOptions,
): { cells: Status[][]; rows: Status[]; columns: Status[]; total: Status } {
  const m = table.length;
  const n = m ? table[0].length : 0;
  // Layout: inner cells row by row, then the m row totals, the n column totals, the grand total.
  const at = (i: number, j: number) => i * n + j;
  const rowTotal = (i: number) => m * n + i;
  const colTotal = (j: number) => m * n + m + j;
  const grand = m * n + m + n;
  const values: number[] = [];
  for (const row of table) values.push(...row);
  for (const row of table) values.push(row.reduce((s, v) => s + v, 0));
  for (let j = 0; j < n; j++) values.push(table.reduce((s, row) => s + row[j], 0));
  values.push(values.slice(m * n, m * n + m).reduce((s, v) => s + v, 0));
  const relations: Relation[] = [
    ...table.map((_, i) => ({ total: rowTotal(i), parts: Array.from({ length: n }, (_, j) => at(i, j)) })),
    ...Array.from({ length: n }, (_, j) => ({ total: colTotal(j), parts: Array.from({ length: m }, (_, i) => at(i, j)) })),
    { total: grand, parts: Array.from({ length: m }, (_, i) => rowTotal(i)) },
    { total: grand, parts: Array.from({ length: n }, (_, j) => colTotal(j)) },
  ];
  const s = protect(values, relations, opts);
  return {
    cells: table.map((_, i) => Array.from({ length: n }, (_, j) => s[at(i, j)])),
    rows: table.map((_, i) => s[rowTotal(i)]),
    columns: Array.from({ length: n }, (_, j) => s[colTotal(j)]),
    total: s[grand],
  };
}

/** The reader's words for a secondary withholding; each module adds its own unit. */
export const SECONDARY_REASON =
  'Secret statistique secondaire : ce chiffre est masqué pour qu’un chiffre secret ne puisse pas être retrouvé par différence avec un total publié.';
