// A real HTTP server on a loopback port for browser tests, serving the built web app (npm test builds it first).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_DIST } from '../../src/platform/http/app.ts';
import { createTestApp, type TestApp } from './app.ts';

export interface TestServer extends TestApp {
  url: string;
}

export async function startTestServer(): Promise<TestServer> {
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error('Application web non construite : lancez « npm run build » (npm test le fait).');
  const t = await createTestApp();
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...t, url };
}
