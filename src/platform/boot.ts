// Start-up sequence shared by `habitat serve` and the tests: store, migrations, what modules prepare (the territory),
// demo data, HTTP. The modules are given by the caller: the platform knows none by name.
import type { FastifyInstance } from 'fastify';
import type { CliIO } from './cli-io.ts';
import type { Config } from './config.ts';
import { createContext, type AppContext } from './context.ts';
import { listenControlSocket } from './control-socket.ts';
import { buildApp } from './http/app.ts';
import { prepareModules, type HabitatModule } from './module.ts';

export async function prepareContext(config: Config, modules: HabitatModule[]): Promise<AppContext> {
  const ctx = await createContext(config);
  try {
    await prepareModules(ctx, modules);
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

export interface ServerOptions {
  /** Runs a `habitat` command line typed in another terminal, on this server's context (the CLI's program). */
  runCommand?(ctx: AppContext, argv: string[], io: CliIO): Promise<number>;
}

export async function startServer(config: Config, modules: HabitatModule[], opts: ServerOptions = {}): Promise<{ app: FastifyInstance; ctx: AppContext; url: string }> {
  const ctx = await prepareContext(config, modules);
  const app = await buildApp(ctx, modules);
  const url = await app.listen({ port: config.port, host: config.host });
  // On the embedded store this server is the only process allowed to open it: the CLI's commands come to it through
  // the control socket, whose path goes into the lock file with the URL (docs/decisions/0002).
  const run = opts.runCommand;
  const control = ctx.store.lock && run ? await listenControlSocket(config.dataDir, (argv, io) => run(ctx, argv, io), ctx.log) : undefined;
  ctx.store.lock?.update({ url, socket: control?.path });
  const stop = async () => {
    await control?.close(); // commands under way finish first
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { app, ctx, url };
}
