// Browser tests: Playwright driving Debian's Chromium (no browser download), with axe for accessibility.
// With CI=true a missing browser is a failure, not a skip.
import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasBrowser = () => existsSync(CHROMIUM);

/** `describe.skipIf(!browserAvailable())` — in CI the browser must be there, so this is false only on a dev machine. */
export function browserAvailable(): boolean {
  if (hasBrowser()) return true;
  if (process.env.CI === 'true') throw new Error(`CI : Chromium doit être installé (${CHROMIUM}, paquet « chromium »).`);
  return false;
}

/** Debian's Chromium as root in a closed network: no sandbox, no background connections; WebGL through SwiftShader. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'habitat-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'fr-FR',
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Axe violations of impact serious or critical (WCAG 2.1 A and AA rules). */
export async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}

export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'test-results');
