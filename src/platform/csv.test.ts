import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvLine, neutraliseFormula, toCsv } from './csv.ts';

const FORMULA = ['=', '+', '-', '@', '\t', '\r'];

describe('the CSV writer', () => {
  it('any text reads back through csv-parse as itself, or quoted-neutralised when a spreadsheet would run it (property)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.tuple(fc.constantFrom(...FORMULA, '#', '"', ';', ',', '\n', ' '), fc.string({ maxLength: 20 })).map(([a, b]) => a + b),
    );
    const cell = fc.oneof(text, fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 8 }), fc.constantFrom(',', ';'), fc.boolean(), (rows, delimiter, bom) => {
        const width = rows[0].length;
        const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
        const csv = toCsv(table, { delimiter: delimiter as ',' | ';', bom });
        const back = parse(csv, { delimiter, bom: true, relax_column_count: false }) as string[][];
        expect(back).toHaveLength(table.length);
        table.forEach((r, i) =>
          r.forEach((v, j) => {
            const read = back[i][j];
            if (typeof v === 'number') expect(read).toBe(String(v)); // a number stays a number, -3 included
            else {
              expect(read).toBe(neutraliseFormula(v));
              expect(FORMULA.includes(read.charAt(0)), JSON.stringify(read)).toBe(false);
            }
          }),
        );
      }),
      { numRuns: 1500 },
    );
  });

  it('neutralises the OWASP list and nothing else, and keeps negative numbers', () => {
    expect(csvLine(['=HYPERLINK("http://x","clic")', '+33 6', '-x', '@SUM(A1)', '\tz', 'Lyon', "l'été", -12, 3.5, true, null])).toBe(
      `"'=HYPERLINK(""http://x"",""clic"")",'+33 6,'-x,'@SUM(A1),'\tz,Lyon,l'été,-12,3.5,oui,\r\n`,
    );
    expect(toCsv([['a', 'b']], { delimiter: ';', bom: true, newline: '\n' })).toBe('\uFEFFa;b\n');
  });
});
