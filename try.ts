import { loadConfig } from './src/platform/config.ts';
import { prepareContext } from './src/platform/boot.ts';
import { buildApp } from './src/platform/http/app.ts';
const t0 = Date.now();
const ctx = await prepareContext({ ...loadConfig(), dataDir: '/tmp/hc-try', loadDemo: false });
console.log('ready', Date.now() - t0);
const app = await buildApp(ctx, { logger: false });
for (const u of ['/health', '/api/territory', '/api/territory/communes/69123', '/api/territory/search?q=villeur', '/api/territory/map', '/api/docs/json', '/api/access/me', '/nope']) {
  const r = await app.inject(u); console.log(u, r.statusCode, r.body.slice(0, 300));
}
await app.close(); await ctx.close();
