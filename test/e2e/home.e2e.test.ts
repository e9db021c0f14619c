// The home page in a real browser: the territory's communes drawn on the map from the real contours, the ranking of
// their population from the INSEE comparateur, and no serious accessibility violation.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, browserAvailable, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TEST_PASSWORD } from '../support/app.ts';
import { DEMO_INSEE, observatoryModule } from '../../src/modules/observatory/index.ts';

/** A commune's population 2022 (P22_POP) in the INSEE comparateur file of the demo. */
const inseePopulation = (code: string) => {
  const [head, ...rows] = readFileSync(DEMO_INSEE, 'utf8').trim().split('\n').map((l) => l.split(';'));
  return Number(rows.find((r) => r[0] === code)![head.indexOf('P22_POP')]);
};

describe.skipIf(!browserAvailable())('home page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const requests: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    await observatoryModule.loadDemo!(server.ctx);
    browser = await openBrowser();
    browser.page.on('request', (r) => requests.push(r.url()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the communes of the territory on the map and lists their population', async () => {
    const { page } = browser;
    await page.goto(server.url + '/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByText('Métropole de Lyon', { exact: false }).first().waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Métropole de Lyon');
    const map = page.getByTestId('carte');
    await map.waitFor();
    // The Métropole de Lyon's 58 communes; the 2018 contours miss none of them.
    expect(Number(await map.getAttribute('data-rendered-communes'))).toBe(58);
    // The ranking beside the map: Villeurbanne's population from the INSEE comparateur (P22_POP), loaded with the demo.
    const villeurbanne = page.locator('table.ranking').getByRole('row', { name: /Villeurbanne/ });
    expect(await villeurbanne.textContent()).toMatch(new RegExp(inseePopulation('69266').toLocaleString('fr-FR').replace(/\s/g, '\\s')));
    await page.getByLabel('Intercommunalité affichée').selectOption({ label: 'Toulouse Métropole' });
    await page.locator('[data-testid="carte"][data-rendered-communes="37"]').waitFor();
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'accueil.png'), fullPage: false });
    // Everything came from our own server: the product needs no network.
    expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
  });

  it('has no serious or critical accessibility violation', async () => {
    expect(await seriousViolations(browser.page)).toEqual([]);
  });

  it('signs in an agent and shows their space', async () => {
    const agent = await server.login('agent');
    const user = await server.ctx.db.selectFrom('app_user').select('email').where('id', '=', agent.userId).executeTakeFirstOrThrow();
    const { page } = browser;
    await page.goto(server.url + '/connexion');
    await page.getByLabel('Adresse e-mail').fill(user.email);
    await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('incorrect');
    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Mon espace' }).waitFor();
    await expect.poll(() => page.locator('main').textContent()).toContain('Agent de l’intercommunalité');
    expect(await page.locator('main').textContent()).toContain('Votre périmètre : Métropole de Lyon (SIREN 200046977).');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lets an EPCI’s admin deactivate an account of its perimeter and choose what it shares with the club', async () => {
    const admin = await server.login('admin');
    const agent = await server.login('agent');
    const email = (await server.ctx.db.selectFrom('app_user').select('email').where('id', '=', agent.userId).executeTakeFirstOrThrow()).email;
    await browser.context.addCookies([{ name: 'hc_session', value: admin.headers.cookie.split('=')[1], url: server.url }]);
    const { page } = browser;
    await page.goto(server.url + '/espace');
    await page.getByRole('heading', { name: 'Comptes de votre périmètre' }).waitFor();
    await page.getByRole('button', { name: `Désactiver ${email}` }).click();
    await page.getByRole('status').filter({ hasText: `${email} : désactivé, ses sessions sont fermées` }).waitFor();
    expect((await server.app.inject({ url: '/api/access/me', headers: agent.headers })).statusCode).toBe(401);
    await page.getByLabel('Indicateurs du PLH (objectifs, réalisations, situation SRU)').check();
    await page.getByRole('button', { name: 'Enregistrer le partage' }).click();
    await page.getByRole('status').filter({ hasText: 'Partage enregistré.' }).waitFor();
    const shared = await server.ctx.db.selectFrom('epci_sharing').select(['epci_siren', 'item']).execute();
    expect(shared).toEqual([{ epci_siren: '200046977', item: 'indicateurs_plh' }]);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
