// Cotation in a real browser: the public reads the grid in force, a household reads its score with its number and
// access code, an agent opens a demand (the read is audited) and simulates the draft grid; axe finds no serious or
// critical violation on any of these pages.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemandDemo } from '../../src/modules/demand/index.ts';
import { SNE_COLUMNS } from '../../src/modules/demand/ingest/sne-csv.ts';
import * as service from '../../src/modules/demand/service.ts';
import * as store from '../../src/modules/demand/store.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { ARTIFACTS_DIR, browserAvailable, openBrowser, seriousViolations, type Browser } from '../support/browser.ts';

const ROOT = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as any).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!browserAvailable())('cotation pages in Chromium', () => {
  let t: TestApp;
  let vite: ViteDevServer;
  let browser: Browser;
  let base: string;
  let cacheDir: string;

  beforeAll(async () => {
    t = await createTestApp();
    await loadDemandDemo(t.ctx.db, t.ctx.config.epciSirens);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const apiPort = (t.app.server.address() as any).port;
    // A private dev server (own cache folder): today's source, and the shared build is not touched.
    cacheDir = mkdtempSync(join(tmpdir(), 'habitat-vite-demand-'));
    vite = await createServer({
      configFile: join(ROOT, 'vite.config.ts'),
      cacheDir,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: await freePort(), strictPort: true, hmr: false, proxy: { '/api': `http://127.0.0.1:${apiPort}` } },
    });
    await vite.listen();
    base = vite.resolvedUrls!.local[0]!.replace(/\/$/, '');
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await vite?.close();
    await t?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('publishes the grids in force in words', async () => {
    const { page } = browser;
    await page.goto(`${base}/cotation`, { waitUntil: 'networkidle', timeout: 180_000 });
    await page.getByRole('heading', { level: 1, name: 'La cotation des demandes de logement social' }).waitFor();
    const row = page.getByRole('row', { name: /Taux d'effort trop élevé/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('supérieur à 30');
    await expect.poll(() => page.locator('main').textContent()).toContain('Délai anormalement long dépassé (plus de 36 mois) : 20 points après 36 mois');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows a household its score with the number and access code, and logs the read', async () => {
    const [d] = await store.loadDemands(t.ctx.db, { epciSiren: '243100518', status: 'active' });
    const code = await service.newAccessCode(t.ctx.db, d.number);
    const { page } = browser;
    await page.goto(`${base}/cotation/ma-demande`, { waitUntil: 'networkidle' });
    await page.getByLabel('Numéro unique de la demande').fill(d.number);
    await page.getByLabel('Code d’accès').fill('AAAA-BBBB-CCCC');
    await page.getByRole('button', { name: 'Voir ma note' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Numéro de demande ou code d’accès incorrect.');
    await page.getByLabel('Code d’accès').fill(code);
    await page.getByRole('button', { name: 'Voir ma note' }).click();
    const note = page.getByTestId('note');
    await note.waitFor();
    const view = await service.applicantView(t.ctx.db, d, t.ctx.config.secrecyMinCount);
    expect((await note.textContent())?.replace(/\s/g, ' ')).toBe(`${view.score!.total.toLocaleString('fr-FR', { maximumFractionDigits: 2 })} points`);
    await page.getByRole('row', { name: /Mois d'ancienneté de la demande/ }).waitFor();
    await page.getByRole('heading', { name: 'Délai d’attente constaté' }).waitFor();
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'cotation-ma-demande.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    const logged = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'read_by_applicant').where('entity_id', '=', d.number).execute();
    expect(logged).toHaveLength(1);
  });

  it('lets an agent open a demand (audited) and simulate the draft grid', async () => {
    const admin = await t.login('admin', 'epci', await t.epciOrg('243100518')); // the draft grid is Toulouse Métropole's
    const token = admin.headers.cookie.split('=')[1];
    const { page, context } = browser;
    await context.addCookies([{ name: 'hc_session', value: token, url: base }]);
    await page.goto(`${base}/demandes`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Demandes de logement social' }).waitFor();
    const first = page.locator('tbody tr th a').first();
    await first.waitFor();
    const numero = (await first.textContent())!;
    expect(await seriousViolations(page)).toEqual([]);
    await first.click();
    await page.getByRole('heading', { level: 1, name: `Demande n° ${numero}` }).waitFor();
    await expect.poll(() => page.locator('main').textContent()).toMatch(/FICTIF-\d{4}/);
    expect(await seriousViolations(page)).toEqual([]);
    const reads = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'read').where('entity_id', '=', numero).execute();
    expect(reads.map((r: any) => r.actor_id)).toContain(admin.userId);

    await page.goto(`${base}/cotation/grilles`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Grilles de cotation' }).waitFor();
    await page.getByRole('row', { name: /PROJET FICTIF/ }).getByRole('button', { name: 'Modifier' }).click();
    await page.getByRole('heading', { name: /Modifier le brouillon/ }).waitFor();
    await page.getByRole('button', { name: 'Simuler sur les demandes en cours' }).click();
    const result = page.getByRole('heading', { name: /Effet sur les \d+ demandes en cours/ });
    await result.waitFor();
    await expect.poll(() => page.locator('main').textContent()).toMatch(/\d+ demande\(s\) montent/);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'cotation-simulation.png'), fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('imports a CSV file from the demands page, refusing a bad one with its line and column', async () => {
    const { page } = browser;
    await page.goto(`${base}/demandes`, { waitUntil: 'networkidle' });
    const header = SNE_COLUMNS.join(';');
    const line = (adults: string) =>
      // Still signed in as Toulouse Métropole's admin: a demand of its own EPCI.
      SNE_COLUMNS.map((c) => ({ numero_unique: '031WEB0000001', epci_siren: '243100518', date_depot: '01/02/2025', nom: 'FICTIF-Web', prenom: 'Zoé', nb_adultes: adults, typologie_souhaitee: 'T2', communes_souhaitees: '31555' } as Record<string, string>)[c] ?? '').join(';');
    const file = (adults: string) => ({ name: 'web.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${line(adults)}\n`, 'latin1') });
    await page.getByLabel('Fichier CSV').setInputFiles(file('deux'));
    await page.getByRole('button', { name: 'Importer' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('web.csv, ligne 2, colonne « nb_adultes » — règle nombre : nombre attendu (valeur : « deux »)');
    await page.getByLabel('Fichier CSV').setInputFiles(file('2'));
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.getByText('1 demande(s) créée(s), 0 modifiée(s), 0 inchangée(s).').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
