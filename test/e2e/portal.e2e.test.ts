// The public price portal in a real browser, on the real demo DVF files: the map of the Métropole de Lyon, a commune
// picked on it, its median read on the page, the CSV downloaded and compared with the API, search, accessibility
// (axe). Screenshots are kept in test-results/. Performance (Lighthouse) is a timing, measured by
// bench/lighthouse.ts (docs/benchmarks.md), never asserted here: it failed on a loaded machine.
import { parse } from 'csv-parse/sync';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { marketModule } from '../../src/modules/market/index.ts';
import { ARTIFACTS_DIR, browserAvailable, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Number written the French way (« 3 125 », narrow no-break spaces) → 3125. */
const frenchNumber = (s: string) => Number(s.replace(/[^\d,-]/g, '').replace(',', '.'));


const RAW_DVF = join(import.meta.dirname, '..', '..', 'data', 'demo', 'dvf', 'geodvf_dep69_2018_partial_chunk.csv');

/** The lines of one mutation in the raw demo file (a copy of /work/shared/data/dvf, see its PROVENANCE.md), duplicates dropped. */
function rawMutation(id: string): Record<string, string>[] {
  const rows = (parse(readFileSync(RAW_DVF, 'utf8'), { columns: true }) as Record<string, string>[]).filter((r) => r.id_mutation === id);
  return [...new Map(rows.map((r) => [JSON.stringify(r), r])).values()];
}

/** Where MapLibre draws a point, in CSS pixels from the map's centre: Web Mercator, 512 px tiles at zoom 0. */
function mercator(lon: number, lat: number, zoom: number) {
  const size = 512 * 2 ** zoom;
  return { x: ((lon + 180) / 360) * size, y: ((1 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / Math.PI) / 2) * size };
}

/** Etalab's « Statistiques DVF » by hand over the raw demo file: flats of one commune sold alone in a range of months. */
function handMedian(code: string, from: string, to: string): { n: number; median: number } {
  const file = join(import.meta.dirname, '..', '..', 'data', 'demo', 'dvf', 'geodvf_dep69_2018_partial_chunk.csv');
  const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
  const cols = ['id_mutation', 'date_mutation', 'code_departement', 'code_commune', 'id_parcelle', 'nature_mutation', 'code_type_local', 'type_local', 'valeur_fonciere', 'surface_reelle_bati'];
  const seen = new Set<string>();
  const sales = rows
    .filter((r) => !seen.has(cols.map((c) => r[c]).join('|')) && seen.add(cols.map((c) => r[c]).join('|')))
    .filter((r) => ['Vente', "Vente en l'état futur d'achèvement", 'Adjudication'].includes(r.nature_mutation) && ['1', '2', '4'].includes(r.code_type_local));
  const perMutation = new Map<string, number>();
  for (const r of sales) perMutation.set(r.id_mutation, (perMutation.get(r.id_mutation) ?? 0) + 1);
  const xs = sales
    .filter((r) => perMutation.get(r.id_mutation) === 1 && r.code_type_local === '2' && r.code_commune === code)
    .filter((r) => r.date_mutation.slice(0, 7) >= from && r.date_mutation.slice(0, 7) <= to && r.valeur_fonciere !== '' && Number(r.surface_reelle_bati) > 0)
    .map((r) => Number(r.valeur_fonciere) / Number(r.surface_reelle_bati))
    .filter((p) => p < 100_000)
    .sort((a, b) => a - b);
  const m = xs.length >> 1;
  const median = xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
  return { n: xs.length, median: Math.abs(median % 1) === 0.5 ? 2 * Math.round(median / 2) : Math.round(median) };
}

describe.skipIf(!browserAvailable())('price portal in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    await marketModule.loadDemo!(server.ctx);
    browser = await openBrowser();
    page = browser.page;
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    if (pageErrors.length) console.error('Erreurs de la page :', pageErrors);
    await browser?.close();
    await server?.close();
  });

  it('draws the map, opens the commune picked on it, and shows the median the API gives', async () => {
    await page.goto(server.url + '/prix?type=appartement');
    await page.getByRole('heading', { level: 1, name: 'Prix de l’immobilier' }).waitFor();
    const map = page.getByTestId('carte');
    await map.waitFor();
    expect(Number(await map.getAttribute('data-rendered-communes'))).toBe(58);
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toContain('appartements, 2018');
    // The legend says what grey means, beside the price classes.
    expect(await page.getByRole('list', { name: 'Légende' }).textContent()).toContain('secret statistique (moins de 11 ventes)');
    // The table gives the same figures to keyboard users: Villeurbanne's row.
    const villeurbanneRow = page.getByRole('row', { name: /Villeurbanne/ });
    expect(await villeurbanneRow.textContent()).toMatch(/\d/);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'prix-carte.png') });

    // JS budget: the map page runs without MapLibre (1 MB); it is fetched only for the zoomable map.
    expect(requests.filter((u) => u.includes('maplibre'))).toEqual([]);
    // The zoomable MapLibre map draws the same 58 communes when asked for.
    await page.getByRole('button', { name: /Carte zoomable/ }).click();
    await page.locator('[data-testid="carte"][data-map-ready="true"]').waitFor();
    expect(Number(await page.getByTestId('carte').getAttribute('data-rendered-communes'))).toBe(58);
    await page.getByRole('button', { name: 'Revenir à la carte simple' }).click();

    // Keyboard focus on a commune of the map says its figure, as hovering does.
    const commune = page.getByTestId('carte').locator('a[aria-label*="€/m²"]').first();
    await commune.focus();
    // The text follows a React update: wait for it rather than read whatever is there at this instant.
    await expect.poll(() => page.locator('.map-hover').textContent()).toMatch(/€\/m² \(médiane, appartements, 2018, \d+ ventes\)/);
    const focused = await page.locator('.map-hover').textContent();
    // Pick it with the mouse.
    await commune.hover();
    await expect.poll(() => page.locator('.map-hover').textContent()).toBe(focused);
    const hover = focused;
    await commune.click();
    await page.waitForURL(/\/prix\/communes\/\d{5}\?/);
    expect(page.url()).toContain('type=appartement');
    await page.getByRole('heading', { level: 1, name: /^Prix de l’immobilier à / }).waitFor();
    // The map's period is the page's default one (the last 12 months of the data): the same median, or the same secret.
    expect(await page.getByTestId('periode-libelle').textContent()).toContain('Période : 2018 (par défaut');
    const shown = await page.getByTestId('periode-mediane').textContent();
    if (hover!.includes('secret statistique')) expect(shown).toMatch(/secret statistique|aucune vente/);
    else expect(frenchNumber(shown!)).toBe(frenchNumber(/: ([\d\s  ]+) €\/m²/.exec(hover!)![1]));
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'prix-commune-carte.png') });
  });

  it('draws the map over a range of months, as the commune page offers them, and keeps them on the way to a commune', async () => {
    await page.goto(server.url + '/prix?type=maison');
    await page.locator('[data-rendered-communes="58"]').waitFor();
    expect(await page.getByTestId('carte-periode-libelle').textContent()).toContain('Période : 2018 (par défaut, les 12 derniers mois des données). Édition des données : ventes jusqu’au 31 décembre 2018');
    await page.getByLabel('Du mois').fill('2018-02');
    await page.getByLabel('Au mois (inclus)').fill('2018-06');
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toBe('Prix au m² médian des maisons, février à juin 2018');
    const api = await (await fetch(`${server.url}/api/market/portal/map/period?type=maison&from=2018-02&to=2018-06`)).json();
    const row = api.table.rows.find((r: any) => !r.withheld && r.epci_siren === '200046977');
    const link = page.getByRole('table').getByRole('link', { name: row.name, exact: true });
    expect(frenchNumber((await link.locator('xpath=ancestor::tr').locator('td').first().textContent())!)).toBe(row.sales_count);
    await link.click();
    await page.waitForURL(/du=2018-02&au=2018-06/);
    await expect.poll(async () => frenchNumber((await page.getByTestId('periode-mediane').textContent())!)).toBe(row.price_m2_median);
  });

  it('finds Villeurbanne by name, reads its median and downloads the CSV that says the same as the API', async () => {
    await page.goto(server.url + '/prix?type=appartement');
    await page.getByLabel('Chercher une commune (nom ou code postal)').fill('Villeurbanne');
    await page.locator('.search-results').getByRole('link', { name: /^Villeurbanne \(69100\)/ }).click();
    await page.waitForURL(/\/prix\/communes\/69266\?/);
    const median = await page.getByTestId('prix-median').textContent();
    const api = await (await fetch(`${server.url}/api/market/portal/communes/69266?type=appartement&year=2018`)).json();
    const own = api.tables.comparison.rows[0];
    expect(own.withheld).toBe(false);
    expect(frenchNumber(median!)).toBe(own.price_m2_median);
    // The yearly chart and its table are there, with units and the source beside.
    await expect.poll(() => page.getByRole('img', { name: /Prix au m² médian par année à Villeurbanne/ }).count()).toBe(1);
    expect(await page.locator('.source').first().textContent()).toContain('ventes jusqu’au 31 décembre 2018');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV — la comparaison' }).click()]);
    const file = join(ARTIFACTS_DIR, 'prix-69266-comparaison.csv');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Comparaison avec l’intercommunalité et le département/);
    expect(text).toContain('# Source : DGFiP, Demandes de valeurs foncières (DVF)');
    const rows = parse(text, { comment: '#', columns: true }) as Record<string, string>[];
    expect(rows[0]).toMatchObject({ level: 'Commune', code: '69266', price_m2_median: String(own.price_m2_median), sales_count: String(own.sales_count) });
    expect(rows.map((r) => r.level)).toEqual(['Commune', 'Intercommunalité', 'Département']);
    await page.getByTestId('carte-ventes').and(page.locator('[data-map-ready="true"]')).waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'prix-villeurbanne.png'), fullPage: true });
    // Everything came from our own server.
    expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
  });

  it('reads the median of a chosen period, the one recomputed by hand from the raw file, and its histogram adds up', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(server.url + '/prix/communes/69266?type=appartement&methode=etalab');
    await page.getByTestId('periode-mediane').waitFor();
    expect(await page.getByTestId('periode-libelle').textContent()).toContain('Période : 2018 (par défaut, les 12 derniers mois des données)');
    await page.getByLabel('Du mois').fill('2018-03');
    await expect.poll(() => page.getByTestId('periode-libelle').textContent()).toContain('mars à décembre 2018');
    await page.getByLabel('Au mois (inclus)').fill('2018-06');
    await expect.poll(() => page.getByTestId('periode-libelle').textContent()).toContain('mars à juin 2018');
    expect(page.url()).toContain('du=2018-03');
    const hand = handMedian('69266', '2018-03', '2018-06');
    await expect.poll(async () => frenchNumber((await page.getByTestId('periode-mediane').textContent())!)).toBe(hand.median);
    expect(frenchNumber((await page.getByTestId('periode-ventes').textContent())!)).toBe(hand.n);
    // The price histogram counts the sales of the table, no more, no less.
    expect(frenchNumber((await page.getByTestId('histogramme-ventes').textContent())!)).toBe(hand.n);
    expect(await page.getByRole('img', { name: /^Ventes de la période par tranche de prix au m², appartements, mars à juin 2018/ }).count()).toBe(1);
  });

  it('shows a sale’s details when it is chosen in the list beside the map', async () => {
    await page.goto(server.url + '/prix/communes/69266?type=appartement');
    await page.getByTestId('periode-mediane').waitFor();
    const api = await (await fetch(`${server.url}/api/market/portal/communes/69266/period?type=appartement`)).json();
    // Among the 40 sales the list shows before « Voir plus ».
    const sale = api.sales.rows.slice(0, 40).find((s: any) => s.same_parcel.length > 0 && s.price !== null) ?? api.sales.rows[0];
    const index = api.sales.rows.indexOf(sale);
    const list = page.getByRole('list', { name: /Ventes de Villeurbanne/ });
    await list.getByRole('button').nth(index).click();
    const details = page.getByTestId('vente-detail');
    await details.waitFor();
    const text = (await details.textContent())!;
    expect(text).toContain(`Vente du ${sale.date}`);
    expect(frenchNumber(/Prix([\d\s  ]+) €Prix au m²/.exec(text)![1])).toBe(sale.price);
    if (sale.same_parcel.length) expect(text).toContain(sale.same_parcel[0].date);
    await page.getByTestId('carte-periode').and(page.locator('[data-map-ready="true"]')).waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'prix-periode-vente.png'), fullPage: true });
  });

  it('shows the details of a sale clicked on the map, as the raw DVF file gives them', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(server.url + '/prix/communes/69266?type=appartement');
    const map = page.getByTestId('carte-periode').and(page.locator('[data-map-ready="true"]'));
    await map.waitFor();
    await map.scrollIntoViewIfNeeded();
    const api = await (await fetch(`${server.url}/api/market/portal/communes/69266/period?type=appartement`)).json();
    const [lon, lat, zoom] = (await map.getAttribute('data-map-view'))!.split(',').map(Number);
    const box = (await map.locator('canvas').boundingBox())!;
    const centre = mercator(lon, lat, zoom);
    const drawnAt = (s: { longitude: number; latitude: number }) => {
      const p = mercator(s.longitude, s.latitude, zoom);
      return { x: box.width / 2 + p.x - centre.x, y: box.height / 2 + p.y - centre.y };
    };
    const located = api.sales.rows.filter((s: any) => s.longitude !== null && s.latitude !== null);
    // A flat sold alone, drawn at least 12 px from every other sale (a point is 7.5 px wide), away from the edges and the zoom buttons.
    const sale = located.find((s: any) => {
      const lines = rawMutation(s.id);
      if (lines.filter((l) => l.code_type_local === '2').length !== 1 || lines.some((l) => ['1', '4'].includes(l.code_type_local))) return false;
      const p = drawnAt(s);
      if (p.x < 30 || p.y < 30 || p.x > box.width - 30 || p.y > box.height - 30 || (p.x > box.width - 60 && p.y < 90)) return false;
      return located.every((o: any) => o === s || Math.hypot(drawnAt(o).x - p.x, drawnAt(o).y - p.y) >= 12);
    });
    expect(sale, 'une vente isolée sur la carte').toBeDefined();
    const at = drawnAt(sale);
    await page.mouse.click(box.x + at.x, box.y + at.y);

    const details = page.getByTestId('vente-detail');
    await details.waitFor();
    const flat = rawMutation(sale.id).find((l) => l.code_type_local === '2')!;
    expect(await details.getByRole('heading').textContent()).toBe(`Vente du ${flat.date_mutation} : appartement`);
    const figures = Object.fromEntries(await details.locator('dl > div').evaluateAll((ds) => ds.map((d) => [d.querySelector('dt')!.textContent, d.querySelector('dd')!.textContent])));
    expect(frenchNumber(figures['Prix'])).toBe(Number(flat.valeur_fonciere));
    expect(frenchNumber(figures['Surface habitable'])).toBe(Number(flat.surface_reelle_bati));
    expect(frenchNumber(figures['Pièces principales'])).toBe(Number(flat.nombre_pieces_principales));
    expect(frenchNumber(figures['Prix au m²'])).toBe(Math.round(Number(flat.valeur_fonciere) / Number(flat.surface_reelle_bati)));
    // Sections are drawn as the outline of their sales, and the legend says it is not the cadastral outline.
    expect(await page.getByRole('list', { name: 'Légende de la carte des ventes' }).textContent()).toContain('Contour des ventes d’une section (pas son contour cadastral)');
    // The list beside the map, the keyboard's way to the same sales, marks the one chosen on the map.
    const list = page.getByRole('list', { name: /Ventes de Villeurbanne/ });
    expect(await list.getByRole('button', { pressed: true }).textContent()).toContain(flat.date_mutation);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'prix-vente-cliquee.png'), fullPage: true });
  });

  it('finds a street of the sales and the flats under a budget there', async () => {
    await page.goto(server.url + '/prix/recherche');
    await page.getByLabel('Commune, code postal ou rue').fill('republique');
    await page.getByRole('button', { name: 'Chercher' }).click();
    const streets = page.getByTestId('rues');
    await streets.waitFor();
    expect(await streets.textContent()).toContain('rue de la republique');
    await page.getByLabel('Type de bien').selectOption('appartement');
    await page.getByLabel('Budget maximal (€)').fill('200000');
    await page.getByRole('button', { name: 'Chercher' }).click();
    await page.getByRole('heading', { name: /^Ventes correspondantes/ }).waitFor();
    for (const row of await page.getByRole('region', { name: 'Ventes correspondantes' }).locator('tbody tr').all()) {
      const cells = await row.locator('td').allTextContents();
      expect(cells[0]).toBe('Appartement');
      expect(frenchNumber(cells[3])).toBeLessThanOrEqual(200_000);
    }
  });

  it('fits a 375 px phone without horizontal scroll, and draws every point inside its chart', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    onTestFinished(() => page.setViewportSize({ width: 1280, height: 900 }));
    for (const path of ['/prix/communes/69034?type=maison', '/prix/recherche?q=republique&type=appartement&budget=200000', '/prix?type=appartement']) {
      await page.goto(server.url + path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (path.includes('communes')) await page.getByTestId('periode-mediane').waitFor();
      else if (path.includes('recherche')) await page.getByTestId('rues').waitFor();
      else await page.locator('[data-rendered-communes="58"]').waitFor();
      // What sticks out, named, when something does.
      const wide = await page.evaluate(() =>
        document.documentElement.scrollWidth > 375
          ? [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 376 && !e.closest('.table-wrap, .sale-list')).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8)
          : [],
      );
      expect(wide, path).toEqual([]);
    }
    await page.goto(server.url + '/prix/communes/69034?type=maison');
    await page.getByTestId('periode-mediane').waitFor();
    // Every point of every line chart lies inside its frame (the axis used to stop at 4 000 €/m²).
    for (const svg of await page.locator('figure.chart > svg[role="img"]').all()) {
      const [, , , h] = (await svg.getAttribute('viewBox'))!.split(' ').map(Number);
      for (const cy of await svg.locator('circle').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('cy'))))) {
        expect(cy).toBeGreaterThanOrEqual(0);
        expect(cy).toBeLessThanOrEqual(h);
      }
    }
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'prix-caluire-375.png'), fullPage: true });
  });

  it('has no serious or critical accessibility violation on the map, a commune and the method page', async () => {
    for (const path of ['/prix?type=appartement', '/prix/communes/64260?type=appartement', '/prix/communes/69266?type=appartement', '/prix/recherche?q=republique&type=appartement&budget=200000', '/prix/methode']) {
      await page.goto(server.url + path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (path.startsWith('/prix/communes')) await Promise.all([page.getByTestId('prix-median').waitFor(), page.getByTestId('periode-mediane').waitFor()]);
      else if (path.startsWith('/prix/recherche')) await page.getByTestId('rues').waitFor();
      else if (path.startsWith('/prix?')) await page.locator('[data-rendered-communes="58"]').waitFor();
      expect(await seriousViolations(page), path).toEqual([]);
    }
  });
});
