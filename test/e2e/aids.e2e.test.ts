// The social-housing simulator driven with the keyboard only, as a household without a mouse would: Tab to each
// question, type or use the arrow keys, submit with Enter, read the answer where the focus lands; axe finds no
// serious or critical violation on the empty-form errors nor on the answer.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ARTIFACTS_DIR, browserAvailable, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';

/** Presses Tab until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => !!document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Focus never reached ${selector}`);
}

describe.skipIf(!browserAvailable())('aids pages in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await startTestServer();
    base = t.url;
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('fills the social-housing simulator with the keyboard and reads the explained answer', async () => {
    const page = browser.page;
    await page.goto(`${base}/aides/logement-social`, { waitUntil: 'networkidle', timeout: 180_000 });
    await page.getByRole('heading', { level: 1, name: 'Logement social' }).waitFor();

    // Submitting the empty form: an error summary takes the focus, each error linked to its field.
    await tabTo(page, 'button[type=submit]');
    await page.keyboard.press('Enter');
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    await expect.poll(() => summary.innerText()).toContain('Dans quelle commune cherchez-vous un logement ? : Choisissez une réponse.');
    expect(await page.locator('#q-reference_tax_income').getAttribute('aria-describedby')).toContain('q-reference_tax_income-erreur');
    expect(await seriousViolations(page)).toEqual([]);

    // The error link takes the keyboard to the field.
    await tabTo(page, '.error-summary a[href="#q-commune"]');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('q-commune');

    // Commune: typing selects the option in the closed list.
    await page.keyboard.type('Toulouse');
    await expect.poll(() => page.locator('#q-commune').inputValue()).toBe('31555');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('q-persons');
    await page.keyboard.type('2');
    // Two persons: « seul(e) avec des personnes à charge ? » then « jeune couple ? » appear. Arrow keys pick « Non ».
    await tabTo(page, 'input[name=single_with_dependants]');
    await page.keyboard.press('ArrowRight');
    await tabTo(page, 'input[name=young_couple]');
    await page.keyboard.press('ArrowRight');
    await tabTo(page, 'input[name=disability]');
    await page.keyboard.press('ArrowRight');
    await tabTo(page, '#q-reference_tax_income');
    await page.keyboard.type('24 000');
    await page.keyboard.press('Enter');

    // The answer: focus on its heading, PLUS eligible with the figure it was checked against.
    const result = page.locator('.aids-result');
    await result.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('resultat-titre');
    const plus = page.locator('article', { has: page.getByRole('heading', { name: /Logement social \(PLUS\)/ }) });
    await expect.poll(() => plus.innerText()).toContain('Éligible');
    const text = await plus.innerText();
    expect(text).toMatch(/revenu fiscal de référence \d{4} : 24 000 € ≤ plafond PLUS \d{4} pour la catégorie 2 en autres régions : [\d ]+ €/);
    expect(text).toContain('demande-logement-social.gouv.fr');
    // PLAI figures are not verified for this year: the page says so.
    const plai = page.locator('article', { has: page.getByRole('heading', { name: /PLAI/ }) });
    expect(await plai.innerText()).toContain('Chiffre non vérifié');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'aids-logement-social.png'), fullPage: true });
  });

  it('answers the household of issue 19 (2 persons in Toulouse, 15 000 €) on PLAI with the figure, its year and its source', async () => {
    const page = browser.page;
    await page.goto(`${base}/aides/logement-social`, { waitUntil: 'networkidle', timeout: 180_000 });
    await page.getByRole('heading', { level: 1, name: 'Logement social' }).waitFor({ timeout: 60_000 });
    await page.locator('#q-commune').selectOption('31555');
    await page.locator('#q-persons').fill('2');
    for (const name of ['single_with_dependants', 'young_couple', 'disability']) await page.locator(`input[name=${name}][value=non]`).check();
    await page.locator('#q-reference_tax_income').fill('15000');
    await page.locator('button[type=submit]').click();
    const plai = page.locator('article', { has: page.getByRole('heading', { name: /PLAI/ }) });
    await expect.poll(() => plai.innerText(), { timeout: 30_000 }).toContain('Éligible');
    const text = await plai.innerText();
    expect(text).not.toContain('non disponible');
    expect(text).toMatch(/15 000 € ≤ plafond PLAI \d{4} pour la catégorie 2 en autres régions : [\d ]+ €/);
    // The figure is deduced, not read in the arrêté: the page says so and names the text.
    expect(text).toContain('Chiffre non vérifié');
    await plai.getByText('Chiffre non vérifié').last().click();
    await expect.poll(() => plai.innerText()).toContain('Arrêté du 29 juillet 1987');
    expect(await seriousViolations(page)).toEqual([]);
  }, 240_000);

  it('shows every table with its figures, the unverified cells marked', async () => {
    const page = browser.page;
    await page.goto(`${base}/aides/baremes`, { waitUntil: 'networkidle', timeout: 180_000 });
    await page.getByRole('heading', { level: 1, name: 'Barèmes utilisés par les simulateurs' }).waitFor({ timeout: 60_000 });
    const plai2025 = page.locator('details', { hasText: 'Chiffres : PLAI 2025' });
    await plai2025.locator('summary').click();
    await expect.poll(() => plai2025.innerText()).toContain('chiffre non vérifié (déduit)');
    expect(await plai2025.locator('td.warn').count()).toBe(6); // categories 5, 6 and the step, outside Paris
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'aids-baremes.png'), fullPage: true });
  }, 240_000);

  it('works on a phone-sized screen without horizontal scrolling', async () => {
    const page = browser.page;
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${base}/aides/accession`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Devenir propriétaire' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'aids-accession-mobile.png'), fullPage: true });
  });
});
