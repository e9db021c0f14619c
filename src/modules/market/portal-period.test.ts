// The portal's period page and search on the real demo DVF files: a period's median recomputed by hand from the raw
// CSV (Etalab's method, no code shared), the statistics beside every median, secrecy of sections and communes,
// histograms that add up to the table, the sales of the period with their parcel, the repeat-sales index that says
// it has too few pairs, the search by street with a budget, and Abzac's hand-computed figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { marketModule } from './index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await marketModule.loadDemo!(t.ctx);
});
afterAll(() => t?.close());

const json = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url });
  expect(res.statusCode, `${url} : ${res.body.slice(0, 300)}`).toBe(200);
  return res.json();
};

const DEP69 = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'dvf', 'geodvf_dep69_2018_partial_chunk.csv');

/** Etalab's « Statistiques DVF » by hand over the raw file: single-property sales of one type in a range of months. */
function etalabMedian(code: string, kind: '1' | '2', from: string, to: string) {
  const [head, ...lines] = readFileSync(DEP69, 'utf8').trimEnd().split('\n');
  const names = head.split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
  const cols = ['id_mutation', 'date_mutation', 'code_departement', 'code_commune', 'id_parcelle', 'nature_mutation', 'code_type_local', 'type_local', 'valeur_fonciere', 'surface_reelle_bati'];
  const seen = new Set<string>();
  const ventes = rows
    .filter((r) => {
      const k = cols.map((c) => r[c]).join('|');
      return seen.has(k) ? false : (seen.add(k), true);
    })
    .filter((r) => ['Vente', "Vente en l'état futur d'achèvement", 'Adjudication'].includes(r.nature_mutation) && ['1', '2', '4'].includes(r.code_type_local));
  const per = new Map<string, number>();
  for (const r of ventes) per.set(r.id_mutation, (per.get(r.id_mutation) ?? 0) + 1);
  const xs = ventes
    .filter((r) => per.get(r.id_mutation) === 1 && r.code_type_local === kind && r.code_commune === code && r.date_mutation.slice(0, 7) >= from && r.date_mutation.slice(0, 7) <= to)
    .filter((r) => r.valeur_fonciere !== '' && r.surface_reelle_bati !== '' && Number(r.surface_reelle_bati) > 0)
    .map((r) => Number(r.valeur_fonciere) / Number(r.surface_reelle_bati))
    .filter((p) => p < 100_000)
    .sort((a, b) => a - b);
  const m = xs.length >> 1;
  const med = xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
  return { n: xs.length, median: Math.abs(med % 1) === 0.5 ? 2 * Math.round(med / 2) : Math.round(med) };
}

describe('portal period page', () => {
  it('defaults to the last twelve months of the edition and says which', async () => {
    const p = await json('/api/market/portal/communes/69266/period?type=appartement');
    expect(p.period).toEqual({ from: '2018-01', to: '2018-12', label: '2018', default: true });
    expect(p.edition.label).toContain('ventes jusqu’au 31 décembre 2018');
    expect(p.months).toHaveLength(12);
  });

  it('gives the median of any range of months, the one Etalab’s method gives by hand, with its statistics', async () => {
    const p = await json('/api/market/portal/communes/69266/period?type=appartement&from=2018-03&to=2018-06&method=etalab');
    expect(p.period).toMatchObject({ from: '2018-03', to: '2018-06', label: 'mars à juin 2018', default: false });
    const hand = etalabMedian('69266', '2', '2018-03', '2018-06');
    expect(hand.n).toBeGreaterThanOrEqual(11);
    const s = p.summary;
    expect(s).toMatchObject({ withheld: false, sales_count: hand.n, price_m2_median: hand.median });
    expect(s.price_m2_iqr).toBe(s.price_m2_q3 - s.price_m2_q1);
    expect(s.price_m2_ci_low).toBeLessThanOrEqual(s.price_m2_median);
    expect(s.price_m2_ci_high).toBeGreaterThanOrEqual(s.price_m2_median);
    expect(p.statistics_method).toContain('statistiques d’ordre');
  });

  it('publishes no figure under the threshold: rows grouped, histograms adding up to the table', async () => {
    const p = await json('/api/market/portal/communes/69266/period?type=appartement');
    for (const r of [...p.comparison.rows, ...p.sections.rows, ...p.distributions.rooms]) {
      if (r.withheld) expect(r.sales_count).toBeNull();
      else expect(r.sales_count).toBeGreaterThanOrEqual(11);
    }
    expect(p.sections.rows.length).toBeGreaterThan(0);
    expect(p.sections.rows.every((r: any) => r.section.startsWith('69266') && r.section.length === 10)).toBe(true);
    expect(p.sections.grouped).toMatch(/^\d+ sections? de moins de 11 ventes/);
    expect(p.comparison.rows.map((r: any) => r.level).slice(0, 3)).toEqual(['Commune', 'Intercommunalité', 'Département']);
    expect(p.comparison.grouped).toMatch(/^\d+ autres communes de moins de 11 ventes/);
    const flats = p.distributions.price_m2.find((d: any) => d.type === 'appartement');
    expect(flats.bins.reduce((n: number, b: any) => n + b.sales_count, 0)).toBe(p.summary.sales_count);
    const surfaces = p.distributions.surface.find((d: any) => d.type === 'appartement');
    expect(surfaces.bins.reduce((n: number, b: any) => n + b.sales_count, 0)).toBe(p.summary.sales_count);
  });

  it('lists the sales of the period with their details and the other sales of their parcel', async () => {
    const p = await json('/api/market/portal/communes/69266/period?type=appartement&from=2018-06&to=2018-06');
    expect(p.sales.rows.length).toBeGreaterThan(0);
    for (const s of p.sales.rows) {
      expect(s.date.slice(0, 7)).toBe('2018-06');
      expect(s.parcel?.slice(0, 5)).toBe('69266');
      for (const o of s.same_parcel) expect(o.id).not.toBe(s.id);
    }
    expect(p.sales.rows.some((s: any) => s.same_parcel.length > 0)).toBe(true);
  });

  it('lists no sale counted in a withheld figure, and says how many it leaves out and why', async () => {
    const p = await json('/api/market/portal/communes/69266/period?type=maison&from=2018-06&to=2018-06');
    // A handful of houses in June: their figure is withheld, so is the list that would give it back.
    expect(p.summary.withheld).toBe(true);
    expect(p.sales.rows.filter((s: any) => s.type === 'Maison')).toEqual([]);
    expect(p.sales.withheld_count).toBeGreaterThan(0);
    expect(p.sales.withheld_reason).toMatch(/^\d+ ventes? n.+ listée.* secret statistique \(moins de 11 ventes/);
    // No listed sale is in a month whose figure the indicator routes withhold, by either method (the rule of /sales).
    for (const method of ['habitat', 'etalab']) {
      const ind = await json(`/api/market/communes/69266/indicators?period=month&types=maison,appartement&method=${method}`);
      const withheld = new Set(ind.indicators.filter((i: any) => i.withheld).map((i: any) => `${i.type}|${i.period}`));
      for (const s of p.sales.rows.filter((x: any) => ['Maison', 'Appartement'].includes(x.type))) expect(withheld.has(`${s.type.toLowerCase()}|${s.date.slice(0, 7)}`), s.id).toBe(false);
    }
    // Over the year, the flats of the sections and months that are published are listed.
    const flats = await json('/api/market/portal/communes/69266/period?type=appartement');
    expect(flats.summary.withheld).toBe(false);
    const sections = new Set(flats.sections.rows.map((r: any) => r.section));
    const listed = flats.sales.rows.filter((s: any) => s.type === 'Appartement');
    expect(listed.length).toBeGreaterThan(0);
    for (const s of listed) expect(sections.has(s.section), s.section).toBe(true);
  });

  it('draws each section as the outline of its sales: a convex polygon around their centre, at the positions the map shows', async () => {
    const p = await json('/api/market/portal/communes/69266/period?type=appartement');
    const withArea = p.sections.rows.filter((r: any) => r.outline);
    expect(withArea.length).toBeGreaterThan(0);
    const cross = (o: number[], a: number[], b: number[]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    for (const r of withArea) {
      expect(r.outline.length).toBeGreaterThanOrEqual(3);
      // Vertices at about 100 m (three decimals), as the sale points: no sale's exact place.
      for (const v of r.outline.flat()) expect(Math.round(v * 1000) / 1000).toBe(v);
      // The centre of the section's sales lies inside the outline of the same sales (counter-clockwise).
      for (let i = 0; i < r.outline.length; i++) expect(cross(r.outline[i], r.outline[(i + 1) % r.outline.length], [r.longitude, r.latitude])).toBeGreaterThanOrEqual(-1e-9);
    }
  });

  it('says the repeat-sales index has too few pairs on one year of data', async () => {
    const p = await json('/api/market/portal/communes/69266/period');
    expect(p.repeat_sales).toMatchObject({ area: 'Métropole de Lyon', quarters: null });
    expect(p.repeat_sales.reason).toMatch(/^Trop peu de paires/);
    expect(p.repeat_sales.method).toContain('Bailey, Muth et Nourse');
  });

  it('keeps Abzac’s hand-computed figures: 27 houses at 1 759 €/m² in 2021', async () => {
    const p = await json('/api/market/portal/communes/33001/period?type=maison');
    expect(p.period).toMatchObject({ from: '2021-01', to: '2021-12', label: '2021' });
    expect(p.summary).toMatchObject({ withheld: false, sales_count: 27, price_m2_median: 1759 });
  });
});

describe('portal map over a period', () => {
  it('takes the commune page’s periods: by default the last twelve months, and any range of months', async () => {
    const map = await json('/api/market/portal/map/period?type=appartement');
    expect(map.period).toEqual({ from: '2018-01', to: '2018-12', label: '2018', default: true });
    expect(map.edition.label).toContain('ventes jusqu’au 31 décembre 2018');
    expect(map.table.rows.filter((r: any) => r.epci_siren === '200046977')).toHaveLength(58);
    // A range of months: Villeurbanne's median is the one recomputed by hand and the one its period page gives.
    const spring = await json('/api/market/portal/map/period?type=appartement&from=2018-03&to=2018-06&method=etalab');
    expect(spring.period).toEqual({ from: '2018-03', to: '2018-06', label: 'mars à juin 2018', default: false });
    const hand = etalabMedian('69266', '2', '2018-03', '2018-06');
    const row = spring.table.rows.find((r: any) => r.code === '69266');
    expect(row).toMatchObject({ withheld: false, sales_count: hand.n, price_m2_median: hand.median });
    expect(spring.table.meta.title).toContain('mars à juin 2018');
  });

  it('labels never claim more than the data hold, and a commune the map publishes has the same figure on its page', async () => {
    // Asked from 2016: only 2018 is loaded, the label says 2018.
    const wide = await json('/api/market/portal/map/period?type=maison&from=2016-01&to=2018-12');
    expect(wide.period.label).toBe('2018');
    const map = await json('/api/market/portal/map/period?type=maison&from=2018-01&to=2018-06');
    const published = map.table.rows.filter((r: any) => !r.withheld);
    expect(published.length).toBeGreaterThan(0);
    for (const r of map.table.rows.filter((x: any) => x.withheld)) expect(r.price_m2_median).toBeNull();
    for (const r of published.slice(0, 3)) {
      const page = await json(`/api/market/portal/communes/${r.code}/period?type=maison&from=2018-01&to=2018-06`);
      expect(page.summary).toMatchObject({ withheld: false, sales_count: r.sales_count, price_m2_median: r.price_m2_median });
    }
  });

  it('downloads the map of a period as CSV, named after its months', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/market/portal/map/period/download?type=appartement&from=2018-03&to=2018-06' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('prix-communes-2018-03-2018-06-appartement.csv');
    expect(res.body).toContain('mars à juin 2018');
  });
});

describe('portal search', () => {
  it('finds a street of the DVF addresses and its sales within a budget', async () => {
    const found = await json('/api/market/portal/search?q=republique');
    expect(found.streets.length).toBeGreaterThan(0);
    expect(found.streets.every((s: any) => s.street.includes('REPUBLIQUE'))).toBe(true);
    const street = found.streets[0];
    const budget = await json(`/api/market/portal/search?q=${encodeURIComponent(street.street)}&type=appartement&max_price=200000`);
    expect(budget.sales.where).toContain(street.street);
    for (const s of budget.sales.rows) {
      expect(s.type).toBe('Appartement');
      expect(s.price).toBeLessThanOrEqual(200_000);
    }
    const byPostcode = await json('/api/market/portal/search?q=69100');
    expect(byPostcode.communes.map((c: any) => c.name)).toContain('Villeurbanne');
  });
});
