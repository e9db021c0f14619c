// Access HTTP: login/logout, who am I, organisations, users, API keys, audit log, sharing. Thin: validate (contract)
// → permission (role, perimeter) → service → reply.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { assertOwnOrganisation, requirePrincipal } from '../../platform/http/access.ts';
import { assertInPerimeter, describePerimeter, perimeterOfRequest, perimeterRefused, type Perimeter } from '../../platform/http/perimeter.ts';
import * as c from './contract.ts';
import { SESSION_DAYS } from './model.ts';
import * as service from './service.ts';
import { login, logout, principalFromApiKey, principalFromSession } from './store.ts';

const SESSION_COOKIE = 'hc_session';

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
  const epcis = await service.organisationEpcis(ctx.db, organisationId);
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
      req.principal = await principalFromApiKey(ctx.db, key);
      if (!req.principal) throw new AppError('access.invalid_api_key', 'Clé d’API inconnue ou révoquée.', 401);
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) req.principal = await principalFromSession(ctx.db, token);
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
    schema: { tags: ['accès'], summary: 'Se connecter (ouvre une session par cookie)', body: c.loginBody, response: { 200: c.loginAnswer } },
    handler: async (req, reply) => {
      const opened = await login(ctx.db, req.body.email, req.body.password, { ip: req.ip, userAgent: req.headers['user-agent'] });
      if (!opened) throw new AppError('access.invalid_credentials', 'Adresse e-mail ou mot de passe incorrect.', 401);
      setSession(reply, opened.token);
      const principal = await principalFromSession(ctx.db, opened.token);
      if (!principal) throw new AppError('access.invalid_credentials', 'Adresse e-mail ou mot de passe incorrect.', 401);
      req.principal = principal; // so the audit hook records who logged in
      return { ok: true as const, name: principal.name, role: principal.role };
    },
  });

  app.post('/api/access/logout', {
    config: { access: 'authenticated' },
    schema: { tags: ['accès'], summary: 'Se déconnecter', response: { 200: c.okAnswer } },
    handler: async (req, reply) => {
      const token = req.cookies?.[SESSION_COOKIE];
      if (token) await logout(ctx.db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  });

  app.get('/api/access/me', {
    config: { access: 'authenticated' },
    schema: { tags: ['accès'], summary: 'L’utilisateur ou la clé d’API connecté, son rôle et son organisation', response: { 200: c.meAnswer } },
    handler: async (req) => service.me(ctx.db, requirePrincipal(req)),
  });

  app.get('/api/access/organisations', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['accès'],
      summary: 'Les organisations : toutes pour l’opérateur, celles du périmètre de son EPCI pour un agent, la sienne pour un partenaire',
      response: { 200: c.organisationsAnswer },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      return { organisations: await service.listOrganisations(ctx.db, p.kind === 'operateur' ? undefined : p.organisations) };
    },
  });

  app.post('/api/access/organisations', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Créer une organisation partenaire ou une commune (rattachée à l’EPCI de l’administrateur)',
      body: c.newOrganisationBody,
      response: { 201: c.organisationWithEpcis },
    },
    handler: async (req, reply) => {
      const p = perimeterOfRequest(req);
      const b = req.body;
      if (b.kind === 'commune' && !b.commune_code) throw new AppError('access.commune_required', 'Indiquez le code INSEE de la commune (commune_code).', 400);
      let epcis: string[];
      if (p.administre === 'instance') {
        epcis = b.epcis ?? [];
        const unknown = epcis.filter((e) => !p.noms[e]);
        if (unknown.length) throw new AppError('access.unknown_epci', `Ces EPCI ne sont pas servis par l’instance : ${unknown.join(', ')}.`, 400);
      } else if (p.administre === 'epci' && p.epci) {
        if (b.epcis?.some((e) => e !== p.epci)) throw perimeterRefused(`Vous ne pouvez rattacher une organisation qu’à votre EPCI (${describePerimeter(p)}).`);
        epcis = [p.epci];
        if (b.commune_code) assertInPerimeter(req, { commune: b.commune_code }, 'ecrire');
      } else throw perimeterRefused('Seul l’administrateur d’un EPCI ou l’opérateur du club crée des organisations.');
      const links = b.kind === 'commune' ? [] : epcis;
      const org = await service.createOrganisation(ctx.db, { kind: b.kind, name: b.name, siren: b.siren, commune_code: b.commune_code }, links);
      if (epcis.length === 1) req.auditEpci = epcis[0];
      return reply.code(201).send({ ...org, epcis: links });
    },
  });

  app.post('/api/access/organisations/:id/epcis', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Rattacher un partenaire à un EPCI (l’administrateur de l’EPCI, ou l’opérateur)',
      params: c.organisationParams,
      body: c.linkBody,
      response: { 200: c.okAnswer },
    },
    handler: async (req) => {
      const org = await service.linkablePartner(ctx.db, req.params.id);
      const p = perimeterOfRequest(req);
      if (p.administre !== 'instance') assertInPerimeter(req, { epci: req.body.epci }, 'ecrire');
      else if (!p.noms[req.body.epci]) throw new AppError('access.unknown_epci', `L’EPCI ${req.body.epci} n’est pas servi par l’instance.`, 400);
      req.auditEpci = req.body.epci;
      await service.linkPartner(ctx.db, org, req.body.epci);
      return { ok: true as const };
    },
  });

  app.delete('/api/access/organisations/:id/epcis/:siren', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: { tags: ['accès'], summary: 'Retirer le rattachement d’un partenaire à un EPCI', params: c.linkParams, response: { 200: c.okAnswer } },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      if (p.administre !== 'instance') assertInPerimeter(req, { epci: req.params.siren }, 'ecrire');
      req.auditEpci = req.params.siren;
      if (!(await service.unlinkPartner(ctx.db, req.params.id, req.params.siren))) throw notFound('Rattachement');
      return { ok: true as const };
    },
  });

  app.get('/api/access/users', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Les comptes utilisateurs (ceux des organisations du périmètre de l’EPCI ; tous pour l’opérateur)',
      response: { 200: c.usersAnswer },
    },
    handler: async (req) => ({ users: await service.listUsers(ctx.db, listableOrganisations(perimeterOfRequest(req))) }),
  });

  app.post('/api/access/users', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: { tags: ['accès'], summary: 'Créer un compte utilisateur', body: c.newUserBody, response: { 201: c.user } },
    handler: async (req, reply) => {
      const p = await assertAdministers(ctx, req, req.body.organisation_id);
      if (req.body.role === 'operator' && p.administre !== 'instance') throw forbidden('Seul l’opérateur du club crée un compte d’opérateur.');
      return reply.code(201).send(await service.createUser(ctx.db, { ...req.body, organisationId: req.body.organisation_id }));
    },
  });

  /** The account an admin acts on: one of its perimeter's, never its own (so that nobody locks themselves out). */
  async function targetUser(req: FastifyRequest, id: string) {
    const user = await service.findUser(ctx.db, { id });
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
      params: c.userParams,
      body: c.userChangeBody,
      response: { 200: c.userWithOrganisation },
    },
    handler: async (req) => {
      const user = await targetUser(req, req.params.id);
      if (req.body.role === 'operator' && perimeterOfRequest(req).administre !== 'instance') throw forbidden('Seul l’opérateur du club nomme un opérateur.');
      return service.changeUser(ctx.db, user, req.body);
    },
  });

  app.post('/api/access/users/:id/password', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Réinitialiser le mot de passe d’un compte (ses sessions sont fermées)',
      params: c.userParams,
      body: c.passwordBody,
      response: { 200: c.okAnswer },
    },
    handler: async (req) => {
      const user = await targetUser(req, req.params.id);
      await service.resetPassword(ctx.db, user.id, req.body.password);
      return { ok: true as const };
    },
  });

  app.get('/api/access/users/:id/sessions', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: { tags: ['accès'], summary: 'Les sessions ouvertes d’un compte', params: c.userParams, response: { 200: c.sessionsAnswer } },
    handler: async (req) => {
      const user = await service.findUser(ctx.db, { id: req.params.id });
      if (!user) throw notFound('Compte');
      await assertAdministers(ctx, req, user.organisation_id);
      return { sessions: await service.listSessions(ctx.db, user.id) };
    },
  });

  app.delete('/api/access/users/:id/sessions', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: { tags: ['accès'], summary: 'Fermer toutes les sessions d’un compte', params: c.userParams, response: { 200: c.sessionsClosedAnswer } },
    handler: async (req) => {
      const user = await targetUser(req, req.params.id);
      return { closed: await service.revokeSessions(ctx.db, user.id) };
    },
  });

  app.get('/api/access/api-keys', {
    config: { access: { roles: ['admin', 'partner', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Les clés d’API (un partenaire ne voit que celles de son organisation, un administrateur celles du périmètre de son EPCI)',
      response: { 200: c.apiKeysAnswer },
    },
    handler: async (req) => ({ keys: await service.listApiKeys(ctx.db, listableOrganisations(perimeterOfRequest(req))) }),
  });

  app.post('/api/access/api-keys', {
    config: { access: { roles: ['admin', 'partner', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary: 'Créer une clé d’API pour une organisation (la clé n’est montrée qu’une fois)',
      body: c.newApiKeyBody,
      response: { 201: c.newApiKeyAnswer },
    },
    handler: async (req, reply) => {
      const p = requirePrincipal(req);
      if (p.kind === 'apikey') throw forbidden('Une clé d’API ne peut pas créer d’autres clés.');
      const organisationId = req.body.organisation_id ?? p.organisationId;
      if (p.perimeter.administre === 'instance') await assertAdministers(ctx, req, organisationId);
      else assertOwnOrganisation(req, organisationId);
      if (!(await service.findOrganisation(ctx.db, organisationId))) throw notFound('Organisation');
      const created = await service.createApiKey(ctx.db, organisationId, req.body.name);
      return reply.code(201).send({ id: created.id, organisation_id: created.organisation_id, name: created.name, prefix: created.prefix, key: created.key });
    },
  });

  app.delete('/api/access/api-keys/:id', {
    config: { access: { roles: ['admin', 'partner', 'operator'] } },
    schema: { tags: ['accès'], summary: 'Révoquer une clé d’API', params: c.apiKeyParams, response: { 200: c.okAnswer } },
    handler: async (req) => {
      await service.revokeApiKey(ctx.db, req.params.id, async (organisationId) => {
        if (requirePrincipal(req).perimeter.administre === 'instance') await assertAdministers(ctx, req, organisationId);
        else assertOwnOrganisation(req, organisationId);
      });
      return { ok: true as const };
    },
  });

  app.get('/api/access/audit', {
    config: { access: { roles: ['admin', 'operator'] } },
    schema: {
      tags: ['accès'],
      summary:
        'Le journal d’audit (écritures et lectures de données personnelles) : celui du périmètre de son EPCI ; pour l’opérateur, celui de tous, sans les identifiants ni le détail des entrées qui touchent des données personnelles',
      querystring: c.auditQuery,
      response: { 200: c.auditAnswer },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      if (p.administre !== 'instance' && req.query.epci && req.query.epci !== p.epci) assertInPerimeter(req, { epci: req.query.epci }, 'ecrire');
      return { entries: await service.readAudit(ctx.db, p, req.query) };
    },
  });

  // ---- what each EPCI shares with the club ----
  app.get('/api/access/sharing', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['accès'],
      summary: 'Ce que chaque EPCI de l’instance partage avec le club (indicateurs du PLH, conformité au référentiel)',
      response: { 200: c.sharingAnswer },
    },
    handler: async () => ({ sharing: await service.listSharing(ctx.db) }),
  });

  app.put('/api/access/sharing/:siren', {
    config: { access: { roles: ['admin'] } },
    schema: {
      tags: ['accès'],
      summary: 'Choisir ce que son EPCI partage avec le club (l’administrateur de l’EPCI)',
      params: c.sharingParams,
      body: c.sharingBody,
      response: { 200: c.sharing },
    },
    handler: async (req) => {
      assertInPerimeter(req, { epci: req.params.siren }, 'ecrire');
      return service.shareWithClub(ctx.db, req.params.siren, req.body.items, requirePrincipal(req).userId ?? null);
    },
  });
}
