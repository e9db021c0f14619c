import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { marketModule } from './index.ts';
import { readDvfManifest as readManifest } from './store.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  // The demo import: the real samples of data/demo/dvf.
  await marketModule.loadDemo!(t.ctx);
});
afterAll(() => t?.close());

const get = (url: string) => t.app.inject({ method: 'GET', url });

describe('market routes (public)', () => {
  it('gives a commune’s indicators, and withholds those from too few sales with the reason', async () => {
    const res = await get('/api/market/communes/33001/indicators?types=maison,appartement&method=etalab');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ level: 'commune', code: '33001', name: 'Abzac', method: 'etalab', secrecy_min_count: 11 });
    expect(body.source).toContain('DVF');
    // A single flat: withheld. The 27 houses too, since houses and flats together are published (a subtraction away).
    expect(body.indicators).toEqual([
      { code: '33001', period: '2021', type: 'maison', withheld: true, reason: expect.stringContaining('Secret statistique secondaire') },
      { code: '33001', period: '2021', type: 'appartement', withheld: true, reason: expect.stringContaining('Moins de 11 ventes') },
    ]);
    expect(body.indicators[1]).not.toHaveProperty('sales_count');
    const both = (await get('/api/market/communes/33001/indicators?types=maison_appartement&method=etalab')).json();
    // Houses and flats together: 28 single-property sales, published with every figure (by hand from the CSV file:
    // quantiles of valeur_fonciere / surface_reelle_bati, rounded half to even).
    expect(both.indicators).toEqual([
      { code: '33001', period: '2021', type: 'maison_appartement', withheld: false, sales_count: 28, price_m2_q1: 1084, price_m2_median: 1753, price_m2_q3: 2061, price_median: 163725 },
    ]);
  });

  /** The reader's attack on every published relation: a total and all but one of its parts, or a small remainder. */
  function attack(rows: any[], label: string) {
    const get = (type: string, period: string) => rows.find((r) => r.type === type && r.period === period);
    const count = (r: any) => (r === undefined ? 0 : r.withheld ? null : r.sales_count); // no row: no sale
    const check = (total: any, parts: any[], what: string) => {
      const t = count(total);
      const ps = parts.map(count);
      const unknown = [t, ...ps].filter((v) => v === null).length;
      expect(unknown, `${label} ${what}: a lone withheld figure`).not.toBe(1);
      if (t !== null && unknown > 0) {
        const rest = t - ps.reduce((a: number, v) => a + (v ?? 0), 0);
        expect(rest === 0 || rest >= 11, `${label} ${what}: withheld figures together count ${rest}`).toBe(true);
      }
    };
    const periods = [...new Set(rows.map((r) => r.period as string))];
    for (const p of periods) check(get('maison_appartement', p), [get('maison', p), get('appartement', p)], p);
    for (const y of periods.filter((p) => p.length === 4))
      for (const type of ['maison', 'appartement', 'maison_appartement', 'local', 'terrain_a_batir'])
        check(get(type, y), Array.from({ length: 12 }, (_, m) => get(type, `${y}-${String(m + 1).padStart(2, '0')}`)), `${type} ${y}`);
  }

  it('publishes no figure that gives a withheld one back by subtraction: types, months and years (Abzac, Hendaye, Lyon)', async () => {
    const all = 'types=maison,appartement,maison_appartement,local,terrain_a_batir';
    for (const url of ['/api/market/communes/33001', '/api/market/communes/64260', '/api/market/communes/69123', '/api/market/communes/69266', '/api/market/epci/200046977'])
      for (const method of ['habitat', 'etalab']) {
        const yearly = (await get(`${url}/indicators?${all}&method=${method}`)).json().indicators;
        const monthly = (await get(`${url}/indicators?${all}&method=${method}&period=month`)).json().indicators;
        expect(yearly.length).toBeGreaterThan(0);
        attack([...yearly, ...monthly], `${url} ${method}`);
      }
  });

  it('lists no sale counted in a withheld figure (Abzac 2021: the 4 flats are not listed)', async () => {
    const { sales } = (await get('/api/market/communes/33001/sales?limit=500')).json();
    const kind = (v: any) =>
      v.houses_count + v.flats_count + v.premises_count !== 1 ? null : v.houses_count ? 'maison' : v.flats_count ? 'appartement' : 'local';
    const figures: any[] = [];
    for (const method of ['habitat', 'etalab'])
      for (const period of ['year', 'month'])
        figures.push(...(await get(`/api/market/communes/33001/indicators?types=maison,appartement,local&method=${method}&period=${period}`)).json().indicators);
    const withheld = (type: string, period: string) => figures.some((f) => f.type === type && f.period === period && f.withheld);
    for (const v of sales) {
      const k = kind(v);
      if (!k) continue;
      expect(withheld(k, v.date_mutation.slice(0, 4)), `${v.id_mutation} (${k}) is in a withheld year`).toBe(false);
      expect(withheld(k, v.date_mutation.slice(0, 7)), `${v.id_mutation} (${k}) is in a withheld month`).toBe(false);
    }
    expect(sales.filter((v: any) => kind(v) === 'appartement')).toEqual([]);
  });

  it('gives monthly figures and building land', async () => {
    const res = await get('/api/market/communes/64260/indicators?period=month&types=appartement,terrain_a_batir&from=2021&to=2021');
    const body = res.json();
    expect(res.statusCode).toBe(200);
    expect(body.indicators.length).toBeGreaterThan(0);
    for (const i of body.indicators) expect(i.period).toMatch(/^2021-(0[1-9]|1[0-2])$/);
  });

  it('rolls the Métropole de Lyon up from its communes in the store, and the whole territory too', async () => {
    const epci = (await get('/api/market/epci/200046977/indicators?types=appartement&method=etalab')).json();
    const lyon = (await get('/api/market/communes/69123/indicators?types=appartement&method=etalab')).json();
    expect(epci.name).toMatch(/Lyon/);
    expect(epci.indicators[0].sales_count).toBeGreaterThan(lyon.indicators[0].sales_count);
    const territory = (await get('/api/market/territory/indicators?types=appartement&method=etalab')).json();
    // Toulouse Métropole has no DVF sample: the territory equals the Métropole de Lyon.
    expect(territory.indicators[0].sales_count).toBe(epci.indicators[0].sales_count);
    expect((await get('/api/market/departements/69/indicators')).statusCode).toBe(200);
    expect((await get('/api/market/sections/69389000BV/indicators?types=appartement')).json().indicators[0]).toMatchObject({ withheld: true });
  });

  it('refuses bad parameters in French (problem+json) and unknown EPCIs', async () => {
    const bad = await get('/api/market/communes/3300/indicators');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await get('/api/market/communes/33001/indicators?types=chateau')).statusCode).toBe(400);
    const unknown = await get('/api/market/epci/999999999/indicators');
    expect(unknown.statusCode).toBe(404);
  });

  it('lists a commune’s latest sales, one per mutation, not indexable, without addresses', async () => {
    const res = await get('/api/market/communes/33001/sales?limit=5');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-robots-tag']).toContain('noindex');
    const { sales } = res.json();
    expect(sales).toHaveLength(5);
    expect(sales[0].date_mutation >= sales[4].date_mutation).toBe(true);
    expect(new Set(sales.map((v: any) => v.id_mutation)).size).toBe(5);
    for (const v of sales) {
      expect(v).not.toHaveProperty('adresse_nom_voie');
      expect(v).not.toHaveProperty('id_parcelle');
    }
  });

  it('shows what the lake holds, and the demo load is a no-op the second time', async () => {
    const before = readManifest(t.ctx.lake.dir);
    await marketModule.loadDemo!(t.ctx);
    expect(readManifest(t.ctx.lake.dir)).toEqual(before);
    const lake = (await get('/api/market/lake')).json();
    expect(lake.partitions).toContainEqual(expect.objectContaining({ departement: '69', year: 2018 }));
    expect(lake.files.map((f: any) => f.file).sort()).toEqual([
      'dvf_variant_64260_Hendaye_2019-2023_apt_maison.csv',
      'geodvf_commune_33001_Abzac_2021.csv',
      'geodvf_dep69_2018_partial_chunk.csv',
    ]);
  });

  it('documents every market route in the OpenAPI description', async () => {
    const doc = (await get('/api/docs/json')).json();
    for (const path of ['/api/market/communes/{code}/indicators', '/api/market/epci/{siren}/indicators', '/api/market/communes/{code}/sales', '/api/market/lake']) {
      expect(doc.paths).toHaveProperty([path]);
    }
  });
});
