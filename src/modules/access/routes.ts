// Access HTTP: login/logout, who am I, organisations, users, API keys, audit log.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { assertOwnOrganisation, requirePrincipal, ROLES, type Role } from '../../platform/http/access.ts';
import {
  assertInPerimeter,
  communesOf,
  describePerimeter,
  epcisOf,
  perimeterOfRequest,
  perimeterRefused,
  type Perimeter,
} from '../../platform/http/perimeter.ts';
import { isPersonalAudit, PARTNER_KINDS, SESSION_DAYS, SHARABLE } from './model.ts';
import * as store from './store.ts';

export const SESSION_COOKIE = 'hc_session';

const siren = z.string().regex(/^[0-9]{9}$/, 'Un SIREN compte 9 chiffres');
const organisationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  siren: z.string().nullable(),
  commune_code: z.string().nullable(),
});
const organisationOut = organisationSchema.extend({ epcis: z.array(z.string()).describe('EPCI avec lesquels travaille un partenaire') });
const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string(), organisation_id: z.string() });

/**
 * An admin acts on the organisations of its EPCI's perimeter, the operator on every organisation. Notes, for the audit
 * log, the EPCI the organisation belongs to (when it belongs to one only).
 */
async function assertAdministers(ctx: AppContext, req: FastifyRequest, organisationId: string): Promise<Perimeter> {
  const p = perimeterOfRequest(req);
  if (p.administre === 'epci' && p.organisations.includes(organisationId)) {
    req.auditEpci = p.epci;
    return p;
  }
  if (p.administre !== 'instance')
    throw perimeterRefused(`Cette organisation est hors du périmètre que vous administrez (${describePerimeter(p)}).`);
  const epcis = await store.organisationEpcis(ctx.db, organisationId);
  if (epcis.length === 1) req.auditEpci = epcis[0];
  return p;
}

/** The organisations whose users, keys and links a caller may list: all (operator), its EPCI's (admin), its own. */
const listableOrganisations = (p: Perimeter): string[] | undefined => (p.administre === 'instance' ? undefined : p.organisations);

/** Reads the session cookie or the API key (Authorization: Bearer hc_… or X-Api-Key) into `req.principal`. */
export function principalResolver(ctx: AppContext) {
  return async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    const key = (typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined) ??
      (header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined);
    if (key) {
      req.principal = await store.principalFromApiKey(ctx.db, key);
      if (!req.principal) throw new AppError('auth.invalid_api_key', 'Clé d’API inconnue ou révoquée.', 401);
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) req.principal = await store.principalFromSession(ctx.db, token);
  };
}

export function accessRoutes(app: App, ctx: AppContext) {
  const setSession = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.config.cookieSecure,
      maxAge: SESSION_DAYS * 86400,
    });

  app.post('/api/access/login', {
    config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: {
      tags: ['accès'],
      summary: 'Se connecter (ouvre une session par cookie)',
      body: z.object({ email: z.string().min(3).max(200), password: z.string().min(1).max(500) }),
      response: { 200: z.object({ ok: z.literal(true), name: z.string(), role: z.string() }) },
    },
    handler: async (req, reply) => {
      const opened = await store.login(ctx.db, req.body.email, req.body.password, { ip: req.ip, userAgent: req.headers['user-agent'] });
      if (!opened) throw new AppError('auth.invalid_credentials', 'Adresse e-mail ou mot de passe incorrect.', 401);
      setSession(reply, opened.token);
      const principal = await store.principalFromSession(ctx.db, opened.token);
      req.principal = principal; // so the audit hook records who logged in
      return { ok: true as const, name: principal!.name, role: principal!.role };
    },
  });

  app.post('/api/access/logout', {
    config: { access: 'authenticated' },
    schema: { tags: ['accès'], summary: 'Se déconnecter', response: { 200: z.object({ ok: z.literal(true) }) } },
    handler: async (req, reply) => {
      const token = req.cookies?.[SESSION_COOKIE];
      if (token) await store.logout(ctx.db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  });

  app.get('/api/access/me', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['accès'],
      summary: 'L’utilisateur ou la clé d’API connecté, son rôle et son organisation',
      response: {
        200: z.object({
          kind: z.string(),
          name: z.string(),
          role: z.string(),
          organisation: organisationSchema,
          perimetre: z.object({
            type: z.enum(['operateur', 'epci', 'commune', 'partenaire']),
            description: z.string(),
            epci: z.string().nullable(),
            epcis: z.array(z.object({ siren: z.string(), nom: z.string() })),
            communes: z.number().describe('Nombre de communes (et arrondissements) dont les données sont lisibles'),
            ecrit: z.boolean(),
            administre: z.enum(['instance', 'epci']).nullable(),
          }),
        }),
      },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      const organisation = await store.findOrganisation(ctx.db, p.organisationId);
      const m = p.perimeter;
      return {
        kind: p.kind,
        name: p.name,
        role: p.role,
        organisation: organisation!,
        perimetre: {
          type: m.kind,
          description: describePerimeter(m),
          epci: m.epci,
          epcis: epcisOf(m).map((siren) => ({ siren, nom: m.noms[siren] ?? siren })),
          communes: communesOf(m).length,
          ecrit: m.ecrit,
          administre: m.administre,
        },
      };
    },
  });

  app.get('/api/access/organisations', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['accès'],
      summary: 'Les organisations : toutes pour l’opérateur, celles du périmètre de son EPCI pour un agent, la sienne pour un partenaire',
      response: { 200: z.object({ organisations: z.array(organisationOut) }) },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      return { organisations: await store.listOrganisations(ctx.db, p.kind === 'operateur' ? undefined : p.organisations) };
    },
  });

  app.post('/api/access/organisations', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Créer une organisation partenaire ou une commune (rattachée à l’EPCI de l’administrateur)',
      body: z.object({
        kind: z.enum(PARTNER_KINDS as [string, ...string[]]),
        name: z.string().min(2).max(200),
        siren: siren.nullish(),
        commune_code: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/).nullish(),
        epcis: z.array(siren).max(50).optional().describe('Opérateur : EPCI avec lesquels travaille le partenaire'),
      }),
      response: { 201: organisationOut },
    },
    handler: async (req, reply) => {
      const p = perimeterOfRequest(req);
      const b = req.body;
      if (b.kind === 'commune' && !b.commune_code) throw new AppError('access.commune_requise', 'Indiquez le code INSEE de la commune (commune_code).', 400);
      let epcis: string[];
      if (p.administre === 'instance') {
        epcis = b.epcis ?? [];
        const unknown = epcis.filter((e) => !p.noms[e]);
        if (unknown.length) throw new AppError('access.epci_inconnu', `Ces EPCI ne sont pas servis par l’instance : ${unknown.join(', ')}.`, 400);
      } else if (p.administre === 'epci' && p.epci) {
        if (b.epcis?.some((e) => e !== p.epci)) throw perimeterRefused(`Vous ne pouvez rattacher une organisation qu’à votre EPCI (${describePerimeter(p)}).`);
        epcis = [p.epci];
        if (b.commune_code) assertInPerimeter(req, { commune: b.commune_code }, 'ecrire');
      } else throw perimeterRefused('Seul l’administrateur d’un EPCI ou l’opérateur du club crée des organisations.');
      const org = await store.createOrganisation(ctx.db, { ...b, kind: b.kind as any }, b.kind === 'commune' ? [] : epcis);
      if (epcis.length === 1) req.auditEpci = epcis[0];
      return reply.code(201).send({ ...org, epcis: b.kind === 'commune' ? [] : epcis });
    },
  });

  app.post('/api/access/organisations/:id/epcis', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Rattacher un partenaire à un EPCI (l’administrateur de l’EPCI, ou l’opérateur)',
      params: z.object({ id: z.uuid() }),
      body: z.object({ epci: siren }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      const org = await store.findOrganisation(ctx.db, req.params.id);
      if (!org) throw notFound('Organisation');
      if (!PARTNER_KINDS.includes(org.kind as any) || org.kind === 'commune')
        throw new AppError('access.rattachement', 'Seul un partenaire (bailleur, promoteur, ADIL, État…) se rattache à un EPCI : une commune appartient déjà au sien.', 400);
      const p = perimeterOfRequest(req);
      if (p.administre !== 'instance') assertInPerimeter(req, { epci: req.body.epci }, 'ecrire');
      else if (!p.noms[req.body.epci]) throw new AppError('access.epci_inconnu', `L’EPCI ${req.body.epci} n’est pas servi par l’instance.`, 400);
      req.auditEpci = req.body.epci;
      await store.linkOrganisation(ctx.db, org.id, req.body.epci);
      return { ok: true as const };
    },
  });

  app.delete('/api/access/organisations/:id/epcis/:siren', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Retirer le rattachement d’un partenaire à un EPCI',
      params: z.object({ id: z.uuid(), siren }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      if (p.administre !== 'instance') assertInPerimeter(req, { epci: req.params.siren }, 'ecrire');
      req.auditEpci = req.params.siren;
      if (!(await store.unlinkOrganisation(ctx.db, req.params.id, req.params.siren))) throw notFound('Rattachement');
      return { ok: true as const };
    },
  });

  const userOut = userSchema.extend({ active: z.boolean(), organisation_name: z.string(), organisation_kind: z.string() });

  app.get('/api/access/users', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Les comptes utilisateurs (ceux des organisations du périmètre de l’EPCI ; tous pour l’opérateur)',
      response: { 200: z.object({ users: z.array(userOut) }) },
    },
    handler: async (req) => ({ users: await store.listUsers(ctx.db, listableOrganisations(perimeterOfRequest(req))) }),
  });

  app.post('/api/access/users', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Créer un compte utilisateur',
      body: z.object({
        email: z.email('Adresse e-mail invalide'),
        name: z.string().min(2).max(200),
        password: z.string().max(500),
        role: z.enum(ROLES),
        organisation_id: z.uuid(),
      }),
      response: { 201: userSchema },
    },
    handler: async (req, reply) => {
      const p = await assertAdministers(ctx, req, req.body.organisation_id);
      if (req.body.role === 'operator' && p.administre !== 'instance') throw forbidden('Seul l’opérateur du club crée un compte d’opérateur.');
      return reply.code(201).send(await store.createUser(ctx.db, { ...req.body, organisationId: req.body.organisation_id }));
    },
  });

  /** The account an admin acts on: one of its perimeter's, never its own (so that nobody locks themselves out). */
  async function targetUser(req: FastifyRequest, id: string) {
    const user = await store.findUser(ctx.db, { id });
    if (!user) throw notFound('Compte');
    await assertAdministers(ctx, req, user.organisation_id);
    if (user.id === requirePrincipal(req).userId) throw forbidden('Vous ne pouvez pas modifier votre propre compte ici : demandez-le à un autre administrateur.');
    return user;
  }

  app.patch('/api/access/users/:id', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Désactiver ou réactiver un compte (ses sessions sont fermées aussitôt), changer son rôle',
      params: z.object({ id: z.uuid() }),
      body: z.object({ active: z.boolean().optional(), role: z.enum(ROLES).optional() }),
      response: { 200: userOut },
    },
    handler: async (req) => {
      const user = await targetUser(req, req.params.id);
      const p = perimeterOfRequest(req);
      if (req.body.role === 'operator' && p.administre !== 'instance') throw forbidden('Seul l’opérateur du club nomme un opérateur.');
      if (req.body.role && req.body.role !== user.role) await store.setUserRole(ctx.db, user.id, req.body.role as Role);
      if (req.body.active !== undefined && req.body.active !== user.active) await store.setUserActive(ctx.db, user.id, req.body.active);
      const after = await store.findUser(ctx.db, { id: user.id });
      return after!;
    },
  });

  app.post('/api/access/users/:id/mot-de-passe', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Réinitialiser le mot de passe d’un compte (ses sessions sont fermées)',
      params: z.object({ id: z.uuid() }),
      body: z.object({ password: z.string().max(500) }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      const user = await targetUser(req, req.params.id);
      await store.resetPassword(ctx.db, user.id, req.body.password);
      return { ok: true as const };
    },
  });

  const sessionOut = z.object({ created_at: z.date(), expires_at: z.date(), ip: z.string().nullable(), user_agent: z.string().nullable() });
  app.get('/api/access/users/:id/sessions', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Les sessions ouvertes d’un compte',
      params: z.object({ id: z.uuid() }),
      response: { 200: z.object({ sessions: z.array(sessionOut) }) },
    },
    handler: async (req) => {
      const user = await store.findUser(ctx.db, { id: req.params.id });
      if (!user) throw notFound('Compte');
      await assertAdministers(ctx, req, user.organisation_id);
      return { sessions: await store.listSessions(ctx.db, user.id) };
    },
  });

  app.delete('/api/access/users/:id/sessions', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Fermer toutes les sessions d’un compte',
      params: z.object({ id: z.uuid() }),
      response: { 200: z.object({ fermees: z.number() }) },
    },
    handler: async (req) => {
      const user = await targetUser(req, req.params.id);
      return { fermees: await store.revokeSessions(ctx.db, user.id) };
    },
  });

  const keySchema = z.object({
    id: z.string(),
    organisation_id: z.string(),
    name: z.string(),
    prefix: z.string(),
    created_at: z.date(),
    revoked_at: z.date().nullable(),
    last_used_at: z.date().nullable(),
  });

  app.get('/api/access/api-keys', {
    config: { access: { roles: ['admin', 'partner', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Les clés d’API (un partenaire ne voit que celles de son organisation, un administrateur celles du périmètre de son EPCI)',
      response: { 200: z.object({ keys: z.array(keySchema) }) },
    },
    handler: async (req) => ({ keys: await store.listApiKeys(ctx.db, listableOrganisations(perimeterOfRequest(req))) }),
  });

  app.post('/api/access/api-keys', {
    config: { access: { roles: ['admin', 'partner', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Créer une clé d’API pour une organisation (la clé n’est montrée qu’une fois)',
      body: z.object({ name: z.string().min(2).max(100), organisation_id: z.uuid().optional() }),
      response: { 201: z.object({ id: z.string(), organisation_id: z.string(), name: z.string(), prefix: z.string(), key: z.string() }) },
    },
    handler: async (req, reply) => {
      const p = requirePrincipal(req);
      if (p.kind === 'apikey') throw forbidden('Une clé d’API ne peut pas créer d’autres clés.');
      const organisationId = req.body.organisation_id ?? p.organisationId;
      if (p.perimeter.administre === 'instance') await assertAdministers(ctx, req, organisationId);
      else assertOwnOrganisation(req, organisationId);
      if (!(await store.findOrganisation(ctx.db, organisationId))) throw notFound('Organisation');
      const created = await store.createApiKey(ctx.db, organisationId, req.body.name);
      return reply.code(201).send({ id: created.id, organisation_id: created.organisation_id, name: created.name, prefix: created.prefix, key: created.key });
    },
  });

  app.delete('/api/access/api-keys/:id', {
    config: { access: { roles: ['admin', 'partner', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Révoquer une clé d’API',
      params: z.object({ id: z.uuid() }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      const keys = await store.listApiKeys(ctx.db);
      const key = keys.find((k) => k.id === req.params.id);
      if (!key || key.revoked_at) throw notFound('Clé d’API');
      if (requirePrincipal(req).perimeter.administre === 'instance') await assertAdministers(ctx, req, key.organisation_id);
      else assertOwnOrganisation(req, key.organisation_id);
      await store.revokeApiKey(ctx.db, key.id);
      return { ok: true as const };
    },
  });

  app.get('/api/access/audit', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary:
        'Le journal d’audit (écritures et lectures de données personnelles) : celui du périmètre de son EPCI ; pour l’opérateur, celui de tous, sans les identifiants ni le détail des entrées qui touchent des données personnelles',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), entity: z.string().optional(), epci: siren.optional() }),
      response: { 200: z.object({ entries: z.array(z.any()) }) },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      if (p.administre !== 'instance') {
        const epci = p.epci!;
        if (req.query.epci && req.query.epci !== epci) assertInPerimeter(req, { epci: req.query.epci }, 'ecrire');
        return { entries: await store.listAudit(ctx.db, { limit: req.query.limit, entity: req.query.entity, epcis: [epci] }) };
      }
      const entries = await store.listAudit(ctx.db, { limit: req.query.limit, entity: req.query.entity, epcis: req.query.epci ? [req.query.epci] : undefined });
      // The operator administers; it reads no one's personal data unless an EPCI granted its organisation that.
      const granted = new Set(p.demandes.map((d) => d.epci));
      return {
        entries: entries.map((e) =>
          isPersonalAudit(e.entity) && !(e.epci_siren && granted.has(e.epci_siren)) ? { ...e, entity_id: null, detail: null, masque: 'données personnelles' } : e,
        ),
      };
    },
  });

  // ---- what each EPCI shares with the club ----
  const sharingOut = z.object({ epci: z.string(), nom: z.string(), objets: z.array(z.enum(SHARABLE)) });
  app.get('/api/access/partages', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['accès'],
      summary: 'Ce que chaque EPCI de l’instance partage avec le club (indicateurs du PLH, conformité au référentiel)',
      response: { 200: z.object({ partages: z.array(sharingOut) }) },
    },
    handler: async () => ({ partages: await store.listSharing(ctx.db) }),
  });

  app.put('/api/access/partages/:siren', {
    config: { access: { roles: ['admin'] } },
    schema: {
      tags: ['accès'],
      summary: 'Choisir ce que son EPCI partage avec le club (l’administrateur de l’EPCI)',
      params: z.object({ siren }),
      body: z.object({ objets: z.array(z.enum(SHARABLE)).max(SHARABLE.length) }),
      response: { 200: sharingOut },
    },
    handler: async (req) => {
      assertInPerimeter(req, { epci: req.params.siren }, 'ecrire');
      await store.setSharing(ctx.db, req.params.siren, [...new Set(req.body.objets)], requirePrincipal(req).userId ?? null);
      return (await store.listSharing(ctx.db)).find((s) => s.epci === req.params.siren)!;
    },
  });
}
