// What is wrong with a text people sent, said in French with the line and column: JSON, CSV, NUL, UTF-16, binary.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { binaryKind, csvErrorInFrench, decodeUserText, jsonErrorInFrench, jsonErrorOffset, nulPath, positionAt, textFileProblem, unclosedQuote } from './text-input.ts';

const parses = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on whether a text is JSON', () => {
    const nearJson = fc.oneof(
      fc.json(),
      fc.json().chain((j) => fc.tuple(fc.nat({ max: j.length }), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\\', '\n', '\u0001', '-', '0')).map(([i, c]) => j.slice(0, i) + c + j.slice(i + 1))),
      fc.json().chain((j) => fc.nat({ max: j.length }).map((i) => j.slice(0, i))),
      fc.string(),
    );
    fc.assert(
      fc.property(nearJson, (s) => {
        expect(jsonErrorOffset(s) < 0, JSON.stringify(s)).toBe(parses(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('points at the character that breaks the text', () => {
    expect(jsonErrorOffset('{"kind": "bailleur",\n "name": }')).toBe(30);
    expect(jsonErrorInFrench('{"kind": "bailleur",\n "name": }')).toMatch(/^JSON mal formé ligne 2, colonne 10 \(caractère n° 31\) : « } » inattendu/);
    expect(jsonErrorInFrench('{"a": [1, 2')).toContain('le texte s’arrête avant la fin du JSON');
    expect(jsonErrorInFrench('{"a": 1}')).toBeUndefined();
  });
});

describe('csvErrorInFrench', () => {
  const errorOf = (text: string, opts: object = {}) => {
    try {
      parse(text, opts);
    } catch (e) {
      return e;
    }
    throw new Error('parsed');
  };

  it('says where an unclosed quote opens, not where the file ends', () => {
    const text = 'a;b\n1;2\n3;"4\n5;6\n7;8\n';
    const fault = csvErrorInFrench(errorOf(text, { delimiter: ';' }), { text, delimiter: ';' });
    expect(fault).toMatchObject({ line: 3, column: 2 });
    expect(fault.message).toBe('des guillemets ouverts ligne 3, colonne 2 ne sont jamais fermés : la valeur court jusqu’à la fin du fichier');
  });

  it('finds the same unclosed quote as csv-parse, on any text', () => {
    const cell = fc.oneof(fc.constantFrom('"', '""', 'a', ';', '\n', '"x"', 'é'), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 12 }), (cells) => {
        const text = cells.join('');
        let code: string | undefined;
        try {
          parse(text, { delimiter: ';', relax_column_count: true, relax_quotes: true });
        } catch (e) {
          code = (e as { code?: string }).code;
        }
        if (code === 'CSV_QUOTE_NOT_CLOSED') expect(unclosedQuote(text, ';')).toBeDefined();
        if (!unclosedQuote(text, ';')) expect(code).not.toBe('CSV_QUOTE_NOT_CLOSED');
      }),
      { numRuns: 1000 },
    );
  });

  it('translates a wrong number of values, and a character after a closing quote, with line and column', () => {
    const length = csvErrorInFrench(errorOf('a,b\n1,2\n3\n'));
    expect(length).toEqual({ line: 3, message: 'la ligne 3 compte 1 valeur(s) au lieu de 2 (autant que de colonnes dans l’en-tête) : vérifiez le séparateur et les guillemets' });
    const closing = csvErrorInFrench(errorOf('a,b\n1,"2"x\n'));
    expect(closing.line).toBe(2);
    expect(closing.message).toContain('un caractère (« x ») suit des guillemets fermants');
    for (const f of [length, closing]) expect(f.message).not.toMatch(/Invalid|Quote|Record|got|expect/);
  });
});

describe('text files', () => {
  it('names UTF-16, gzip and xlsx files, and finds a NUL character by line', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a;b\n1;2\n', 'utf16le')]);
    expect(binaryKind(utf16)).toBe('utf-16');
    expect(binaryKind(Buffer.from('a;b\n1;2\n', 'utf16le'))).toBe('utf-16'); // without its mark
    expect(binaryKind(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('ab')]))).toBe('utf-16');
    expect(binaryKind(gzipSync('a;b\n'))).toBe('gzip');
    expect(binaryKind(Buffer.from('a;b\n1;2\n'))).toBeUndefined();
    expect(textFileProblem(utf16, '')?.message).toBe('le fichier est en UTF-16 ; enregistrez-le en UTF-8 (dans le tableur : « CSV UTF-8 »)');
    expect(textFileProblem(utf16, 'a;b', { utf16Decoded: true })).toBeUndefined();
    expect(textFileProblem(Buffer.from('a;b\n1;x\u0000y\n'), 'a;b\n1;x\u0000y\n')).toMatchObject({ rule: 'caractere-nul', line: 2, column: 4 });
  });

  it('decodes UTF-8 and Latin-1, and refuses the rest with a 400 in French', () => {
    expect(decodeUserText(Buffer.from('\uFEFFnom;ville\né;Lyon\n'), 'f.csv')).toBe('nom;ville\né;Lyon\n');
    expect(decodeUserText(Buffer.from('nom;ville\né;Lyon\n', 'latin1'), 'f.csv')).toBe('nom;ville\né;Lyon\n');
    const refused = (() => {
      try {
        decodeUserText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a;b\n', 'utf16le')]), 'demandes.csv');
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(refused).toBeInstanceOf(AppError);
    expect(refused!.status).toBe(400);
    expect(refused!.message).toBe('demandes.csv : le fichier est en UTF-16 ; enregistrez-le en UTF-8 (dans le tableur : « CSV UTF-8 »).');
  });

  it('finds a NUL in a parsed request, keys included', () => {
    expect(nulPath({ a: [1, { b: 'x\u0000' }] }, 'corps')).toBe('corps.a.1.b');
    expect(nulPath({ ['k\u0000']: 1 }, 'corps')).toBe('corps (nom de clé)');
    expect(nulPath({ a: 'propre' }, 'corps')).toBeUndefined();
    expect(positionAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
