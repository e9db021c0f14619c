// Start-up sequence shared by `habitat serve` and the tests: store, migrations, territory, demo data, HTTP.
import type { FastifyInstance } from 'fastify';
import { modules } from '../modules/index.ts';
import { loadTerritory } from '../modules/territory/index.ts';
import type { Config } from './config.ts';
import { createContext, type AppContext } from './context.ts';
import { buildApp } from './http/app.ts';

export async function prepareContext(config: Config): Promise<AppContext> {
  const ctx = await createContext(config);
  try {
    await loadTerritory(ctx.db, config.epciSirens);
    if (config.loadDemo) {
      for (const m of modules) {
        if (!m.loadDemo) continue;
        const started = Date.now();
        await m.loadDemo(ctx);
        ctx.log.info({ module: m.name, ms: Date.now() - started }, 'données de démonstration prêtes');
      }
    }
    return ctx;
  } catch (err) {
    await ctx.close();
    throw err;
  }
}

export async function startServer(config: Config): Promise<{ app: FastifyInstance; ctx: AppContext; url: string }> {
  const ctx = await prepareContext(config);
  const app = await buildApp(ctx);
  const url = await app.listen({ port: config.port, host: config.host });
  const stop = async () => {
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { app, ctx, url };
}
