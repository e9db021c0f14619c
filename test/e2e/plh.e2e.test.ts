// The PLH pages in a real browser: an agent imports the programme workbook through the form, sees its actions and
// targets, downloads the Word bilan from the button and finds the figures in it; the public SRU page needs no login.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProgrammeXlsx } from '../../src/modules/plh/ingest/spreadsheet.ts';
import { programmeToSheets } from '../../src/modules/plh/ingest/programme-sheet.ts';
import { docxTableRows } from '../../src/modules/plh/report/read-files.test-support.ts';
import { SAMPLE } from '../../src/modules/plh/sample-programme.test-support.ts';
import { ARTIFACTS_DIR, browserAvailable, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.skipIf(!browserAvailable())('PLH pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const year = new Date().getFullYear();

  beforeAll(async () => {
    server = await startTestServer();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the public SRU situation without login', async () => {
    const agent = await server.login('agent', 'epci', await server.epciOrg('243100518')); // Toulouse Métropole's PLH
    await server.app.inject({
      method: 'PUT',
      url: `/api/plh/sru/31555/${year}`,
      headers: agent.headers,
      payload: { main_residences: 10_000, social_dwellings: 1800, legal_rate: 0.25, source: 'Inventaire de test' },
    });
    const { page } = browser;
    await page.goto(`${server.url}/plh/sru`);
    const row = page.getByRole('row', { name: /Toulouse/ });
    await row.waitFor();
    const text = (await row.textContent())!.replace(/\s/g, ' ');
    expect(text).toContain('18,00 %');
    expect(text).toContain('231');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('on a phone, the SRU table scrolls inside its region, which the keyboard reaches and scrolls', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      await page.goto(`${server.url}/plh/sru`);
      await page.getByRole('row', { name: /Toulouse/ }).waitFor();
      const region = page.getByRole('region', { name: /Situation au regard de l’article 55/ });
      const sizes = () => region.evaluate((el) => ({ scroll: el.scrollWidth, width: el.clientWidth, left: el.scrollLeft }));
      expect((await sizes()).scroll).toBeGreaterThan((await sizes()).width); // the table is wider than the phone
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      // Tab until the table's region has the focus (it comes after the menu and the page's links), then scroll it.
      let focused = false;
      for (let i = 0; i < 60 && !focused; i++) {
        await page.keyboard.press('Tab');
        focused = await region.evaluate((el) => el === document.activeElement);
      }
      expect(focused).toBe(true);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('End');
      await expect.poll(async () => (await sizes()).left).toBeGreaterThan(0);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('lets an agent import the programme workbook and download the Word bilan with its figures', async () => {
    const agent = await server.login('agent', 'epci', await server.epciOrg('243100518')); // Toulouse Métropole's PLH
    await browser.context.addCookies([{ name: 'hc_session', value: agent.headers.cookie.split('=')[1], url: server.url }]);
    const { page } = browser;
    await page.goto(`${server.url}/plh`);
    await page.getByRole('heading', { name: 'Pilotage du PLH' }).waitFor();

    const dir = join(ARTIFACTS_DIR, 'plh');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'programme.xlsx');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, await writeProgrammeXlsx(programmeToSheets(SAMPLE, new Map([['31555', 'Toulouse'], ['31069', 'Blagnac']]))));
    await page.getByLabel('Fichier (XLSX ou CSV)').setInputFiles(file);
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.getByRole('status').filter({ hasText: 'Import réussi' }).waitFor();
    await page.getByRole('heading', { name: /Orientation 1\./ }).waitFor();
    expect(await page.getByRole('row', { name: /1\.1\. Financer le logement locatif social/ }).textContent()).toContain('EPCI');
    await page.getByRole('row', { name: /Blagnac/ }).first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(dir, 'pilotage.png'), fullPage: true });

    await page.getByLabel(/Année de suivi/).fill('2026');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('bilan-docx').click()]);
    expect(download.suggestedFilename()).toBe('bilan-plh-annuel-2026.docx');
    const path = join(dir, 'bilan.docx');
    await download.saveAs(path);
    const rows = docxTableRows(readFileSync(path));
    const toulouse = rows.find((r) => r[0] === 'Toulouse (31555)' && r[1] === 'Logements locatifs sociaux financés');
    expect(toulouse?.slice(2, 4)).toEqual(['2025–2030', '7 000']);
  });

  it('lets the agent record an aid through the form, counted in the targets, and shows land sites on the map', async () => {
    const { page } = browser; // still signed in as the agent of the previous test
    await page.goto(`${server.url}/plh/aides`);
    await page.getByRole('heading', { name: 'Enregistrer une aide' }).waitFor();
    await page.getByLabel('Référence du dossier').fill('LLS-E2E-1');
    await page.getByLabel('Code INSEE de la commune').fill('31069');
    await page.getByLabel('Année').fill('2026');
    await page.getByLabel('Montant accordé (€)').fill('150000');
    await page.getByLabel('Logements PLAI').fill('6');
    await page.getByLabel('Logements PLUS').fill('10');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('status').filter({ hasText: 'Aide enregistrée.' }).waitFor();
    expect(await page.getByRole('row', { name: /LLS-E2E-1/ }).textContent()).toContain('16 (6 / 10 / 0)');
    expect(await seriousViolations(page)).toEqual([]);
    const agent = await server.login('agent', 'epci', await server.epciOrg('243100518')); // Toulouse Métropole's PLH
    const res = await server.app.inject({ method: 'GET', url: '/api/plh/targets?year=2026&commune=31069', headers: agent.headers });
    expect(res.json().targets[0]).toMatchObject({ category: 'logements_sociaux', target: 600, achieved: 16 });

    await server.app.inject({
      method: 'POST',
      url: '/api/plh/land',
      headers: agent.headers,
      payload: { reference: 'F-E2E', nature: 'friche', commune_code: '31069', surface_m2: 5000, potential_dwellings: 40, longitude: 1.39, latitude: 43.64 },
    });
    await page.goto(`${server.url}/plh/foncier`);
    await page.locator('[data-testid="carte-foncier"][data-map-ready="true"]').waitFor();
    expect(await page.getByRole('row', { name: /F-E2E/ }).textContent()).toContain('40');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
