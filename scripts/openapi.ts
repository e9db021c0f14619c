// Prints the OpenAPI document the server serves at /api/docs/json (a fresh app on a throwaway store), for the
// contract checks: Redocly's lint and the generated TypeScript client (see package.json "openapi").
//   npx tsx scripts/openapi.ts [out.json]
import { modules } from '../src/modules/index.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/platform/config.ts';
import { createContext } from '../src/platform/context.ts';
import { buildApp } from '../src/platform/http/app.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'habitat-openapi-'));
try {
  const ctx = await createContext({ ...loadConfig({}), dataDir, loadDemo: false, logLevel: 'silent' });
  const app = await buildApp(ctx, modules, { logger: false });
  const doc = JSON.stringify((app as unknown as { swagger(): unknown }).swagger(), null, 2);
  await app.close();
  await ctx.close();
  if (process.argv[2]) writeFileSync(process.argv[2], doc + '\n');
  else process.stdout.write(doc + '\n');
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
