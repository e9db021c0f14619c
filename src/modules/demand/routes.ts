// HTTP of the demand module. Personal data (a demand, its person, its score lines) only to admin and agent, each
// read written to the audit log; the public gets the grid in force; the applicant gets their own page with the
// demand number and the access code given at registration. Thin: validate (contract.ts) → permission → service.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { TypedDb } from '../../platform/db.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Role } from '../../platform/http/access.ts';
import { assertInPerimeter, epcisOf, perimeterOfRequest, perimeterRefused, requestedEpci } from '../../platform/http/perimeter.ts';
import type { App } from '../../platform/module.ts';
import { decodeUserText } from '../../platform/text-input.ts';
import { audit } from '../access/index.ts';
import { placesByCode, siren } from '../territory/index.ts';
import {
  accessCodeAnswer,
  applicantBody,
  applicantView as applicantViewZ,
  attributionBody,
  createdAnswer,
  demandBody,
  demandDetail,
  demandListAnswer,
  demandListQuery,
  grantBody,
  grantParams,
  grantsAnswer,
  gridChangeBody,
  gridIdParam,
  gridWithPublished,
  importAnswer,
  importQuery,
  newGridBody,
  numberParam,
  okAnswer,
  publicGridsAnswer,
  simulationAnswer,
  simulationBody,
  statisticsAnswer,
  storedGridZ,
  updatedAnswer,
} from './contract.ts';
import { publishGrid } from './model.ts';
import { gridToPublicodes } from './publicodes.ts';
import * as service from './service.ts';
import * as store from './store.ts';

const STAFF: { roles: Role[] } = { roles: ['admin', 'agent'] };
/** Reads of demands: staff, and partners (or the club's operator) whose organisation the EPCI authorised (checked in the handler). */
const READERS: { roles: Role[] } = { roles: ['admin', 'agent', 'partner', 'operator'] };
const tags = ['demande'];

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
  const limited = p.demandes.flatMap((d) => d.communes ?? []);
  return { epcis: p.demandes.map((d) => d.epci), communes: limited.length ? limited : undefined };
}

/** Refuses a demand outside the caller's perimeter (403) and notes its EPCI for the audit log. */
function assertReadable(req: FastifyRequest, d: { epci_siren: string; communes: string[] }) {
  const r = readableDemands(req);
  if (!r.epcis.includes(d.epci_siren) || (r.communes && !d.communes.some((c) => r.communes!.includes(c))))
    throw perimeterRefused('Cette demande relève d’un EPCI hors de votre périmètre, ou qui n’a pas autorisé votre organisation à lire ses demandes.');
  req.auditEpci = d.epci_siren;
}

/** A demand the caller's EPCI may change (its admins and agents). */
async function writableDemand(db: TypedDb, req: FastifyRequest, demandNumber: string) {
  const s = await store.getDemand(db, demandNumber);
  if (!s) throw notFound('Demande');
  assertInPerimeter(req, { epci: s.demand.epci_siren }, 'ecrire');
  return s;
}

/** A grid the caller's EPCI may read or change. */
async function gridOf(db: TypedDb, req: FastifyRequest, id: string, mode: 'lire' | 'ecrire' = 'lire') {
  const g = await store.getGrid(db, id);
  if (!g) throw notFound('Grille');
  assertInPerimeter(req, { epci: g.epci_siren }, mode);
  return g;
}

export async function demandRoutes(app: App, ctx: AppContext) {
  const db: TypedDb = ctx.db;
  const served = (epci: string) => {
    if (!ctx.config.epciSirens.includes(epci)) throw new AppError('demand.unknown_epci', 'Cet EPCI n’est pas servi par cette instance.', 400);
  };

  // ---- grids ----
  app.get('/api/demand/grids/public', {
    config: { access: 'public' },
    schema: { tags, summary: 'Grilles de cotation en vigueur, publiées (une par EPCI de l’instance)', response: { 200: publicGridsAnswer } },
    handler: async () => service.publicGrids(db, ctx.config.epciSirens),
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
      const g = await service.gridInForce(db, req.query.epci);
      if (!g) throw notFound('Grille en vigueur');
      return gridToPublicodes(g.definition);
    },
  });

  app.get('/api/demand/grids', {
    config: { access: STAFF },
    schema: { tags, summary: 'Toutes les versions des grilles de son EPCI (brouillons compris)', querystring: z.object({ epci: siren.optional() }), response: { 200: z.array(storedGridZ) } },
    handler: async (req) => store.listGrids(db, requestedEpci(req, req.query.epci)),
  });

  app.get('/api/demand/grids/:id', {
    config: { access: STAFF },
    schema: { tags, summary: 'Une version de grille', params: gridIdParam, response: { 200: gridWithPublished } },
    handler: async (req) => {
      const g = await gridOf(db, req, req.params.id);
      return { ...g, published: publishGrid(g.definition) };
    },
  });

  app.post('/api/demand/grids', {
    config: { access: STAFF },
    schema: { tags, summary: 'Enregistrer une nouvelle version de grille (brouillon)', body: newGridBody, response: { 201: storedGridZ } },
    bodyLimit: 256 * 1024, // a grid definition (the demo grids weigh 2 KB)
    handler: async (req, reply) => {
      served(req.body.epci_siren);
      assertInPerimeter(req, { epci: req.body.epci_siren }, 'ecrire');
      return reply.code(201).send(await service.createGrid(db, req.body.epci_siren, service.parseGridOrProblem(req.body.definition)));
    },
  });

  app.put('/api/demand/grids/:id', {
    config: { access: STAFF },
    schema: { tags, summary: 'Modifier un brouillon de grille', params: gridIdParam, body: gridChangeBody, response: { 200: storedGridZ } },
    bodyLimit: 256 * 1024, // a grid definition (the demo grids weigh 2 KB)
    handler: async (req) => {
      await gridOf(db, req, req.params.id, 'ecrire');
      return service.updateDraftGrid(db, req.params.id, service.parseGridOrProblem(req.body.definition));
    },
  });

  app.post('/api/demand/grids/:id/adopt', {
    config: { access: { roles: ['admin'] } },
    schema: { tags, summary: 'Adopter une grille (elle s’applique à ses dates ; les notes sont recalculées)', params: gridIdParam, response: { 200: storedGridZ } },
    handler: async (req) => {
      await gridOf(db, req, req.params.id, 'ecrire');
      return service.adoptGrid(db, req.params.id);
    },
  });

  app.post('/api/demand/simulation', {
    config: { access: STAFF, audit: false }, // a computation: nothing is written
    schema: { tags, summary: 'Comparer deux grilles sur les demandes en cours (qui monte, qui descend)', body: simulationBody, response: { 200: simulationAnswer } },
    bodyLimit: 256 * 1024, // may carry a draft grid definition
    handler: async (req) => {
      assertInPerimeter(req, { epci: req.body.epci_siren }, 'ecrire');
      const before = await service.gridForSimulation(db, req.body.epci_siren, req.body.before);
      const after = await service.gridForSimulation(db, req.body.epci_siren, req.body.after);
      return service.simulate(db, req.body.epci_siren, before, after);
    },
  });

  // ---- demands (personal data: every read audited) ----
  app.get('/api/demand/demands', {
    config: { access: READERS },
    schema: { tags, summary: 'Liste des demandes avec leur note (sans identité)', querystring: demandListQuery, response: { 200: demandListAnswer } },
    handler: async (req) => {
      const q = req.query;
      const allowed = readableDemands(req);
      if (q.epci && !allowed.epcis.includes(q.epci)) throw perimeterRefused('Cet EPCI est hors de votre périmètre, ou n’a pas autorisé votre organisation à lire ses demandes.');
      const r = await store.listDemands(db, { epciSiren: q.epci, epciSirens: allowed.epcis, communesAny: allowed.communes, status: q.status, typology: q.typology, commune: q.commune, limit: q.limit, offset: q.offset });
      await audit(db, req, { action: 'list', entity: 'demand', detail: { ...q, count: r.items.length }, epci: q.epci ?? (allowed.epcis.length === 1 ? allowed.epcis[0] : null) });
      return r;
    },
  });

  app.get('/api/demand/demands/:number', {
    config: { access: READERS },
    schema: { tags, summary: 'Une demande : ménage, identité, attribution et note détaillée (lecture journalisée)', params: numberParam, response: { 200: demandDetail } },
    handler: async (req) => {
      readableDemands(req);
      const s = await store.getDemand(db, req.params.number);
      if (!s) throw notFound('Demande');
      assertReadable(req, s.demand);
      await audit(db, req, { action: 'read', entity: 'demand', entityId: req.params.number });
      return { demand: s.demand, person: s.person, attribution: s.attribution, view: await service.applicantView(db, s.demand, ctx.config.secrecyMinCount) };
    },
  });

  app.post('/api/demand/demands', {
    config: { access: STAFF },
    schema: {
      tags,
      summary: 'Enregistrer une demande (saisie par un agent) ; renvoie le code d’accès du demandeur, montré une seule fois',
      body: demandBody,
      response: { 201: createdAnswer },
    },
    handler: async (req, reply) => {
      const { demand, person } = req.body;
      served(demand.epci_siren);
      assertInPerimeter(req, { epci: demand.epci_siren }, 'ecrire');
      if (await store.getDemand(db, demand.number)) throw new AppError('demand.exists', 'Une demande porte déjà ce numéro.', 409);
      await service.saveDemands(db, [{ demand, person, attribution: null }]);
      return reply.code(201).send({ number: demand.number, access_code: await service.newAccessCode(db, demand.number) });
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
        querystring: importQuery,
        response: { 200: importAnswer },
      },
      bodyLimit: 50 * 1024 * 1024, // the CSV file itself
      handler: async (req) => {
        if (!Buffer.isBuffer(req.body)) throw new AppError('demand.import_no_file', 'Envoyez le fichier CSV comme corps de la requête (Content-Type: text/csv).', 415);
        const epci = requestedEpci(req, req.query.epci, 'ecrire');
        return service.importDemandText(db, decodeUserText(req.body, req.query.name), req.query.name, { defaultEpci: epci, allowedEpcis: [epci] });
      },
    });
  });

  app.put('/api/demand/demands/:number', {
    config: { access: STAFF },
    schema: { tags, summary: 'Modifier une demande (la note est recalculée)', params: numberParam, body: demandBody, response: { 200: updatedAnswer } },
    handler: async (req) => {
      const s = await writableDemand(db, req, req.params.number);
      served(req.body.demand.epci_siren);
      assertInPerimeter(req, { epci: req.body.demand.epci_siren }, 'ecrire');
      if (req.body.demand.number !== req.params.number) throw new AppError('demand.number_fixed', 'Le numéro d’une demande ne change pas.', 400);
      await service.saveDemands(db, [{ demand: { ...req.body.demand, status: s.demand.status }, person: req.body.person, attribution: s.attribution }]);
      return { number: req.params.number, score: await service.currentScore(db, s) };
    },
  });

  app.delete('/api/demand/demands/:number', {
    config: { access: STAFF },
    schema: { tags, summary: 'Supprimer une demande à la demande du ménage (droit à l’effacement)', params: numberParam, response: { 200: okAnswer } },
    handler: async (req) => {
      await writableDemand(db, req, req.params.number);
      if (!(await store.deleteDemand(db, req.params.number))) throw notFound('Demande');
      return { ok: true as const };
    },
  });

  app.post('/api/demand/demands/:number/attribution', {
    config: { access: STAFF },
    schema: { tags, summary: 'Enregistrer l’attribution d’un logement à la demande', params: numberParam, body: attributionBody, response: { 200: okAnswer } },
    handler: async (req) => {
      await writableDemand(db, req, req.params.number);
      // An unknown commune is the service's 400; a known one must be of the EPCI's territory.
      if ((await placesByCode(db, [req.body.commune_code])).size) assertInPerimeter(req, { commune: req.body.commune_code }, 'ecrire');
      await service.recordAttribution(db, req.params.number, req.body);
      return { ok: true as const };
    },
  });

  app.post('/api/demand/demands/:number/access-code', {
    config: { access: STAFF },
    schema: { tags, summary: 'Nouveau code d’accès du demandeur (l’ancien ne marche plus)', params: numberParam, response: { 200: accessCodeAnswer } },
    handler: async (req) => {
      await writableDemand(db, req, req.params.number);
      return { access_code: await service.newAccessCode(db, req.params.number) };
    },
  });

  app.get('/api/demand/export.csv', {
    config: { access: STAFF },
    schema: { tags, summary: 'Export pseudonymisé des demandes de son EPCI (CSV ; ni nom ni contact ; âges et ressources en tranches)', querystring: z.object({ epci: siren.optional() }) },
    handler: async (req, reply) => {
      const epci = requestedEpci(req, req.query.epci, 'ecrire');
      const { csv, count } = await service.exportCsv(db, epci);
      await audit(db, req, { action: 'export', entity: 'demand', detail: { epci, count } });
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="demandes-pseudonymisees.csv"').send(csv);
    },
  });

  // ---- organisations authorised to read demands ----
  app.get('/api/demand/partners', {
    config: { access: { roles: ['admin'] } },
    schema: { tags, summary: 'Organisations autorisées à lire les demandes de son EPCI', response: { 200: grantsAnswer } },
    handler: async (req) => service.listPartners(db, epcisOf(perimeterOfRequest(req))),
  });
  app.post('/api/demand/partners', {
    config: { access: { roles: ['admin'] } },
    schema: { tags, summary: 'Autoriser un bailleur à lire les demandes d’un EPCI', body: grantBody, response: { 200: okAnswer } },
    handler: async (req) => {
      served(req.body.epci_siren);
      assertInPerimeter(req, { epci: req.body.epci_siren }, 'ecrire');
      await service.grantPartner(db, req.body.organisation_id, req.body.epci_siren);
      return { ok: true as const };
    },
  });
  app.delete('/api/demand/partners/:organisation_id/:epci_siren', {
    config: { access: { roles: ['admin'] } },
    schema: { tags, summary: 'Retirer à un bailleur l’accès aux demandes d’un EPCI', params: grantParams, response: { 200: okAnswer } },
    handler: async (req) => {
      assertInPerimeter(req, { epci: req.params.epci_siren }, 'ecrire');
      if (!(await store.deleteGrant(db, req.params.organisation_id, req.params.epci_siren))) throw notFound('Autorisation');
      return { ok: true as const };
    },
  });

  // ---- the applicant, and everyone ----
  app.post('/api/demand/applicant', {
    // Public by necessity (households have no account): the access code is the key, tries are rate-limited,
    // and the answer carries no identity, contact or income — only what R441-2-17 says the applicant is told.
    config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: { tags, summary: 'Ma demande : ma note, le détail des critères, ma position et le délai d’attente constaté', body: applicantBody, response: { 200: applicantViewZ } },
    handler: async (req) => {
      const demandNumber = req.body.number.replace(/\s/g, '').toUpperCase();
      const s = (await service.checkAccessCode(db, demandNumber, req.body.code)) ? await store.getDemand(db, demandNumber) : undefined;
      if (!s) throw new AppError('demand.bad_access_code', 'Numéro de demande ou code d’accès incorrect.', 404);
      await audit(db, req, { action: 'read_by_applicant', entity: 'demand', entityId: demandNumber });
      return service.applicantView(db, s.demand, ctx.config.secrecyMinCount);
    },
  });

  app.get('/api/demand/stats', {
    config: { access: 'authenticated' },
    schema: {
      tags,
      summary: 'Statistiques de la demande par typologie (secret statistique appliqué), pour les EPCI de son périmètre',
      querystring: z.object({ epci: siren.optional() }),
      response: { 200: statisticsAnswer },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      const mine = [...new Set([...epcisOf(p), ...p.demandes.map((d) => d.epci)])].filter((e) => ctx.config.epciSirens.includes(e));
      if (req.query.epci && !mine.includes(req.query.epci)) throw perimeterRefused('Cet EPCI est hors de votre périmètre.');
      const sirens = req.query.epci ? [req.query.epci] : mine;
      return Promise.all(sirens.map((e) => service.statistics(db, e, ctx.config.secrecyMinCount)));
    },
  });
}
