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
    for (const [type, methode] of [
      ['appartement', 'habitat'],
      ['maison_appartement', 'habitat'],
      ['maison', 'etalab'],
    ]) {
      const map = await json(`/api/market/portail/carte?type=${type}&methode=${methode}`);
      expect(map.annee).toBe(2018); // the last year of the demo's Rhône file
      expect(map.tableau.lignes).toHaveLength(58 + 37); // Métropole de Lyon + Toulouse Métropole
      let published = 0;
      for (const row of map.tableau.lignes) {
        const own = await json(`/api/market/communes/${row.code}/indicateurs?types=${type}&methode=${methode}&debut=2018&fin=2018`);
        const ref = own.indicateurs[0];
        if (!ref) {
          expect(row).toMatchObject({ secret: true, nb_ventes: null, prix_m2_median: null, raison: 'Aucune vente retenue dans les données.' });
          continue;
        }
        if (ref.secret) {
          expect(row).toMatchObject({ secret: true, nb_ventes: null, prix_m2_median: null, raison: ref.raison });
          continue;
        }
        published++;
        expect(row, row.nom).toMatchObject({
          secret: false,
          nb_ventes: ref.nb_ventes,
          prix_m2_q1: ref.prix_m2_q1,
          prix_m2_median: ref.prix_m2_median,
          prix_m2_q3: ref.prix_m2_q3,
          prix_median: ref.prix_median,
        });
      }
      // The partial Rhône file leaves enough sales for a real map.
      expect(published).toBeGreaterThan(10);
    }
  }, 600_000); // 3 × 95 commune routes, each a few DuckDB queries: 60 s were not enough at a load of 16 on 2 cores

  it('classes the published medians: each falls in exactly one class; withheld ones carry no figure', async () => {
    const map = await json('/api/market/portail/carte?type=appartement');
    expect(map.classes.length).toBeGreaterThanOrEqual(3);
    expect(map.classes.at(-1).max).toBeNull();
    for (const row of map.tableau.lignes.filter((r: any) => !r.secret)) {
      const hits = map.classes.filter((c: any) => row.prix_m2_median >= c.min && (c.max === null || row.prix_m2_median < c.max));
      expect(hits).toHaveLength(1);
    }
    const villeurbanne = map.tableau.lignes.find((r: any) => r.code === '69266');
    expect(villeurbanne).toMatchObject({ secret: false, epci: 'Métropole de Lyon' });
    expect(villeurbanne.nb_ventes).toBeGreaterThanOrEqual(11);
    expect(map.tableau.meta).toMatchObject({ donnees_jusqu_au: '2018-12-31', seuil_secret: 11 });
    expect(map.tableau.meta.source).toContain('DVF');
    expect(map.tableau.meta.titre).toContain('2018');
  });

  it('pools five years when asked, and an empty year says so rather than inventing figures', async () => {
    const five = await json('/api/market/portail/carte?type=appartement&annee=2018&fenetre=5ans');
    expect(five.periode).toBe('2014 à 2018 (5 ans cumulés)');
    const one = await json('/api/market/portail/carte?type=appartement&annee=2018');
    // The lake holds only 2018 for the Rhône: five years pooled give the same figures.
    expect(five.tableau.lignes).toEqual(one.tableau.lignes);
    const none = await json('/api/market/portail/carte?type=appartement&annee=2010');
    expect(none.tableau.lignes.every((r: any) => r.secret === true && r.prix_m2_median === null)).toBe(true);
    expect(none.classes).toEqual([]);
  });

  it('downloads the map’s table as CSV with method and source, with the same figures as the JSON', async () => {
    const res = await get('/api/market/portail/carte/telechargement?type=appartement&format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('prix-communes-2018-appartement.csv');
    const comments = res.body.split('\r\n').filter((l) => l.startsWith('#'));
    expect(comments.join('\n')).toMatch(/Source : DGFiP, Demandes de valeurs foncières \(DVF\)/);
    expect(comments.join('\n')).toMatch(/Méthode : Ventes/);
    expect(comments.join('\n')).toContain('ventes jusqu’au 2018-12-31');
    expect(comments.join('\n')).toContain('Colonne prix_m2_median : Prix au m² médian (€/m²)');
    const rows = parse(res.body, { comment: '#', columns: true }) as Record<string, string>[];
    const map = await json('/api/market/portail/carte?type=appartement');
    expect(rows).toHaveLength(map.tableau.lignes.length);
    for (const [i, row] of rows.entries()) {
      const j = map.tableau.lignes[i];
      expect(row.code).toBe(j.code);
      expect(row.nom).toBe(j.nom);
      expect(row.prix_m2_median).toBe(j.prix_m2_median === null ? '' : String(j.prix_m2_median));
      expect(row.secret).toBe(j.secret ? 'oui' : 'non');
    }
    const asJson = await get('/api/market/portail/carte/telechargement?type=appartement&format=json');
    expect(asJson.json()).toEqual(map.tableau);
  });
});

describe('portal commune page', () => {
  it('Hendaye: yearly figures are the market module’s, the distribution counts every sale, the comparison pools its area', async () => {
    const page = await json('/api/market/portail/communes/64260?type=appartement');
    expect(page.commune).toMatchObject({ code: '64260', nom: 'Hendaye', departement_code: '64' });
    expect(page.annees).toEqual([2023, 2022, 2021, 2020, 2019]);
    expect(page.annee).toBe(2023);
    const own = await json('/api/market/communes/64260/indicateurs?types=maison,appartement,maison_appartement');
    const annual = page.tableaux.serie_annuelle.lignes;
    expect(annual).toHaveLength(own.indicateurs.length);
    for (const ref of own.indicateurs) {
      const row = annual.find((r: any) => r.periode === ref.periode && r.type === ref.type);
      expect(row).toMatchObject(ref.secret ? { secret: true, raison: ref.raison } : { secret: false, nb_ventes: ref.nb_ventes, prix_m2_median: ref.prix_m2_median });
    }
    const y2023 = annual.find((r: any) => r.periode === '2023' && r.type === 'appartement');
    expect(y2023.secret).toBe(false);
    const distributed = page.tableaux.distribution.lignes.reduce((s: number, b: any) => s + b.nb_ventes, 0);
    expect(distributed).toBe(y2023.nb_ventes);
    const commune = page.tableaux.comparaison.lignes[0];
    expect(commune).toMatchObject({ niveau: 'Commune', nb_ventes: y2023.nb_ventes, prix_m2_median: y2023.prix_m2_median });
    expect(page.tableaux.comparaison.lignes.map((r: any) => r.niveau)).toEqual(['Commune', 'Intercommunalité', 'Département']);
    // Only Hendaye of the Pays Basque is in the demo lake: its EPCI and département pool the same sales.
    expect(page.tableaux.comparaison.lignes[2]).toMatchObject({ code: '64', nb_ventes: y2023.nb_ventes });
    const monthly = page.tableaux.serie_mensuelle.lignes;
    expect(monthly.length).toBeGreaterThan(12);
    for (const m of monthly) expect(m.periode).toMatch(/^20(19|2[0-3])-(0[1-9]|1[0-2])$/);
  });

  it('Lyon 2018: the EPCI and département comparisons equal their routes; a section equals its route; latest sales carry type and price per m²', async () => {
    const page = await json('/api/market/portail/communes/69123?type=appartement');
    const epci = await json('/api/market/epci/200046977/indicateurs?types=appartement&debut=2018&fin=2018');
    const dep = await json('/api/market/departements/69/indicateurs?types=appartement&debut=2018&fin=2018');
    const [, intercommunalite, departement] = page.tableaux.comparaison.lignes;
    expect(intercommunalite).toMatchObject({ code: '200046977', nb_ventes: epci.indicateurs[0].nb_ventes, prix_m2_median: epci.indicateurs[0].prix_m2_median });
    expect(departement).toMatchObject({ code: '69', nb_ventes: dep.indicateurs[0].nb_ventes, prix_m2_median: dep.indicateurs[0].prix_m2_median });
    const sections = page.tableaux.sections.lignes;
    expect(sections.length).toBeGreaterThan(5);
    const published = sections.find((s: any) => !s.secret);
    if (published) {
      const ref = await json(`/api/market/sections/${published.section}/indicateurs?types=appartement&debut=2018&fin=2018`);
      expect(published).toMatchObject({ nb_ventes: ref.indicateurs[0].nb_ventes, prix_m2_median: ref.indicateurs[0].prix_m2_median });
    }
    for (const s of sections.filter((s: any) => s.secret)) expect(s.nb_ventes).toBeNull();
    const ventes = page.tableaux.ventes.lignes;
    expect(ventes.length).toBe(30);
    for (const v of ventes) {
      expect(v).not.toHaveProperty('adresse_nom_voie');
      if (v.prix_m2 !== null) {
        expect(['Maison', 'Appartement']).toContain(v.type);
        expect(v.prix_m2).toBe(Math.round(v.prix / v.surface));
      }
      if (v.longitude !== null) expect(Math.round(v.longitude * 1000)).toBeCloseTo(v.longitude * 1000, 6);
    }
    expect(ventes.some((v: any) => v.latitude !== null)).toBe(true);
  });

  it('withholds a distribution from too few sales, and downloads each table as CSV equal to the JSON', async () => {
    const abzac = await json('/api/market/portail/communes/33001?type=appartement');
    expect(abzac.tableaux.distribution.lignes).toEqual([]);
    expect(abzac.tableaux.distribution.meta.titre).toContain('non publiée');
    for (const tableau of ['serie_annuelle', 'comparaison', 'distribution', 'volumes', 'sections', 'ventes', 'terrains', 'serie_mensuelle']) {
      const url = `/api/market/portail/communes/64260/telechargement/${tableau}?type=maison_appartement&annee=2021`;
      const csv = await get(url);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-disposition']).toContain(`prix-64260-${tableau}-2021-maison_appartement.csv`);
      const rows = parse(csv.body, { comment: '#', columns: true }) as Record<string, string>[];
      const j = (await json(`${url}&format=json`)) as any;
      expect(j.meta.source).toContain('DVF');
      expect(rows.length).toBe(j.lignes.length);
      for (const [i, row] of rows.entries()) {
        for (const c of j.colonnes) {
          const v = j.lignes[i][c.cle];
          expect(row[c.cle]).toBe(v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'oui' : 'non') : String(v));
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
      for (const qs of ['type=appartement&methode=etalab', 'type=maison&methode=habitat', 'type=maison_appartement&methode=habitat&fenetre=5ans']) {
        const page = await json(`/api/market/portail/communes/${code}?${qs}`);
        const what = `${code} ${qs}`;
        const annual = page.tableaux.serie_annuelle.lignes;
        const cell = (rows: any[], type: string, periode: string) => {
          const r = rows.find((x) => x.type === type && x.periode === periode);
          return r === undefined ? 0 : r.nb_ventes;
        };
        for (const y of new Set<string>(annual.map((r: any) => r.periode)))
          lone(cell(annual, 'maison_appartement', y), [cell(annual, 'maison', y), cell(annual, 'appartement', y)], `${what} ${y}`);
        // The sections add up to the commune's line of the comparison.
        const commune = page.tableaux.comparaison.lignes[0];
        lone(commune.nb_ventes, page.tableaux.sections.lignes.map((r: any) => r.nb_ventes), `${what} sections`);
        // The distribution's bins add up to the commune's figure.
        if (commune.secret) expect(page.tableaux.distribution.lignes, what).toEqual([]);
        // No listed house or flat sits in a withheld year or month of its type.
        const monthly = page.tableaux.serie_mensuelle.lignes;
        for (const v of page.tableaux.ventes.lignes) {
          const type = KIND[v.type];
          if (!type) continue;
          const year = annual.find((r: any) => r.type === type && r.periode === v.date.slice(0, 4));
          expect(year?.secret, `${what}: sale of ${v.date} (${type}) listed under a withheld year`).not.toBe(true);
          const month = monthly.find((r: any) => r.type === type && r.periode === v.date.slice(0, 7));
          expect(month?.secret, `${what}: sale of ${v.date} (${type}) listed under a withheld month`).not.toBe(true);
        }
      }
  });

  it('refuses bad parameters in French and unknown communes', async () => {
    const bad = await get('/api/market/portail/communes/64260?type=chateau');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().detail).toMatch(/requête est invalide/);
    expect((await get('/api/market/portail/communes/99999')).statusCode).toBe(404);
    expect((await get('/api/market/portail/communes/64260/telechargement/inconnu')).statusCode).toBe(400);
  });

  it('documents the portal routes in the OpenAPI description', async () => {
    const doc = await json('/api/docs/json');
    for (const p of ['/api/market/portail/carte', '/api/market/portail/carte/telechargement', '/api/market/portail/communes/{code}', '/api/market/portail/communes/{code}/telechargement/{tableau}']) {
      expect(doc.paths).toHaveProperty([p]);
    }
  });
});
