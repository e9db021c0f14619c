// Text that people send (request bodies, uploaded CSV and JSON files): what is wrong with it, said in French with
// the line and the column, so a person can open the file and fix it. Pure functions, shared by every reader.
import { AppError } from './errors.ts';

/** Where something is in a text: 1-based line and column (column counted in characters). */
export interface TextPosition {
  line: number;
  column: number;
}

export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** The first NUL character (U+0000), which PostgreSQL refuses in any text: where it is, or undefined. */
export function nulPosition(text: string): TextPosition | undefined {
  const i = text.indexOf('\u0000');
  return i < 0 ? undefined : positionAt(text, i);
}

/** The path of the first string holding a NUL in a parsed value (keys included), e.g. `body.communes.3`. */
export function nulPath(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 64 || Buffer.isBuffer(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return `${path} (nom de clé)`;
    const found = nulPath(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------------------ files

/** What the first bytes say a file is, when it is not text a CSV or JSON reader can take. */
export function binaryKind(bytes: Uint8Array): 'gzip' | 'zip' | 'utf-16' | 'pdf' | undefined {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'utf-16';
  if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) return 'pdf';
  // UTF-16 saved without its mark: one byte in two is zero on a line of plain letters.
  const n = Math.min(bytes.length, 200);
  if (n >= 8) {
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < n; i++)
      if (bytes[i] === 0) {
        if (i % 2) oddZeros++;
        else evenZeros++;
      }
    if (Math.max(evenZeros, oddZeros) >= n / 2 - 2 && Math.min(evenZeros, oddZeros) === 0) return 'utf-16';
  }
  return undefined;
}

const BINARY_MESSAGES = {
  gzip: 'le fichier est compressé (gzip) : décompressez-le et envoyez le fichier CSV ou JSON qu’il contient',
  zip: 'le fichier est une archive ZIP ou un classeur (.xlsx) : enregistrez-le au format CSV (UTF-8) depuis le tableur',
  'utf-16': 'le fichier est en UTF-16 ; enregistrez-le en UTF-8 (dans le tableur : « CSV UTF-8 »)',
  pdf: 'le fichier est un PDF : envoyez les données au format CSV ou JSON',
} as const;

/** A file that is not text we can read, or text with a NUL in it: the French reason (no final period), with the line when known. */
export interface TextFileProblem {
  rule: 'fichier-binaire' | 'utf-16' | 'caractere-nul';
  line: number;
  column?: number;
  message: string;
}

/**
 * Checks the bytes and the decoded text of an uploaded text file. `utf16Decoded`: the reader decoded a UTF-16 file
 * through its byte order mark (the referential does), so UTF-16 is fine there.
 */
export function textFileProblem(bytes: Uint8Array, text: string, opts: { utf16Decoded?: boolean } = {}): TextFileProblem | undefined {
  const kind = binaryKind(bytes);
  if (kind === 'utf-16' && !opts.utf16Decoded) return { rule: 'utf-16', line: 1, message: BINARY_MESSAGES['utf-16'] };
  if (kind && kind !== 'utf-16') return { rule: 'fichier-binaire', line: 1, message: BINARY_MESSAGES[kind] };
  const nul = nulPosition(text);
  if (nul)
    return {
      rule: 'caractere-nul',
      line: nul.line,
      column: nul.column,
      message: `le fichier contient un caractère nul (octet 0) ligne ${nul.line}, caractère ${nul.column} : ce n’est pas un fichier texte lisible (enregistrez-le en CSV UTF-8)`,
    };
  return undefined;
}

/**
 * Decodes an uploaded text file: UTF-8 (with or without BOM) or, when the bytes are not UTF-8, Windows-1252 (what
 * French spreadsheets save as "CSV"). A binary, UTF-16 or NUL-holding file is refused: 400 with the French reason.
 */
export function decodeUserText(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  const problem = textFileProblem(bytes, text);
  if (problem) throw new AppError(`fichier.${problem.rule}`, `${file} : ${problem.message}.`, 400, { ligne: problem.line, caractere: problem.column });
  return text.replace(/^\uFEFF/, '');
}

// -------------------------------------------------------------------------------------------------------------- CSV

/** A csv-parse error, in French, with its line and (when known) column. */
export interface CsvErrorInFrench {
  line: number;
  column?: number;
  message: string;
}

/**
 * Translates csv-parse's English errors ("Quote Not Closed", "Invalid Record Length"…). Give the text and delimiter
 * when at hand: an unclosed quote is then found where it opens, not at the end of the file where the parser noticed.
 */
export function csvErrorInFrench(err: unknown, source?: { text: string; delimiter: string }): CsvErrorInFrench {
  const e = (err ?? {}) as { code?: string; message?: string; lines?: number; column?: number | string | null };
  const line = typeof e.lines === 'number' && e.lines > 0 ? e.lines : 1;
  const column = typeof e.column === 'number' ? e.column + 1 : undefined;
  const at = (l: number, c?: number) => `ligne ${l}${c ? `, colonne ${c}` : ''}`;
  const message = String(e.message ?? '');
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED': {
      const open = source ? unclosedQuote(source.text, source.delimiter) : undefined;
      if (open)
        return {
          line: open.line,
          column: open.column,
          message: `des guillemets ouverts ${at(open.line, open.column)} ne sont jamais fermés : la valeur court jusqu’à la fin du fichier`,
        };
      return { line, message: `des guillemets ouverts ne sont jamais fermés (fin du fichier atteinte ${at(line)})` };
    }
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE': {
      const got = /got "(.)"/.exec(message)?.[1];
      return {
        line,
        column,
        message: `${at(line, column)} : un caractère${got ? ` (« ${got} »)` : ''} suit des guillemets fermants ; une valeur entre guillemets se termine par " suivi du séparateur, et un " à l’intérieur s’écrit ""`,
      };
    }
    case 'INVALID_OPENING_QUOTE':
      return { line, column, message: `${at(line, column)} : un guillemet au milieu d’une valeur ; entourez toute la valeur de guillemets et doublez celui-ci ("")` };
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const m = /(?:expect|columns length is) (\d+),? got (\d+)/.exec(message);
      return {
        line,
        message: m
          ? `la ligne ${line} compte ${m[2]} valeur(s) au lieu de ${m[1]} (autant que de colonnes dans l’en-tête) : vérifiez le séparateur et les guillemets`
          : `la ligne ${line} n’a pas autant de valeurs que l’en-tête a de colonnes`,
      };
    }
    case 'CSV_MAX_RECORD_SIZE':
      return { line, message: `la ${at(line)} dépasse la taille maximale d’une ligne : un guillemet mal fermé, sans doute` };
    case 'CSV_INVALID_COLUMN_MAPPING':
      return { line: 1, message: 'l’en-tête (première ligne) ne peut pas être lu comme une liste de colonnes' };
    default:
      if (typeof e.code === 'string' && e.code.startsWith('Z_')) return { line, message: 'le fichier compressé (gzip) est endommagé ou tronqué' };
      if (typeof e.code === 'string' && /^(CSV_|INVALID_)/.test(e.code)) return { line, column, message: `structure CSV invalide (${at(line, column)})` };
      return { line, message: `lecture impossible (${message || String(err)})` };
  }
}

/** Where the quoted value that never closes begins (csv-parse's defaults: `"` quotes, `""` escapes). */
export function unclosedQuote(text: string, delimiter: string): TextPosition | undefined {
  let line = 1;
  let field = 1;
  let fieldStart = true;
  let quoted: TextPosition | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = undefined;
      } else if (ch === '\n') line++;
      continue;
    }
    if (ch === '"' && fieldStart) {
      quoted = { line, column: field };
      fieldStart = false;
    } else if (ch === '\n') {
      line++;
      field = 1;
      fieldStart = true;
    } else if (text.startsWith(delimiter, i)) {
      field++;
      fieldStart = true;
      i += delimiter.length - 1;
    } else if (ch !== '\r' && ch !== '\uFEFF') fieldStart = false;
  }
  return quoted;
}

// ------------------------------------------------------------------------------------------------------------- JSON

/**
 * The offset of the first character that makes `text` not JSON (text.length for an early end), or -1 when it parses.
 * JSON.parse's messages differ between Node versions and some give no position: this finds it the same everywhere.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const c of word)
      if (text[i++] !== c) {
        i -= 1;
        fail();
      }
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail();
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 1;
            fail();
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i += 1;
          fail();
        }
      } else i++;
    }
    fail();
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || !m[0] || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 1000) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    number();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (at) {
    if (typeof at !== 'number') throw at;
    return Math.min(at, text.length);
  }
}

/** "ligne 3, colonne 12 (« "name": } »)": where a JSON text breaks, for a French message; undefined if it parses. */
export function jsonErrorInFrench(text: string): string | undefined {
  const offset = jsonErrorOffset(text);
  if (offset < 0) return undefined;
  if (offset >= text.length) return `le texte s’arrête avant la fin du JSON (ligne ${positionAt(text, text.length).line}) : une accolade, un crochet ou un guillemet n’est pas fermé`;
  const { line, column } = positionAt(text, offset);
  const excerpt = text.slice(Math.max(0, offset - 20), offset + 10).replace(/\s+/g, ' ');
  const ch = text[offset];
  const what = ch === '\u0000' ? 'un caractère nul' : ch.charCodeAt(0) < 0x20 ? 'un caractère de contrôle' : `« ${ch} »`;
  return `JSON mal formé ligne ${line}, colonne ${column} (caractère n° ${offset + 1}) : ${what} inattendu, près de « ${excerpt} »`;
}
