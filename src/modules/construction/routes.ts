// HTTP routes of new construction: thin — validate (contract.ts), check who and where (access rule, perimeter), call
// the use case (service.ts), publish its live changes, reply. Every answer is limited to the caller's perimeter
// (docs/security.md, « Périmètres »).
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { closeEvents, eventsOf } from '../../platform/events.ts';
import { requirePrincipal } from '../../platform/http/access.ts';
import { assertInPerimeter, perimeterFilter, perimeterRefused, requestedEpci } from '../../platform/http/perimeter.ts';
import { mailerOf } from '../../platform/mail.ts';
import { acceptedRows } from '../referential/index.ts';
import type { App } from '../types.ts';
import {
  alertsAnswer,
  alertsBody,
  communeStates,
  dashboard as dashboardZ,
  dashboardQuery,
  matchBody,
  notificationList,
  notificationParams,
  notificationsQuery,
  programme as programmeZ,
  programmeBody,
  programmeDetail,
  programmeList,
  programmeListQuery,
  programmeParams,
  programmePatch,
  publicCommunes,
  savedAnswer,
  stateBody,
  syncAnswer,
  syncBody,
  targetList,
  targetParams,
  targetsBody,
  targetsCsvBody,
  type ProgrammeListQuery,
} from './contract.ts';
import { PARTNER_SCHEMA } from './ingest/partner-feed.ts';
import { liveChangeVisible } from './model.ts';
import * as service from './service.ts';
import { z } from 'zod';

const TAGS = ['construction'];
// `readonly` here is a read-only user of an EPCI organisation (src/platform/http/access.ts).
const STAFF = { roles: ['admin', 'agent', 'readonly'] as ('admin' | 'agent' | 'readonly')[] };
const WRITERS = { roles: ['admin', 'agent'] as ('admin' | 'agent')[] };

/** The list's filters, limited to the caller's perimeter (an EPCI asked for must be its own). */
function filtersOf(req: FastifyRequest, q: Omit<ProgrammeListQuery, 'limit' | 'offset'> & { limit?: number; offset?: number }): service.ListFilters {
  if (q.epci) assertInPerimeter(req, { epci: q.epci });
  if (q.commune) assertInPerimeter(req, { commune: q.commune });
  return { ...q, communes: perimeterFilter(req).communes, withCoordinates: q.with_coordinates === 'true', duplicates: q.duplicates === 'true' };
}

/** A programme the caller's EPCI may read (or change). */
async function programmeOf(ctx: AppContext, req: FastifyRequest, id: string, mode: 'lire' | 'ecrire' = 'lire') {
  const programme = await service.getProgramme(ctx.db, id);
  if (!programme) throw notFound('Programme');
  assertInPerimeter(req, { commune: programme.commune_code }, mode);
  return programme;
}

/** Every commune of a batch of targets must be of the caller's EPCI; says which are not. */
function assertTargetsWritable(req: FastifyRequest, codes: string[]) {
  const mine = new Set(perimeterFilter(req).communes);
  const outside = [...new Set(codes)].filter((c) => !mine.has(c));
  if (outside.length) throw perimeterRefused(`Communes hors de votre périmètre : ${outside.join(', ')}. Vous ne saisissez que les objectifs des communes de votre EPCI.`);
  assertInPerimeter(req, { commune: codes[0] }, 'ecrire');
}

const today = () => new Date().toISOString().slice(0, 10);

function actorOf(req: FastifyRequest): service.Actor {
  const p = requirePrincipal(req);
  return { source: 'manual', author: p.name, organisationId: p.organisationId };
}

export async function constructionRoutes(app: App, ctx: AppContext) {
  const streams = new Set<ServerResponse>();
  // SSE responses never end on their own: close them first, or the server would wait for them forever.
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });
  app.addHook('onClose', () => closeEvents(ctx));

  app.get('/api/construction/programmes', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Liste des programmes de logements, avec filtres', querystring: programmeListQuery, response: { 200: programmeList } },
    handler: async (req) => service.listProgrammes(ctx.db, filtersOf(req, req.query)),
  });

  app.get('/api/construction/programmes.csv', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Export CSV des programmes (mêmes filtres que la liste)', querystring: programmeListQuery.omit({ limit: true, offset: true }) },
    handler: async (req, reply) => {
      const { programmes } = await service.listProgrammes(ctx.db, { ...filtersOf(req, req.query), limit: 100_000 });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="programmes-${today()}.csv"`)
        .send(service.programmesCsv(programmes));
    },
  });

  app.get('/api/construction/communes', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Logements comptés par commune et par état du pipeline (pour la carte)', response: { 200: communeStates } },
    handler: async (req) => ({ communes: await service.unitsByCommune(ctx.db, perimeterFilter(req).communes) }),
  });

  app.get('/api/construction/programmes/:id', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Un programme, ses permis et l’historique de ses états', params: programmeParams, response: { 200: programmeDetail } },
    handler: async (req) => service.programmeDetail(ctx.db, await programmeOf(ctx, req, req.params.id)),
  });

  app.post('/api/construction/programmes', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Saisir un programme', body: programmeBody, response: { 201: programmeZ } },
    handler: async (req, reply) => {
      const b = req.body;
      assertInPerimeter(req, { commune: b.commune_code }, 'ecrire');
      const { programme, changes } = await service.createProgramme(ctx.db, { ...b, state_date: b.state_date ?? today() }, actorOf(req));
      await service.publish(ctx, changes);
      return reply.code(201).send(programme);
    },
  });

  app.patch('/api/construction/programmes/:id', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Modifier un programme (hors état)', params: programmeParams, body: programmePatch, response: { 200: programmeZ } },
    handler: async (req) => {
      await programmeOf(ctx, req, req.params.id, 'ecrire');
      if (req.body.commune_code) assertInPerimeter(req, { commune: req.body.commune_code }, 'ecrire');
      const { programme, changes } = await service.updateProgramme(ctx.db, req.params.id, req.body, actorOf(req));
      await service.publish(ctx, changes);
      return programme;
    },
  });

  app.post('/api/construction/programmes/:id/state', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Faire avancer un programme dans le pipeline (ou l’abandonner)', params: programmeParams, body: stateBody, response: { 200: programmeZ } },
    handler: async (req) => {
      await programmeOf(ctx, req, req.params.id, 'ecrire');
      const { programme, changes } = await service.changeState(ctx.db, req.params.id, req.body.state, req.body.date ?? today(), actorOf(req));
      await service.publish(ctx, changes);
      return programme;
    },
  });

  app.post('/api/construction/programmes/:id/match', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Confirmer ou rejeter un rapprochement de doublons', params: programmeParams, body: matchBody, response: { 200: programmeZ } },
    handler: async (req) => {
      await programmeOf(ctx, req, req.params.id, 'ecrire');
      const { programme, changes } = await service.decideMatch(ctx.db, req.params.id, req.body.decision, requirePrincipal(req).name);
      await service.publish(ctx, changes);
      return programme;
    },
  });

  app.get('/api/construction/targets', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Objectifs de production du PLH par commune et période', response: { 200: targetList } },
    handler: async (req) => ({ targets: await service.listTargets(ctx.db, perimeterFilter(req).communes) }),
  });

  app.put('/api/construction/targets', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Saisir ou remplacer des objectifs (par commune et année de début)', body: targetsBody, response: { 200: savedAnswer } },
    bodyLimit: 1024 * 1024, // up to 2,000 targets
    handler: async (req) => {
      assertTargetsWritable(req, req.body.targets.map((o) => o.commune_code));
      const n = await service.saveTargets(ctx.db, req.body.targets);
      await service.publish(ctx, [{ type: 'target', detail: `${n} objectif(s) enregistré(s)`, epci: req.auditEpci ?? null, at: new Date().toISOString() }]);
      return { saved: n };
    },
  });

  app.post('/api/construction/targets/csv', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Importer des objectifs depuis un CSV (tout ou rien)', body: targetsCsvBody, response: { 200: savedAnswer } },
    bodyLimit: 8 * 1024 * 1024, // a CSV of up to 2,000,000 characters, as a JSON string
    handler: async (req) => {
      const targets = service.readTargetsFile(req.body.csv, req.body.file ?? 'objectifs.csv');
      if (targets.length) assertTargetsWritable(req, targets.map((o) => o.commune_code));
      const n = await service.saveTargets(ctx.db, targets);
      await service.publish(ctx, [{ type: 'target', detail: `${n} objectif(s) importé(s)`, epci: req.auditEpci ?? null, at: new Date().toISOString() }]);
      return { saved: n };
    },
  });

  app.delete('/api/construction/targets/:code/:year', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Supprimer un objectif', params: targetParams, response: { 200: z.object({ deleted: z.literal(true) }) } },
    handler: async (req) => {
      assertInPerimeter(req, { commune: req.params.code }, 'ecrire');
      if (!(await service.deleteTarget(ctx.db, req.params.code, req.params.year))) throw notFound('Objectif');
      return { deleted: true as const };
    },
  });

  app.get('/api/construction/dashboard', {
    config: { access: STAFF },
    schema: {
      tags: TAGS,
      summary: 'Autorisés, commencés, livrés face aux objectifs, par commune et par EPCI, avec le rythme nécessaire',
      querystring: dashboardQuery,
      response: { 200: dashboardZ },
    },
    handler: async (req) => {
      if (req.query.epci) requestedEpci(req, req.query.epci);
      if (req.query.commune) assertInPerimeter(req, { commune: req.query.commune });
      const at = req.query.date ? new Date(`${req.query.date}T12:00:00Z`) : new Date();
      return service.dashboard(ctx.db, at, { epci: req.query.epci, commune: req.query.commune, communes: perimeterFilter(req).communes });
    },
  });

  app.get('/api/construction/events', {
    config: { access: 'authenticated' },
    schema: {
      tags: TAGS,
      summary:
        'Flux en direct des changements (server-sent events ; en-tête Accept: text/event-stream) : ceux des communes de son EPCI pour ses agents, ceux des programmes de son organisation pour un partenaire',
    },
    handler: async (req, reply) => {
      const visibleTo = perimeterFilter(req);
      if (!(req.headers.accept ?? '').includes('text/event-stream'))
        throw new AppError('construction.event_stream_header', 'Ce flux en direct s’ouvre avec l’en-tête « Accept: text/event-stream » (EventSource).', 406);
      const bus = eventsOf(ctx);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let seq = 0;
      const send = (event: string, data: unknown) => res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const unsubscribe = bus.subscribe(service.CONSTRUCTION_TOPIC, (change) => {
        if (liveChangeVisible(change, visibleTo)) send('change', change);
      });
      streams.add(res);
      const heartbeat = setInterval(() => res.write(': battement\n\n'), 15_000);
      req.raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(res);
      });
      // Say "ready" only once this process listens, so a client knows nothing published from now on is missed.
      await bus.ready();
      send('ready', { relay: bus.kind });
    },
  });

  app.post('/api/construction/sync', {
    config: { access: WRITERS },
    schema: {
      tags: TAGS,
      summary: 'Intégrer les programmes livrés par les partenaires (flux programmes-logements du référentiel)',
      body: syncBody,
      response: { 200: syncAnswer },
    },
    handler: async (req) => {
      const since = req.body?.since ? new Date(`${req.body.since}T00:00:00Z`) : undefined;
      // The partners of the agent's EPCI, for its communes: another EPCI's feed is that EPCI's to integrate.
      const mine = perimeterFilter(req);
      assertInPerimeter(req, { epci: mine.epcis[0] }, 'ecrire');
      const rows = (await acceptedRows(ctx.db, PARTNER_SCHEMA, { since, latestPerOrganisation: true })).filter(
        (r) => mine.organisations.includes(r.organisationId) && mine.communes.includes(String(r.data.code_commune)),
      );
      const { changes, ...summary } = await service.syncPartnerProgrammes(ctx.db, rows, `flux partenaires (${requirePrincipal(req).name})`);
      await service.publish(ctx, changes);
      return summary;
    },
  });

  app.get('/api/construction/notifications', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Alertes de la construction neuve (commune en retard, programme bloqué)', querystring: notificationsQuery, response: { 200: notificationList } },
    handler: async (req) => ({
      notifications: await service.listNotifications(ctx.db, { unreadOnly: req.query.unread === 'true', limit: req.query.limit, communes: perimeterFilter(req).communes }),
    }),
  });

  app.post('/api/construction/notifications/:id/read', {
    // Marking read is a write shared by the whole EPCI: its admins and agents only (issue 21).
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Marquer une alerte comme lue', params: notificationParams, response: { 200: z.object({ read: z.literal(true) }) } },
    handler: async (req) => {
      const commune = await service.notificationCommune(ctx.db, req.params.id);
      if (commune === undefined) throw notFound('Alerte');
      if (commune) assertInPerimeter(req, { commune }, 'ecrire');
      else requestedEpci(req, undefined, 'ecrire');
      if (!(await service.markRead(ctx.db, req.params.id))) throw notFound('Alerte');
      return { read: true as const };
    },
  });

  app.post('/api/construction/alerts/check', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Appliquer les règles d’alerte maintenant (notifications et courriels)', body: alertsBody, response: { 200: alertsAnswer } },
    handler: async (req) => {
      const at = req.body?.date ? new Date(`${req.body.date}T12:00:00Z`) : new Date();
      const epci = requestedEpci(req, undefined, 'ecrire');
      const r = await service.runAlerts(ctx.db, at, { communes: perimeterFilter(req).communes, mailer: mailerOf(ctx), log: ctx.log });
      if (r.created.length) await service.publish(ctx, [{ type: 'alert', detail: `${r.created.length} nouvelle(s) alerte(s)`, epci, at: new Date().toISOString() }]);
      return { created: r.created.length, emailed: r.emailed };
    },
  });

  app.get('/api/construction/public/communes', {
    config: { access: 'public' },
    schema: {
      tags: TAGS,
      summary: 'Construction neuve par commune et par année (logements autorisés, commencés, livrés ; agrégats publics)',
      response: { 200: publicCommunes },
    },
    handler: async () => ({
      secrecy_threshold: ctx.config.secrecyMinCount,
      source: 'Sit@del2 (SDES) — autorisations d’urbanisme créant des logements, et programmes déclarés par les partenaires ; doublons comptés une fois.',
      note: `Un chiffre issu de moins de ${ctx.config.secrecyMinCount} opérations n’est pas publié (secret statistique) : il apparaît vide.`,
      rows: await service.publicByCommune(ctx.db, ctx.config.secrecyMinCount, ctx.config.epciSirens),
    }),
  });
}
