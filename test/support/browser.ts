// Browser tests: Playwright driving Debian's Chromium (no browser download), with axe for accessibility.
// With CI=true a missing browser is a failure, not a skip.
import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { vi } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from './browser-flags.ts';

export { CHROMIUM, CHROMIUM_ARGS };

// Timeouts are ceilings, not expectations: a passing test never waits for them, and a loaded 2-core machine (the
// suite's own workers, SwiftShader drawing the maps) made Playwright's 30 s and Vitest's 60 s fail tests that were
// right. Every browser test file imports this module, so these apply to all of them and only to them.
export const BROWSER_WAIT = 120_000;
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

export const hasBrowser = () => existsSync(CHROMIUM);

/** `describe.skipIf(!browserAvailable())` — in CI the browser must be there, so this is false only on a dev machine. */
export function browserAvailable(): boolean {
  if (hasBrowser()) return true;
  if (process.env.CI === 'true') throw new Error(`CI : Chromium doit être installé (${CHROMIUM}, paquet « chromium »).`);
  return false;
}

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
  context.setDefaultTimeout(BROWSER_WAIT);
  context.setDefaultNavigationTimeout(BROWSER_WAIT);
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
