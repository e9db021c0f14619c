// Property tests of the cell parsers: what a partner writes in a spreadsheet must round-trip or be refused, never crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileParser, isRealDate, parseDatetime, parseInteger, parseIsoDate } from './values.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

describe('integer cells', () => {
  it('read back every safe integer as written', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
      expect(parseInteger(String(n))).toEqual({ ok: true, value: n });
    }));
  });
  it('refuse decimals, spaces, units and words', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom('.5', ',0', ' 000', ' €', 'e3', 'x'), (n, suffix) => {
        expect(parseInteger(String(n) + suffix).ok).toBe(false);
      }),
    );
  });
  it('never throw, whatever the text', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(typeof parseInteger(s).ok).toBe('boolean');
    }));
  });
});

describe('number cells', () => {
  const dot = compileParser({ type: 'number' });
  const comma = compileParser({ type: 'number', decimalChar: ',' });
  it('read back any finite double written by JavaScript', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const r = dot(String(x));
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.value).toBe(x === 0 ? 0 : x);
    }));
  });
  it('read a decimal comma only when the schema says so', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 99 }), (i, d) => {
      const text = `${i},${pad(d)}`;
      expect(dot(text).ok).toBe(false);
      expect(comma(text)).toEqual({ ok: true, value: Number(`${i}.${pad(d)}`) });
    }));
  });
  it('refuse a thousands space, as in « 5 900 »', () => {
    expect(dot('5 900').ok).toBe(false);
  });
});

describe('date cells', () => {
  const dates = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true });
  it('read back every real ISO date', () => {
    fc.assert(fc.property(dates, (d) => {
      const iso = d.toISOString().slice(0, 10);
      expect(parseIsoDate(iso)).toEqual({ ok: true, value: iso });
    }));
  });
  it('refuse days that do not exist (30 February, 31 April, 29 February of common years)', () => {
    fc.assert(fc.property(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
      const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
      expect(isRealDate(y, m, d)).toBe(real);
      expect(parseIsoDate(`${y}-${pad(m)}-${pad(d)}`).ok).toBe(real);
    }));
  });
  it('turn a day-first date into ISO when the schema declares %d/%m/%Y', () => {
    const p = compileParser({ type: 'date', format: '%d/%m/%Y' });
    fc.assert(fc.property(dates, (d) => {
      const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
      expect(p(`${pad(day)}/${pad(m)}/${y}`)).toEqual({ ok: true, value: `${y}-${pad(m)}-${pad(day)}` });
    }));
    expect(compileParser({ type: 'date' })('07/04/2022').ok).toBe(false);
  });
});

describe('datetime, year, boolean cells', () => {
  it('keep a local time as written and normalise a zoned time to UTC', () => {
    expect(parseDatetime('2025-01-14T08:30:00')).toEqual({ ok: true, value: '2025-01-14T08:30:00' });
    expect(parseDatetime('2025-01-14 08:30')).toEqual({ ok: true, value: '2025-01-14T08:30:00' });
    expect(parseDatetime('2025-01-14T08:30:00+01:00')).toEqual({ ok: true, value: '2025-01-14T07:30:00Z' });
    expect(parseDatetime('15/01/2025 19h05').ok).toBe(false);
    expect(parseDatetime('2025-01-14T24:00:00').ok).toBe(false);
  });
  it('read back any zoned instant', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (d) => {
      const iso = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
      expect(parseDatetime(iso)).toEqual({ ok: true, value: iso });
    }));
  });
  it('read four-digit years only', () => {
    const p = compileParser({ type: 'year' });
    expect(p('2019')).toEqual({ ok: true, value: 2019 });
    expect(p('19').ok).toBe(false);
  });
  it('read the Table Schema booleans and the ones a schema adds', () => {
    const p = compileParser({ type: 'boolean' });
    expect([p('true'), p('0'), p('oui')]).toEqual([{ ok: true, value: true }, { ok: true, value: false }, { ok: false }]);
    const fr = compileParser({ type: 'boolean', trueValues: ['oui'], falseValues: ['non'] });
    expect(fr('non')).toEqual({ ok: true, value: false });
  });
});
