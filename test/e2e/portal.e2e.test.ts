// The public price portal in a real browser, on the real demo DVF files: the map of the Métropole de Lyon, a commune
// picked on it, its median read on the page, the CSV downloaded and compared with the API, search, accessibility
// (axe), and a Lighthouse run (performance and accessibility) on the map page. Screenshots and the Lighthouse report
// are kept in test-results/.
import { parse } from 'csv-parse/sync';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketModule } from '../../src/modules/market/index.ts';
import { ARTIFACTS_DIR, CHROMIUM, CHROMIUM_ARGS, browserAvailable, seriousViolations } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** A free loopback port for Chromium's DevTools endpoint, which Lighthouse drives. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Number written the French way (« 3 125 », narrow no-break spaces) → 3125. */
const frenchNumber = (s: string) => Number(s.replace(/[^\d,-]/g, '').replace(',', '.'));

describe.skipIf(!browserAvailable())('price portal in Chromium', () => {
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let debugPort: number;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    await marketModule.loadDemo!(server.ctx);
    debugPort = await freePort();
    profile = mkdtempSync(join(tmpdir(), 'habitat-chromium-'));
    // The flags of test/support/browser.ts, plus the DevTools port Lighthouse connects to.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      locale: 'fr-FR',
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
      args: [...CHROMIUM_ARGS, `--remote-debugging-port=${debugPort}`],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    if (pageErrors.length) console.error('Erreurs de la page :', pageErrors);
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
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
    await page.locator('[data-testid="carte"][data-map-ready="true"]').waitFor({ timeout: 60_000 });
    expect(Number(await page.getByTestId('carte').getAttribute('data-rendered-communes'))).toBe(58);
    await page.getByRole('button', { name: 'Revenir à la carte simple' }).click();

    // Keyboard focus on a commune of the map says its figure, as hovering does.
    const commune = page.getByTestId('carte').locator('a[aria-label*="€/m²"]').first();
    await commune.focus();
    const focused = await page.locator('.map-hover').textContent();
    expect(focused).toMatch(/€\/m² \(médiane, appartements, 2018, \d+ ventes\)/);
    // Pick it with the mouse.
    await commune.hover();
    const hover = await page.locator('.map-hover').textContent();
    expect(hover).toBe(focused);
    await commune.click();
    await page.waitForURL(/\/prix\/communes\/\d{5}\?/);
    const code = /communes\/(\d{5})/.exec(page.url())![1];
    expect(page.url()).toContain('type=appartement');
    expect(page.url()).toContain('annee=2018');
    await page.getByRole('heading', { level: 1, name: /^Prix de l’immobilier à / }).waitFor();
    const shown = await page.getByTestId('prix-median').textContent();
    const api = await (await fetch(`${server.url}/api/market/portail/communes/${code}?type=appartement&annee=2018`)).json();
    const own = api.tableaux.comparaison.lignes[0];
    if (own.secret) {
      expect(shown).toContain('secret statistique');
      expect(hover).toContain('secret statistique');
    } else {
      expect(frenchNumber(shown!)).toBe(own.prix_m2_median);
      // The hover text on the map gave the same figure.
      expect(frenchNumber(/: ([\d\s  ]+) €\/m²/.exec(hover!)![1])).toBe(own.prix_m2_median);
    }
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'prix-commune-carte.png') });
  });

  it('finds Villeurbanne by name, reads its median and downloads the CSV that says the same as the API', async () => {
    await page.goto(server.url + '/prix?type=appartement');
    await page.getByLabel('Chercher une commune (nom ou code postal)').fill('Villeurbanne');
    await page.locator('.search-results').getByRole('link', { name: /^Villeurbanne \(69100\)/ }).click();
    await page.waitForURL(/\/prix\/communes\/69266\?/);
    const median = await page.getByTestId('prix-median').textContent();
    const api = await (await fetch(`${server.url}/api/market/portail/communes/69266?type=appartement&annee=2018`)).json();
    const own = api.tableaux.comparaison.lignes[0];
    expect(own.secret).toBe(false);
    expect(frenchNumber(median!)).toBe(own.prix_m2_median);
    // The yearly chart and its table are there, with units and the source beside.
    expect(await page.getByRole('img', { name: /Prix au m² médian par année à Villeurbanne/ }).count()).toBe(1);
    expect(await page.locator('.source').first().textContent()).toContain('ventes jusqu’au 31 décembre 2018');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV — la comparaison' }).click()]);
    const file = join(ARTIFACTS_DIR, 'prix-69266-comparaison.csv');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Comparaison avec l’intercommunalité et le département/);
    expect(text).toContain('# Source : DGFiP, Demandes de valeurs foncières (DVF)');
    const rows = parse(text, { comment: '#', columns: true }) as Record<string, string>[];
    expect(rows[0]).toMatchObject({ niveau: 'Commune', code: '69266', prix_m2_median: String(own.prix_m2_median), nb_ventes: String(own.nb_ventes) });
    expect(rows.map((r) => r.niveau)).toEqual(['Commune', 'Intercommunalité', 'Département']);
    await page.getByTestId('carte-ventes').and(page.locator('[data-map-ready="true"]')).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'prix-villeurbanne.png'), fullPage: true });
    // Everything came from our own server.
    expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
  });

  it('has no serious or critical accessibility violation on the map, a commune and the method page', async () => {
    for (const path of ['/prix?type=appartement', '/prix/communes/64260?type=appartement', '/prix/methode']) {
      await page.goto(server.url + path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (path.startsWith('/prix/communes')) await page.getByTestId('prix-median').waitFor();
      else if (path.startsWith('/prix?')) await page.locator('[data-rendered-communes="58"]').waitFor();
      expect(await seriousViolations(page), path).toEqual([]);
    }
  });

  it('Lighthouse: performance and accessibility of the map page both at least 0.9 (desktop, a modest laptop)', async () => {
    const { default: lighthouse } = await import('lighthouse');
    const { default: desktopConfig } = await import('lighthouse/core/config/desktop-config.js');
    const result = await lighthouse(
      `${server.url}/prix`,
      { port: debugPort, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'] },
      desktopConfig,
    );
    expect(result, 'Lighthouse n’a rien rendu').toBeDefined();
    writeFileSync(join(ARTIFACTS_DIR, 'lighthouse-prix.json'), result!.report as string);
    const { performance, accessibility } = result!.lhr.categories;
    const audits = result!.lhr.audits;
    const summary = {
      performance: performance.score,
      accessibility: accessibility.score,
      fcp: audits['first-contentful-paint']?.displayValue,
      lcp: audits['largest-contentful-paint']?.displayValue,
      tbt: audits['total-blocking-time']?.displayValue,
      cls: audits['cumulative-layout-shift']?.displayValue,
      runtimeError: result!.lhr.runtimeError?.message,
    };
    writeFileSync(join(ARTIFACTS_DIR, 'lighthouse-prix-summary.json'), JSON.stringify(summary, null, 2));
    expect(summary.runtimeError).toBeUndefined();
    expect(performance.score, JSON.stringify(summary)).toBeGreaterThanOrEqual(0.9);
    expect(accessibility.score, JSON.stringify(summary)).toBeGreaterThanOrEqual(0.9);
  }, 180_000);
});
