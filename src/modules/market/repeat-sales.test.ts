// The repeat-sales index, by property: constant prices give a flat index, a uniform rise is recovered, and too few
// pairs are said as such.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_PAIRS, quarterOf, repeatPairs, repeatSalesIndex, type RepeatSale } from './repeat-sales.ts';

const date = fc.tuple(fc.integer({ min: 2014, max: 2018 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(
  ([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
);
/** Dwellings each sold at several dates, at a price given by `priceAt(quarter)` times the dwelling's own level. */
const dwellings = (priceAt: (date: string) => number) =>
  fc.array(fc.tuple(fc.integer({ min: 50_000, max: 900_000 }), fc.array(date, { minLength: 2, maxLength: 4 })), { minLength: 40, maxLength: 120 }).map((ds) =>
    ds.flatMap(([level, dates], i): RepeatSale[] => dates.map((d) => ({ id_parcelle: `69123000AB${String(i).padStart(4, '0')}`, lot: String(i % 3 || ''), surface: 70, date: d, price: level * priceAt(d) }))),
  );

describe('repeat-sales index', () => {
  it('is flat when prices do not change', () => {
    fc.assert(
      fc.property(dwellings(() => 1), (sales) => {
        const idx = repeatSalesIndex(sales, 1);
        if (!idx.quarters) return; // unconnected quarters: nothing published, nothing to check
        for (const q of idx.quarters) expect(q.index).toBeCloseTo(100, 6);
      }),
      { numRuns: 50 },
    );
  });

  it('recovers a rise of 2 % a quarter exactly', () => {
    const level = (d: string) => 1.02 ** ((Number(d.slice(0, 4)) - 2014) * 4 + Math.floor((Number(d.slice(5, 7)) - 1) / 3));
    fc.assert(
      fc.property(dwellings(level), (sales) => {
        const idx = repeatSalesIndex(sales, 1);
        if (!idx.quarters) return;
        const base = level(`${idx.quarters[0].quarter.slice(0, 4)}-${String((Number(idx.quarters[0].quarter.slice(6)) - 1) * 3 + 1).padStart(2, '0')}-01`);
        for (const q of idx.quarters) {
          const d = `${q.quarter.slice(0, 4)}-${String((Number(q.quarter.slice(6)) - 1) * 3 + 1).padStart(2, '0')}-01`;
          expect(q.index).toBeCloseTo((100 * level(d)) / base, 0);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('pairs the same parcel and lot, or the same parcel and surface, and says when there are too few pairs', () => {
    const s = (id: string, lot: string | null, surface: number, d: string, price: number): RepeatSale => ({ id_parcelle: id, lot, surface, date: d, price });
    const sales = [
      s('P1', '12', 40, '2018-01-10', 100_000),
      s('P1', '12', 41, '2018-07-01', 110_000), // same lot: a pair
      s('P1', '13', 40, '2018-09-01', 90_000), // another lot: alone
      s('P2', null, 120, '2018-02-01', 300_000),
      s('P2', null, 120, '2018-03-01', 310_000), // same quarter: not a pair
      s('P2', null, 120, '2018-11-01', 320_000), // a pair with the March sale
    ];
    expect(repeatPairs(sales).map((p) => [p.from.date, p.to.date])).toEqual([
      ['2018-01-10', '2018-07-01'],
      ['2018-03-01', '2018-11-01'],
    ]);
    const idx = repeatSalesIndex(sales);
    expect(idx).toMatchObject({ pairs: 2, quarters: null });
    expect(idx.reason).toContain(`il en faut au moins ${MIN_PAIRS}`);
    expect(quarterOf('2018-11-30')).toBe('2018-T4');
  });
});
