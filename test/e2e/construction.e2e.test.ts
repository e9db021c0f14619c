// An agent watches the construction dashboard; a programme entered elsewhere appears on it without reloading the page.
// The public page shows aggregated figures. The pages pass axe.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, browserAvailable, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { WEB_DIST } from '../../src/platform/http/app.ts';
import { importSitadel, SITADEL_DEMO_FILE } from '../../src/modules/construction/service.ts';

const webBuilt = existsSync(join(WEB_DIST, 'index.html'));

describe.skipIf(!browserAvailable() || !webBuilt)('construction in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    await importSitadel(t.ctx.db, SITADEL_DEMO_FILE);
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await openBrowser();
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('updates the dashboard live when another agent enters a programme', async () => {
    const agent = await t.login('agent', 'epci', await t.epciOrg('243100518')); // the demo permits are Toulouse Métropole's
    await t.app.inject({
      method: 'PUT',
      url: '/api/construction/targets',
      headers: agent.headers,
      payload: { targets: [{ commune_code: '31555', period_start: 2020, period_end: 2025, target_dwellings: 21000, target_social_dwellings: 7000, sru: true }] },
    });
    await browser.context.addCookies([{ name: 'hc_session', value: agent.headers.cookie.split('=')[1], url: base }]);
    const { page } = browser;
    await page.goto(`${base}/construction`);
    await page.getByRole('heading', { level: 1, name: 'Construction neuve : objectifs du PLH' }).waitFor();
    await page.getByText('Mise à jour en direct : en direct').waitFor();
    // Counts do not wait for the page: poll until the rendering settles.
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Toulouse' }).filter({ hasText: 'SRU' }).count()).toBe(1);
    await expect.poll(() => page.getByText('Aucun changement depuis l’ouverture de la page.').count()).toBe(1);

    // Another agent, through the API: the open page hears it.
    const other = await t.login('agent', 'epci', await t.epciOrg('243100518'));
    const created = await t.app.inject({ method: 'POST', url: '/api/construction/programmes', headers: other.headers, payload: { name: 'Cartoucherie lot 7', commune_code: '31555', dwellings: 48, state: 'permit_filed', state_date: '2026-02-10' } });
    expect(created.statusCode).toBe(201);
    await page.getByRole('link', { name: `programme ${created.json().id.slice(0, 8)}` }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'construction-dashboard.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: `programme ${created.json().id.slice(0, 8)}` }).click();
    await page.getByRole('heading', { level: 1, name: 'Cartoucherie lot 7' }).waitFor();
    await page.getByRole('button', { name: 'PC accordé' }).click();
    await page.getByText(/PC accordé depuis le/).waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'PC déposé → PC accordé' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lists programmes with filters, a map and a CSV export', async () => {
    const agent = await t.login('agent', 'epci', await t.epciOrg('243100518')); // the demo permits are Toulouse Métropole's
    await browser.context.addCookies([{ name: 'hc_session', value: agent.headers.cookie.split('=')[1], url: base }]);
    const { page } = browser;
    await page.goto(`${base}/construction/programmes`);
    await page.getByRole('heading', { level: 1, name: 'Programmes de logements' }).waitFor();
    await page.getByText('Mise à jour en direct : en direct').waitFor();
    const filters = page.getByRole('form', { name: 'Filtres' });
    await filters.getByRole('combobox', { name: /^État/ }).selectOption('delivered');
    await page.getByRole('table', { name: /^1 021 programme\(s\)/ }).waitFor();
    await filters.getByLabel('Recherche (nom, adresse, permis)').fill('03155511C1330');
    await filters.getByRole('combobox', { name: /^État/ }).selectOption('');
    await page.getByRole('table', { name: /^1 programme\(s\)/ }).waitFor();
    expect(await page.getByRole('link', { name: 'Exporter la liste en CSV' }).getAttribute('href')).toContain('q=03155511C1330');
    await page.locator('[data-map-ready="true"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'construction-programmes.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows the public figures per commune and year to anyone', async () => {
    await browser.context.clearCookies();
    const { page } = browser;
    await page.goto(`${base}/construction-neuve`);
    await page.getByRole('heading', { level: 1, name: 'Construction neuve par commune' }).waitFor();
    await page.getByRole('table', { name: /Toulouse : logements par année/ }).waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: '2019' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
