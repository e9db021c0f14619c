import { marketModule } from '../src/modules/market/index.ts';
import { openBrowser } from '../test/support/browser.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/platform/config.ts';
import { prepareContext } from '../src/platform/boot.ts';
import { buildApp } from '../src/platform/http/app.ts';
const dir = process.env.DBG_DIR ?? mkdtempSync(join(tmpdir(), 'portal-dbg-'));
const ctx = await prepareContext({ ...loadConfig({ HABITAT_DATA_DIR: dir }), loadDemo: false, logLevel: 'warn', rateLimitPerMinute: 1e6 });
await marketModule.loadDemo!(ctx);
const app = await buildApp(ctx, { logger: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const server = { url, close: async () => { await app.close(); await ctx.close(); } };
console.log('data', dir);
const b = await openBrowser();
const errors: string[] = [];
b.page.on('console', (m) => errors.push(`[${m.type()}] ${m.text()}`));
b.page.on('pageerror', (e) => errors.push(`pageerror ${e.message}`));
b.page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
for (const path of process.argv.slice(2)) {
  await b.page.goto(server.url + path);
  await new Promise((r) => setTimeout(r, 5000));
  if (path.startsWith('/prix?')) {
    const map = b.page.getByTestId('carte');
    console.log('ready', await map.getAttribute('data-map-ready'), await map.getAttribute('data-rendered-communes'));
    const box = (await map.boundingBox())!;
    console.log(box);
    for (let i = 0; i < 5; i++) {
      await b.page.mouse.move(box.x + box.width / 2 + i * 5, box.y + box.height / 2);
      await new Promise((r) => setTimeout(r, 500));
      console.log('hover', await b.page.locator('.map-hover').textContent());
    }
  }
  console.log(path, (await b.page.locator('main').innerText()).slice(0, 600));
  await b.page.screenshot({ path: `/tmp/scratch/${path.replace(/\W/g, '_')}.png`, fullPage: true });
}
console.log(errors.join('\n'));
await b.close();
await server.close();
