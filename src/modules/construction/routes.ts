// HTTP routes of new construction: programmes pipeline, targets and dashboard, live events (SSE), partner feed sync,
// alerts and the public page's data.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { AppError, notFound } from '../../platform/errors.ts';
import { requirePrincipal } from '../../platform/http/access.ts';
import { assertInPerimeter, perimeterFilter, perimeterRefused, requestedEpci } from '../../platform/http/perimeter.ts';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import type { App } from '../types.ts';
import { acceptedRows } from '../referential/index.ts';
import { listNotifications, markRead, notificationCommune, runAlerts } from './alerts.ts';
import { readTargetsCsv } from './ingest/targets-csv.ts';
import { busFor, publishChanges } from './bus.ts';
import { BUILDING_TYPES, FINANCINGS, liveChangeVisible, SOURCES, STATES } from './model.ts';
import { PARTNER_SCHEMA, syncPartnerProgrammes } from './partners.ts';
import { programmesCsv } from './export.ts';
import { changeState, createProgramme, decideMatch, getProgramme, listProgrammes, programmeEvents, updateProgramme, type Actor } from './store.ts';
import { dashboard, deleteTarget, publicByCommune, unitsByCommune, upsertTargets } from './targets.ts';

const TAGS = ['construction'];
// `readonly` here is a read-only user of an EPCI organisation (src/platform/http/access.ts); every answer is limited
// to the communes of the caller's EPCI (docs/security.md, « Périmètres »).
const STAFF = { roles: ['admin', 'agent', 'readonly'] as ('admin' | 'agent' | 'readonly')[] };
const WRITERS = { roles: ['admin', 'agent'] as ('admin' | 'agent')[] };
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ');
const count = z.number().int().min(0).max(100_000);

const programmeBody = z.object({
  nom: z.string().trim().min(1).max(200),
  code_commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE à 5 caractères'),
  adresse: z.string().max(300).nullish(),
  lat: z.number().min(-90).max(90).nullish(),
  lon: z.number().min(-180).max(180).nullish(),
  etat: z.enum(STATES).default('projet'),
  date_etat: isoDate.optional(),
  maitre_ouvrage: z.string().max(200).nullish(),
  logements: z.number().int().min(1).max(10_000),
  financement: z.object(Object.fromEntries(FINANCINGS.map((k) => [k, count.optional()]))).partial().optional(),
  types: z.object(Object.fromEntries(BUILDING_TYPES.map((k) => [k, count.optional()]))).partial().optional(),
  permis: z.array(z.string().max(20)).max(20).optional(),
});

const listQuery = z.object({
  commune: z.string().optional(),
  epci: z.string().optional(),
  etat: z.enum(STATES).optional(),
  source: z.enum(SOURCES).optional(),
  q: z.string().max(100).optional(),
  coordonnees: z.enum(['oui', 'non']).optional(),
  doublons: z.enum(['oui', 'non']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
/** The list's filters, limited to the caller's perimeter (an EPCI asked for must be its own). */
function filtersOf(req: FastifyRequest, q: z.infer<typeof listQuery>) {
  if (q.epci) assertInPerimeter(req, { epci: q.epci });
  if (q.commune) assertInPerimeter(req, { commune: q.commune });
  return { ...q, communes: perimeterFilter(req).communes, avecCoordonnees: q.coordonnees === 'oui', doublons: q.doublons === 'oui' };
}

/** A programme the caller's EPCI may read (or change). */
async function programmeOf(ctx: AppContext, req: FastifyRequest, id: string, mode: 'lire' | 'ecrire' = 'lire') {
  const programme = await getProgramme(ctx.db, id);
  if (!programme) throw notFound('Programme');
  assertInPerimeter(req, { commune: programme.code_commune }, mode);
  return programme;
}

/** Every commune of a batch of targets must be of the caller's EPCI; says which are not. */
function assertTargetsWritable(req: FastifyRequest, codes: string[]) {
  const mine = new Set(perimeterFilter(req).communes);
  const outside = [...new Set(codes)].filter((c) => !mine.has(c));
  if (outside.length) throw perimeterRefused(`Communes hors de votre périmètre : ${outside.join(', ')}. Vous ne saisissez que les objectifs des communes de votre EPCI.`);
  assertInPerimeter(req, { commune: codes[0] }, 'ecrire');
}

const targetBody = z.object({
  code_commune: z.string(),
  periode_debut: z.number().int(),
  periode_fin: z.number().int(),
  objectif_logements: z.number().int(),
  objectif_logements_sociaux: z.number().int(),
  sru: z.boolean().optional(),
});

const today = () => new Date().toISOString().slice(0, 10);

function actorOf(req: any): Actor {
  const p = requirePrincipal(req);
  return { source: 'saisie', author: p.name, organisationId: p.organisationId };
}

export async function constructionRoutes(app: App, ctx: AppContext) {
  const bus = busFor(ctx);
  const streams = new Set<ServerResponse>();
  // SSE responses never end on their own: close them first, or the server would wait for them forever.
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });
  app.addHook('onClose', async () => {
    await bus.close();
  });

  app.get('/api/construction/programmes', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Liste des programmes de logements, avec filtres', querystring: listQuery, response: { 200: z.any() } },
    handler: async (req) => listProgrammes(ctx.db, filtersOf(req, req.query)),
  });

  app.get('/api/construction/programmes.csv', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Export CSV des programmes (mêmes filtres que la liste)', querystring: listQuery.omit({ limit: true, offset: true }) },
    handler: async (req, reply) => {
      const { programmes } = await listProgrammes(ctx.db, { ...filtersOf(req, req.query as any), limit: 100_000 });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="programmes-${today()}.csv"`)
        .send(programmesCsv(programmes));
    },
  });

  app.get('/api/construction/communes', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Logements comptés par commune et par état du pipeline (pour la carte)', response: { 200: z.any() } },
    handler: async (req) => ({ communes: await unitsByCommune(ctx.db, perimeterFilter(req).communes) }),
  });

  app.get('/api/construction/programmes/:id', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Un programme, ses permis et l’historique de ses états', params: z.object({ id: z.uuid() }), response: { 200: z.any() } },
    handler: async (req) => {
      const programme = await programmeOf(ctx, req, req.params.id);
      const doublon = programme.rapprochement ? await getProgramme(ctx.db, programme.rapprochement.programme_id) : undefined;
      return { programme, evenements: await programmeEvents(ctx.db, programme.id), rapproche_de: doublon ?? null };
    },
  });

  app.post('/api/construction/programmes', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Saisir un programme', body: programmeBody, response: { 201: z.any() } },
    handler: async (req, reply) => {
      const b = req.body;
      assertInPerimeter(req, { commune: b.code_commune }, 'ecrire');
      const { programme, changes } = await createProgramme(ctx.db, { ...b, date_etat: b.date_etat ?? today() } as any, actorOf(req));
      await publishChanges(bus, changes, ctx.log);
      return reply.code(201).send(programme);
    },
  });

  app.patch('/api/construction/programmes/:id', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Modifier un programme (hors état)', params: z.object({ id: z.uuid() }), body: programmeBody.omit({ etat: true, date_etat: true, permis: true }).partial(), response: { 200: z.any() } },
    handler: async (req) => {
      await programmeOf(ctx, req, req.params.id, 'ecrire');
      if (req.body.code_commune) assertInPerimeter(req, { commune: req.body.code_commune }, 'ecrire');
      const { programme, changes } = await updateProgramme(ctx.db, req.params.id, req.body as any, actorOf(req));
      await publishChanges(bus, changes, ctx.log);
      return programme;
    },
  });

  app.post('/api/construction/programmes/:id/etat', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Faire avancer un programme dans le pipeline (ou l’abandonner)', params: z.object({ id: z.uuid() }), body: z.object({ etat: z.enum(STATES), date: isoDate.optional() }), response: { 200: z.any() } },
    handler: async (req) => {
      await programmeOf(ctx, req, req.params.id, 'ecrire');
      const { programme, changes } = await changeState(ctx.db, req.params.id, req.body.etat, req.body.date ?? today(), actorOf(req));
      await publishChanges(bus, changes, ctx.log);
      return programme;
    },
  });

  app.post('/api/construction/programmes/:id/rapprochement', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Confirmer ou rejeter un rapprochement de doublons', params: z.object({ id: z.uuid() }), body: z.object({ decision: z.enum(['confirme', 'rejete']) }), response: { 200: z.any() } },
    handler: async (req) => {
      await programmeOf(ctx, req, req.params.id, 'ecrire');
      const programme = await decideMatch(ctx.db, req.params.id, req.body.decision, requirePrincipal(req).name);
      await publishChanges(bus, [{ type: 'programme', id: programme.id, commune: programme.code_commune, etat: programme.etat, detail: `rapprochement ${req.body.decision}`, source: 'saisie', organisation: programme.organisation_id, at: new Date().toISOString() }], ctx.log);
      return programme;
    },
  });

  app.get('/api/construction/objectifs', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Objectifs de production du PLH par commune et période', response: { 200: z.any() } },
    handler: async (req) => {
      const communes = perimeterFilter(req).communes;
      const rows = await ctx.db
        .selectFrom('construction_target as t')
        .innerJoin('commune as c', 'c.code', 't.commune_code')
        .select(['t.commune_code', 'c.nom', 't.period_start', 't.period_end', 't.total', 't.social', 't.sru'])
        .where('t.commune_code', 'in', communes.length ? communes : [''])
        .orderBy('c.nom')
        .orderBy('t.period_start')
        .execute();
      return {
        objectifs: rows.map((r: any) => ({ code_commune: r.commune_code, commune: r.nom, periode_debut: r.period_start, periode_fin: r.period_end, objectif_logements: r.total, objectif_logements_sociaux: r.social, sru: r.sru })),
      };
    },
  });

  app.put('/api/construction/objectifs', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Saisir ou remplacer des objectifs (par commune et année de début)', body: z.object({ objectifs: z.array(targetBody).min(1).max(2000) }), response: { 200: z.any() } },
    bodyLimit: 1024 * 1024, // up to 2,000 targets
    handler: async (req) => {
      assertTargetsWritable(req, req.body.objectifs.map((o) => o.code_commune));
      const n = await upsertTargets(ctx.db, req.body.objectifs);
      await publishChanges(bus, [{ type: 'objectif', detail: `${n} objectif(s) enregistré(s)`, epci: req.auditEpci ?? null, at: new Date().toISOString() }], ctx.log);
      return { enregistres: n };
    },
  });

  app.post('/api/construction/objectifs/csv', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Importer des objectifs depuis un CSV (tout ou rien)', body: z.object({ csv: z.string().min(1).max(2_000_000), fichier: z.string().max(200).optional() }), response: { 200: z.any() } },
    bodyLimit: 8 * 1024 * 1024, // a CSV of up to 2,000,000 characters, as a JSON string
    handler: async (req) => {
      const { targets, problems } = readTargetsCsv(req.body.csv, req.body.fichier ?? 'objectifs.csv');
      if (problems.length) throw new AppError('construction.objectifs_invalides', `${problems.length} ligne(s) refusée(s) : rien n’a été enregistré.`, 422, { rejets: problems });
      if (targets.length) assertTargetsWritable(req, targets.map((o) => o.code_commune));
      const n = await upsertTargets(ctx.db, targets);
      await publishChanges(bus, [{ type: 'objectif', detail: `${n} objectif(s) importé(s)`, epci: req.auditEpci ?? null, at: new Date().toISOString() }], ctx.log);
      return { enregistres: n };
    },
  });

  app.delete('/api/construction/objectifs/:code/:annee', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Supprimer un objectif', params: z.object({ code: z.string(), annee: z.coerce.number().int() }), response: { 200: z.any() } },
    handler: async (req) => {
      assertInPerimeter(req, { commune: req.params.code }, 'ecrire');
      if (!(await deleteTarget(ctx.db, req.params.code, req.params.annee))) throw notFound('Objectif');
      return { supprime: true };
    },
  });

  app.get('/api/construction/tableau-de-bord', {
    config: { access: STAFF },
    schema: {
      tags: TAGS,
      summary: 'Autorisés, commencés, livrés face aux objectifs, par commune et par EPCI, avec le rythme nécessaire',
      querystring: z.object({ epci: z.string().optional(), commune: z.string().optional(), date: isoDate.optional() }),
      response: { 200: z.any() },
    },
    handler: async (req) => {
      if (req.query.epci) requestedEpci(req, req.query.epci);
      if (req.query.commune) assertInPerimeter(req, { commune: req.query.commune });
      return dashboard(ctx.db, req.query.date ? new Date(`${req.query.date}T12:00:00Z`) : new Date(), { ...req.query, communes: perimeterFilter(req).communes });
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
        throw new AppError('construction.flux_sse', 'Ce flux en direct s’ouvre avec l’en-tête « Accept: text/event-stream » (EventSource).', 406);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let seq = 0;
      const send = (event: string, data: unknown) => res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const unsubscribe = bus.subscribe('construction', (payload) => {
        if (liveChangeVisible(payload as any, visibleTo)) send('changement', payload);
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
      send('pret', { relais: bus.kind });
    },
  });

  app.post('/api/construction/sync', {
    config: { access: WRITERS },
    schema: {
      tags: TAGS,
      summary: 'Intégrer les programmes livrés par les partenaires (flux programmes-logements du référentiel)',
      body: z.object({ depuis: isoDate.optional() }).optional(),
      response: { 200: z.any() },
    },
    handler: async (req) => {
      const since = req.body?.depuis ? new Date(`${req.body.depuis}T00:00:00Z`) : undefined;
      // The partners of the agent's EPCI, for its communes: another EPCI's feed is that EPCI's to integrate.
      const mine = perimeterFilter(req);
      assertInPerimeter(req, { epci: mine.epcis[0] }, 'ecrire');
      const rows = (await acceptedRows(ctx.db, PARTNER_SCHEMA, { since, latestPerOrganisation: true })).filter(
        (r) => mine.organisations.includes(r.organisationId) && mine.communes.includes(String(r.data.code_commune)),
      );
      const s = await syncPartnerProgrammes(ctx.db, rows, `flux partenaires (${requirePrincipal(req).name})`);
      await publishChanges(bus, s.changes, ctx.log);
      const { changes: _c, ...summary } = s;
      return summary;
    },
  });

  app.get('/api/construction/notifications', {
    config: { access: STAFF },
    schema: { tags: TAGS, summary: 'Alertes de la construction neuve (commune en retard, programme bloqué)', querystring: z.object({ non_lues: z.enum(['oui', 'non']).optional(), limit: z.coerce.number().int().min(1).max(5000).default(200) }), response: { 200: z.any() } },
    handler: async (req) => ({ notifications: await listNotifications(ctx.db, { unreadOnly: req.query.non_lues === 'oui', limit: req.query.limit, communes: perimeterFilter(req).communes }) }),
  });

  app.post('/api/construction/notifications/:id/lue', {
    // Marking read is a write shared by the whole EPCI: its admins and agents only (issue 21).
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Marquer une alerte comme lue', params: z.object({ id: z.uuid() }), response: { 200: z.any() } },
    handler: async (req) => {
      const commune = await notificationCommune(ctx.db, req.params.id);
      if (commune === undefined) throw notFound('Alerte');
      if (commune) assertInPerimeter(req, { commune }, 'ecrire');
      else requestedEpci(req, undefined, 'ecrire');
      if (!(await markRead(ctx.db, req.params.id))) throw notFound('Alerte');
      return { lue: true };
    },
  });

  app.post('/api/construction/alertes/verifier', {
    config: { access: WRITERS },
    schema: { tags: TAGS, summary: 'Appliquer les règles d’alerte maintenant (notifications et courriels)', body: z.object({ date: isoDate.optional() }).optional(), response: { 200: z.any() } },
    handler: async (req) => {
      const now = req.body?.date ? new Date(`${req.body.date}T12:00:00Z`) : new Date();
      const epci = requestedEpci(req, undefined, 'ecrire');
      const r = await runAlerts(ctx.db, now, { smtpUrl: ctx.config.smtpUrl, from: ctx.config.smtpFrom, log: ctx.log, communes: perimeterFilter(req).communes });
      if (r.created.length) await publishChanges(bus, [{ type: 'alerte', detail: `${r.created.length} nouvelle(s) alerte(s)`, epci, at: new Date().toISOString() }], ctx.log);
      return { nouvelles: r.created.length, courriels: r.emailed };
    },
  });

  app.get('/api/construction/public/communes', {
    config: { access: 'public' },
    schema: {
      tags: TAGS,
      summary: 'Construction neuve par commune et par année (logements autorisés, commencés, livrés ; agrégats publics)',
      response: { 200: z.any() },
    },
    handler: async () => ({
      seuil_secret: ctx.config.secrecyMinCount,
      source: 'Sit@del2 (SDES) — autorisations d’urbanisme créant des logements, et programmes déclarés par les partenaires ; doublons comptés une fois.',
      note: `Un chiffre issu de moins de ${ctx.config.secrecyMinCount} opérations n’est pas publié (secret statistique) : il apparaît vide.`,
      lignes: await publicByCommune(ctx.db, ctx.config.secrecyMinCount, { epci: ctx.config.epciSirens }),
    }),
  });
}
