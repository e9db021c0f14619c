import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { Readable } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { splitLine, utf8Check, Utf8OrLatin1Decoder } from './read.ts';

/** Feeds `bytes` to the decoder cut at the given offsets, returns the text and the encoding it settled on. */
async function decode(bytes: Buffer, cuts: number[]) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  const decoder = new Utf8OrLatin1Decoder();
  let text = '';
  for await (const s of Readable.from(chunks.filter((c) => c.length)).pipe(decoder)) text += s;
  return { text, encoding: decoder.encoding };
}

// Text as found in DVF: ASCII, French accents, the apostrophe of « Vente en l'état futur d'achèvement ».
const frenchText = fc.string({ unit: fc.constantFrom(...'abcdeéèêàçôîûù ÉÈ|,;0123456789\'\n'.split('')), maxLength: 200 });

describe('UTF-8 or Latin-1 decoding', () => {
  it('reads UTF-8 text exactly, wherever the chunks are cut (even inside a character)', async () => {
    await fc.assert(
      fc.asyncProperty(frenchText, fc.array(fc.nat(), { maxLength: 8 }), async (s, cuts) => {
        const r = await decode(Buffer.from(s, 'utf8'), cuts);
        expect(r.text).toBe(s);
        expect(r.encoding).toBe('utf-8');
      }),
    );
  });
  it('reads Latin-1 text exactly, switching at the first byte that is not UTF-8', async () => {
    await fc.assert(
      fc.asyncProperty(frenchText.filter((s) => [...s].some((c) => c.charCodeAt(0) > 0x7f)), fc.array(fc.nat(), { maxLength: 8 }), async (s, cuts) => {
        const r = await decode(Buffer.from(s, 'latin1'), cuts);
        expect(r.text).toBe(s);
        expect(r.encoding).toBe('latin1');
      }),
    );
  });
});

describe('line splitting', () => {
  const cell = fc.string({ unit: fc.constantFrom(...'abcé 0123456789.-/'.split('')), maxLength: 12 });
  it('splits unquoted lines as csv-parse does', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 45 }), (cells) => {
        const line = cells.join(',');
        expect(splitLine(line, ',', true)).toEqual(parse(line, { relax_column_count: true })[0] ?? ['']);
      }),
    );
  });
  it('reads quoted cells (a comma inside quotes stays in the cell)', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 10 }), fc.nat(), (cells, at) => {
        const i = at % cells.length;
        const withComma = cells.map((c, j) => (j === i ? `"${c},${c}"` : c));
        const fields = splitLine(withComma.join(','), ',', true);
        expect(fields).toHaveLength(cells.length);
        expect(fields[i]).toBe(`${cells[i]},${cells[i]}`);
      }),
    );
    expect(() => splitLine('a,"b,c', ',', true)).toThrow();
  });
  it('never interprets quotes in the raw DGFiP layout', () => {
    expect(splitLine('a|"b|c', '|', false)).toEqual(['a', '"b', 'c']);
  });
});

describe('the UTF-8 check of a file read in chunks', () => {
  it('says what a check of the whole bytes says, wherever the chunks are cut', () => {
    // Mostly valid text with accents and 4-byte characters, sometimes a stray byte.
    const text = fc.array(fc.oneof(fc.constantFrom('a', 'é', 'ü', '€', '𝄞', ',', '\n'), fc.constantFrom('\xff', '\xc3')), { maxLength: 60 });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (parts, cuts, latin1) => {
        const bytes = Buffer.from(parts.join(''), latin1 ? 'latin1' : 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const check = utf8Check();
        let from = 0;
        for (const p of [...points, bytes.length]) {
          check.add(bytes.subarray(from, p));
          from = p;
        }
        expect(check.valid()).toBe(isUtf8(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
