// The `habitat` command: serve, migrate, users, organisations, API keys, and the imports each module adds.
import { Command, Option } from 'commander';
import { loadConfig } from '../platform/config.ts';
import { createContext, type AppContext } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { startServer } from '../platform/boot.ts';
import { describePurge, runPurge } from '../platform/purge.ts';
import { modules } from '../modules/index.ts';
import { loadTerritory } from '../modules/territory/index.ts';
import { ROLES, type Role } from '../platform/http/access.ts';
import { ORGANISATION_KINDS, type OrganisationKind } from '../modules/access/model.ts';
import * as access from '../modules/access/store.ts';
import { audit } from '../modules/access/audit.ts';
import { readSecret } from './prompt.ts';

const program = new Command('habitat')
  .description('Habitat Commun — la plateforme de la politique locale de l’habitat')
  .showHelpAfterError('(ajoutez --help pour l’aide)');

const withContext = async <T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> => {
  const config = loadConfig(undefined, { logLevel: 'warn' }); // commands are quiet unless LOG_LEVEL says otherwise
  const ctx = await createContext(config);
  try {
    await loadTerritory(ctx.db, config.epciSirens);
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
};

program
  .command('serve')
  .description('Démarrer l’API et l’application web (PGlite embarqué par défaut, DATABASE_URL pour un serveur PostgreSQL)')
  .option('-p, --port <port>', 'port HTTP (par défaut : PORT, sinon 3000)')
  .option('--host <host>', 'adresse d’écoute (par défaut : HOST, sinon 127.0.0.1)')
  .option('--no-demo', 'ne pas charger les données de démonstration')
  .action(async (opts) => {
    const base = loadConfig();
    const config = { ...base, port: opts.port === undefined ? base.port : Number(opts.port), host: opts.host ?? base.host, loadDemo: opts.demo && base.loadDemo };
    const { url, ctx } = await startServer(config);
    ctx.log.info(`Habitat Commun prêt sur ${url} (stockage : ${ctx.store.kind})`);
  });

program
  .command('migrate')
  .description('Appliquer les migrations SQL au stockage et charger le référentiel des territoires')
  .action(() =>
    withContext(async (ctx) => {
      console.log(`Migrations à jour (${ctx.store.kind}).`);
    }),
  );

program
  .command('purge')
  .description(
    'Supprimer ce qui a dépassé sa durée de conservation : journal d’audit (HABITAT_AUDIT_RETENTION_DAYS), sessions expirées, contacts de locataires échus. Pour cron ; un serveur lancé le fait aussi toutes les HABITAT_PURGE_INTERVAL_MINUTES minutes',
  )
  .action(() =>
    withContext(async (ctx) => {
      console.log(describePurge(await runPurge(ctx, modules)));
    }),
  );

const users = program.command('users').description('Gérer les comptes utilisateurs');
users
  .command('add')
  .description('Créer un compte (le premier administrateur notamment). Mot de passe demandé, ou lu dans HABITAT_PASSWORD')
  .requiredOption('--email <email>', 'adresse e-mail de connexion')
  .requiredOption('--name <nom>', 'nom affiché')
  .addOption(new Option('--role <rôle>', 'rôle').choices(ROLES).default('admin'))
  .option('--org <siren|id>', 'organisation : SIREN ou identifiant (par défaut : le premier EPCI de l’instance)')
  .action((opts) =>
    withContext(async (ctx) => {
      const organisationId = await resolveOrganisation(ctx, opts.org);
      const password = ctx.config.cliPassword ?? (await readSecret('Mot de passe (12 caractères au moins) : '));
      const user = await access.createUser(ctx.db, { email: opts.email, name: opts.name, role: opts.role as Role, organisationId, password });
      await audit(ctx.db, null, { action: 'create', entity: 'app_user', entityId: user.id, detail: { via: 'cli', role: user.role } });
      console.log(`Compte créé : ${user.email} (${user.role}).`);
    }),
  );
users
  .command('list')
  .description('Lister les comptes')
  .action(() =>
    withContext(async (ctx) => {
      for (const u of await access.listUsers(ctx.db)) console.log(`${u.email}\t${u.role}\t${u.organisation_name}${u.active ? '' : '\t(désactivé)'}`);
    }),
  );

const orgs = program.command('orgs').description('Gérer les organisations partenaires');
orgs
  .command('add')
  .description('Créer une organisation')
  .addOption(new Option('--kind <type>', 'type').choices(ORGANISATION_KINDS).makeOptionMandatory())
  .requiredOption('--name <nom>', 'nom')
  .option('--siren <siren>', 'SIREN')
  .option('--commune <code>', 'code INSEE de la commune (pour une commune)')
  .action((opts) =>
    withContext(async (ctx) => {
      const org = await access.createOrganisation(ctx.db, { kind: opts.kind as OrganisationKind, name: opts.name, siren: opts.siren, commune_code: opts.commune });
      await audit(ctx.db, null, { action: 'create', entity: 'organisation', entityId: org.id, detail: { via: 'cli' } });
      console.log(`Organisation créée : ${org.name} (${org.id}).`);
    }),
  );
orgs
  .command('list')
  .description('Lister les organisations')
  .action(() =>
    withContext(async (ctx) => {
      for (const o of await access.listOrganisations(ctx.db)) console.log(`${o.id}\t${o.kind}\t${o.name}${o.siren ? `\t${o.siren}` : ''}`);
    }),
  );

program
  .command('api-key')
  .description('Créer une clé d’API pour une organisation partenaire (affichée une seule fois)')
  .requiredOption('--org <siren|id>', 'organisation : SIREN ou identifiant')
  .requiredOption('--name <nom>', 'nom de la clé (ex. : flux du bailleur)')
  .action((opts) =>
    withContext(async (ctx) => {
      const organisationId = await resolveOrganisation(ctx, opts.org);
      const key = await access.createApiKey(ctx.db, organisationId, opts.name);
      await audit(ctx.db, null, { action: 'create', entity: 'api_key', entityId: key.id, detail: { via: 'cli' } });
      console.log(key.key);
    }),
  );

const importCommand = program.command('import').description('Importer des données ouvertes (DVF, Sitadel, RPLS, DPE…)');
for (const m of modules) m.cli?.({ program, importCommand, withContext });

async function resolveOrganisation(ctx: AppContext, ref: string | undefined): Promise<string> {
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

program.parseAsync(process.argv).catch((err) => {
  console.error(err instanceof AppError ? `Erreur : ${err.message}` : err);
  process.exit(1);
});
