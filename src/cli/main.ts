// The `habitat` command: serve, migrate, users, organisations, API keys, and the imports each module adds.
import { Command, CommanderError, Option } from 'commander';
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
import { commandNeeds, describeCommand, HELP_AFTER_ERROR, programFromSpec, type CommandSpec } from './commands.ts';
import { ROLES, type Role } from '../platform/http/access.ts';
import { chooseEpci } from '../platform/http/perimeter.ts';
import { ORGANISATION_KINDS, type OrganisationKind } from '../modules/access/model.ts';
import * as access from '../modules/access/store.ts';
import { audit } from '../modules/access/audit.ts';
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

  // Admin commands act on one EPCI's perimeter (the EPCI of --org, or --epci) or, explicitly, as the club's operator
  // (--operateur); the audit log records which (docs/security.md, « Périmètres »).
  const PERIMETER_HELP = 'agir en opérateur du club, sur toutes les organisations (sinon : sur le périmètre de l’EPCI de --org ou de --epci)';
  const users = program.command('users').description('Gérer les comptes utilisateurs');
  users
    .command('add')
    .description('Créer un compte (le premier administrateur notamment). Mot de passe demandé, ou lu dans HABITAT_PASSWORD')
    .requiredOption('--email <email>', 'adresse e-mail de connexion')
    .requiredOption('--name <nom>', 'nom affiché')
    .addOption(new Option('--role <rôle>', 'rôle').choices(ROLES).default('admin'))
    .option('--org <siren|id>', 'organisation : SIREN ou identifiant (par défaut : l’EPCI de l’instance s’il est seul ; l’organisation du club pour un opérateur)')
    .option('--operateur', PERIMETER_HELP)
    .action((opts) =>
      withContext(async (ctx) => {
        const actor = await actingPerimeter(ctx, opts);
        if (opts.role === 'operator' && actor.kind !== 'operateur') throw new AppError('cli.operateur', 'Un compte d’opérateur se crée avec --operateur.');
        if (actor.kind === 'operateur' && opts.role !== 'operator' && !opts.org) throw new AppError('cli.organisation', 'Précisez l’organisation du compte avec --org <SIREN ou identifiant>.');
        const organisationId = opts.org || opts.role !== 'operator' ? await resolveOrganisation(ctx, opts.org ?? actor.epci) : (await access.ensureClubOrganisation(ctx.db)).id;
        await assertAdministers(ctx, actor, organisationId);
        const password = io.env.HABITAT_PASSWORD ?? (await io.readSecret('Mot de passe (12 caractères au moins) : '));
        const user = await access.createUser(ctx.db, { email: opts.email, name: opts.name, role: opts.role as Role, organisationId, password });
        await audit(ctx.db, null, { action: 'create', entity: 'app_user', entityId: user.id, detail: { via: 'cli', role: user.role, en: actor.kind }, epci: actor.epci });
        io.print(`Compte créé : ${user.email} (${user.role}).`);
      }),
    );
  users
    .command('list')
    .description('Lister les comptes (ceux du périmètre de l’EPCI, ou tous avec --operateur)')
    .option('--epci <siren>', 'l’EPCI dont lister les comptes (obligatoire si l’instance en sert plusieurs)')
    .option('--operateur', PERIMETER_HELP)
    .action((opts) =>
      withContext(async (ctx) => {
        const actor = await actingPerimeter(ctx, opts);
        const scope = actor.epci ? await access.organisationsOfEpci(ctx.db, actor.epci) : undefined;
        for (const u of await access.listUsers(ctx.db, scope)) io.print(`${u.email}\t${u.role}\t${u.organisation_name}${u.active ? '' : '\t(désactivé)'}`);
      }),
    );
  /** The account an admin command acts on, within the acting perimeter. */
  const userCommand = (name: string, description: string) =>
    users
      .command(name)
      .description(description)
      .requiredOption('--email <email>', 'adresse e-mail du compte')
      .option('--epci <siren>', 'l’EPCI sur le périmètre duquel agir (par défaut : celui de l’organisation du compte)')
      .option('--operateur', PERIMETER_HELP);
  const targetAccount = async (ctx: AppContext, opts: { email: string; epci?: string; operateur?: boolean }) => {
    const user = await access.findUser(ctx.db, { email: opts.email });
    if (!user) throw new AppError('cli.compte_inconnu', `Aucun compte pour ${opts.email}.`);
    const actor = await actingPerimeter(ctx, { ...opts, org: user.organisation_id });
    await assertAdministers(ctx, actor, user.organisation_id);
    return { user, actor };
  };
  userCommand('deactivate', 'Désactiver un compte : ses sessions sont fermées aussitôt').action((opts) =>
    withContext(async (ctx) => {
      const { user, actor } = await targetAccount(ctx, opts);
      await access.setUserActive(ctx.db, user.id, false);
      await audit(ctx.db, null, { action: 'deactivate', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind }, epci: actor.epci });
      io.print(`Compte désactivé : ${user.email}.`);
    }),
  );
  userCommand('activate', 'Réactiver un compte').action((opts) =>
    withContext(async (ctx) => {
      const { user, actor } = await targetAccount(ctx, opts);
      await access.setUserActive(ctx.db, user.id, true);
      await audit(ctx.db, null, { action: 'activate', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind }, epci: actor.epci });
      io.print(`Compte réactivé : ${user.email}.`);
    }),
  );
  userCommand('role', 'Changer le rôle d’un compte')
    .addOption(new Option('--role <rôle>', 'nouveau rôle').choices(ROLES).makeOptionMandatory())
    .action((opts) =>
      withContext(async (ctx) => {
        const { user, actor } = await targetAccount(ctx, opts);
        if (opts.role === 'operator' && actor.kind !== 'operateur') throw new AppError('cli.operateur', 'Seul l’opérateur du club (--operateur) nomme un opérateur.');
        await access.setUserRole(ctx.db, user.id, opts.role as Role);
        await audit(ctx.db, null, { action: 'role', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind, role: opts.role }, epci: actor.epci });
        io.print(`Rôle de ${user.email} : ${opts.role}.`);
      }),
    );
  userCommand('password', 'Réinitialiser le mot de passe d’un compte (demandé, ou lu dans HABITAT_PASSWORD) ; ses sessions sont fermées').action((opts) =>
    withContext(async (ctx) => {
      const { user, actor } = await targetAccount(ctx, opts);
      const password = io.env.HABITAT_PASSWORD ?? (await io.readSecret('Nouveau mot de passe (12 caractères au moins) : '));
      await access.resetPassword(ctx.db, user.id, password);
      await audit(ctx.db, null, { action: 'password', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind }, epci: actor.epci });
      io.print(`Mot de passe de ${user.email} réinitialisé ; ses sessions sont fermées.`);
    }),
  );
  userCommand('sessions', 'Lister les sessions ouvertes d’un compte (--fermer : les fermer toutes)')
    .option('--fermer', 'fermer toutes ses sessions')
    .action((opts) =>
      withContext(async (ctx) => {
        const { user, actor } = await targetAccount(ctx, opts);
        if (opts.fermer) {
          const n = await access.revokeSessions(ctx.db, user.id);
          await audit(ctx.db, null, { action: 'revoke_sessions', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind, sessions: n }, epci: actor.epci });
          io.print(`${n} session(s) fermée(s) pour ${user.email}.`);
          return;
        }
        const list = await access.listSessions(ctx.db, user.id);
        if (!list.length) io.print(`Aucune session ouverte pour ${user.email}.`);
        for (const x of list) io.print(`${new Date(x.created_at).toISOString()}\tjusqu’au ${new Date(x.expires_at).toISOString()}\t${x.ip ?? '—'}\t${x.user_agent ?? '—'}`);
      }),
    );

  const orgs = program.command('orgs').description('Gérer les organisations partenaires');
  orgs
    .command('add')
    .description('Créer une organisation (un partenaire est rattaché à l’EPCI sur le périmètre duquel on agit)')
    .addOption(new Option('--kind <type>', 'type').choices(ORGANISATION_KINDS.filter((k) => k !== 'epci' && k !== 'club')).makeOptionMandatory())
    .requiredOption('--name <nom>', 'nom')
    .option('--siren <siren>', 'SIREN')
    .option('--commune <code>', 'code INSEE de la commune (pour une commune)')
    .option('--epci <siren>', 'l’EPCI avec lequel travaille le partenaire (obligatoire si l’instance en sert plusieurs, sauf --operateur)')
    .option('--operateur', PERIMETER_HELP)
    .action((opts) =>
      withContext(async (ctx) => {
        const actor = await actingPerimeter(ctx, opts);
        if (opts.kind === 'commune' && actor.epci) {
          const c = await ctx.db.selectFrom('commune').select('epci_siren').where('code', '=', opts.commune ?? '').executeTakeFirst();
          if (c?.epci_siren !== actor.epci) throw new AppError('cli.hors_perimetre', `La commune ${opts.commune ?? '(--commune manquant)'} n’est pas dans l’EPCI ${actor.epci}.`);
        }
        const links = opts.kind === 'commune' ? [] : opts.epci ? [chooseEpci(ctx.config.epciSirens, opts.epci)] : actor.epci ? [actor.epci] : [];
        const org = await access.createOrganisation(ctx.db, { kind: opts.kind as OrganisationKind, name: opts.name, siren: opts.siren, commune_code: opts.commune }, links);
        await audit(ctx.db, null, { action: 'create', entity: 'organisation', entityId: org.id, detail: { via: 'cli', en: actor.kind, epcis: links }, epci: actor.epci ?? links[0] ?? null });
        io.print(`Organisation créée : ${org.name} (${org.id})${links.length ? `, rattachée à l’EPCI ${links.join(', ')}` : ''}.`);
      }),
    );
  orgs
    .command('list')
    .description('Lister les organisations (celles du périmètre de l’EPCI, ou toutes avec --operateur)')
    .option('--epci <siren>', 'l’EPCI dont lister les organisations (obligatoire si l’instance en sert plusieurs)')
    .option('--operateur', PERIMETER_HELP)
    .action((opts) =>
      withContext(async (ctx) => {
        const actor = await actingPerimeter(ctx, opts);
        const scope = actor.epci ? await access.organisationsOfEpci(ctx.db, actor.epci) : undefined;
        for (const o of await access.listOrganisations(ctx.db, scope))
          io.print(`${o.id}\t${o.kind}\t${o.name}${o.siren ? `\t${o.siren}` : ''}${o.epcis.length ? `\tEPCI ${o.epcis.join(', ')}` : ''}`);
      }),
    );
  for (const [name, link] of [['link', true], ['unlink', false]] as const)
    orgs
      .command(name)
      .description(link ? 'Rattacher un partenaire à un EPCI (il travaille avec lui)' : 'Retirer le rattachement d’un partenaire à un EPCI')
      .requiredOption('--org <siren|id>', 'le partenaire : SIREN ou identifiant')
      .requiredOption('--epci <siren>', 'l’EPCI')
      .action((opts) =>
        withContext(async (ctx) => {
          const epci = chooseEpci(ctx.config.epciSirens, opts.epci);
          const org = await access.findOrganisation(ctx.db, await resolveOrganisation(ctx, opts.org));
          if (!org || org.kind === 'epci' || org.kind === 'commune' || org.kind === 'club')
            throw new AppError('cli.rattachement', 'Seul un partenaire (bailleur, promoteur, ADIL, État…) se rattache à un EPCI.');
          if (link) await access.linkOrganisation(ctx.db, org.id, epci);
          else if (!(await access.unlinkOrganisation(ctx.db, org.id, epci))) throw new AppError('cli.rattachement', `${org.name} n’est pas rattaché à l’EPCI ${epci}.`);
          await audit(ctx.db, null, { action: link ? 'link' : 'unlink', entity: 'organisation', entityId: org.id, detail: { via: 'cli' }, epci });
          io.print(`${org.name} ${link ? 'rattaché à' : 'n’est plus rattaché à'} l’EPCI ${epci}.`);
        }),
      );

  program
    .command('api-key')
    .description('Créer une clé d’API pour une organisation partenaire (affichée une seule fois)')
    .requiredOption('--org <siren|id>', 'organisation : SIREN ou identifiant')
    .requiredOption('--name <nom>', 'nom de la clé (ex. : flux du bailleur)')
    .option('--epci <siren>', 'l’EPCI sur le périmètre duquel agir (par défaut : celui de l’organisation)')
    .option('--operateur', PERIMETER_HELP)
    .action((opts) =>
      withContext(async (ctx) => {
        const organisationId = await resolveOrganisation(ctx, opts.org);
        const actor = await actingPerimeter(ctx, { ...opts, org: organisationId });
        await assertAdministers(ctx, actor, organisationId);
        const key = await access.createApiKey(ctx.db, organisationId, opts.name);
        await audit(ctx.db, null, { action: 'create', entity: 'api_key', entityId: key.id, detail: { via: 'cli', en: actor.kind }, epci: actor.epci });
        io.print(key.key);
      }),
    );

  const importCommand = program.command('import').description('Importer des données ouvertes (DVF, Sitadel, RPLS, DPE…)');
  // The account commands above are the access module's (they move to its cli.ts): they need no other module.
  for (const c of program.commands) if (['users', 'orgs', 'api-key'].includes(c.name())) for (const x of allCommands(c)) owners?.set(x, 'access');
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

interface Acting {
  kind: 'operateur' | 'epci';
  /** The EPCI whose perimeter the command acts on; null for the operator. */
  epci: string | null;
}

/**
 * On whose perimeter an admin command acts: the club's operator with --operateur; else the EPCI given (--epci), the
 * EPCI of the organisation given (--org: an EPCI, a commune, or a partner linked to one EPCI only), or the instance's
 * only EPCI. A club must say which.
 */
async function actingPerimeter(ctx: AppContext, opts: { operateur?: boolean; epci?: string; org?: string }): Promise<Acting> {
  if (opts.operateur) return { kind: 'operateur', epci: null };
  if (opts.epci) return { kind: 'epci', epci: chooseEpci(ctx.config.epciSirens, opts.epci) };
  if (opts.org) {
    const epcis = (await access.organisationEpcis(ctx.db, await resolveOrganisation(ctx, opts.org))).filter((e) => ctx.config.epciSirens.includes(e));
    if (epcis.length === 1) return { kind: 'epci', epci: epcis[0] };
    if (epcis.length > 1 || ctx.config.epciSirens.length > 1)
      throw new AppError('cli.perimetre', `Cette organisation ${epcis.length ? `travaille avec plusieurs EPCI (${epcis.join(', ')})` : 'n’est rattachée à aucun EPCI'} : précisez --epci <SIREN>, ou --operateur.`);
  }
  return { kind: 'epci', epci: chooseEpci(ctx.config.epciSirens, undefined, 'avec --org <SIREN de l’EPCI>, ou agissez en opérateur du club avec --operateur') };
}

/** An EPCI's admin acts on the organisations of its perimeter; the operator on all of them. */
async function assertAdministers(ctx: AppContext, actor: Acting, organisationId: string) {
  if (actor.kind === 'operateur') return;
  if (!(await access.organisationsOfEpci(ctx.db, actor.epci!)).includes(organisationId))
    throw new AppError('cli.hors_perimetre', `Cette organisation est hors du périmètre de l’EPCI ${actor.epci} : agissez sur le périmètre de son EPCI (--epci), ou en opérateur du club (--operateur).`);
}

async function resolveOrganisation(ctx: AppContext, ref: string | null | undefined): Promise<string> {
  if (!ref) return (await access.ensureEpciOrganisation(ctx.db, ctx.config.epciSirens[0])).id;
  if (/^[0-9]{9}$/.test(ref)) {
    const instanceEpci = ctx.config.epciSirens.includes(ref);
    if (instanceEpci) return (await access.ensureEpciOrganisation(ctx.db, ref)).id;
    const found = (await access.listOrganisations(ctx.db)).find((o) => o.siren === ref);
    if (found) return found.id;
  } else {
    const found = await access.findOrganisation(ctx.db, ref).catch(() => undefined);
    if (found) return found.id;
  }
  throw new AppError('cli.unknown_organisation', `Organisation introuvable : ${ref}. Créez-la avec « habitat orgs add ».`);
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
 * tree (`tree`, from the build), help is answered from it and a command loads only its modules; without, all.
 */
export async function runCli(argv: string[], tree?: CommandSpec): Promise<number> {
  const serving = argv.find((a) => !a.startsWith('-')) === 'serve';
  describeThisProcess(serving ? 'serve' : 'cli', ['habitat', ...argv].map(quoteArg).join(' '));
  const localIO = makeCliIO({ stdout: process.stdout, stderr: process.stderr, readSecret, env: terminalEnvironment(), cwd: process.cwd(), inServer: false });
  const needs = tree ? commandNeeds(tree, argv) : 'all';
  if (needs === 'tree' && tree)
    return runProgram(argv, localIO, () => {
      const program = programFromSpec(tree);
      configureCommands(program, localIO);
      return program;
    });
  const modules = await loadModules(needs === 'all' || needs === 'tree' ? undefined : needs);
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
