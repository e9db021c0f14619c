import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { marketModule } from './index.ts';
import { readManifest } from './lake.ts';

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
    const res = await get('/api/market/communes/33001/indicateurs?types=maison,appartement&methode=etalab');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ niveau: 'commune', code: '33001', nom: 'Abzac', methode: 'etalab', seuil_secret: 11 });
    expect(body.source).toContain('DVF');
    // A single flat: withheld. The 27 houses too, since houses and flats together are published (a subtraction away).
    expect(body.indicateurs).toEqual([
      { code: '33001', periode: '2021', type: 'maison', secret: true, raison: expect.stringContaining('Secret statistique secondaire') },
      { code: '33001', periode: '2021', type: 'appartement', secret: true, raison: expect.stringContaining('Moins de 11 ventes') },
    ]);
    expect(body.indicateurs[1]).not.toHaveProperty('nb_ventes');
    const both = (await get('/api/market/communes/33001/indicateurs?types=maison_appartement&methode=etalab')).json();
    expect(both.indicateurs).toEqual([expect.objectContaining({ type: 'maison_appartement', secret: false })]);
  });

  /** The reader's attack on every published relation: a total and all but one of its parts, or a small remainder. */
  function attack(rows: any[], label: string) {
    const get = (type: string, periode: string) => rows.find((r) => r.type === type && r.periode === periode);
    const count = (r: any) => (r === undefined ? 0 : r.secret ? null : r.nb_ventes); // no row: no sale
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
    const periods = [...new Set(rows.map((r) => r.periode as string))];
    for (const p of periods) check(get('maison_appartement', p), [get('maison', p), get('appartement', p)], p);
    for (const y of periods.filter((p) => p.length === 4))
      for (const type of ['maison', 'appartement', 'maison_appartement', 'local', 'terrain_a_batir'])
        check(get(type, y), Array.from({ length: 12 }, (_, m) => get(type, `${y}-${String(m + 1).padStart(2, '0')}`)), `${type} ${y}`);
  }

  it('publishes no figure that gives a withheld one back by subtraction: types, months and years (Abzac, Hendaye, Lyon)', async () => {
    const all = 'types=maison,appartement,maison_appartement,local,terrain_a_batir';
    for (const url of ['/api/market/communes/33001', '/api/market/communes/64260', '/api/market/communes/69123', '/api/market/communes/69266', '/api/market/epci/200046977'])
      for (const methode of ['habitat', 'etalab']) {
        const yearly = (await get(`${url}/indicateurs?${all}&methode=${methode}`)).json().indicateurs;
        const monthly = (await get(`${url}/indicateurs?${all}&methode=${methode}&periode=mois`)).json().indicateurs;
        expect(yearly.length).toBeGreaterThan(0);
        attack([...yearly, ...monthly], `${url} ${methode}`);
      }
  });

  it('lists no sale counted in a withheld figure (Abzac 2021: the 4 flats are not listed)', async () => {
    const { ventes } = (await get('/api/market/communes/33001/ventes?limite=500')).json();
    const kind = (v: any) =>
      v.nb_maisons + v.nb_appartements + v.nb_locaux !== 1 ? null : v.nb_maisons ? 'maison' : v.nb_appartements ? 'appartement' : 'local';
    const figures: any[] = [];
    for (const methode of ['habitat', 'etalab'])
      for (const periode of ['annee', 'mois'])
        figures.push(...(await get(`/api/market/communes/33001/indicateurs?types=maison,appartement,local&methode=${methode}&periode=${periode}`)).json().indicateurs);
    const withheld = (type: string, periode: string) => figures.some((f) => f.type === type && f.periode === periode && f.secret);
    for (const v of ventes) {
      const k = kind(v);
      if (!k) continue;
      expect(withheld(k, v.date_mutation.slice(0, 4)), `${v.id_mutation} (${k}) is in a withheld year`).toBe(false);
      expect(withheld(k, v.date_mutation.slice(0, 7)), `${v.id_mutation} (${k}) is in a withheld month`).toBe(false);
    }
    expect(ventes.filter((v: any) => kind(v) === 'appartement')).toEqual([]);
  });

  it('gives monthly figures and building land', async () => {
    const res = await get('/api/market/communes/64260/indicateurs?periode=mois&types=appartement,terrain_a_batir&debut=2021&fin=2021');
    const body = res.json();
    expect(res.statusCode).toBe(200);
    expect(body.indicateurs.length).toBeGreaterThan(0);
    for (const i of body.indicateurs) expect(i.periode).toMatch(/^2021-(0[1-9]|1[0-2])$/);
  });

  it('rolls the Métropole de Lyon up from its communes in the store, and the whole territory too', async () => {
    const epci = (await get('/api/market/epci/200046977/indicateurs?types=appartement&methode=etalab')).json();
    const lyon = (await get('/api/market/communes/69123/indicateurs?types=appartement&methode=etalab')).json();
    expect(epci.nom).toMatch(/Lyon/);
    expect(epci.indicateurs[0].nb_ventes).toBeGreaterThan(lyon.indicateurs[0].nb_ventes);
    const territoire = (await get('/api/market/territoire/indicateurs?types=appartement&methode=etalab')).json();
    // Toulouse Métropole has no DVF sample: the territory equals the Métropole de Lyon.
    expect(territoire.indicateurs[0].nb_ventes).toBe(epci.indicateurs[0].nb_ventes);
    expect((await get('/api/market/departements/69/indicateurs')).statusCode).toBe(200);
    expect((await get('/api/market/sections/69389000BV/indicateurs?types=appartement')).json().indicateurs[0]).toMatchObject({ secret: true });
  });

  it('refuses bad parameters in French (problem+json) and unknown EPCIs', async () => {
    const bad = await get('/api/market/communes/3300/indicateurs');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await get('/api/market/communes/33001/indicateurs?types=chateau')).statusCode).toBe(400);
    const unknown = await get('/api/market/epci/999999999/indicateurs');
    expect(unknown.statusCode).toBe(404);
  });

  it('lists a commune’s latest sales, one per mutation, not indexable, without addresses', async () => {
    const res = await get('/api/market/communes/33001/ventes?limite=5');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-robots-tag']).toContain('noindex');
    const { ventes } = res.json();
    expect(ventes).toHaveLength(5);
    expect(ventes[0].date_mutation >= ventes[4].date_mutation).toBe(true);
    expect(new Set(ventes.map((v: any) => v.id_mutation)).size).toBe(5);
    for (const v of ventes) {
      expect(v).not.toHaveProperty('adresse_nom_voie');
      expect(v).not.toHaveProperty('id_parcelle');
    }
  });

  it('shows what the lake holds, and the demo load is a no-op the second time', async () => {
    const before = readManifest(t.ctx.lake.dir);
    await marketModule.loadDemo!(t.ctx);
    expect(readManifest(t.ctx.lake.dir)).toEqual(before);
    const etat = (await get('/api/market/etat')).json();
    expect(etat.partitions).toContainEqual(expect.objectContaining({ departement: '69', annee: 2018 }));
    expect(etat.fichiers.map((f: any) => f.fichier).sort()).toEqual([
      'dvf_variant_64260_Hendaye_2019-2023_apt_maison.csv',
      'geodvf_commune_33001_Abzac_2021.csv',
      'geodvf_dep69_2018_partial_chunk.csv',
    ]);
  });

  it('documents every market route in the OpenAPI description', async () => {
    const doc = (await get('/api/docs/json')).json();
    for (const path of ['/api/market/communes/{code}/indicateurs', '/api/market/epci/{siren}/indicateurs', '/api/market/communes/{code}/ventes', '/api/market/etat']) {
      expect(doc.paths).toHaveProperty([path]);
    }
  });
});
