// The map's secrecy over a period (period-map.ts `mapStatuses`): property tests on random communes and EPCIs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapStatuses } from './period-map.ts';

const MIN = 11;
/** Communes of up to three EPCIs, each with house and flat counts; their sum is the both-types count. */
const communes = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat({ max: 40 }), fc.nat({ max: 40 })), { minLength: 1, maxLength: 12 })
  .map((xs) => {
    const rows = xs.map(([e, h, f], i) => ({ code: `c${i}`, epci: `e${e}`, byType: [h, f, h + f], epciTotal: [0, 0, 0] }));
    for (const r of rows) r.epciTotal = [0, 1, 2].map((k) => rows.filter((o) => o.epci === r.epci).reduce((s, o) => s + o.byType[k], 0));
    return rows;
  });

describe('mapStatuses', () => {
  it('withholds every figure under the threshold, and none can be recomputed from published ones', () => {
    fc.assert(
      fc.property(communes, (rows) => {
        const { communes: st, epcis } = mapStatuses(rows, MIN);
        /** `total = sum of parts` gives nothing back: no cell withheld, or several with the total, or parts adding up to no small figure. */
        const safe = (cells: { v: number; status: string }[]) => {
          const [total, ...parts] = cells;
          const hidden = cells.filter((c) => c.status !== 'published');
          if (hidden.length === 0) return true;
          if (hidden.length === 1) return false;
          if (total.status !== 'published') return true;
          const sum = parts.filter((p) => p.status !== 'published').reduce((s, p) => s + p.v, 0);
          return sum === 0 || sum >= MIN;
        };
        for (const r of rows) {
          const own = st.get(r.code)!;
          for (const k of [0, 1, 2]) if (r.byType[k] > 0 && r.byType[k] < MIN) expect(own[k]).not.toBe('published');
          expect(safe([2, 0, 1].map((k) => ({ v: r.byType[k], status: own[k] })))).toBe(true);
        }
        for (const [epci, total] of epcis) {
          const members = rows.filter((r) => r.epci === epci);
          for (const k of [0, 1, 2]) expect(safe([{ v: members[0].epciTotal[k], status: total[k] }, ...members.map((r) => ({ v: r.byType[k], status: st.get(r.code)![k] }))])).toBe(true);
        }
      }),
    );
  });

  it('withholds a commune whose flats would be its houses-and-flats figure minus its houses', () => {
    // 30 houses and 4 flats: the flats are withheld, so the houses-and-flats total is too (the total goes first).
    const st = mapStatuses([{ code: 'a', epci: 'e', byType: [30, 4, 34], epciTotal: [30, 4, 34] }], MIN);
    expect(st.communes.get('a')).toEqual(['published', 'primary', 'secondary']);
  });
});
