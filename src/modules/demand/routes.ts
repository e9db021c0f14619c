// HTTP of the demand module. Personal data (a demand, its person, its score lines) only to admin and agent, each
// read written to the audit log; the public gets the grid in force; the applicant gets their own page with the
// demand number and the access code given at registration.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { type Role } from '../../platform/http/access.ts';
import { assertInPerimeter, epcisOf, perimeterOfRequest, perimeterRefused, requestedEpci } from '../../platform/http/perimeter.ts';
import { audit } from '../access/audit.ts';
import type { App } from '../types.ts';
import { DEMAND_STATUSES, HOUSING_SITUATIONS, type HousingSituation, PRIORITY_FLAG_NAMES, TYPOLOGIES } from './model.ts';
import { importDemandText } from './importer.ts';
import { decodeText } from './ingest/sne-csv.ts';
import { gridToPublicodes } from './publicodes.ts';
import * as store from './store.ts';
import { applicantView, exportCsv, gridForSimulation, parseGridOrProblem, publishGrid, simulate, statistics } from './views.ts';

const STAFF: { roles: Role[] } = { roles: ['admin', 'agent'] };
/** Reads of demands: staff, and partners (or the club's operator) whose organisation the EPCI authorised (checked in the handler). */
const READERS: { roles: Role[] } = { roles: ['admin', 'agent', 'partner', 'operator'] };
const tags = ['demande'];
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ');
const siren = z.string().regex(/^\d{9}$/, 'SIREN de 9 chiffres');
const commune = z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code commune INSEE');
const numeroParam = z.object({ numero: z.string().min(1).max(40) });

const lineSchema = z.object({ criterionId: z.string(), label: z.string(), satisfied: z.boolean(), points: z.number(), potential: z.number(), note: z.string() });
const sectionSchema = z.object({
  id: z.string(),
  label: z.string(),
  mode: z.string(),
  cap: z.number().nullable(),
  raw: z.number(),
  points: z.number(),
  capped: z.boolean(),
  lines: z.array(lineSchema),
});
const scoreSchema = z.object({ total: z.number(), refDate: z.string(), gridVersion: z.number(), sections: z.array(sectionSchema) });
const withheld = z.object({ withheld: z.literal(true), reason: z.string() });
const distributionSchema = z.union([
  withheld,
  z.object({
    withheld: z.literal(false),
    count: z.number(),
    shareBelow: z.number(),
    quartiles: z.array(z.number()),
    bands: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  }),
]);
const waitingSchema = z.union([withheld, z.object({ withheld: z.literal(false), count: z.number(), medianMonths: z.number(), meanMonths: z.number() })]);
const applicantSchema = z.object({
  numero: z.string(),
  epciSiren: z.string(),
  status: z.string(),
  typology: z.string(),
  communes: z.array(z.object({ code: z.string(), nom: z.string() })),
  grid: z.object({ name: z.string(), version: z.number() }).nullable(),
  score: scoreSchema.nullable(),
  distribution: distributionSchema.nullable(),
  waiting: waitingSchema,
  waitingWindowMonths: z.number(),
  secrecyMinCount: z.number(),
});

const demandInput = z.object({
  numero: z.string().regex(/^[0-9A-Z]{6,20}$/, 'numéro unique de 6 à 20 chiffres ou lettres majuscules'),
  epciSiren: siren,
  dateDepot: isoDate,
  dateRenouvellement: isoDate.nullable().default(null),
  status: z.enum(DEMAND_STATUSES).default('active'),
  adults: z.number().int().min(1).max(20),
  children: z.number().int().min(0).max(20),
  monthlyIncome: z.number().min(0).nullable(),
  residualRent: z.number().min(0).nullable(),
  housingSituation: z.enum(Object.keys(HOUSING_SITUATIONS) as [HousingSituation, ...HousingSituation[]]),
  currentSurface: z.number().min(0).nullable(),
  typology: z.enum(TYPOLOGIES),
  communes: z.array(commune).min(1).max(20),
  mutation: z.boolean().default(false),
  flags: z.array(z.enum(PRIORITY_FLAG_NAMES as [string, ...string[]])).default([]),
  refusals: z.number().int().min(0).default(0),
});
const personInput = z.object({
  lastName: z.string().min(1).max(200),
  firstName: z.string().min(1).max(200),
  birthDate: isoDate.nullable().default(null),
  email: z.string().max(200).nullable().default(null),
  phone: z.string().max(40).nullable().default(null),
});
const demandBody = z.object({ demand: demandInput, person: personInput });

const gridOut = z.object({
  id: z.string(),
  epciSiren: z.string(),
  version: z.number(),
  name: z.string(),
  status: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  definition: z.any(),
});
const publishedGrid = z.any();

/**
 * Demands the caller may read (its perimeter): an EPCI's admins and agents those of their EPCI; another organisation
 * those of the EPCIs that authorised it (a commune's, only those naming its commune); the operator none unless granted.
 */
function readableDemands(req: FastifyRequest): { epcis: string[]; communes?: string[] } {
  const p = perimeterOfRequest(req);
  if (!p.demandes.length)
    throw perimeterRefused(
      p.kind === 'operateur'
        ? 'L’opérateur du club ne lit pas les demandes : aucun EPCI n’a autorisé son organisation à les lire.'
        : 'Votre organisation n’est autorisée par aucun EPCI à lire les demandes.',
    );
  const limited = p.demandes.filter((d) => d.communes).flatMap((d) => d.communes!);
  return { epcis: p.demandes.map((d) => d.epci), communes: limited.length ? limited : undefined };
}

/** Refuses a demand outside the caller's perimeter (403) and notes its EPCI for the audit log. */
function assertReadable(req: FastifyRequest, d: { epciSiren: string; communes: string[] }) {
  const r = readableDemands(req);
  if (!r.epcis.includes(d.epciSiren) || (r.communes && !d.communes.some((c) => r.communes!.includes(c))))
    throw perimeterRefused('Cette demande relève d’un EPCI hors de votre périmètre, ou qui n’a pas autorisé votre organisation à lire ses demandes.');
  req.auditEpci = d.epciSiren;
}

/** A demand the caller's EPCI may change (its admins and agents). */
async function writableDemand(ctx: AppContext, req: FastifyRequest, numero: string) {
  const s = await store.getDemand(ctx.db, numero);
  if (!s) throw notFound('Demande');
  assertInPerimeter(req, { epci: s.demand.epciSiren }, 'ecrire');
  return s;
}

/** A grid the caller's EPCI may read or change. */
async function gridOf(ctx: AppContext, req: FastifyRequest, id: string, mode: 'lire' | 'ecrire' = 'lire') {
  const g = await store.getGrid(ctx.db, id);
  if (!g) throw notFound('Grille');
  assertInPerimeter(req, { epci: g.epciSiren }, mode);
  return g;
}

async function auditRead(ctx: AppContext, req: FastifyRequest, entityId: string, action = 'read') {
  await audit(ctx.db, req, { action, entity: 'demand', entityId });
}

export async function demandRoutes(app: App, ctx: AppContext) {
  // ---- grids ----
  app.get('/api/demand/grids/public', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Grilles de cotation en vigueur, publiées (une par EPCI de l’instance)',
      response: { 200: z.object({ grids: z.array(z.object({ epciSiren: z.string(), epciNom: z.string(), grid: publishedGrid })) }) },
    },
    handler: async () => {
      const grids = [];
      for (const e of ctx.config.epciSirens) {
        const g = await store.gridInForce(ctx.db, e);
        if (!g) continue;
        const epci = await ctx.db.selectFrom('epci').select('nom').where('siren', '=', e).executeTakeFirst();
        grids.push({ epciSiren: e, epciNom: epci?.nom ?? e, grid: publishGrid(g.definition) });
      }
      return { grids };
    },
  });

  app.get('/api/demand/grids/public/publicodes', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'La grille en vigueur d’un EPCI écrite en règles publicodes (moteur de règles public)',
      querystring: z.object({ epci: siren }),
      response: { 200: z.record(z.string(), z.unknown()) },
    },
    handler: async (req) => {
      const g = await store.gridInForce(ctx.db, req.query.epci);
      if (!g) throw notFound('Grille en vigueur');
      return gridToPublicodes(g.definition);
    },
  });

  app.get('/api/demand/grids', {
    config: { access: STAFF },
    schema: { tags, summary: 'Toutes les versions des grilles de son EPCI (brouillons compris)', querystring: z.object({ epci: siren.optional() }), response: { 200: z.array(gridOut) } },
    handler: async (req) => store.listGrids(ctx.db, requestedEpci(req, req.query.epci)),
  });

  app.get('/api/demand/grids/:id', {
    config: { access: STAFF },
    schema: { tags, summary: 'Une version de grille', params: z.object({ id: z.string() }), response: { 200: gridOut.extend({ published: publishedGrid }) } },
    handler: async (req) => {
      const g = await gridOf(ctx, req, req.params.id);
      return { ...g, published: publishGrid(g.definition) };
    },
  });

  app.post('/api/demand/grids', {
    config: { access: STAFF },
    schema: { tags, summary: 'Enregistrer une nouvelle version de grille (brouillon)', body: z.object({ epciSiren: siren, definition: z.unknown() }), response: { 201: gridOut } },
    bodyLimit: 256 * 1024, // a grid definition (the demo grids weigh 2 KB)
    handler: async (req, reply) => {
      if (!ctx.config.epciSirens.includes(req.body.epciSiren)) throw new AppError('demand.unknown_epci', 'Cet EPCI n’est pas servi par cette instance.', 400);
      assertInPerimeter(req, { epci: req.body.epciSiren }, 'ecrire');
      const g = await store.createGrid(ctx.db, req.body.epciSiren, parseGridOrProblem(req.body.definition));
      return reply.code(201).send(g);
    },
  });

  app.put('/api/demand/grids/:id', {
    config: { access: STAFF },
    schema: { tags, summary: 'Modifier un brouillon de grille', params: z.object({ id: z.string() }), body: z.object({ definition: z.unknown() }), response: { 200: gridOut } },
    bodyLimit: 256 * 1024, // a grid definition (the demo grids weigh 2 KB)
    handler: async (req) => {
      await gridOf(ctx, req, req.params.id, 'ecrire');
      return store.updateDraftGrid(ctx.db, req.params.id, parseGridOrProblem(req.body.definition));
    },
  });

  app.post('/api/demand/grids/:id/adopt', {
    config: { access: { roles: ['admin'] } },
    schema: { tags, summary: 'Adopter une grille (elle s’applique à ses dates ; les notes sont recalculées)', params: z.object({ id: z.string() }), response: { 200: gridOut } },
    handler: async (req) => {
      await gridOf(ctx, req, req.params.id, 'ecrire');
      return store.adoptGrid(ctx.db, req.params.id);
    },
  });

  app.post('/api/demand/simulation', {
    config: { access: STAFF, audit: false }, // a computation: nothing is written
    schema: {
      tags,
      summary: 'Comparer deux grilles sur les demandes en cours (qui monte, qui descend)',
      body: z.object({ epciSiren: siren, before: z.string(), after: z.union([z.string(), z.record(z.string(), z.unknown())]) }),
      response: {
        200: z.object({
          count: z.number(),
          up: z.number(),
          down: z.number(),
          same: z.number(),
          meanDelta: z.number(),
          maxUp: z.number(),
          maxDown: z.number(),
          rows: z.array(z.object({ numero: z.string(), before: z.number(), after: z.number(), delta: z.number(), rankBefore: z.number(), rankAfter: z.number() })),
        }),
      },
    },
    bodyLimit: 256 * 1024, // may carry a draft grid definition
    handler: async (req) => {
      assertInPerimeter(req, { epci: req.body.epciSiren }, 'ecrire');
      const before = await gridForSimulation(ctx.db, req.body.epciSiren, req.body.before);
      const after = await gridForSimulation(ctx.db, req.body.epciSiren, req.body.after);
      return simulate(ctx.db, req.body.epciSiren, before, after);
    },
  });

  // ---- demands (personal data: staff only, every read audited) ----
  app.get('/api/demand/demands', {
    config: { access: READERS },
    schema: {
      tags,
      summary: 'Liste des demandes avec leur note (sans identité)',
      querystring: z.object({
        epci: siren.optional(),
        statut: z.enum(DEMAND_STATUSES).optional(),
        typologie: z.enum(TYPOLOGIES).optional(),
        commune: commune.optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: {
        200: z.object({
          total: z.number(),
          items: z.array(z.object({ numero: z.string(), epciSiren: z.string(), dateDepot: z.string(), status: z.string(), typology: z.string(), communes: z.array(z.string()), score: z.number().nullable() })),
        }),
      },
    },
    handler: async (req) => {
      const q = req.query;
      const allowed = readableDemands(req);
      if (q.epci && !allowed.epcis.includes(q.epci)) throw perimeterRefused('Cet EPCI est hors de votre périmètre, ou n’a pas autorisé votre organisation à lire ses demandes.');
      const r = await store.listDemands(ctx.db, { epciSiren: q.epci, epciSirens: allowed.epcis, communesAny: allowed.communes, status: q.statut, typology: q.typologie, commune: q.commune, limit: q.limit, offset: q.offset });
      await audit(ctx.db, req, { action: 'list', entity: 'demand', detail: { ...q, count: r.items.length }, epci: q.epci ?? (allowed.epcis.length === 1 ? allowed.epcis[0] : null) });
      return r;
    },
  });

  app.get('/api/demand/demands/:numero', {
    config: { access: READERS },
    schema: {
      tags,
      summary: 'Une demande : ménage, identité, attribution et note détaillée (lecture journalisée)',
      params: numeroParam,
      response: { 200: z.object({ demand: demandInput, person: personInput.nullable(), attribution: z.any(), view: applicantSchema }) },
    },
    handler: async (req) => {
      readableDemands(req);
      const s = await store.getDemand(ctx.db, req.params.numero);
      if (!s) throw notFound('Demande');
      assertReadable(req, s.demand);
      await auditRead(ctx, req, req.params.numero);
      return { demand: s.demand, person: s.person, attribution: s.attribution, view: await applicantView(ctx.db, s.demand, ctx.config.secrecyMinCount) };
    },
  });

  app.post('/api/demand/demands', {
    config: { access: STAFF },
    schema: {
      tags,
      summary: 'Enregistrer une demande (saisie par un agent) ; renvoie le code d’accès du demandeur, montré une seule fois',
      body: demandBody,
      response: { 201: z.object({ numero: z.string(), accessCode: z.string() }) },
    },
    handler: async (req, reply) => {
      const { demand, person } = req.body;
      if (!ctx.config.epciSirens.includes(demand.epciSiren)) throw new AppError('demand.unknown_epci', 'Cet EPCI n’est pas servi par cette instance.', 400);
      assertInPerimeter(req, { epci: demand.epciSiren }, 'ecrire');
      if (await store.getDemand(ctx.db, demand.numero)) throw new AppError('demand.exists', 'Une demande porte déjà ce numéro.', 409);
      await store.upsertDemands(ctx.db, [{ demand: demand as any, person, attribution: null }]);
      return reply.code(201).send({ numero: demand.numero, accessCode: await store.newAccessCode(ctx.db, demand.numero) });
    },
  });

  // Upload of an SNE-like CSV file as the raw body (text/csv), in its own scope so the body stays bytes.
  await app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    (scope as App).post('/api/demand/import', {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Importer un fichier CSV de demandes (corps brut text/csv, UTF-8 ou Latin-1) ; tout ou rien, problèmes listés',
        querystring: z.object({ epci: siren.optional(), nom: z.string().max(200).default('fichier envoyé') }),
        response: { 200: z.object({ created: z.number(), updated: z.number(), unchanged: z.number() }) },
      },
      bodyLimit: 50 * 1024 * 1024, // the CSV file itself
      handler: async (req) => {
        if (!Buffer.isBuffer(req.body)) throw new AppError('demand.import_no_file', 'Envoyez le fichier CSV comme corps de la requête (Content-Type: text/csv).', 415);
        const epci = requestedEpci(req, req.query.epci, 'ecrire');
        return importDemandText(ctx.db, decodeText(req.body, req.query.nom), req.query.nom, { defaultEpci: epci, allowedEpcis: [epci] });
      },
    });
  });

  app.put('/api/demand/demands/:numero', {
    config: { access: STAFF },
    schema: { tags, summary: 'Modifier une demande (la note est recalculée)', params: numeroParam, body: demandBody, response: { 200: z.object({ numero: z.string(), score: z.number().nullable() }) } },
    handler: async (req) => {
      const s = await writableDemand(ctx, req, req.params.numero);
      if (!ctx.config.epciSirens.includes(req.body.demand.epciSiren)) throw new AppError('demand.unknown_epci', 'Cet EPCI n’est pas servi par cette instance.', 400);
      assertInPerimeter(req, { epci: req.body.demand.epciSiren }, 'ecrire');
      if (req.body.demand.numero !== req.params.numero) throw new AppError('demand.numero_fixed', 'Le numéro d’une demande ne change pas.', 400);
      await store.upsertDemands(ctx.db, [{ demand: { ...(req.body.demand as any), status: s.demand.status }, person: req.body.person, attribution: s.attribution }]);
      const g = await store.gridInForce(ctx.db, s.demand.epciSiren);
      return { numero: req.params.numero, score: g ? ((await store.getScore(ctx.db, s.id, g.id))?.total ?? null) : null };
    },
  });

  app.delete('/api/demand/demands/:numero', {
    config: { access: STAFF },
    schema: { tags, summary: 'Supprimer une demande à la demande du ménage (droit à l’effacement)', params: numeroParam, response: { 200: z.object({ ok: z.literal(true) }) } },
    handler: async (req) => {
      await writableDemand(ctx, req, req.params.numero);
      if (!(await store.deleteDemand(ctx.db, req.params.numero))) throw notFound('Demande');
      return { ok: true as const };
    },
  });

  app.post('/api/demand/demands/:numero/attribution', {
    config: { access: STAFF },
    schema: {
      tags,
      summary: 'Enregistrer l’attribution d’un logement à la demande',
      params: numeroParam,
      body: z.object({ dateAttribution: isoDate, communeCode: commune, typology: z.enum(TYPOLOGIES), bailleurId: z.string().uuid().nullable().default(null) }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      await writableDemand(ctx, req, req.params.numero);
      // An unknown commune is the store's 400; a known one must be of the EPCI's territory.
      if (await ctx.db.selectFrom('commune').select('code').where('code', '=', req.body.communeCode).executeTakeFirst())
        assertInPerimeter(req, { commune: req.body.communeCode }, 'ecrire');
      await store.recordAttribution(ctx.db, req.params.numero, req.body);
      return { ok: true as const };
    },
  });

  app.post('/api/demand/demands/:numero/access-code', {
    config: { access: STAFF },
    schema: { tags, summary: 'Nouveau code d’accès du demandeur (l’ancien ne marche plus)', params: numeroParam, response: { 200: z.object({ accessCode: z.string() }) } },
    handler: async (req) => {
      await writableDemand(ctx, req, req.params.numero);
      return { accessCode: await store.newAccessCode(ctx.db, req.params.numero) };
    },
  });

  app.get('/api/demand/export.csv', {
    config: { access: STAFF },
    schema: { tags, summary: 'Export pseudonymisé des demandes de son EPCI (CSV ; ni nom ni contact ; âges et ressources en tranches)', querystring: z.object({ epci: siren.optional() }) },
    handler: async (req, reply) => {
      const epci = requestedEpci(req, req.query.epci, 'ecrire');
      const { csv, count } = await exportCsv(ctx.db, epci);
      await audit(ctx.db, req, { action: 'export', entity: 'demand', detail: { epci, count } });
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="demandes-pseudonymisees.csv"').send(csv);
    },
  });

  // ---- bailleurs authorised to read demands ----
  const partnerBody = z.object({ organisationId: z.string().uuid(), epciSiren: siren });
  app.get('/api/demand/partners', {
    config: { access: { roles: ['admin'] } },
    schema: {
      tags,
      summary: 'Organisations autorisées à lire les demandes de son EPCI',
      response: { 200: z.array(z.object({ organisationId: z.string(), name: z.string(), epciSiren: z.string(), grantedAt: z.string() })) },
    },
    handler: async (req) => {
      const epcis = epcisOf(perimeterOfRequest(req));
      return (await store.listPartners(ctx.db)).filter((g) => epcis.includes(g.epciSiren));
    },
  });
  app.post('/api/demand/partners', {
    config: { access: { roles: ['admin'] } },
    schema: { tags, summary: 'Autoriser un bailleur à lire les demandes d’un EPCI', body: partnerBody, response: { 200: z.object({ ok: z.literal(true) }) } },
    handler: async (req) => {
      if (!ctx.config.epciSirens.includes(req.body.epciSiren)) throw new AppError('demand.unknown_epci', 'Cet EPCI n’est pas servi par cette instance.', 400);
      assertInPerimeter(req, { epci: req.body.epciSiren }, 'ecrire');
      await store.grantPartner(ctx.db, req.body.organisationId, req.body.epciSiren);
      return { ok: true as const };
    },
  });
  app.delete('/api/demand/partners/:organisationId/:epciSiren', {
    config: { access: { roles: ['admin'] } },
    schema: { tags, summary: 'Retirer à un bailleur l’accès aux demandes d’un EPCI', params: z.object({ organisationId: z.string().uuid(), epciSiren: siren }), response: { 200: z.object({ ok: z.literal(true) }) } },
    handler: async (req) => {
      assertInPerimeter(req, { epci: req.params.epciSiren }, 'ecrire');
      if (!(await store.revokePartner(ctx.db, req.params.organisationId, req.params.epciSiren))) throw notFound('Autorisation');
      return { ok: true as const };
    },
  });

  // ---- the applicant, and everyone ----
  app.post('/api/demand/applicant', {
    // Public by necessity (households have no account): the access code is the key, tries are rate-limited,
    // and the answer carries no identity, contact or income — only what R441-2-17 says the applicant is told.
    config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: {
      tags,
      summary: 'Ma demande : ma note, le détail des critères, ma position et le délai d’attente constaté',
      body: z.object({ numero: z.string().min(1).max(40), code: z.string().min(1).max(40) }),
      response: { 200: applicantSchema },
    },
    handler: async (req) => {
      const numero = req.body.numero.replace(/\s/g, '').toUpperCase();
      const s = (await store.checkAccessCode(ctx.db, numero, req.body.code)) ? await store.getDemand(ctx.db, numero) : undefined;
      if (!s) throw new AppError('demand.bad_access_code', 'Numéro de demande ou code d’accès incorrect.', 404);
      await auditRead(ctx, req, numero, 'read_by_applicant');
      return applicantView(ctx.db, s.demand, ctx.config.secrecyMinCount);
    },
  });

  app.get('/api/demand/stats', {
    config: { access: 'authenticated' },
    schema: {
      tags,
      summary: 'Statistiques de la demande par typologie (secret statistique appliqué), pour les EPCI de son périmètre',
      querystring: z.object({ epci: siren.optional() }),
      response: { 200: z.array(z.any()) },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      const mine = [...new Set([...epcisOf(p), ...p.demandes.map((d) => d.epci)])].filter((e) => ctx.config.epciSirens.includes(e));
      if (req.query.epci && !mine.includes(req.query.epci)) throw perimeterRefused('Cet EPCI est hors de votre périmètre.');
      const sirens = req.query.epci ? [req.query.epci] : mine;
      return Promise.all(sirens.map((e) => statistics(ctx.db, e, ctx.config.secrecyMinCount)));
    },
  });
}
