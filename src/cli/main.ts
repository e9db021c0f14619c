// The `habitat` command: serve, migrate, purge, and the commands each module adds (accounts, organisations, imports…).
import { Command, CommanderError } from 'commander';
import { inspect } from 'node:util';
import { pathToFileURL } from 'node:url';
import { makeCliIO, type CliIO } from '../platform/cli-io.ts';
import { loadConfig, terminalEnvironment } from '../platform/config.ts';
import { createContext, type AppContext } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { describeThisProcess, StoreLockedError } from '../platform/store-lock.ts';
import { describePurge, runPurge } from '../platform/purge.ts';
import { loadModules } from '../modules/catalogue.ts';
import { prepareModules, type HabitatModule, type WithContext } from '../platform/module.ts';
import { commandNeeds, describeCommand, HELP_AFTER_ERROR, type CommandSpec } from './commands.ts';
import { readSecret } from './prompt.ts';

const quoteArg = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/**
 * The `habitat` program with the commands of `modules`, built afresh for each run: its commands write to `io` and open
 * the store with `withContext`. `owners`, when given, learns which module registered which command.
 */
export function buildProgram(io: CliIO, withContext: WithContext, modules: HabitatModule[], owners?: Map<Command, string>): Command {
  const program = new Command('habitat')
    .description('Habitat Commun — la plateforme de la politique locale de l’habitat')
    .showHelpAfterError(HELP_AFTER_ERROR);

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
      const runCommand = (ctx: AppContext, argv: string[], clientIO: CliIO) => runProgram(argv, clientIO, () => buildProgram(clientIO, (fn) => fn(ctx), modules));
      const { startServer } = await import('../platform/boot.ts'); // the HTTP server: loaded by `serve` only
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
  for (const m of modules) {
    const before = new Set(allCommands(program));
    m.cli?.({ program, importCommand, withContext, io });
    for (const c of allCommands(program)) if (!before.has(c)) owners?.set(c, m.name);
  }
  configureCommands(program, io);
  return program;
}

/** Every command reports its exit code to runProgram and writes through `io` (the terminal may be a server's client). */
function configureCommands(program: Command, io: CliIO): void {
  for (const c of allCommands(program)) {
    c.exitOverride(); // report the exit code to runProgram instead of ending the process (it may be the server)
    c.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
    });
  }
}

const allCommands = (c: Command): Command[] => [c, ...c.commands.flatMap(allCommands)];

/** Runs one command line (without `node habitat`) and gives its exit code; errors are written to `io` in French. */
export async function runProgram(argv: string[], io: CliIO, program: () => Command): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return io.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has written its message (or the help)
    io.stderr.write(err instanceof AppError ? `Erreur : ${err.message}\n` : `${inspect(err)}\n`);
    return 1;
  }
}

/** The command tree written at build time (bin/build.js): every module's commands, and which module owns each. */
export async function describeCommands(): Promise<string> {
  const owners = new Map<Command, string>();
  const io = makeCliIO({ stdout: process.stdout, stderr: process.stderr, readSecret, env: {}, cwd: process.cwd(), inServer: false });
  const noStore: WithContext = () => Promise.reject(new Error('describeCommands opens no store'));
  return JSON.stringify(describeCommand(buildProgram(io, noStore, await loadModules(), owners), owners));
}

/**
 * This process's own run of one command line: the store is opened here (and locked: see src/platform/store-lock.ts).
 * bin/habitat.js has already sent the command to a running server if one holds the embedded store. With the command
 * tree (`tree`, from the build), a command loads only its modules; without, all.
 */
export async function runCli(argv: string[], tree?: CommandSpec): Promise<number> {
  const serving = argv.find((a) => !a.startsWith('-')) === 'serve';
  describeThisProcess(serving ? 'serve' : 'cli', ['habitat', ...argv].map(quoteArg).join(' '));
  const localIO = makeCliIO({ stdout: process.stdout, stderr: process.stderr, readSecret, env: terminalEnvironment(), cwd: process.cwd(), inServer: false });
  // bin/habitat.js has answered help from the tree already (answerFromTree): what reaches here is a command to run.
  const needs = tree ? commandNeeds(tree, argv) : 'all';
  const modules = await loadModules(Array.isArray(needs) ? needs : undefined);
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
  return runProgram(argv, localIO, () => buildProgram(localIO, localContext, modules));
}

// Run directly (`tsx src/cli/main.ts …`, the tests' fixtures): every module is loaded. bin/habitat.js calls runCli.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await runCli(process.argv.slice(2));
  // On success the process ends by itself (a server keeps listening); a failure ends it now, as before.
  if (code !== 0) process.exit(code);
}
