// The 95 % confidence interval of a median by order statistics (model.ts): properties any reader can check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { medianConfidenceRanks } from './model.ts';
import { medianConfidenceInterval } from './statistics.ts';
import { quantile } from './portal-model.ts';

const sample = fc.array(fc.double({ min: 1, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 400 }).map((xs) => [...xs].sort((a, b) => a - b));

describe('intervalle de confiance de la médiane (statistiques d’ordre)', () => {
  it('contient la médiane', () => {
    fc.assert(
      fc.property(sample, (xs) => {
        const ci = medianConfidenceInterval(xs);
        const median = quantile(xs, 0.5);
        expect(ci.low).toBeLessThanOrEqual(median);
        expect(ci.high).toBeGreaterThanOrEqual(median);
      }),
    );
  });

  it('les rangs restent dans l’échantillon et encadrent son milieu', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (n) => {
        const { lower, upper } = medianConfidenceRanks(n);
        expect(lower).toBeGreaterThanOrEqual(1);
        expect(upper).toBeLessThanOrEqual(n);
        expect(lower).toBeLessThanOrEqual(Math.ceil(n / 2));
        expect(upper).toBeGreaterThanOrEqual(Math.floor(n / 2) + 1 > n ? n : Math.floor(n / 2) + 1);
      }),
    );
  });

  it('s’élargit quand le nombre de ventes diminue (part de l’échantillon entre les bornes)', () => {
    const share = (n: number) => {
      const { lower, upper } = medianConfidenceRanks(n);
      return (upper - lower + 1) / n;
    };
    // Compared a factor 4 apart: the floor/ceil steps of neighbouring sizes do not decide it.
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
      expect(share(n)).toBeGreaterThanOrEqual(share(4 * n));
    }));;
  });

  it('d’un échantillon constant est cette constante ; d’un échantillon vide, rien', () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 1e5, noNaN: true }), fc.integer({ min: 1, max: 200 }), (x, n) => {
        expect(medianConfidenceInterval(Array(n).fill(x))).toMatchObject({ low: x, high: x });
      }),
    );
    expect(medianConfidenceInterval([]).coverage).toBe(0);
  });

  it('rangs connus : 100 ventes → 40e et 61e', () => {
    expect(medianConfidenceRanks(100)).toMatchObject({ lower: 40, upper: 61 });
  });
});
