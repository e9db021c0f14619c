// A partner reads the referential, uploads a file through the browser and reads the report; the pages pass axe.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, browserAvailable, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { WEB_DIST } from '../../src/platform/http/app.ts';

const REFERENTIAL = join(import.meta.dirname, '..', '..', 'referential');
const webBuilt = existsSync(join(WEB_DIST, 'index.html'));

describe.skipIf(!browserAvailable() || !webBuilt)('referential in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await openBrowser();
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the schemas and charters to anyone, accessibly', async () => {
    const { page } = browser;
    await page.goto(`${base}/referentiel`);
    await page.getByRole('heading', { level: 1, name: 'Référentiel territorial des données' }).waitFor();
    await page.getByRole('link', { name: 'Programmes de logements neufs' }).first().waitFor();
    await expect.poll(() => page.getByRole('heading', { name: 'Charte des communes membres' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Programmes de logements neufs' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Programmes de logements neufs' }).waitFor();
    await expect.poll(() => page.getByRole('rowheader', { name: 'nb_plai' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lets a signed-in promoteur upload a file and shows the report with each problem and its fix', async () => {
    const user = await t.login('partner', 'promoteur');
    const token = user.headers.cookie.split('=')[1];
    await browser.context.addCookies([{ name: 'hc_session', value: token, url: base }]);
    const { page } = browser;
    await page.goto(`${base}/referentiel/livrer`);
    await page.getByRole('heading', { level: 1, name: 'Livrer des données' }).waitFor();
    await page.getByLabel('Schéma').selectOption('programmes-logements');
    await page.getByLabel('Fichier').setInputFiles(join(REFERENTIAL, 'programmes-logements', '1.0.0', 'exemples', 'invalide.csv'));
    await page.getByRole('button', { name: 'Livrer et vérifier' }).click();
    const verdict = page.getByRole('status');
    await verdict.waitFor();
    await expect.poll(() => verdict.textContent()).toContain('Livraison refusée');
    const row = page.getByRole('row').filter({ hasText: 'en chantier' });
    expect(await row.textContent()).toContain('enum');
    expect(await row.textContent()).toContain('Utilisez l\'une des valeurs');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'referential-report.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    // The delivery is listed below, and its permanent page shows the same report.
    await page.getByRole('link', { name: 'Lien permanent vers ce rapport' }).click();
    await page.getByRole('heading', { level: 1, name: /Livraison programmes-logements/ }).waitFor();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Livraison refusée');
  });

  it('shows EPCI staff the compliance of every partner: a promoteur whose only delivery was refused has never delivered', async () => {
    const agent = await t.login('agent');
    await browser.context.addCookies([{ name: 'hc_session', value: agent.headers.cookie.split('=')[1], url: base }]);
    const { page } = browser;
    await page.goto(`${base}/referentiel/conformite`);
    await page.getByRole('heading', { level: 1, name: 'Conformité des livraisons' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'programmes-logements' }).filter({ hasText: 'Refusée' });
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain('Aucune livraison acceptée');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'referential-compliance.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  });
});
