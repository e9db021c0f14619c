// Every route declares who may call it, in its `config.access`. The hook below enforces it before the handler;
// a route without a declaration is refused at registration, so none can be forgotten.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, forbidden, unauthenticated } from '../errors.ts';
import type { Perimeter } from './perimeter.ts';

/** `operator`: the club's operator, administers the instance's organisations and users (no EPCI data). */
export type Role = 'operator' | 'admin' | 'agent' | 'partner' | 'readonly';
export const ROLES: Role[] = ['operator', 'admin', 'agent', 'partner', 'readonly'];

/**
 * - `public`: anyone, no personal data may be returned;
 * - `authenticated`: any signed-in user or API key (the handler scopes the answer to the caller's perimeter);
 * - `{ roles }`: only these roles (API keys act with the role `partner`). `readonly` there means a read-only user of
 *   an EPCI organisation: a read-only user of any other organisation reads what a partner of its organisation reads,
 *   never more, so it passes only `public` and `authenticated` routes.
 */
export type Access = 'public' | 'authenticated' | { roles: Role[] };

export interface Principal {
  kind: 'user' | 'apikey';
  userId?: string;
  apiKeyId?: string;
  organisationId: string;
  organisationKind: string;
  role: Role;
  name: string;
  /** Where the caller acts: computed once when it is resolved (src/platform/http/perimeter.ts). */
  perimeter: Perimeter;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function describeAccess(access: Access): string {
  if (access === 'public') return 'Public (sans connexion)';
  if (access === 'authenticated') return 'Tout utilisateur connecté ou clé d’API';
  return `Rôles : ${access.roles.join(', ')}`;
}

/** The refusal of the access hook, with its own code so clients (and the permission test) can tell it apart. */
export const roleRefused = (access: Access) =>
  new AppError('access.role_refused', `Votre rôle ne permet pas cette action (${describeAccess(access)}).`, 403);

export function isAllowed(access: Access, principal: Principal | undefined): boolean {
  if (access === 'public') return true;
  if (!principal) return false;
  if (access === 'authenticated') return true;
  if (principal.role === 'readonly' && principal.organisationKind !== 'epci') return false;
  return access.roles.includes(principal.role);
}

/** Staff of an EPCI of the instance (admin, agent, read-only user of its organisation): sees the data of its territory. */
export function isEpciStaff(p: Principal | undefined): boolean {
  return !!p && p.perimeter.kind === 'epci';
}

/** A partner may only touch its own organisation's data; an EPCI's staff, that of the organisations of its perimeter. */
export function assertOwnOrganisation(req: FastifyRequest, organisationId: string): void {
  const p = req.principal;
  if (!p) throw unauthenticated();
  if (p.perimeter.organisations.includes(organisationId)) return;
  throw forbidden(p.perimeter.kind === 'epci' ? 'Ces données appartiennent à une organisation hors du périmètre de votre EPCI.' : 'Ces données appartiennent à une autre organisation.');
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthenticated();
  return req.principal;
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

/**
 * Guards every route: refuses at registration a route under /api that does not say who may call it, then on each
 * request (once counted by the rate limiter) resolves the caller (session or API key) and checks the declaration
 * before the body is read, so an unauthorised caller learns nothing, not even whether its input was valid. Returns the table of declared routes
 * (the permission test walks it).
 */
export function installAccessControl(
  app: FastifyInstance,
  resolvePrincipal: (req: FastifyRequest) => Promise<void>,
): RouteAccess[] {
  const table: RouteAccess[] = [];
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const declared = (route.config as { access?: Access } | undefined)?.access;
    // Documentation, health and the web app's files are public by nature.
    if (!declared && (url.startsWith('/api/docs') || !url.startsWith('/api'))) {
      route.config = { ...(route.config as object), access: 'public' } as typeof route.config;
      return;
    }
    if (!declared) throw new Error(`La route ${route.method} ${url} ne déclare pas qui peut l'appeler (config.access).`);
    if (url.startsWith('/api/')) for (const method of [route.method].flat()) if (method !== 'HEAD') table.push({ method, url, access: declared });
  });
  // preParsing, not onRequest: the rate limiter (a route-level onRequest hook, run after the app-level ones) must count
  // a request before it can be refused here, or a flood of bad API keys is never limited. Still before the body is read.
  app.addHook('preParsing', async (req) => {
    await resolvePrincipal(req);
    if (req.is404) return; // the not-found answer reveals nothing
    const access = (req.routeOptions.config as { access?: Access } | undefined)?.access;
    if (!access) throw new AppError('access.forbidden', 'Route sans règle d’accès.', 403);
    if (isAllowed(access, req.principal)) return;
    throw req.principal ? roleRefused(access) : unauthenticated();
  });
  return table;
}
