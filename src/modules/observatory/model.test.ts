import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { censusYear, classOf, closestProfiles, editionOf, type LevelCell, parseInseeCell, protectLevels, quantileClasses, ranks, versionKey } from './model.ts';

describe('INSEE comparateur cells', () => {
  it('reads decimal points and decimal commas alike, `s` as secret, empty as nothing', () => {
    expect(parseInseeCell('493.237221704036')).toEqual({ kind: 'nombre', value: 493.237221704036 });
    expect(parseInseeCell('55,0')).toEqual({ kind: 'nombre', value: 55 });
    expect(parseInseeCell('s')).toEqual({ kind: 'secret' });
    expect(parseInseeCell('')).toEqual({ kind: 'vide' });
    expect(parseInseeCell('1 234')).toBeNull();
    expect(parseInseeCell('1,234.5')).toBeNull();
    expect(parseInseeCell('S')).toBeNull();
  });

  it('any finite number written with a point or a comma reads back as itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.nat({ max: 999_999 }), fc.boolean(), (int, frac, comma) => {
        const text = `${int}${comma ? ',' : '.'}${frac}`;
        const cell = parseInseeCell(text);
        expect(cell).toEqual({ kind: 'nombre', value: Number(`${int}.${frac}`) });
      }),
    );
  });

  it('never throws, and accepts only numbers, `s` and blanks', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const cell = parseInseeCell(s);
        if (cell === null) expect(/^\s*-?\d+(?:[.,]\d+)?\s*$/.test(s) || s.trim() === 's' || s.trim() === '').toBe(false);
        else if (cell.kind === 'nombre') expect(Number.isFinite(cell.value)).toBe(true);
      }),
    );
  });
});

describe('INSEE comparateur edition', () => {
  it('takes the year of the file name, else the census year + 3', () => {
    expect(editionOf('comparateur_territoires_2025_lyon_toulouse.csv', ['CODGEO', 'P22_POP'])).toBe('2025');
    expect(editionOf('base_cc_comparateur.csv', ['CODGEO', 'P22_POP', 'P16_POP'])).toBe('2025');
    expect(editionOf('base_cc_comparateur.csv', ['CODGEO', 'MED21'])).toBeNull();
    expect(censusYear(['P21_POP', 'P15_POP'])).toBe(2021);
  });
});

describe('legend classes (quantiles)', () => {
  const values = fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 200 });
  it('every value falls in exactly one class, classes are ordered without overlap, counts add up', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 7 }), (xs, k) => {
        const classes = quantileClasses(xs, k);
        expect(classes.length).toBeLessThanOrEqual(k);
        expect(classes.length).toBeLessThanOrEqual(new Set(xs).size);
        expect(classes.reduce((a, c) => a + c.count, 0)).toBe(xs.length);
        classes.forEach((c, i) => {
          expect(c.index).toBe(i);
          expect(c.min).toBeLessThanOrEqual(c.max);
          if (i) expect(c.min).toBeGreaterThan(classes[i - 1].max);
        });
        for (const x of xs) {
          const i = classOf(x, classes)!;
          expect(x).toBeGreaterThanOrEqual(classes[i].min);
          expect(x).toBeLessThanOrEqual(classes[i].max);
          expect(classes.filter((c) => x >= c.min && x <= c.max)).toHaveLength(1);
        }
      }),
    );
  });

  it('distinct values split into classes of nearly equal size', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer(), { minLength: 10, maxLength: 200 }), fc.integer({ min: 2, max: 7 }), (xs, k) => {
        const counts = quantileClasses(xs, k).map((c) => c.count);
        expect(counts).toHaveLength(Math.min(k, xs.length));
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('ranks: 1 for the largest, ties share a rank, missing values get none', () => {
    expect(ranks([3, null, 5, 3])).toEqual([2, null, 1, 2]);
  });
});

describe('comparable communes (standardised distance)', () => {
  const value = fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null });
  const profiles = fc.uniqueArray(fc.record({ code: fc.stringMatching(/^[0-9]{5}$/), values: fc.tuple(value, value, value) }), { selector: (p) => p.code, maxLength: 60 });
  it('at most five, never the commune itself, closest first, and an identical commune comes at distance 0', () => {
    fc.assert(
      fc.property(profiles, fc.integer({ min: 0, max: 59 }), (ps, at) => {
        if (!ps.length) return;
        const target = ps[at % ps.length];
        const out = closestProfiles(target, ps);
        expect(out.length).toBeLessThanOrEqual(5);
        expect(out.map((c) => c.code)).not.toContain(target.code);
        for (let i = 1; i < out.length; i++) expect(out[i].distance).toBeGreaterThanOrEqual(out[i - 1].distance);
        for (const c of out) expect(c.distance).toBeGreaterThanOrEqual(0);
        const twin = { code: 'twin0', values: target.values };
        if (target.values.some((v) => v !== null)) {
          const withTwin = closestProfiles(target, [...ps, twin, { code: 'twin1', values: target.values.map((v) => (v === null ? null : v + 1)) }]);
          if (withTwin.length && withTwin[0].code === 'twin0') expect(withTwin[0].distance).toBe(0);
        }
      }),
    );
  });

  it('does not depend on the unit: scaling one dimension leaves the answer unchanged', () => {
    fc.assert(
      // Powers of two: the scaled arithmetic is exact, so ties stay ties.
      fc.property(profiles, fc.constantFrom(2, 4, 64, 1024), (ps, scale) => {
        if (!ps.length) return;
        const scaled = ps.map((p) => ({ code: p.code, values: [p.values[0] === null ? null : p.values[0] * scale, p.values[1], p.values[2]] }));
        const a = closestProfiles(ps[0], ps).map((c) => c.code);
        const b = closestProfiles(scaled[0], scaled).map((c) => c.code);
        expect(b).toEqual(a);
      }),
    );
  });
});

describe('secondary secrecy across levels (commune, EPCI, instance)', () => {
  const cell = (code: string, epci: string | null, value: number, cases: number): LevelCell => ({ code, epci, value, cases });

  it('a commune withheld for its own few cases takes the smallest other commune of its EPCI with it', () => {
    const s = protectLevels([cell('a', 'E', 3, 2), cell('b', 'E', 40, 15), cell('c', 'E', 25, 12), cell('d', 'E', 0, 0), cell('x', 'F', 50, 20)], 11);
    expect(s.communes.get('a')).toBe('primary');
    expect(s.communes.get('c')).toBe('secondary');
    expect(s.communes.get('b')).toBe('published');
    expect(s.communes.get('d')).toBe('published');
    expect(s.epcis.get('E')).toBe('published');
    expect(s.instance).toBe('published');
  });

  it('when no other commune can cover it (only zeros beside it), the EPCI total is withheld, and another EPCI with it', () => {
    const s = protectLevels([cell('a', 'E', 3, 2), cell('d', 'E', 0, 0), cell('x', 'F', 50, 20), cell('y', 'G', 30, 12)], 11);
    expect(s.communes.get('a')).toBe('primary');
    expect(s.epcis.get('E')).not.toBe('published');
    // Otherwise the instance total minus the other EPCIs would give E back.
    expect([s.epcis.get('F'), s.epcis.get('G'), s.instance].filter((x) => x !== 'published').length).toBeGreaterThanOrEqual(1);
  });

  // Random instances: up to 4 EPCIs and some communes outside any EPCI; a count of dwellings from a number of operations.
  const arbitraryCells = fc
    .array(
      fc.record({ epci: fc.constantFrom('E1', 'E2', 'E3', 'E4', null), cases: fc.nat({ max: 25 }), perCase: fc.integer({ min: 1, max: 30 }) }),
      { minLength: 1, maxLength: 25 },
    )
    .map((xs) => xs.map((x, i) => cell(`c${i}`, x.epci, x.cases * x.perCase, x.cases)));

  /** The relations a reader can use: each EPCI = its communes; the instance = its EPCIs and lone communes; the instance = all communes. */
  function relations(cells: LevelCell[], s: ReturnType<typeof protectLevels>) {
    type Item = { value: number; shown: boolean };
    const commune = (c: LevelCell): Item => ({ value: c.value, shown: s.communes.get(c.code) === 'published' });
    const sum = (cs: LevelCell[]) => cs.reduce((a, c) => a + c.value, 0);
    const epcis = [...new Set(cells.map((c) => c.epci).filter((e): e is string => e !== null))];
    const epciItem = (e: string): Item => ({ value: sum(cells.filter((c) => c.epci === e)), shown: s.epcis.get(e) === 'published' });
    const instance: Item = { value: sum(cells), shown: s.instance === 'published' };
    return [
      ...epcis.map((e) => ({ total: epciItem(e), parts: cells.filter((c) => c.epci === e).map(commune) })),
      { total: instance, parts: [...epcis.map(epciItem), ...cells.filter((c) => c.epci === null).map(commune)] },
      { total: instance, parts: cells.map(commune) },
    ];
  }

  it('no withheld figure equals a shown total minus the shown figures beside it, at any level', () => {
    fc.assert(
      fc.property(arbitraryCells, fc.integer({ min: 2, max: 11 }), (cells, min) => {
        const s = protectLevels(cells, min);
        for (const r of relations(cells, s)) {
          const withheld = [r.total, ...r.parts].filter((x) => !x.shown);
          // One withheld figure in a relation is always given back by the others.
          expect(withheld.length).not.toBe(1);
          if (!r.total.shown) continue;
          const residual = r.total.value - r.parts.filter((p) => p.shown).reduce((a, p) => a + p.value, 0);
          for (const p of r.parts.filter((x) => !x.shown)) expect(p.value).not.toBe(residual);
        }
      }),
    );
  });

  it('shows nothing that primary secrecy withholds: fewer cases than the threshold (but some), at any level', () => {
    fc.assert(
      fc.property(arbitraryCells, fc.integer({ min: 2, max: 11 }), (cells, min) => {
        const s = protectLevels(cells, min);
        const few = (n: number) => n > 0 && n < min;
        for (const c of cells) if (few(c.cases)) expect(s.communes.get(c.code)).toBe('primary');
        for (const [e, st] of s.epcis) if (few(cells.filter((c) => c.epci === e).reduce((a, c) => a + c.cases, 0))) expect(st).toBe('primary');
        if (few(cells.reduce((a, c) => a + c.cases, 0))) expect(s.instance).toBe('primary');
        // And a zero (no case) is never withheld: it hides nobody and covers nobody.
        for (const c of cells) if (c.cases === 0) expect(s.communes.get(c.code)).toBe('published');
      }),
    );
  });
});

describe('versionKey', () => {
  const v = { territory: '1', insee: '2', dvf: 'a', construction: '7', rpls: 'r', dpe: '0', plh: '3', demand: '4', day: '2026-12-02', config: 'c' } as const;
  it('changes with a source read, not with another one', () => {
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(v) as (keyof typeof v)[])), fc.string(), (changed, to) => {
        const after = { ...v, [changed]: to };
        const reads = ['insee', 'territory'] as const;
        const same = versionKey(v, reads) === versionKey(after, reads);
        expect(same).toBe(!(reads as readonly string[]).includes(changed) || to === v[changed]);
      }),
    );
  });
  it('does not depend on the order the sources are named in', () => {
    expect(versionKey(v, ['dvf', 'insee'])).toBe(versionKey(v, ['insee', 'dvf', 'insee']));
  });
});
