// The portal's HTTP on the real demo DVF files: its grouped figures agree with the market module's own indicator
// routes commune by commune, secrecy holds everywhere, and every download says the same as the JSON, with its
// method and source.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { marketModule } from './index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await marketModule.loadDemo!(t.ctx);
});
afterAll(() => t?.close());

const get = (url: string) => t.app.inject({ method: 'GET', url });
const json = async (url: string) => {
  const res = await get(url);
  expect(res.statusCode, `${url} : ${res.body.slice(0, 300)}`).toBe(200);
  return res.json();
};

describe('portal map', () => {
  it('gives every commune of the territory the figures of the market module’s own commune route', async () => {
    for (const [type, method] of [
      ['appartement', 'habitat'],
      ['maison_appartement', 'habitat'],
      ['maison', 'etalab'],
    ]) {
      const map = await json(`/api/market/portal/map?type=${type}&method=${method}`);
      expect(map.year).toBe(2018); // the last year of the demo's Rhône file
      expect(map.table.rows).toHaveLength(58 + 37); // Métropole de Lyon + Toulouse Métropole
      let published = 0;
      for (const row of map.table.rows) {
        const own = await json(`/api/market/communes/${row.code}/indicators?types=${type}&method=${method}&from=2018&to=2018`);
        const ref = own.indicators[0];
        if (!ref) {
          expect(row).toMatchObject({ withheld: true, sales_count: null, price_m2_median: null, reason: 'Aucune vente retenue dans les données.' });
          continue;
        }
        if (ref.withheld) {
          expect(row).toMatchObject({ withheld: true, sales_count: null, price_m2_median: null, reason: ref.reason });
          continue;
        }
        published++;
        expect(row, row.name).toMatchObject({
          withheld: false,
          sales_count: ref.sales_count,
          price_m2_q1: ref.price_m2_q1,
          price_m2_median: ref.price_m2_median,
          price_m2_q3: ref.price_m2_q3,
          price_median: ref.price_median,
        });
      }
      // The partial Rhône file leaves enough sales for a real map.
      expect(published).toBeGreaterThan(10);
    }
  }, 600_000); // 3 × 95 commune routes, each a few DuckDB queries: 60 s were not enough at a load of 16 on 2 cores

  it('classes the published medians: each falls in exactly one class; withheld ones carry no figure', async () => {
    const map = await json('/api/market/portal/map?type=appartement');
    expect(map.classes.length).toBeGreaterThanOrEqual(3);
    expect(map.classes.at(-1).max).toBeNull();
    for (const row of map.table.rows.filter((r: any) => !r.withheld)) {
      const hits = map.classes.filter((c: any) => row.price_m2_median >= c.min && (c.max === null || row.price_m2_median < c.max));
      expect(hits).toHaveLength(1);
    }
    const villeurbanne = map.table.rows.find((r: any) => r.code === '69266');
    expect(villeurbanne).toMatchObject({ withheld: false, epci_name: 'Métropole de Lyon' });
    expect(villeurbanne.sales_count).toBeGreaterThanOrEqual(11);
    expect(map.table.meta).toMatchObject({ data_until: '2018-12-31', secrecy_min_count: 11 });
    expect(map.table.meta.source).toContain('DVF');
    expect(map.table.meta.title).toContain('2018');
  });

  it('pools five years when asked, and an empty year says so rather than inventing figures', async () => {
    const five = await json('/api/market/portal/map?type=appartement&year=2018&window=five_years');
    // Only 2018 is loaded: the label says so instead of claiming five years.
    expect(five.period).toBe('2018 seulement (une seule année chargée sur les 5 demandées)');
    const one = await json('/api/market/portal/map?type=appartement&year=2018');
    // The lake holds only 2018 for the Rhône: five years pooled give the same figures.
    expect(five.table.rows).toEqual(one.table.rows);
    const none = await json('/api/market/portal/map?type=appartement&year=2010');
    expect(none.table.rows.every((r: any) => r.withheld === true && r.price_m2_median === null)).toBe(true);
    expect(none.classes).toEqual([]);
  });

  it('downloads the map’s table as CSV with method and source, with the same figures as the JSON', async () => {
    const res = await get('/api/market/portal/map/download?type=appartement&format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('prix-communes-2018-appartement.csv');
    const comments = res.body.split('\r\n').filter((l) => l.startsWith('#'));
    expect(comments.join('\n')).toMatch(/Source : DGFiP, Demandes de valeurs foncières \(DVF\)/);
    expect(comments.join('\n')).toMatch(/Méthode : Ventes/);
    expect(comments.join('\n')).toContain('ventes jusqu’au 2018-12-31');
    expect(comments.join('\n')).toContain('Colonne price_m2_median : Prix au m² médian (€/m²)');
    const rows = parse(res.body, { comment: '#', columns: true }) as Record<string, string>[];
    const map = await json('/api/market/portal/map?type=appartement');
    expect(rows).toHaveLength(map.table.rows.length);
    for (const [i, row] of rows.entries()) {
      const j = map.table.rows[i];
      expect(row.code).toBe(j.code);
      expect(row.name).toBe(j.name);
      expect(row.price_m2_median).toBe(j.price_m2_median === null ? '' : String(j.price_m2_median));
      expect(row.withheld).toBe(j.withheld ? 'oui' : 'non');
    }
    const asJson = await get('/api/market/portal/map/download?type=appartement&format=json');
    expect(asJson.json()).toEqual(map.table);
  });
});

describe('portal commune page', () => {
  it('Hendaye: yearly figures are the market module’s, the distribution counts every sale, the comparison pools its area', async () => {
    const page = await json('/api/market/portal/communes/64260?type=appartement');
    expect(page.commune).toMatchObject({ code: '64260', name: 'Hendaye', departement_code: '64' });
    expect(page.years).toEqual([2023, 2022, 2021, 2020, 2019]);
    expect(page.year).toBe(2023);
    const own = await json('/api/market/communes/64260/indicators?types=maison,appartement,maison_appartement');
    const annual = page.tables.yearly_series.rows;
    expect(annual).toHaveLength(own.indicators.length);
    for (const ref of own.indicators) {
      const row = annual.find((r: any) => r.period === ref.period && r.type === ref.type);
      expect(row).toMatchObject(ref.withheld ? { withheld: true, reason: ref.reason } : { withheld: false, sales_count: ref.sales_count, price_m2_median: ref.price_m2_median });
    }
    const y2023 = annual.find((r: any) => r.period === '2023' && r.type === 'appartement');
    expect(y2023.withheld).toBe(false);
    const distributed = page.tables.distribution.rows.reduce((s: number, b: any) => s + b.sales_count, 0);
    expect(distributed).toBe(y2023.sales_count);
    const commune = page.tables.comparison.rows[0];
    expect(commune).toMatchObject({ level: 'Commune', sales_count: y2023.sales_count, price_m2_median: y2023.price_m2_median });
    expect(page.tables.comparison.rows.map((r: any) => r.level)).toEqual(['Commune', 'Intercommunalité', 'Département']);
    // Only Hendaye of the Pays Basque is in the demo lake: its EPCI and département pool the same sales.
    expect(page.tables.comparison.rows[2]).toMatchObject({ code: '64', sales_count: y2023.sales_count });
    const monthly = page.tables.monthly_series.rows;
    expect(monthly.length).toBeGreaterThan(12);
    for (const m of monthly) expect(m.period).toMatch(/^20(19|2[0-3])-(0[1-9]|1[0-2])$/);
  });

  it('Lyon 2018: the EPCI and département comparisons equal their routes; a section equals its route; latest sales carry type and price per m²', async () => {
    const page = await json('/api/market/portal/communes/69123?type=appartement');
    const epci = await json('/api/market/epci/200046977/indicators?types=appartement&from=2018&to=2018');
    const dep = await json('/api/market/departements/69/indicators?types=appartement&from=2018&to=2018');
    const [, intercommunalite, departement] = page.tables.comparison.rows;
    expect(intercommunalite).toMatchObject({ code: '200046977', sales_count: epci.indicators[0].sales_count, price_m2_median: epci.indicators[0].price_m2_median });
    expect(departement).toMatchObject({ code: '69', sales_count: dep.indicators[0].sales_count, price_m2_median: dep.indicators[0].price_m2_median });
    const sections = page.tables.sections.rows;
    expect(sections.length).toBeGreaterThan(5);
    const published = sections.find((s: any) => !s.withheld);
    if (published) {
      const ref = await json(`/api/market/sections/${published.section}/indicators?types=appartement&from=2018&to=2018`);
      expect(published).toMatchObject({ sales_count: ref.indicators[0].sales_count, price_m2_median: ref.indicators[0].price_m2_median });
    }
    for (const s of sections.filter((s: any) => s.withheld)) expect(s.sales_count).toBeNull();
    const sales = page.tables.sales.rows;
    expect(sales.length).toBe(30);
    for (const v of sales) {
      expect(v).not.toHaveProperty('adresse_nom_voie');
      if (v.price_m2 !== null) {
        expect(['Maison', 'Appartement']).toContain(v.type);
        expect(v.price_m2).toBe(Math.round(v.price / v.surface));
      }
      if (v.longitude !== null) expect(Math.round(v.longitude * 1000)).toBeCloseTo(v.longitude * 1000, 6);
    }
    expect(sales.some((v: any) => v.latitude !== null)).toBe(true);
  });

  it('withholds a distribution from too few sales, and downloads each table as CSV equal to the JSON', async () => {
    const abzac = await json('/api/market/portal/communes/33001?type=appartement');
    expect(abzac.tables.distribution.rows).toEqual([]);
    expect(abzac.tables.distribution.meta.title).toContain('non publiée');
    for (const table of ['yearly_series', 'comparison', 'distribution', 'volumes', 'sections', 'sales', 'building_land', 'monthly_series']) {
      const url = `/api/market/portal/communes/64260/download/${table}?type=maison_appartement&year=2021`;
      const csv = await get(url);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-disposition']).toContain(`prix-64260-${table}-2021-maison_appartement.csv`);
      const rows = parse(csv.body, { comment: '#', columns: true }) as Record<string, string>[];
      const j = (await json(`${url}&format=json`)) as any;
      expect(j.meta.source).toContain('DVF');
      expect(rows.length).toBe(j.rows.length);
      for (const [i, row] of rows.entries()) {
        for (const c of j.columns) {
          const v = j.rows[i][c.key];
          expect(row[c.key]).toBe(v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'oui' : 'non') : String(v));
        }
      }
    }
  });

  it('a commune page gives no withheld figure back: not by its totals, its sections, its distribution or its list of sales', async () => {
    const lone = (total: number | null, parts: (number | null)[], what: string) => {
      if (total === null) return;
      const unknown = parts.filter((p) => p === null).length;
      const rest = total - parts.reduce((a: number, p) => a + (p ?? 0), 0);
      expect(unknown, `${what}: a lone withheld figure`).not.toBe(1);
      expect(rest === 0 || rest >= 11, `${what}: withheld figures together count ${rest}`).toBe(true);
    };
    const KIND: Record<string, string> = { Maison: 'maison', Appartement: 'appartement' };
    for (const code of ['33001', '64260', '69266'])
      for (const qs of ['type=appartement&method=etalab', 'type=maison&method=habitat', 'type=maison_appartement&method=habitat&window=five_years']) {
        const page = await json(`/api/market/portal/communes/${code}?${qs}`);
        const what = `${code} ${qs}`;
        const annual = page.tables.yearly_series.rows;
        const cell = (rows: any[], type: string, period: string) => {
          const r = rows.find((x) => x.type === type && x.period === period);
          return r === undefined ? 0 : r.sales_count;
        };
        for (const y of new Set<string>(annual.map((r: any) => r.period)))
          lone(cell(annual, 'maison_appartement', y), [cell(annual, 'maison', y), cell(annual, 'appartement', y)], `${what} ${y}`);
        // The sections add up to the commune's line of the comparison.
        const commune = page.tables.comparison.rows[0];
        lone(commune.sales_count, page.tables.sections.rows.map((r: any) => r.sales_count), `${what} sections`);
        // The distribution's bins add up to the commune's figure.
        if (commune.withheld) expect(page.tables.distribution.rows, what).toEqual([]);
        // No listed house or flat sits in a withheld year or month of its type.
        const monthly = page.tables.monthly_series.rows;
        for (const v of page.tables.sales.rows) {
          const type = KIND[v.type];
          if (!type) continue;
          const year = annual.find((r: any) => r.type === type && r.period === v.date.slice(0, 4));
          expect(year?.withheld, `${what}: sale of ${v.date} (${type}) listed under a withheld year`).not.toBe(true);
          const month = monthly.find((r: any) => r.type === type && r.period === v.date.slice(0, 7));
          expect(month?.withheld, `${what}: sale of ${v.date} (${type}) listed under a withheld month`).not.toBe(true);
        }
      }
  });

  it('refuses bad parameters in French and unknown communes', async () => {
    const bad = await get('/api/market/portal/communes/64260?type=chateau');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().detail).toMatch(/requête est invalide/);
    expect((await get('/api/market/portal/communes/99999')).statusCode).toBe(404);
    expect((await get('/api/market/portal/communes/64260/download/inconnu')).statusCode).toBe(400);
  });

  it('documents the portal routes in the OpenAPI description', async () => {
    const doc = await json('/api/docs/json');
    for (const p of ['/api/market/portal/map', '/api/market/portal/map/download', '/api/market/portal/communes/{code}', '/api/market/portal/communes/{code}/download/{table}']) {
      expect(doc.paths).toHaveProperty([p]);
    }
  });
});
