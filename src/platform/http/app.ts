// HTTP assembly: plugins, security, errors, access control, audit of writes, module routes, OpenAPI and the web app.
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { recordAudit, type HabitatModule } from '../module.ts';
import { schedulePurge } from '../purge.ts';
import { installAccessControl, type RouteAccess } from './access.ts';
import { installCaching } from './caching.ts';
import { swaggerOptions } from './openapi.ts';
import { clientErrorHandler, frameworkErrors, installInputGuards, JSON_BODY_LIMIT, MAX_PARAM_LENGTH } from './input.ts';
import { errorHandler, problem, sendProblem } from './problems.ts';

z.config(z.locales.fr());

export const WEB_DIST = join(import.meta.dirname, '..', '..', '..', 'dist', 'web');
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyInstance {
    /** Every /api route with its access declaration. */
    routeTable: RouteAccess[];
    /** Work a module runs beside the requests (indicators, answers prepared ahead): `idle` waits for it. */
    background(work: Promise<unknown>): void;
    /** Resolves once the background work started so far has ended (a bench, a test, a shutdown). */
    idle(): Promise<void>;
  }
  interface FastifyContextConfig {
    /** `false` on a POST that changes nothing (a simulation): no audit row per request. */
    audit?: boolean;
  }
}

export async function buildApp(ctx: AppContext, modules: HabitatModule[], opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger === false ? { logger: false } : { loggerInstance: ctx.log as FastifyBaseLogger }),
    // A few KB unless the route says otherwise (uploads): eight 45 MB anonymous POSTs once took the server to 1.1 GB.
    bodyLimit: JSON_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
    trustProxy: ctx.config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  await app.register(fastifyCookie); // before the access hook, which reads the session cookie
  // Next, so that every route registered afterwards (plugins' included) is checked and guarded.
  const identifiers = modules.flatMap((m) => (m.identify ? [m.identify(ctx)] : []));
  const identify = async (req: FastifyRequest) => {
    for (const id of identifiers) {
      await id(req);
      if (req.principal) return;
    }
  };
  const routeTable = installAccessControl(app, identify);
  app.decorate('routeTable', routeTable);
  const running = new Set<Promise<unknown>>();
  app.decorate('background', (work: Promise<unknown>) => {
    const tracked: Promise<unknown> = work.catch(() => undefined).finally(() => running.delete(tracked));
    running.add(tracked);
  });
  app.decorate('idle', async () => {
    while (running.size) await Promise.all(running);
  });
  installInputGuards(app); // after the access check: a caller without the right learns nothing about its input

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  // A generous global limit protects public routes; sensitive routes (login) set a stricter one.
  await app.register(fastifyRateLimit, {
    max: ctx.config.rateLimitPerMinute,
    timeWindow: '1 minute',
    errorResponseBuilder: (_req, c) => ({
      ...problem(429, 'platform.too_many_requests', `Trop de requêtes : ${c.max} par ${c.after === '1 minute' ? 'minute' : c.after}. Réessayez plus tard.`),
      statusCode: 429,
    }),
  });

  await installCaching(app);
  await app.register(fastifySwagger, swaggerOptions());
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  // Every successful write through HTTP is logged: who, which route, which resource. An anonymous caller writes
  // nothing (its POSTs are simulations; a login records who signed in by setting the principal; routes that show
  // personal data to the public audit the read themselves): logging its requests let anyone fill the audit log
  // (7,967 rows in 20 s through the aid simulator).
  app.addHook('onResponse', async (req, reply) => {
    if (!WRITE_METHODS.has(req.method) || reply.statusCode >= 400 || !req.url.startsWith('/api/')) return;
    if (!req.principal || req.routeOptions.config?.audit === false) return;
    try {
      await recordAudit(ctx, modules, req, {
        action: req.method.toLowerCase(),
        entity: req.routeOptions.url ?? req.url,
        entityId: Object.values((req.params as Record<string, string>) ?? {}).join('/') || null,
        detail: { status: reply.statusCode },
      });
    } catch (err) {
      req.log.error({ err }, 'journal d’audit : écriture impossible');
    }
  });

  // Retention (docs/security.md): a listening server purges on a schedule; `habitat purge` does the same for cron.
  let stopPurge: (() => Promise<void>) | undefined;
  if (ctx.config.purgeIntervalMinutes > 0) {
    app.addHook('onListen', async () => {
      stopPurge ??= schedulePurge(ctx, modules, ctx.config.purgeIntervalMinutes * 60_000);
    });
    app.addHook('preClose', async () => stopPurge?.());
  }

  app.get('/health', {
    config: { access: 'public' },
    schema: { hide: true },
    handler: async () => {
      await ctx.db.selectFrom('schema_migration').select('name').limit(1).execute();
      return { status: 'ok', store: ctx.store.kind };
    },
  });

  for (const m of modules) if (m.routes) await m.routes(app, ctx);

  if (existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, maxAge: '1h' });
  }
  app.setNotFoundHandler((req, reply) => {
    const wantsPage = req.method === 'GET' && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
    if (wantsPage && existsSync(join(WEB_DIST, 'index.html'))) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return sendProblem(reply, problem(404, 'platform.not_found', `Aucune ressource à l’adresse ${req.url}.`, { instance: req.url }));
  });
  await app.ready();
  return app;
}
