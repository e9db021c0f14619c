import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { communeCode } from './contract.ts';
import { bboxOf, COMMUNE_CODE, communeRows, type CogCommune } from './model.ts';

const codeArb = fc.oneof(
  fc.stringMatching(/^[0-9]{5}$/),
  fc.stringMatching(/^2[AB][0-9]{3}$/),
);
// Near misses: strings of 3 to 7 characters over digits and the letters a commune code could wrongly carry.
const nearMissArb = fc.string({ unit: fc.constantFrom(...'0123456789ABCabz '.split('')), minLength: 3, maxLength: 7 });
/** The rule written another way, character by character: 5 characters; 2 digits, or Corsica's 2A/2B; 3 digits. */
const isInseeCode = (s: string) =>
  s.length === 5 &&
  s.slice(2).split('').every((ch) => ch >= '0' && ch <= '9') &&
  (/^[0-9][0-9]$/.test(s.slice(0, 2)) || s.slice(0, 2) === '2A' || s.slice(0, 2) === '2B');

describe('territory rules', () => {
  it('accepts 5-character INSEE codes, Corsica included, and nothing else', () => {
    fc.assert(fc.property(codeArb, (c) => COMMUNE_CODE.test(c) && communeCode.safeParse(c).success));
    fc.assert(fc.property(nearMissArb, (s) => communeCode.safeParse(s).success === isInseeCode(s)), { numRuns: 2000 });
    for (const ok of ['2A004', '2B033', '69123', '97411']) expect(communeCode.safeParse(ok).success).toBe(true);
    for (const bad of ['1004', '2C004', '690123', '0A123', '1B123', '2a004', ' 69123', '69 23', '6912A', ''])
      expect(communeCode.safeParse(bad).success, bad).toBe(false);
  });

  it('keeps one row per code: current communes and arrondissements, never déléguées or associées', () => {
    const typeArb = fc.constantFrom('commune-actuelle', 'commune-deleguee', 'commune-associee', 'arrondissement-municipal');
    fc.assert(
      fc.property(fc.array(fc.record({ code: codeArb, type: typeArb, nom: fc.string() }), { maxLength: 60 }), (raw) => {
        // The COG never has two current communes with one code: mirror that.
        const seen = new Set<string>();
        const cog: CogCommune[] = raw.filter((c) => c.type === 'commune-deleguee' || c.type === 'commune-associee' || (!seen.has(c.code) && seen.add(c.code)));
        const rows = communeRows(cog, []);
        expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
        expect(rows.every((r) => r.type === 'commune-actuelle' || r.type === 'arrondissement-municipal')).toBe(true);
      }),
    );
  });

  it('gives arrondissements their parent commune and its EPCI, and lists parents first', () => {
    const rows = communeRows(
      [
        { code: '69381', nom: 'Lyon 1er', type: 'arrondissement-municipal', commune: '69123' },
        { code: '69123', nom: 'Lyon', type: 'commune-actuelle' },
        { code: '69123', nom: 'Lyon (déléguée)', type: 'commune-deleguee' },
      ],
      [{ code: '200046977', nom: 'Métropole de Lyon', type: 'MET69', membres: [{ code: '69123' }] }],
    );
    expect(rows.map((r) => [r.code, r.parent_code, r.epci_siren])).toEqual([
      ['69123', null, '200046977'],
      ['69381', '69123', '200046977'],
    ]);
  });

  it('frames any set of polygons in a box that contains all their points', () => {
    const pt = fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.array(pt, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }), (rings) => {
        const b = bboxOf(rings.map((r) => ({ type: 'Polygon', coordinates: [r] })))!;
        for (const [x, y] of rings.flat()) {
          expect(x).toBeGreaterThanOrEqual(b.west);
          expect(x).toBeLessThanOrEqual(b.east);
          expect(y).toBeGreaterThanOrEqual(b.south);
          expect(y).toBeLessThanOrEqual(b.north);
        }
      }),
    );
    expect(bboxOf([])).toBeNull();
  });
});
