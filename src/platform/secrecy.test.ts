// The secrecy rule attacked as a reader would: with the published cells and totals only, try to work out a withheld
// cell. Two attacks that do not share code with the rule: solving every relation that has a single unknown, again
// and again (1-D and 2-D), and, for two-way tables, the exact linear-algebra criterion written as a graph property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPrimary, protect, protectMargins, protectTotal, type Relation, type Status } from './secrecy.ts';

/** Values a reader can derive by solving relations with one unknown, repeatedly. Returns the indices found out. */
function singleUnknownAttack(values: number[], relations: Relation[], status: Status[]): number[] {
  const known = new Set(values.map((_, i) => i).filter((i) => status[i] === 'published'));
  const found: number[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    for (const r of relations) {
      const unknown = [r.total, ...r.parts].filter((i) => !known.has(i));
      if (unknown.length !== 1) continue;
      known.add(unknown[0]);
      found.push(unknown[0]);
      progress = true;
    }
  }
  return found;
}

/** The sum of the withheld parts of each relation whose total is published (total minus the published parts). */
function withheldSums(values: number[], relations: Relation[], status: Status[]): number[] {
  return relations.filter((r) => status[r.total] === 'published').map((r) => r.parts.filter((i) => status[i] !== 'published').reduce((s, i) => s + values[i], 0));
}

const counts = fc.oneof(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 90 }));
const threshold = fc.integer({ min: 2, max: 15 });

describe('one-way table with its total', () => {
  it('no withheld cell can be worked out, no small withheld sum is published, every small count is withheld (property)', () => {
    fc.assert(
      fc.property(fc.array(counts, { minLength: 1, maxLength: 9 }), threshold, fc.constantFrom('parts' as const, 'total' as const), (parts, min, prefer) => {
        const values = [...parts, parts.reduce((s, v) => s + v, 0)];
        const relations = [{ total: parts.length, parts: parts.map((_, i) => i), prefer }];
        const status = protect(values, relations, { min });
        expect(singleUnknownAttack(values, relations, status)).toEqual([]);
        for (const s of withheldSums(values, relations, status)) expect(s === 0 || s >= min).toBe(true);
        values.forEach((v, i) => {
          if (isPrimary(v, min)) expect(status[i]).toBe('primary');
          if (status[i] === 'primary') expect(isPrimary(v, min)).toBe(true);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('withholds nothing more when nothing is secret, and the next smallest cell when one is', () => {
    expect(protectTotal([45, 38, 32, 27, 30], { min: 11 })).toEqual({ parts: ['published', 'published', 'published', 'published', 'published'], total: 'published' });
    // Demand by typology, Toulouse: 45 + 38 + 32 + 27 + 9 + 0 = 151. T5 alone withheld was 151 − 142 away.
    expect(protectTotal([45, 38, 32, 27, 9, 0], { min: 11 })).toEqual({
      parts: ['published', 'published', 'published', 'secondary', 'primary', 'published'],
      total: 'published',
    });
    // Two small cells together still small (3 + 4 = 7): a third one joins them.
    expect(protectTotal([50, 40, 3, 4], { min: 11 }).parts).toEqual(['published', 'secondary', 'primary', 'primary']);
    // A total below the threshold is itself withheld, and so are all its non-zero parts.
    expect(protectTotal([4, 3, 0], { min: 11 })).toEqual({ parts: ['primary', 'primary', 'published'], total: 'primary' });
  });

  it('withholds the total instead of the other part when the relation prefers it', () => {
    // A month of a city: 3 houses, 177 flats, 180 in all. Classic: the flats go; preferring the total: it goes.
    expect(protect([180, 3, 177], [{ total: 0, parts: [1, 2] }], { min: 11 })).toEqual(['published', 'primary', 'secondary']);
    expect(protect([180, 3, 177], [{ total: 0, parts: [1, 2], prefer: 'total' }], { min: 11 })).toEqual(['secondary', 'primary', 'published']);
  });

  it('never picks a cell whose fate is decided elsewhere: the total is withheld instead', () => {
    // Five yearly figures fixed by their own tables, and a five-year total decided here.
    const years: Status[] = ['published', 'published', 'primary', 'published', 'published'];
    const status = protect([40, 35, 6, 50, 44, 175], [{ total: 5, parts: [0, 1, 2, 3, 4] }], { min: 11, known: [...years, undefined] });
    expect(status).toEqual([...years, 'secondary']);
  });
});

/** Exact criterion for a two-way table with margins: a withheld cell is determined iff it is a bridge of the graph. */
function determinedByLinearAlgebra(m: number, n: number, withheld: (i: number, j: number) => boolean): [number, number][] {
  // Rows 0…m−1 and the margin row m; columns 0…n−1 and the margin column n. With margins counted negatively every
  // line of the (m+1)×(n+1) array sums to zero, so the unknowns can move only along cycles of withheld cells.
  const edges: [number, number][] = [];
  for (let i = 0; i <= m; i++) for (let j = 0; j <= n; j++) if (withheld(i, j)) edges.push([i, j]);
  const connected = (skip: number, from: number, to: number) => {
    // Nodes: rows as 0…m, columns as m+1…m+n+1.
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      const u = stack.pop()!;
      if (u === to) return true;
      edges.forEach(([i, j], e) => {
        if (e === skip) return;
        const a = i;
        const b = m + 1 + j;
        const v = u === a ? b : u === b ? a : -1;
        if (v >= 0 && !seen.has(v)) {
          seen.add(v);
          stack.push(v);
        }
      });
    }
    return false;
  };
  return edges.filter(([i, j], e) => !connected(e, i, m + 1 + j));
}

describe('two-way table with row, column and grand totals', () => {
  const tables = fc
    .record({ m: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 5 }) })
    .chain(({ m, n }) => fc.array(fc.array(counts, { minLength: n, maxLength: n }), { minLength: m, maxLength: m }));

  it('no withheld cell or margin can be worked out, by single unknowns or by linear algebra (property)', () => {
    fc.assert(
      fc.property(tables, threshold, (table, min) => {
        const m = table.length;
        const n = table[0].length;
        const p = protectMargins(table, { min });
        const st = (i: number, j: number): Status => (i < m && j < n ? p.cells[i][j] : i < m ? p.rows[i] : j < n ? p.columns[j] : p.total);
        const val = (i: number, j: number): number =>
          i < m && j < n ? table[i][j] : i < m ? table[i].reduce((s, v) => s + v, 0) : j < n ? table.reduce((s, r) => s + r[j], 0) : table.flat().reduce((s, v) => s + v, 0);
        const idx = (i: number, j: number) => i * (n + 1) + j;
        const values: number[] = [];
        const status: Status[] = [];
        for (let i = 0; i <= m; i++)
          for (let j = 0; j <= n; j++) {
            values.push(val(i, j));
            status.push(st(i, j));
          }
        const relations: Relation[] = [
          ...Array.from({ length: m + 1 }, (_, i) => ({ total: idx(i, n), parts: Array.from({ length: n }, (_, j) => idx(i, j)) })),
          ...Array.from({ length: n + 1 }, (_, j) => ({ total: idx(m, j), parts: Array.from({ length: m }, (_, i) => idx(i, j)) })),
        ];
        expect(singleUnknownAttack(values, relations, status)).toEqual([]);
        expect(determinedByLinearAlgebra(m, n, (i, j) => st(i, j) !== 'published')).toEqual([]);
        for (const s of withheldSums(values, relations, status)) expect(s === 0 || s >= min).toBe(true);
        for (let i = 0; i <= m; i++) for (let j = 0; j <= n; j++) if (isPrimary(val(i, j), min)) expect(st(i, j)).toBe('primary');
      }),
      { numRuns: 1500 },
    );
  });

  it('closes a bridge between two groups of withheld cells, which the line rules alone leave open', () => {
    // Two 2×2 blocks of small cells joined by one small cell (row 0, column 2). Every line has two withheld cells or
    // more and their sums reach the threshold, yet x02 = column 2 − (row 2 + row 3 − column 3) − … : it is a bridge.
    const table = [
      [6, 6, 6, 50],
      [6, 6, 50, 50],
      [50, 50, 6, 6],
      [50, 50, 6, 6],
    ];
    const primary = (i: number, j: number) => table[i][j] < 11;
    expect(determinedByLinearAlgebra(4, 4, (i, j) => i < 4 && j < 4 && primary(i, j))).toEqual([[0, 2]]);
    const p = protectMargins(table, { min: 11 });
    expect(determinedByLinearAlgebra(4, 4, (i, j) => (i < 4 && j < 4 ? p.cells[i][j] : i < 4 ? p.rows[i] : j < 4 ? p.columns[j] : p.total) !== 'published')).toEqual([]);
    expect(p.cells.flat().filter((s) => s === 'secondary').length).toBeGreaterThan(0);
  });
});
