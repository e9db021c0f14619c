// The access module's commands: accounts, organisations and API keys, as an EPCI's administrator or as the club's
// operator. Thin: options → perimeter → service → audit log → a line for the person.
import { Option } from 'commander';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { ROLES, type Role } from '../../platform/http/access.ts';
import { chooseEpci } from '../../platform/http/perimeter.ts';
import type { HabitatModule } from '../../platform/module.ts';
import { placesByCode } from '../territory/index.ts';
import { audit } from './audit.ts';
import { ORGANISATION_KINDS, type OrganisationKind } from './model.ts';
import * as service from './service.ts';

export const accessCli: NonNullable<HabitatModule['cli']> = ({ program, withContext, io }) => {
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
        if (opts.role === 'operator' && actor.kind !== 'operateur') throw new AppError('access.operator_option_required', 'Un compte d’opérateur se crée avec --operateur.');
        if (actor.kind === 'operateur' && opts.role !== 'operator' && !opts.org) throw new AppError('access.organisation_required', 'Précisez l’organisation du compte avec --org <SIREN ou identifiant>.');
        const organisationId = opts.org || opts.role !== 'operator' ? await resolveOrganisation(ctx, opts.org ?? actor.epci) : (await service.ensureClubOrganisation(ctx.db)).id;
        await assertAdministers(ctx, actor, organisationId);
        const password = io.env.HABITAT_PASSWORD ?? (await io.readSecret('Mot de passe (12 caractères au moins) : '));
        const user = await service.createUser(ctx.db, { email: opts.email, name: opts.name, role: opts.role as Role, organisationId, password });
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
        const scope = actor.epci ? await service.organisationsOfEpci(ctx.db, actor.epci) : undefined;
        for (const u of await service.listUsers(ctx.db, scope)) io.print(`${u.email}\t${u.role}\t${u.organisation_name}${u.active ? '' : '\t(désactivé)'}`);
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
    const user = await service.findUser(ctx.db, { email: opts.email });
    if (!user) throw new AppError('access.unknown_account', `Aucun compte pour ${opts.email}.`);
    const actor = await actingPerimeter(ctx, { ...opts, org: user.organisation_id });
    await assertAdministers(ctx, actor, user.organisation_id);
    return { user, actor };
  };
  userCommand('deactivate', 'Désactiver un compte : ses sessions sont fermées aussitôt').action((opts) =>
    withContext(async (ctx) => {
      const { user, actor } = await targetAccount(ctx, opts);
      await service.changeUser(ctx.db, user, { active: false });
      await audit(ctx.db, null, { action: 'deactivate', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind }, epci: actor.epci });
      io.print(`Compte désactivé : ${user.email}.`);
    }),
  );
  userCommand('activate', 'Réactiver un compte').action((opts) =>
    withContext(async (ctx) => {
      const { user, actor } = await targetAccount(ctx, opts);
      await service.changeUser(ctx.db, user, { active: true });
      await audit(ctx.db, null, { action: 'activate', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind }, epci: actor.epci });
      io.print(`Compte réactivé : ${user.email}.`);
    }),
  );
  userCommand('role', 'Changer le rôle d’un compte')
    .addOption(new Option('--role <rôle>', 'nouveau rôle').choices(ROLES).makeOptionMandatory())
    .action((opts) =>
      withContext(async (ctx) => {
        const { user, actor } = await targetAccount(ctx, opts);
        if (opts.role === 'operator' && actor.kind !== 'operateur') throw new AppError('access.operator_option_required', 'Seul l’opérateur du club (--operateur) nomme un opérateur.');
        await service.changeUser(ctx.db, user, { role: opts.role as Role });
        await audit(ctx.db, null, { action: 'role', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind, role: opts.role }, epci: actor.epci });
        io.print(`Rôle de ${user.email} : ${opts.role}.`);
      }),
    );
  userCommand('password', 'Réinitialiser le mot de passe d’un compte (demandé, ou lu dans HABITAT_PASSWORD) ; ses sessions sont fermées').action((opts) =>
    withContext(async (ctx) => {
      const { user, actor } = await targetAccount(ctx, opts);
      const password = io.env.HABITAT_PASSWORD ?? (await io.readSecret('Nouveau mot de passe (12 caractères au moins) : '));
      await service.resetPassword(ctx.db, user.id, password);
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
          const n = await service.revokeSessions(ctx.db, user.id);
          await audit(ctx.db, null, { action: 'revoke_sessions', entity: 'app_user', entityId: user.id, detail: { via: 'cli', en: actor.kind, sessions: n }, epci: actor.epci });
          io.print(`${n} session(s) fermée(s) pour ${user.email}.`);
          return;
        }
        const list = await service.listSessions(ctx.db, user.id);
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
          const epci = opts.commune ? (await placesByCode(ctx.db, [opts.commune])).get(opts.commune)?.epci_siren : undefined;
          if (epci !== actor.epci) throw new AppError('access.outside_perimeter', `La commune ${opts.commune ?? '(--commune manquant)'} n’est pas dans l’EPCI ${actor.epci}.`);
        }
        const links = opts.kind === 'commune' ? [] : opts.epci ? [chooseEpci(ctx.config.epciSirens, opts.epci)] : actor.epci ? [actor.epci] : [];
        const org = await service.createOrganisation(ctx.db, { kind: opts.kind as OrganisationKind, name: opts.name, siren: opts.siren, commune_code: opts.commune }, links);
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
        const scope = actor.epci ? await service.organisationsOfEpci(ctx.db, actor.epci) : undefined;
        for (const o of await service.listOrganisations(ctx.db, scope))
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
          const org = await service.linkablePartner(ctx.db, await resolveOrganisation(ctx, opts.org));
          if (link) await service.linkPartner(ctx.db, org, epci);
          else if (!(await service.unlinkPartner(ctx.db, org.id, epci))) throw new AppError('access.link_missing', `${org.name} n’est pas rattaché à l’EPCI ${epci}.`);
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
        const key = await service.createApiKey(ctx.db, organisationId, opts.name);
        await audit(ctx.db, null, { action: 'create', entity: 'api_key', entityId: key.id, detail: { via: 'cli', en: actor.kind }, epci: actor.epci });
        io.print(key.key);
      }),
    );

};

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
    const epcis = (await service.organisationEpcis(ctx.db, await resolveOrganisation(ctx, opts.org))).filter((e) => ctx.config.epciSirens.includes(e));
    if (epcis.length === 1) return { kind: 'epci', epci: epcis[0] };
    if (epcis.length > 1 || ctx.config.epciSirens.length > 1)
      throw new AppError('access.perimeter_required', `Cette organisation ${epcis.length ? `travaille avec plusieurs EPCI (${epcis.join(', ')})` : 'n’est rattachée à aucun EPCI'} : précisez --epci <SIREN>, ou --operateur.`);
  }
  return { kind: 'epci', epci: chooseEpci(ctx.config.epciSirens, undefined, 'avec --org <SIREN de l’EPCI>, ou agissez en opérateur du club avec --operateur') };
}

/** An EPCI's admin acts on the organisations of its perimeter; the operator on all of them. */
async function assertAdministers(ctx: AppContext, actor: Acting, organisationId: string) {
  if (actor.kind === 'operateur') return;
  if (!(await service.organisationsOfEpci(ctx.db, actor.epci!)).includes(organisationId))
    throw new AppError('access.outside_perimeter', `Cette organisation est hors du périmètre de l’EPCI ${actor.epci} : agissez sur le périmètre de son EPCI (--epci), ou en opérateur du club (--operateur).`);
}

async function resolveOrganisation(ctx: AppContext, ref: string | null | undefined): Promise<string> {
  if (!ref) return (await service.ensureEpciOrganisation(ctx.db, ctx.config.epciSirens[0])).id;
  if (/^[0-9]{9}$/.test(ref)) {
    const instanceEpci = ctx.config.epciSirens.includes(ref);
    if (instanceEpci) return (await service.ensureEpciOrganisation(ctx.db, ref)).id;
    const found = (await service.listOrganisations(ctx.db)).find((o) => o.siren === ref);
    if (found) return found.id;
  } else {
    const found = await service.findOrganisation(ctx.db, ref).catch(() => undefined);
    if (found) return found.id;
  }
  throw new AppError('access.unknown_organisation', `Organisation introuvable : ${ref}. Créez-la avec « habitat orgs add ».`);
}

