// Parsing one cell of a Table Schema field into a typed value. Pure: no I/O, no state.
// Cells are trimmed first: spreadsheets often leave stray spaces, and a partner should not be refused for them.

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'year' | 'yearmonth' | 'any';
export const FIELD_TYPES: FieldType[] = ['string', 'integer', 'number', 'boolean', 'date', 'datetime', 'year', 'yearmonth', 'any'];

/** A typed cell: numbers for integer/number/year, booleans, ISO strings for dates, strings otherwise. */
export type CellValue = string | number | boolean;

export interface TypeOptions {
  type: FieldType;
  format?: string;
  decimalChar?: string;
  groupChar?: string;
  trueValues?: string[];
  falseValues?: string[];
}

export type Parsed = { ok: true; value: CellValue } | { ok: false };

const DEFAULT_TRUE = ['true', 'True', 'TRUE', '1'];
const DEFAULT_FALSE = ['false', 'False', 'FALSE', '0'];
const INTEGER = /^[+-]?\d+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/;

const fail: Parsed = { ok: false };
const ok = (value: CellValue): Parsed => ({ ok: true, value });

/** Builds the parser of a field once, so the per-row work is a single call. */
export function compileParser(opts: TypeOptions): (raw: string) => Parsed {
  switch (opts.type) {
    case 'string':
      return stringParser(opts.format);
    case 'integer':
      return (raw) => parseInteger(raw);
    case 'number':
      return numberParser(opts.decimalChar ?? '.', opts.groupChar);
    case 'boolean': {
      const t = new Set(opts.trueValues ?? DEFAULT_TRUE);
      const f = new Set(opts.falseValues ?? DEFAULT_FALSE);
      return (raw) => (t.has(raw) ? ok(true) : f.has(raw) ? ok(false) : fail);
    }
    case 'date':
      return dateParser(opts.format);
    case 'datetime':
      return (raw) => parseDatetime(raw);
    case 'year':
      return (raw) => (/^\d{4}$/.test(raw) ? ok(Number(raw)) : fail);
    case 'yearmonth':
      return (raw) => {
        const m = /^(\d{4})-(\d{2})$/.exec(raw);
        return m && Number(m[2]) >= 1 && Number(m[2]) <= 12 ? ok(raw) : fail;
      };
    case 'any':
      return (raw) => ok(raw);
  }
}

function stringParser(format?: string): (raw: string) => Parsed {
  if (format === 'email') return (raw) => (EMAIL.test(raw) ? ok(raw) : fail);
  if (format === 'uuid') return (raw) => (UUID.test(raw) ? ok(raw.toLowerCase()) : fail);
  if (format === 'uri')
    return (raw) => {
      try {
        const u = new URL(raw);
        return u.protocol === 'http:' || u.protocol === 'https:' ? ok(raw) : fail;
      } catch {
        return fail;
      }
    };
  return (raw) => ok(raw);
}

export function parseInteger(raw: string): Parsed {
  if (!INTEGER.test(raw)) return fail;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? ok(n) : fail;
}

function numberParser(decimalChar: string, groupChar?: string): (raw: string) => Parsed {
  return (raw) => {
    let s = raw;
    if (groupChar) s = s.split(groupChar).join('');
    if (decimalChar !== '.') {
      // With a comma as decimal mark, a point would be ambiguous (thousands or decimals): refuse it.
      if (s.includes('.')) return fail;
      s = s.replace(decimalChar, '.');
    }
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return fail;
    const n = Number(s);
    return Number.isFinite(n) ? ok(n) : fail;
  };
}

export function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function dateParser(format?: string): (raw: string) => Parsed {
  if (!format || format === 'default') return parseIsoDate;
  if (format === 'any') return (raw) => {
    const iso = parseIsoDate(raw);
    return iso.ok ? iso : parseDayFirst(raw);
  };
  if (format === '%d/%m/%Y') return parseDayFirst;
  throw new Error(`Format de date non pris en charge : ${format}`);
}

export function parseIsoDate(raw: string): Parsed {
  const m = ISO_DATE.exec(raw);
  if (!m) return fail;
  return isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) ? ok(raw) : fail;
}

function parseDayFirst(raw: string): Parsed {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw);
  if (!m) return fail;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isRealDate(y, mo, d) ? ok(`${pad(y, 4)}-${pad(mo)}-${pad(d)}`) : fail;
}

/** ISO 8601 date and time; without a zone the local (French) time is kept as written. */
export function parseDatetime(raw: string): Parsed {
  const m = ISO_DATETIME.exec(raw);
  if (!m) return fail;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (!isRealDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return fail;
  if (!m[7]) return ok(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${pad(s)}`);
  const t = Date.parse(raw.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? fail : ok(new Date(t).toISOString().replace('.000Z', 'Z'));
}

export const TYPE_LABELS: Record<FieldType, string> = {
  string: 'texte',
  integer: 'nombre entier',
  number: 'nombre',
  boolean: 'booléen',
  date: 'date',
  datetime: 'date et heure',
  year: 'année',
  yearmonth: 'mois',
  any: 'valeur libre',
};

/** How a value of this type is written, for messages that tell a partner how to fix a cell. */
export function expectedWriting(opts: TypeOptions): string {
  switch (opts.type) {
    case 'integer':
      return 'un nombre entier sans espace ni décimale, par exemple 12';
    case 'number':
      return opts.decimalChar === ','
        ? 'un nombre avec une virgule décimale et sans unité, par exemple 1234,5'
        : 'un nombre avec un point décimal et sans unité ni espace, par exemple 1234.5';
    case 'boolean':
      return `l'une des valeurs ${[...(opts.trueValues ?? DEFAULT_TRUE), ...(opts.falseValues ?? DEFAULT_FALSE)].map((v) => `« ${v} »`).join(', ')}`;
    case 'date':
      return opts.format === '%d/%m/%Y' ? 'une date JJ/MM/AAAA, par exemple 31/03/2024' : 'une date AAAA-MM-JJ existante, par exemple 2024-03-31';
    case 'datetime':
      return 'une date et heure AAAA-MM-JJTHH:MM:SS, par exemple 2024-03-31T14:05:00';
    case 'year':
      return 'une année sur quatre chiffres, par exemple 2024';
    case 'yearmonth':
      return 'un mois AAAA-MM, par exemple 2024-03';
    case 'string':
      if (opts.format === 'email') return 'une adresse électronique, par exemple contact@exemple.fr';
      if (opts.format === 'uuid') return 'un identifiant UUID, par exemple 3f2a…-…';
      if (opts.format === 'uri') return 'une adresse web commençant par https://';
      return 'un texte';
    case 'any':
      return 'une valeur';
  }
}
