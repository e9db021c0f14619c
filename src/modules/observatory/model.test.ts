import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { censusYear, editionOf, parseInseeCell } from './model.ts';

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
