// The portal's pure rules: legend classes, distribution bins, what a sale is, and CSV files that read back exactly.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseFormula } from '../../platform/csv.ts';
import type { DataTable, LatestSale } from './contract.ts';
import { classOf, describeSale, histogram, priceClasses, publicSaleList, quantile, roundCoordinate, secrecyNote, toCsv, yearWindow } from './portal-model.ts';

const prices = fc.array(fc.double({ min: 0, max: 99_999, noNaN: true }), { minLength: 1, maxLength: 300 });

describe('legend classes', () => {
  it('put every published median in exactly one class, with ascending round breaks', () => {
    fc.assert(
      fc.property(prices, (xs) => {
        const classes = priceClasses(xs);
        expect(classes.length).toBeGreaterThanOrEqual(1);
        expect(classes.length).toBeLessThanOrEqual(5);
        expect(classes[0].min).toBe(0);
        expect(classes.at(-1)!.max).toBe(Infinity);
        for (let i = 1; i < classes.length; i++) {
          expect(classes[i].min).toBe(classes[i - 1].max);
          expect(classes[i].min % 100).toBe(0);
          expect(classes[i].min).toBeGreaterThan(classes[i - 1].min);
        }
        for (const x of xs) expect(classes.filter((c) => x >= c.min && x < c.max)).toHaveLength(1);
        expect(new Set(classes.map((c) => c.color)).size).toBe(classes.length);
      }),
    );
  });

  it('reads as a household would: Lyon-like medians give five classes in €/m²', () => {
    const classes = priceClasses([1800, 2100, 2500, 2900, 3300, 3600, 4200, 4800, 5200, 6100]);
    expect(classes.map((c) => c.label)).toEqual(['moins de 2 400 €/m²', '2 400 à 3 100 €/m²', '3 100 à 3 800 €/m²', '3 800 à 4 900 €/m²', '4 900 €/m² et plus']);
    expect(classOf(classes, 3300)?.label).toBe('3 100 à 3 800 €/m²');
    expect(priceClasses([])).toEqual([]);
  });
});

describe('distribution', () => {
  it('counts every sale exactly once in contiguous bins of a round width', () => {
    fc.assert(
      fc.property(prices, (xs) => {
        const bins = histogram(xs);
        expect(bins.reduce((s, b) => s + b.sales_count, 0)).toBe(xs.length);
        const w = bins[0].max - bins[0].min;
        expect(w / 10 ** Math.floor(Math.log10(w))).toSatisfy((m: number) => [1, 2, 5].some((k) => Math.abs(m - k) < 1e-9));
        for (let i = 1; i < bins.length; i++) expect(bins[i].min).toBeCloseTo(bins[i - 1].max, 6);
        expect(bins.length).toBeLessThanOrEqual(30);
      }),
    );
  });

  it('keeps one far outlier from flattening the chart', () => {
    const xs = [...Array.from({ length: 200 }, (_, i) => 2000 + i * 10), 45_000];
    const bins = histogram(xs);
    expect(bins.at(-1)!.max).toBeLessThan(5000);
    expect(bins.at(-1)!.sales_count).toBeGreaterThanOrEqual(1);
  });

  it('quantile interpolates like DuckDB’s quantile_cont', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
  });
});

describe('sales', () => {
  const sale = (p: Partial<LatestSale>): LatestSale => ({
    id_mutation: '2018-1',
    date_mutation: '2018-05-02',
    nature_mutation: 'Vente',
    valeur_fonciere: 200_000,
    code_commune: '69266',
    section: '69266000AB',
    lines_count: 1,
    houses_count: 0,
    flats_count: 1,
    outbuildings_count: 0,
    premises_count: 0,
    surface_reelle_bati: 64,
    nombre_pieces_principales: 3,
    surface_terrain: null,
    ...p,
  });
  it('gives a price per m² only for the sale of one dwelling', () => {
    expect(describeSale(sale({}))).toEqual({ type: 'appartement', price_m2: 3125 });
    expect(describeSale(sale({ outbuildings_count: 1 }))).toEqual({ type: 'appartement', price_m2: 3125 });
    expect(describeSale(sale({ flats_count: 2, surface_reelle_bati: 128 }))).toEqual({ type: 'plusieurs biens', price_m2: null });
    expect(describeSale(sale({ flats_count: 0, houses_count: 1, surface_reelle_bati: null }))).toEqual({ type: 'maison', price_m2: null });
    expect(describeSale(sale({ flats_count: 0, surface_reelle_bati: null, surface_terrain: 800 }))).toEqual({ type: 'terrain', price_m2: null });
    expect(describeSale(sale({ flats_count: 0, premises_count: 1 }))).toEqual({ type: 'local', price_m2: null });
  });
  it('rounds positions to about 100 m', () => {
    expect(roundCoordinate(4.835678)).toBe(4.836);
    expect(roundCoordinate(null)).toBeNull();
  });
  it('windows of one or five years', () => {
    expect(yearWindow(2023, 'five_years')).toEqual({ from: 2019, to: 2023 });
    expect(yearWindow(2023, 'year')).toEqual({ from: 2023, to: 2023 });
  });
});

describe('CSV downloads', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '#', '\n', '\r', ' ', ';', '€', '1', '.') , maxLength: 12 });
  const cell = fc.oneof(text, fc.integer({ min: -1e9, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));

  it('read back cell for cell by a CSV reader that skips the # notes, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { maxLength: 20 }), text, (rows, title) => {
        const t: DataTable = {
          name: 'essai',
          meta: { title, period: '2018', method: 'm\nultiligne', source: 'DVF', data_until: '2018-12-31', imported_at: null, secrecy_min_count: 11, secret_statistique: secrecyNote(11) },
          columns: [
            { key: 'a', label: 'A' },
            { key: 'b', label: 'B', unit: '€' },
            { key: 'c', label: 'C' },
          ],
          rows: rows.map(([a, b, c]) => ({ a, b, c })),
        };
        const csv = toCsv(t);
        const back = parse(csv, { comment: '#', columns: true, relax_column_count: false, skip_empty_lines: false }) as Record<string, string>[];
        expect(back).toHaveLength(rows.length);
        // Text a spreadsheet would run as a formula comes back with its protecting quote (platform/csv.ts).
        const asText = (v: unknown) => (v === null ? '' : typeof v === 'boolean' ? (v ? 'oui' : 'non') : typeof v === 'string' ? neutraliseFormula(v) : String(v));
        back.forEach((r, i) => expect([r.a, r.b, r.c]).toEqual(rows[i].map(asText)));
        // The notes stay notes: one line each, before the header.
        const lines = csv.split('\r\n');
        const notes = lines.slice(0, lines.indexOf('a,b,c'));
        expect(notes.every((l) => l.startsWith('# '))).toBe(true);
        expect(notes.length).toBe(6 + 3);
        expect(notes[1]).toBe('# Période : 2018');
      }),
    );
  });
});

describe('publicSaleList', () => {
  it('lists no sale counted in a withheld figure, leaves out no other, and says how many and why', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 })), fc.uniqueArray(fc.integer({ min: 0, max: 9 })), (sales, hidden) => {
        const withheld = (c: string) => hidden.includes(Number(c));
        const list = publicSaleList(sales, (s) => s.map(String), withheld, 11);
        for (const s of list.rows) expect(s.some((c) => hidden.includes(c))).toBe(false);
        expect(list.rows.length + list.withheld_count).toBe(sales.length);
        expect(list.withheld_count).toBe(sales.filter((s) => s.some((c) => hidden.includes(c))).length);
        expect(list.reason === null).toBe(list.withheld_count === 0);
      }),
    );
    expect(publicSaleList([['a'], ['b'], ['a']], (s) => s, (c) => c === 'a', 11).reason).toBe(
      '2 ventes ne sont pas listées : elles entrent dans un chiffre couvert par le secret statistique (moins de 11 ventes, ou masqué pour protéger un chiffre voisin), que la liste permettrait de recalculer.',
    );
  });
});
