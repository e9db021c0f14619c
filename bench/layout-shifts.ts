// Which elements move after the first paint (not a test: a diagnosis). A real server over the whole demo instance, Debian's
// Chromium at Lighthouse's desktop size; a PerformanceObserver collects every `layout-shift` entry with its sources
// (element, rect before and after) for each page, and the total is printed per page: the Cumulative Layout Shift that
// Lighthouse's performance score weighs. Found the footer and the portrait's title moving (CLS 0.68 → 0.008).
//
//   npm run build && npx tsx bench/layout-shifts.ts '/,/territoire/communes/69266'
import { modules } from '../src/modules/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { prepareContext } from '../src/platform/boot.ts';
import { loadConfig } from '../src/platform/config.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/browser-flags.ts';
const dataDir = mkdtempSync(join(tmpdir(), 'probe-'));
const ctx = await prepareContext({ ...loadConfig({ HABITAT_DATA_DIR: dataDir }), loadDemo: true, logLevel: 'warn', rateLimitPerMinute: 1e9, purgeIntervalMinutes: 0 }, modules);
const app = await buildApp(ctx, modules, { logger: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'probe-chr-')), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1350, height: 940 } });
const page = browser.pages()[0] ?? (await browser.newPage());
await page.addInitScript(() => {
  (window as any).__shifts = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries() as any[]) (window as any).__shifts.push({ v: e.value, t: Math.round(e.startTime), src: (e.sources ?? []).map((s: any) => ({ n: s.node?.nodeName + '.' + (s.node?.className ?? '') + '#' + (s.node?.id ?? ''), from: [s.previousRect.x, s.previousRect.y, s.previousRect.width, s.previousRect.height], to: [s.currentRect.x, s.currentRect.y, s.currentRect.width, s.currentRect.height] })) });
  }).observe({ type: 'layout-shift', buffered: true });
});
for (const p of (process.argv[2] ?? '/,/territoire/communes/69266').split(',')) {
  await page.goto(url + p);
  await page.waitForTimeout(6000);
  const shifts = await page.evaluate(() => (window as any).__shifts as { v: number; src: { n: string }[] }[]);
  console.log(`${p} : CLS ${shifts.reduce((a, s) => a + s.v, 0).toFixed(3)}`);
  for (const s of shifts) console.log(`  ${s.v.toFixed(3)} ${s.src.map((x) => x.n).join(', ')}`);
}
await browser.close(); await app.close(); process.exit(0);
