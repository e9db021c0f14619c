// The confidence interval of a median (order statistics) and the grouping of withheld rows, by property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convexHull, groupWithheld, median, medianConfidenceInterval, type Point } from './statistics.ts';

const samples = fc.array(fc.double({ min: 100, max: 20_000, noNaN: true }), { minLength: 1, maxLength: 400 }).map((xs) => xs.sort((a, b) => a - b));

describe('confidence interval of a median', () => {
  it('contains the median and lies within the sample', () => {
    fc.assert(
      fc.property(samples, (xs) => {
        const ci = medianConfidenceInterval(xs);
        const m = median(xs);
        expect(ci.low).toBeLessThanOrEqual(m);
        expect(ci.high).toBeGreaterThanOrEqual(m);
        expect(ci.low).toBeGreaterThanOrEqual(xs[0]);
        expect(ci.high).toBeLessThanOrEqual(xs.at(-1)!);
      }),
    );
  });

  it('of a constant sample is that constant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.double({ min: 1, max: 50_000, noNaN: true }), (n, v) => {
        expect(medianConfidenceInterval(Array(n).fill(v))).toMatchObject({ low: v, high: v });
      }),
    );
  });

  it('covers at least 95 % from 6 values on, and narrows as the sample grows', () => {
    for (const n of [6, 11, 30, 100, 999, 1001, 5000]) expect(medianConfidenceInterval(Array.from({ length: n }, (_, i) => i)).coverage).toBeGreaterThanOrEqual(0.95 - 1e-9);
    // Textbook ranks: n = 11 → x(2) … x(10) (coverage 98.8 %); n = 100 → x(40) … x(61).
    const eleven = Array.from({ length: 11 }, (_, i) => i + 1);
    expect(medianConfidenceInterval(eleven)).toMatchObject({ low: 2, high: 10 });
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(medianConfidenceInterval(hundred)).toMatchObject({ low: 40, high: 61 });
  });

  it('groups the withheld rows into one line that names no count', () => {
    const rows = [{ withheld: false }, { withheld: true }, { withheld: true }];
    expect(groupWithheld(rows, ['commune', 'communes'], 11)).toMatchObject({ shown: [rows[0]], grouped: 2 });
    expect(groupWithheld(rows, ['commune', 'communes'], 11).label).toMatch(/^2 communes de moins de 11 ventes/);
  });
});

describe('convex hull of a section’s sales', () => {
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const distinct = (ps: Point[]) => new Set(ps.map((p) => `${p[0]},${p[1]}`)).size;
  // Integer grid points (exact arithmetic), and positions as the map gets them: degrees rounded to 0.001.
  const grid = fc.array(fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 })), { maxLength: 60 });
  const degrees = fc.array(fc.tuple(fc.integer({ min: 4800, max: 4900 }), fc.integer({ min: 45700, max: 45800 })).map(([x, y]) => [x / 1000, y / 1000] as Point), { maxLength: 60 });

  it('holds every point inside or on it, turns left at every vertex, and takes its vertices from the points', () => {
    for (const [points, eps] of [
      [grid, 0],
      [degrees, 1e-12],
    ] as const)
      fc.assert(
        fc.property(points, (ps) => {
          const hull = convexHull(ps);
          if (!hull) return;
          expect(hull.length).toBeGreaterThanOrEqual(3);
          for (const v of hull) expect(ps.some((p) => p[0] === v[0] && p[1] === v[1])).toBe(true);
          for (let i = 0; i < hull.length; i++) {
            const [a, b, c] = [hull[i], hull[(i + 1) % hull.length], hull[(i + 2) % hull.length]];
            expect(cross(a, b, c)).toBeGreaterThan(0);
            for (const p of ps) expect(cross(a, b, p)).toBeGreaterThanOrEqual(-eps);
          }
        }),
      );
  });

  it('has no area for two distinct points or fewer, nor for points on one line: the section is a point only', () => {
    fc.assert(
      fc.property(grid, (ps) => {
        if (distinct(ps) <= 2) expect(convexHull(ps)).toBeNull();
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 30 }), fc.integer({ min: -3, max: 3 }), (xs, slope) => {
        expect(convexHull(xs.map((x) => [x, slope * x + 7] as Point))).toBeNull();
      }),
    );
    expect(convexHull([[0, 0], [2, 0], [1, 1], [1, 0.5], [0, 0]])).toEqual([[0, 0], [2, 0], [1, 1]]);
  });
});
