// The one CSV writer of the platform (csv-stringify, of the csv-parse family the readers use). Every file a person
// may open in a spreadsheet goes through it, so that text a partner or a household typed cannot run as a formula
// there (CSV injection, OWASP): a text cell that starts with =, +, -, @, a tab or a carriage return gets a leading
// single quote, which spreadsheets show as text. Numbers are written as numbers, negative ones included: only text
// is neutralised. The same rule serves XLSX cells (`neutraliseFormula`).
import { stringify } from 'csv-stringify/sync';

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * The text as it was before `neutraliseFormula`, for the readers of files we wrote and people edit and send back
 * (the PLH programme): an exported then re-imported file changes nothing.
 */
export function restoreNeutralised(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

/** A text a spreadsheet would read as a formula, made inert with a leading single quote (OWASP). */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export interface CsvOptions {
  /** `,` (the default, RFC 4180) or `;` (French spreadsheets open it without asking). */
  delimiter?: ',' | ';';
  /** `\r\n` (the default, RFC 4180) or `\n`. */
  newline?: '\r\n' | '\n';
  /** Start with a UTF-8 byte order mark, so spreadsheets read the accents right. */
  bom?: boolean;
  /** Extra patterns that force quotes (e.g. `#` when readers skip lines starting with it as comments). */
  quoteAlso?: RegExp[];
}

function options(opts: CsvOptions) {
  return {
    delimiter: opts.delimiter ?? ',',
    record_delimiter: opts.newline ?? '\r\n',
    // A lone CR or LF is a line break to readers even when the file's newline is CRLF: always quoted.
    quoted_match: [/[\r\n]/, ...(opts.quoteAlso ?? [])],
    cast: {
      string: (v: string) => neutraliseFormula(v),
      boolean: (v: boolean) => (v ? 'oui' : 'non'),
      // Numbers stay numbers: -12 is a value, not a formula. Non-finite ones have no CSV writing.
      number: (v: number) => (Number.isFinite(v) ? String(v) : ''),
    },
  };
}

/** Rows (the header first, if any) as one CSV text ending with a newline. */
export function toCsv(rows: readonly (readonly CsvValue[])[], opts: CsvOptions = {}): string {
  const text = stringify(
    rows.map((r) => r.map((v) => (v === undefined ? null : v))),
    options(opts),
  );
  return (opts.bom ? '\uFEFF' : '') + text;
}

/** One CSV line with its newline, for files written as a stream. */
export function csvLine(values: readonly CsvValue[], opts: CsvOptions = {}): string {
  return toCsv([values], { ...opts, bom: false });
}
