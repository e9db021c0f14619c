// The `habitat` command: serve, migrate, purge, and the commands each module adds (accounts, organisations, imports…).
import { Command, CommanderError } from 'commander';
import { inspect } from 'node:util';
import { makeCliIO, type CliIO } from '../platform/cli-io.ts';
import { loadConfig, terminalEnvironment } from '../platform/config.ts';
import { createContext, type AppContext } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { startServer } from '../platform/boot.ts';
import { describeThisProcess, StoreLockedError } from '../platform/store-lock.ts';
import { describePurge, runPurge } from '../platform/purge.ts';
import { modules } from '../modules/index.ts';
import { prepareModules, type WithContext } from '../platform/module.ts';
import { readSecret } from './prompt.ts';

const quoteArg = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** The whole `habitat` program, built afresh for each run: its commands write to `io` and open the store with `withContext`. */
export function buildProgram(io: CliIO, withContext: WithContext): Command {
  const program = new Command('habitat')
    .description('Habitat Commun — la plateforme de la politique locale de l’habitat')
    .showHelpAfterError('(ajoutez --help pour l’aide)');

  program
    .command('serve')
    .description('Démarrer l’API et l’application web (PGlite embarqué par défaut, DATABASE_URL pour un serveur PostgreSQL)')
    .option('-p, --port <port>', 'port HTTP (par défaut : PORT, sinon 3000)')
    .option('--host <host>', 'adresse d’écoute (par défaut : HOST, sinon 127.0.0.1)')
    .option('--no-demo', 'ne pas charger les données de démonstration')
    .action(async (opts) => {
      if (io.inServer) throw new AppError('cli.serve_in_server', 'Un serveur tourne déjà sur ce stockage : « habitat serve » ne se lance pas à travers lui.');
      // The listening address decides the cookie's Secure flag by default: read the configuration with it.
      const base = loadConfig(undefined, { host: opts.host });
      const config = { ...base, port: opts.port === undefined ? base.port : Number(opts.port), loadDemo: opts.demo && base.loadDemo };
      // Commands typed in other terminals while this server holds the embedded store run here, on its context.
      const runCommand = (ctx: AppContext, argv: string[], clientIO: CliIO) => runProgram(argv, clientIO, (fn) => fn(ctx));
      const { url, ctx } = await startServer(config, modules, { runCommand });
      ctx.log.info(`Habitat Commun prêt sur ${url} (stockage : ${ctx.store.kind})`);
    });

  program
    .command('migrate')
    .description('Appliquer les migrations SQL au stockage et charger le référentiel des territoires')
    .action(() =>
      withContext(async (ctx) => {
        io.print(`Migrations à jour (${ctx.store.kind}).`);
      }),
    );

  program
    .command('purge')
    .description(
      'Supprimer ce qui a dépassé sa durée de conservation : journal d’audit (HABITAT_AUDIT_RETENTION_DAYS), sessions expirées, contacts de locataires échus. Pour cron ; un serveur lancé le fait aussi toutes les HABITAT_PURGE_INTERVAL_MINUTES minutes',
    )
    .action(() =>
      withContext(async (ctx) => {
        io.print(describePurge(await runPurge(ctx, modules)));
      }),
    );

  const importCommand = program.command('import').description('Importer des données ouvertes (DVF, Sitadel, RPLS, DPE…)');
  for (const m of modules) m.cli?.({ program, importCommand, withContext, io });
  for (const c of allCommands(program)) {
    c.exitOverride(); // report the exit code to runProgram instead of ending the process (it may be the server)
    c.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
    });
  }
  return program;
}

const allCommands = (c: Command): Command[] => [c, ...c.commands.flatMap(allCommands)];

/** Runs one command line (without `node habitat`) and gives its exit code; errors are written to `io` in French. */
export async function runProgram(argv: string[], io: CliIO, withContext: WithContext): Promise<number> {
  try {
    await buildProgram(io, withContext).parseAsync(argv, { from: 'user' });
    return io.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has written its message (or the help)
    io.stderr.write(err instanceof AppError ? `Erreur : ${err.message}\n` : `${inspect(err)}\n`);
    return 1;
  }
}

// This process's own run: the store is opened here (and locked: see src/platform/store-lock.ts). bin/habitat.js has
// already sent the command to a running server if one holds the embedded store.
const argv = process.argv.slice(2);
const serving = argv.find((a) => !a.startsWith('-')) === 'serve';
describeThisProcess(serving ? 'serve' : 'cli', ['habitat', ...argv].map(quoteArg).join(' '));
const localIO = makeCliIO({ stdout: process.stdout, stderr: process.stderr, readSecret, env: terminalEnvironment(), cwd: process.cwd(), inServer: false });
const localContext: WithContext = async (fn) => {
  const config = loadConfig(undefined, { logLevel: 'warn' }); // commands are quiet unless LOG_LEVEL says otherwise
  const ctx = await createContext(config).catch(async (err) => {
    if (err instanceof StoreLockedError && err.holder.kind === 'serve') {
      // A server took the store after bin/habitat.js looked (it was starting): it runs the command once it is ready.
      const { forwardToServer } = await import('../../bin/forward.js');
      const code = await forwardToServer(argv);
      if (code !== undefined) process.exit(code);
    }
    throw err;
  });
  try {
    await prepareModules(ctx, modules);
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
};
const code = await runProgram(argv, localIO, localContext);
// On success the process ends by itself (a server keeps listening); a failure ends it now, as before.
if (code !== 0) process.exit(code);
