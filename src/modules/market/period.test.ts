// The portal's periods: defaults, clamping and labels that never claim more than the data hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMonths, choosePeriod, describeHeldWindow, describePeriod, monthCount } from './period.ts';

const year2018 = Array.from({ length: 12 }, (_, i) => `2018-${String(i + 1).padStart(2, '0')}`);

describe('periods', () => {
  it('defaults to the last twelve months of the data', () => {
    expect(choosePeriod(year2018, {})).toEqual({ from: '2018-01', to: '2018-12', default: true });
    expect(choosePeriod(['2019-01', '2020-06', '2021-03'], {})).toEqual({ from: '2020-04', to: '2021-03', default: true });
    expect(choosePeriod([], {})).toBeNull();
  });

  it('keeps a range asked for within the data, in order', () => {
    expect(choosePeriod(year2018, { from: '2018-03', to: '2018-05' })).toEqual({ from: '2018-03', to: '2018-05', default: false });
    expect(choosePeriod(year2018, { from: '2018-05', to: '2018-03' })).toMatchObject({ from: '2018-03', to: '2018-05' });
    expect(choosePeriod(year2018, { from: '2010-01', to: '2030-12' })).toMatchObject({ from: '2018-01', to: '2018-12' });
  });

  it('says the period in French and never more than the data hold', () => {
    expect(describePeriod({ from: '2018-01', to: '2018-12' })).toBe('2018');
    expect(describePeriod({ from: '2018-03', to: '2018-05' })).toBe('mars à mai 2018');
    expect(describePeriod({ from: '2017-03', to: '2018-02' })).toBe('mars 2017 à février 2018');
    expect(describePeriod({ from: '2014-01', to: '2018-12' }, year2018)).toBe('2018');
    expect(describeHeldWindow(2018, 'five_years', [2018])).toBe('2018 seulement (une seule année chargée sur les 5 demandées)');
    expect(describeHeldWindow(2018, 'five_years', [2014, 2015, 2016, 2017, 2018])).toBe('2014 à 2018 (5 ans cumulés)');
    expect(describeHeldWindow(2021, 'five_years', [2019, 2021])).toContain('2 années chargées');
  });

  it('counts months and moves by months consistently', () => {
    const month = fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(month, fc.integer({ min: 0, max: 200 }), (m, n) => {
        expect(monthCount({ from: m, to: addMonths(m, n) })).toBe(n + 1);
        expect(addMonths(addMonths(m, n), -n)).toBe(m);
      }),
    );
  });
});
