// The stock pages in a real browser: the public energy page on the real RPLS 2019 figures, then a landlord who signs
// in, sees its class G building first on the renovation list, reports an elevator failure and resolves it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, browserAvailable, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TEST_PASSWORD } from '../support/app.ts';
import { loadStockDemo } from '../../src/modules/stock/demo.ts';

describe.skipIf(!browserAvailable())('stock pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    await loadStockDemo(server.ctx);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows each commune’s social stock and its exposure, with secrecy, and a commune’s detail', async () => {
    const { page } = browser;
    await page.goto(server.url + '/parc-social');
    await page.getByRole('heading', { level: 1, name: 'Parc social et performance énergétique' }).waitFor();
    const toulouse = page.getByRole('row', { name: /^Toulouse\b/ });
    await toulouse.waitFor();
    expect(await toulouse.textContent()).toMatch(/46\s684.*115.*748/);
    expect(await page.getByRole('row', { name: /Pin-Balma/ }).textContent()).toContain('secret');
    await page.getByLabel('Voir le détail d’une commune').selectOption({ label: 'Lyon (69123)' });
    await page.getByRole('heading', { level: 2, name: 'Lyon' }).waitFor();
    await expect.poll(() => page.locator('main').textContent()).toMatch(/2\s835 DPE de logements/);
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'parc-social.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lets a landlord see its priorities, report an incident and resolve it', async () => {
    const landlord = await server.login('partner', 'bailleur');
    const put = await server.app.inject({
      method: 'PUT',
      url: '/api/stock/buildings',
      headers: landlord.headers,
      payload: { buildings: [{ reference: 'BAT-G', commune_code: '69388', address: '3 rue des Tilleuls', dwellings_count: 24, dpe_class: 'G' }] },
    });
    expect(put.statusCode).toBe(200);
    const user = await server.ctx.db.selectFrom('app_user').select('email').where('id', '=', landlord.userId).executeTakeFirstOrThrow();
    const { page } = browser;
    await page.goto(server.url + '/connexion');
    await page.getByLabel('Adresse e-mail').fill(user.email);
    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Mon espace' }).waitFor();
    await page.goto(server.url + '/parc-social/gestion');
    await page.getByRole('heading', { level: 2, name: 'Bâtiments à rénover en priorité' }).waitFor();
    await page.getByText(/location interdite depuis le 01\/01\/2025/).waitFor();
    await page.getByLabel('Bâtiment', { exact: true }).selectOption({ label: 'BAT-G — 3 rue des Tilleuls' });
    await page.getByLabel('Type d’incident').selectOption('ascenseur');
    await page.getByRole('button', { name: 'Signaler et prévenir les locataires inscrits' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Incident enregistré');
    await page.getByRole('button', { name: 'Marquer résolu' }).click();
    await page.getByText(/Résolu le/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
