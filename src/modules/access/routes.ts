// Access HTTP: login/logout, who am I, organisations, users, API keys, audit log.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { assertOwnOrganisation, isEpciStaff, requirePrincipal, ROLES } from '../../platform/http/access.ts';
import { ORGANISATION_KINDS, SESSION_DAYS } from './model.ts';
import * as store from './store.ts';

export const SESSION_COOKIE = 'hc_session';

const organisationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  siren: z.string().nullable(),
  commune_code: z.string().nullable(),
});
const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string(), organisation_id: z.string() });

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
      const opened = await store.login(ctx.db, req.body.email, req.body.password);
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
        200: z.object({ kind: z.string(), name: z.string(), role: z.string(), organisation: organisationSchema }),
      },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      const organisation = await store.findOrganisation(ctx.db, p.organisationId);
      return { kind: p.kind, name: p.name, role: p.role, organisation: organisation! };
    },
  });

  app.get('/api/access/organisations', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['accès'],
      summary: 'Les organisations (un partenaire ne voit que la sienne)',
      response: { 200: z.object({ organisations: z.array(organisationSchema) }) },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      const all = await store.listOrganisations(ctx.db);
      return { organisations: isEpciStaff(p) ? all : all.filter((o) => o.id === p.organisationId) };
    },
  });

  app.post('/api/access/organisations', {
    config: { access: { roles: ['admin'] } },
    schema: {
      tags: ['accès'],
      summary: 'Créer une organisation partenaire',
      body: z.object({
        kind: z.enum(ORGANISATION_KINDS),
        name: z.string().min(2).max(200),
        siren: z.string().regex(/^[0-9]{9}$/, 'Un SIREN compte 9 chiffres').nullish(),
        commune_code: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/).nullish(),
      }),
      response: { 201: organisationSchema },
    },
    handler: async (req, reply) => reply.code(201).send(await store.createOrganisation(ctx.db, req.body)),
  });

  app.get('/api/access/users', {
    config: { access: { roles: ['admin'] } },
    schema: {
      tags: ['accès'],
      summary: 'Les comptes utilisateurs',
      response: { 200: z.object({ users: z.array(userSchema.extend({ active: z.boolean(), organisation_name: z.string() })) }) },
    },
    handler: async () => ({ users: await store.listUsers(ctx.db) }),
  });

  app.post('/api/access/users', {
    config: { access: { roles: ['admin'] } },
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
    handler: async (req, reply) =>
      reply.code(201).send(
        await store.createUser(ctx.db, { ...req.body, organisationId: req.body.organisation_id }),
      ),
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
    config: { access: { roles: ['admin', 'partner'] } },
    schema: {
      tags: ['accès'],
      summary: 'Les clés d’API (un partenaire ne voit que celles de son organisation)',
      response: { 200: z.object({ keys: z.array(keySchema) }) },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      return { keys: await store.listApiKeys(ctx.db, isEpciStaff(p) ? undefined : p.organisationId) };
    },
  });

  app.post('/api/access/api-keys', {
    config: { access: { roles: ['admin', 'partner'] } },
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
      assertOwnOrganisation(req, organisationId);
      if (!(await store.findOrganisation(ctx.db, organisationId))) throw notFound('Organisation');
      const created = await store.createApiKey(ctx.db, organisationId, req.body.name);
      return reply.code(201).send({ id: created.id, organisation_id: created.organisation_id, name: created.name, prefix: created.prefix, key: created.key });
    },
  });

  app.delete('/api/access/api-keys/:id', {
    config: { access: { roles: ['admin', 'partner'] } },
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
      assertOwnOrganisation(req, key.organisation_id);
      await store.revokeApiKey(ctx.db, key.id);
      return { ok: true as const };
    },
  });

  app.get('/api/access/audit', {
    config: { access: { roles: ['admin'] } },
    schema: {
      tags: ['accès'],
      summary: 'Le journal d’audit (écritures et lectures de données personnelles)',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), entity: z.string().optional() }),
      response: { 200: z.object({ entries: z.array(z.any()) }) },
    },
    handler: async (req) => ({ entries: await store.listAudit(ctx.db, { limit: req.query.limit, entity: req.query.entity }) }),
  });
}
