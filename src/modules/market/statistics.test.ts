// The confidence interval of a median (order statistics) and the grouping of withheld rows, by property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupWithheld, median, medianConfidenceInterval } from './statistics.ts';

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
