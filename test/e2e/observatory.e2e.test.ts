// The observatory in a real browser, on the demo instance (every module's demo data loaded, as `habitat serve` does):
// the portraits of Villeurbanne and Toulouse read against figures this test computes from the raw files of data/demo
// (INSEE comparateur CSV, Sitadel CSV), the map's indicator switched and its legend read, the printable sheet
// downloaded and read back, the home page's key figures and « depuis votre dernière visite », 375 px without
// horizontal scroll, axe, and Lighthouse's accessibility score (a count of failed audits, not a timing: asserted;
// performance is a timing, measured by bench/lighthouse.ts only).
import { parse } from 'csv-parse/sync';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules } from '../../src/modules/index.ts';
import { docxParagraphs, pdfTextLines } from '../../src/modules/plh/report/read-files.test-support.ts';
import { ARTIFACTS_DIR, browserAvailable, CHROMIUM, CHROMIUM_ARGS, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DEMO = join(import.meta.dirname, '..', '..', 'data', 'demo');

// INSEE comparateur de territoires 2025, one row per commune (P22_POP: population 2022; MED21: median income 2021).
const insee = new Map(
  (parse(readFileSync(join(DEMO, 'insee', 'comparateur_territoires_2025_lyon_toulouse.csv')), { delimiter: ';', columns: true }) as Record<string, string>[]).map((r) => [r.CODGEO, r]),
);

// Sitadel, Toulouse: the first line holds the French labels, the second the column codes. Dwellings authorised per
// year of authorisation, cancelled permits (ETAT_DAU 4) left out.
const sitadelRows = parse(readFileSync(join(DEMO, 'sitadel', 'sitadel_logements_31555_Toulouse_edition2026-01.csv')), { delimiter: ';', columns: true, from_line: 2, bom: true }) as Record<string, string>[];
const authorisedByYear = new Map<string, number>();
for (const r of sitadelRows) {
  if (r.ETAT_DAU === '4') continue;
  const y = r.DATE_REELLE_AUTORISATION.slice(0, 4);
  authorisedByYear.set(y, (authorisedByYear.get(y) ?? 0) + Number(r.NB_LGT_TOT_CREES || 0));
}

/** Number written the French way (« 162 207 », narrow no-break spaces, « 21,5 ») → 162207. */
const frenchNumber = (s: string) => Number(s.replace(/[^\d,-]/g, '').replace(',', '.'));
const figureText = (page: Page, section: string, key: string) => page.locator(`[data-section="${section}"] [data-figure="${key}"]`).innerText();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!browserAvailable())('observatory in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    for (const m of modules) await m.loadDemo?.(server.ctx);
    browser = await openBrowser();
    page = browser.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    if (pageErrors.length) console.error('Erreurs de la page :', pageErrors);
    await browser?.close();
    await server?.close();
  });

  it('shows the portrait of Villeurbanne: six sections in order, INSEE figures as in the CSV, the demo line', async () => {
    await page.goto(server.url + '/territoire/communes/69266');
    await page.getByRole('heading', { level: 1, name: /Villeurbanne/ }).waitFor();
    const titles = await page.locator('.portrait-section h2').allInnerTexts();
    expect(titles.map((t) => t.replace(/^\d+\.\s*/, '').toLowerCase())).toEqual([
      expect.stringContaining('population'),
      expect.stringContaining('marché'),
      expect.stringContaining('construction'),
      expect.stringContaining('social'),
      expect.stringContaining('demande'),
      expect.stringContaining('énergie'),
    ]);
    const row = insee.get('69266')!;
    const population = await figureText(page, 'population', 'population');
    expect(frenchNumber(population.split('\n')[1])).toBe(Number(row.P22_POP));
    expect(population).toMatch(/habitants/);
    expect(population).toMatch(/Insee/i);
    const income = await figureText(page, 'population', 'median_income');
    expect(frenchNumber(income.split('\n')[1])).toBe(Number(row.MED21));
    // Every section links to the module page that details it.
    expect(await page.locator('.portrait-section .module-link a').count()).toBe(6);
    // The demo DVF is a partial extract: the page says so, with a link to the sources.
    await expect.poll(() => page.getByTestId('demo-notice').innerText()).toMatch(/Données de démonstration : extrait partiel/);
    expect(await page.getByTestId('demo-notice').getByRole('link').getAttribute('href')).toBe('/sources');
    // Five comparable communes, each a link to its own portrait.
    expect(await page.locator('#comparables tbody tr').count()).toBe(5);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'portrait-villeurbanne.png'), fullPage: true });
    // A price trend of the commune carries its EPCI's beside it: the data table has a column for each.
    const priceHead = page.locator('[data-section="market"] .series table thead').first();
    await expect.poll(async () => (await priceHead.textContent()) ?? '').toMatch(/Villeurbanne.*Métropole de Lyon/s);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows the portrait of Toulouse: population from INSEE, permits from Sitadel, no DVF said as such', async () => {
    await page.goto(server.url + '/territoire/communes/31555');
    await page.getByRole('heading', { level: 1, name: /Toulouse/ }).waitFor();
    const population = await figureText(page, 'population', 'population');
    expect(frenchNumber(population.split('\n')[1])).toBe(Number(insee.get('31555')!.P22_POP));
    // The demo has no DVF sale in Toulouse: « pas de donnée » and why, never an empty table.
    expect(await figureText(page, 'market', 'price_m2_apartment')).toMatch(/Pas de donnée/);
    // Dwellings authorised per year: the series' table against the raw Sitadel file.
    const table = page.locator('[data-section="construction"] table').first();
    const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')!.textContent!, r.querySelector('td')!.textContent!]));
    expect(cells.length).toBeGreaterThan(3);
    for (const [year, value] of cells) if (authorisedByYear.has(year)) expect(frenchNumber(value), year).toBe(authorisedByYear.get(year));
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('switches the map’s indicator: the legend changes and its class counts cover every commune drawn', async () => {
    await page.goto(server.url + '/territoire/communes/69266');
    const legend = page.locator('#comparer .legend');
    await legend.locator('li').first().waitFor();
    const before = await legend.innerText();
    const drawn = Number(await page.locator('#comparer [data-testid="carte"]').getAttribute('data-rendered-communes'));
    expect(drawn).toBe(58);
    const count = async () => (await legend.locator('li').allInnerTexts()).reduce((s, t) => s + Number(/\((\d+) communes?\)/.exec(t)?.[1] ?? 0), 0);
    expect(await count()).toBe(drawn);
    await page.getByLabel('Indicateur').selectOption({ label: 'Revenu disponible médian par unité de consommation (€/an)' });
    await expect.poll(() => legend.innerText()).not.toBe(before);
    expect(await legend.innerText()).toMatch(/€\/an/);
    expect(await count()).toBe(drawn);
    // The ranking table carries the same figures: Villeurbanne's income as in the CSV.
    const villeurbanne = page.locator('#comparer table.ranking tr.current');
    expect(frenchNumber((await villeurbanne.locator('td').last().innerText()))).toBe(Number(insee.get('69266')!.MED21));
    expect(await seriousViolations(page)).toEqual([]);
    // The indicator is in the address: shareable, and the back button returns to the previous one.
    expect(new URL(page.url()).searchParams.get('indicateur')).toBe('median_income');
    const chosen = await legend.innerText();
    await page.goBack();
    await expect.poll(() => legend.innerText()).toBe(before);
    expect(await page.getByLabel('Indicateur').inputValue()).toBe('population');
    await page.goto(server.url + '/territoire/communes/69266?indicateur=median_income');
    await expect.poll(() => legend.innerText()).toBe(chosen);
  });

  it('downloads the sheet of Villeurbanne as PDF and DOCX and reads the commune and its population back', async () => {
    await page.goto(server.url + '/territoire/communes/69266');
    await page.getByRole('heading', { level: 1, name: /Villeurbanne/ }).waitFor();
    const dir = mkdtempSync(join(tmpdir(), 'fiche-'));
    try {
      const population = Number(insee.get('69266')!.P22_POP);
      const digits = (lines: string[]) => lines.join(' ').replace(/[\s\u202f\u00a0]/g, '');
      const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^PDF/ }).click()]);
      await pdf.saveAs(join(dir, 'fiche.pdf'));
      const pdfText = pdfTextLines(readFileSync(join(dir, 'fiche.pdf')));
      expect(pdfText.join(' ')).toContain('Villeurbanne');
      expect(digits(pdfText)).toContain(String(population));
      const [docx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^DOCX/ }).click()]);
      await docx.saveAs(join(dir, 'fiche.docx'));
      const paragraphs = docxParagraphs(readFileSync(join(dir, 'fiche.docx')));
      expect(paragraphs.join(' ')).toContain('Villeurbanne');
      expect(digits(paragraphs)).toContain(String(population));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens the home page on the EPCI’s key figures and tells what changed since the last visit', async () => {
    await page.goto(server.url + '/');
    await page.getByRole('heading', { level: 1, name: /Métropole de Lyon/ }).waitFor();
    const cards = page.locator('.kpis li');
    await cards.first().waitFor();
    expect(await cards.count()).toBeGreaterThanOrEqual(6);
    expect(await cards.count()).toBeLessThanOrEqual(8);
    // The Métropole's population is the sum of its communes' in the INSEE file (the portrait aggregates, never averages).
    const communes = (await server.ctx.db.selectFrom('commune').select('code').where('epci_siren', '=', '200046977').where('type', '=', 'commune-actuelle').execute()).map((c) => c.code);
    const sum = communes.reduce((s, c) => s + Number(insee.get(c)?.P22_POP ?? 0), 0);
    expect(frenchNumber((await page.locator('.kpis [data-figure="population"] .value').innerText()))).toBe(sum);
    // First visit on this browser, then nothing new, then an old last visit: every loaded edition is new.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await expect.poll(() => page.getByTestId('nouveautes').innerText()).toMatch(/Première visite/);
    await page.reload();
    await expect.poll(() => page.getByTestId('nouveautes').innerText()).toMatch(/Rien de nouveau depuis votre dernière visite/);
    await page.evaluate(() => localStorage.setItem('habitat-commun.derniere-visite', '2000-01-01T00:00:00.000Z'));
    await page.reload();
    await expect.poll(() => page.getByTestId('nouveautes').innerText()).toMatch(/Nouvelle édition : .*DVF/);
    // Toulouse Métropole: 37 communes on the map.
    await page.getByLabel('Intercommunalité affichée').selectOption({ label: 'Toulouse Métropole' });
    await page.locator('[data-testid="carte"][data-rendered-communes="37"]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lists on « Sources et couverture » the communes each source covers, Sitadel as in its file', async () => {
    await page.goto(server.url + '/sources');
    const sitadel = page.locator('details[data-source="sitadel"]');
    await sitadel.waitFor();
    const communes = new Set(sitadelRows.map((r) => r.COMM));
    expect(await sitadel.locator('summary').innerText()).toMatch(new RegExp(`${communes.size} communes? sur 95`));
    await sitadel.locator('summary').click();
    expect(await sitadel.getByRole('link', { name: 'Toulouse' }).getAttribute('href')).toBe('/territoire/communes/31555');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('fits a 375 px wide phone without horizontal scroll (home and portrait)', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      for (const path of ['/', '/territoire/communes/69266', '/territoire/epci/243100518']) {
        await page.goto(server.url + path);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.locator('[data-testid="carte"]').first().waitFor();
        const { width, wider } = await page.evaluate(() => ({
          width: document.documentElement.scrollWidth,
          // What sticks out, to say it when it fails.
          wider: [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 376)
            .slice(0, 5)
            .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
        }));
        expect(width, `${path} : ${wider.join(', ')}`).toBeLessThanOrEqual(375);
      }
      await page.goto(server.url + '/territoire/communes/69266');
      await page.locator('[data-testid="carte"]').first().waitFor();
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'portrait-villeurbanne-375.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('scores 100 in Lighthouse accessibility on the home page and a portrait', async () => {
    const debugPort = await freePort();
    const profile = mkdtempSync(join(tmpdir(), 'habitat-lh-'));
    const lh = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, locale: 'fr-FR', args: [...CHROMIUM_ARGS, `--remote-debugging-port=${debugPort}`] });
    try {
      for (const path of ['/', '/territoire/communes/69266']) {
        const r = await lighthouse(`${server.url}${path}`, { port: debugPort, output: 'json', logLevel: 'error', onlyCategories: ['accessibility'] }, desktopConfig);
        const failed = Object.values(r!.lhr.audits)
          .filter((a) => a.score === 0 && a.scoreDisplayMode === 'binary')
          .map((a) => a.id);
        expect({ path, score: r!.lhr.categories.accessibility.score, failed }).toEqual({ path, score: 1, failed: [] });
      }
    } finally {
      await lh.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
