// Stock HTTP: public energy figures per commune (with statistical secrecy), exposure to the rental ban and renovation
// priorities for signed-in users, landlords' buildings, incidents with alerts, tenants' contacts (landlord only, audited).
// Thin: validate (contract.ts) → permission (access rule, perimeter) → service → reply.
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { assertOwnOrganisation, isEpciStaff, requirePrincipal, type Principal } from '../../platform/http/access.ts';
import { assertInPerimeter, perimeterFilter, perimeterRefused } from '../../platform/http/perimeter.ts';
import { organisationsById } from '../access/index.ts';
import type { App } from '../types.ts';
import * as c from './contract.ts';
import { CONTACT_PURPOSE } from './model.ts';
import * as service from './service.ts';

const TAG = 'stock';

/** Landlords act for their own organisation; only a bailleur's users or API keys may write stock data. */
function requireBailleur(req: FastifyRequest): Principal {
  const p = requirePrincipal(req);
  if (p.organisationKind !== 'bailleur') throw forbidden('Seul un bailleur social peut déclarer des bâtiments, des incidents ou des contacts de locataires.');
  return p;
}

/** Building lists name landlords' buildings: for the EPCI's staff and each landlord's own, not other partners. */
const seesBuildings = (p: Principal) => isEpciStaff(p) || p.organisationKind === 'bailleur';

/** What a caller may list: an EPCI's staff, the buildings of its perimeter's communes; a landlord, its own. */
function buildingFilter(req: FastifyRequest, p: Principal) {
  return isEpciStaff(p) ? { communes: perimeterFilter(req).communes } : { organisationId: p.organisationId };
}

/**
 * The scope of an exposure or priority request: communes, and whose buildings. An EPCI's staff see every landlord's
 * buildings of its communes, a commune's users the buildings of their commune (counts only); any other organisation
 * sees its own buildings only, never another landlord's (issue 21).
 */
async function resolveScope(ctx: AppContext, req: FastifyRequest, level: c.ScopeLevel, code: string): Promise<service.StockScope> {
  const p = requirePrincipal(req);
  const territorial = p.perimeter.kind === 'epci' || p.perimeter.kind === 'commune';
  const ownOnly = territorial ? undefined : p.organisationId;
  if (level === 'commune') {
    const place = await service.communeWithArrondissements(ctx.db, code);
    if (!place) throw notFound('Commune');
    if (territorial) assertInPerimeter(req, { commune: code });
    return { name: place.name, communes: place.codes, organisationId: ownOnly };
  }
  if (level === 'epci') {
    const place = await service.epciWithCommunes(ctx.db, code);
    if (!place) throw notFound('EPCI');
    if (p.perimeter.kind === 'commune') throw perimeterRefused('Une commune consulte le parc de son territoire : choisissez le niveau « commune ».');
    if (territorial) assertInPerimeter(req, { epci: code });
    return { name: place.name, communes: place.codes, organisationId: ownOnly };
  }
  if (!c.buildingParams.shape.buildingId.safeParse(code).success)
    throw new AppError('stock.invalid_code', 'Pour un bailleur, le code est l’identifiant de son organisation.', 400);
  if (!isEpciStaff(p) && p.organisationId !== code) throw forbidden('Vous ne pouvez consulter que le parc de votre organisation.');
  assertOwnOrganisation(req, code);
  const org = (await organisationsById(ctx.db, [code])).get(code);
  if (!org || org.kind !== 'bailleur') throw notFound('Bailleur');
  return { name: org.name, communes: undefined, organisationId: code };
}

export async function stockRoutes(app: App, ctx: AppContext) {
  // ------------------------------------------------------------ public
  app.get('/api/stock/energy/communes/:code', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Performance énergétique du parc social d’une commune (chiffres agrégés, secret statistique)',
      params: c.communeEnergyParams,
      response: { 200: c.communeEnergy },
    },
    handler: (req) => service.communeEnergy(ctx, req.params.code),
  });

  app.get('/api/stock/energy/territory', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Parc social et exposition à l’interdiction de louer, par commune du territoire (secret statistique)',
      response: { 200: c.territoryEnergy },
    },
    handler: () => service.territoryEnergy(ctx),
  });

  app.get('/api/stock/sources', {
    config: { access: 'public' },
    schema: { tags: [TAG], summary: 'Les données du parc chargées : millésimes RPLS et fichiers DPE importés', response: { 200: c.stockSources } },
    handler: () => service.stockSources(ctx),
  });

  // ------------------------------------------------------------ exposure and priorities (signed in)
  app.get('/api/stock/exposure', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Classes DPE et logements interdits à la location, aujourd’hui et à chaque étape du calendrier',
      querystring: c.scopeQuery,
      response: { 200: c.exposurePage },
    },
    handler: async (req) => {
      const { level, code } = req.query;
      return service.exposurePage(ctx, level, code, await resolveScope(ctx, req, level, code));
    },
  });

  app.get('/api/stock/priorities', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Bâtiments à rénover en priorité (interdits à la location d’abord, puis échéance la plus proche, puis nombre de logements)',
      querystring: c.scopeQuery,
      response: { 200: c.prioritiesPage },
    },
    handler: async (req) => {
      const scope = await resolveScope(ctx, req, req.query.level, req.query.code);
      if (!seesBuildings(requirePrincipal(req))) return { name: scope.name, priorities: [] };
      return service.prioritiesPage(ctx.db, scope);
    },
  });

  // ------------------------------------------------------------ buildings
  app.put('/api/stock/buildings', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Déclarer ou mettre à jour les bâtiments de son organisation (bailleur)',
      body: c.buildingsBody,
      response: { 200: c.buildingsSaved },
    },
    bodyLimit: 8 * 1024 * 1024, // up to 10,000 buildings
    handler: (req) => service.saveBuildings(ctx.db, requireBailleur(req).organisationId, req.body.buildings),
  });

  app.get('/api/stock/buildings', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Les bâtiments déclarés (un bailleur ne voit que les siens)',
      querystring: c.buildingsQuery,
      response: { 200: c.buildingList },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      if (!seesBuildings(p)) return { buildings: [] };
      const commune = req.query.commune;
      if (commune && isEpciStaff(p)) assertInPerimeter(req, { commune });
      const filter = buildingFilter(req, p);
      return { buildings: await service.buildingViews(ctx.db, commune ? { ...filter, communes: [commune] } : filter) };
    },
  });

  // ------------------------------------------------------------ incidents
  app.post('/api/stock/incidents', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Signaler un incident sur un de ses bâtiments (bailleur ou capteur par clé d’API) ; alerte les locataires inscrits',
      body: c.newIncident,
      response: { 201: c.incidentCreated },
    },
    handler: async (req, reply) => {
      const p = requireBailleur(req);
      await service.ownBuilding(ctx.db, p.organisationId, req.body.building_id);
      const created = await service.fileIncident(ctx, req, p.organisationId, p.kind, req.body);
      reply.code(201);
      return created;
    },
  });

  app.patch('/api/stock/incidents/:incidentId', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Mettre à jour un incident (en cours, résolu) ; la résolution est annoncée aux locataires inscrits',
      params: c.incidentParams,
      body: c.incidentChange,
      response: { 200: c.incidentUpdated },
    },
    handler: async (req) => {
      const p = requireBailleur(req);
      const current = await service.findIncident(ctx.db, req.params.incidentId);
      if (current.organisation_id !== p.organisationId) throw forbidden('Cet incident appartient à un autre bailleur.');
      return service.changeIncident(ctx, req, current, p.kind, req.body);
    },
  });

  app.get('/api/stock/incidents', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Les incidents (un bailleur ne voit que les siens)',
      querystring: c.incidentsQuery,
      response: { 200: c.incidentList },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      if (!seesBuildings(p)) return { incidents: [] };
      const rows = await service.listIncidents(ctx.db, { ...buildingFilter(req, p), status: req.query.status, buildingId: req.query.building });
      return { incidents: rows };
    },
  });

  app.get('/api/stock/incidents/:incidentId/notifications', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Les alertes envoyées pour un incident (sans les adresses)',
      params: c.incidentParams,
      response: { 200: c.notificationList },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      const i = await service.findIncident(ctx.db, req.params.incidentId);
      if (!isEpciStaff(p) && p.organisationId !== i.organisation_id) throw forbidden('Cet incident appartient à un autre bailleur.');
      if (isEpciStaff(p)) assertInPerimeter(req, { commune: i.commune_code });
      return { notifications: await service.notificationsOf(ctx.db, i.id) };
    },
  });

  app.get('/api/stock/incident-durations', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Durée des incidents par bâtiment ou par bailleur (heures ; résolus et en cours)',
      querystring: c.durationsQuery,
      response: { 200: c.durationsPage },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      if (!seesBuildings(p)) return { by: req.query.by, rows: [] };
      return service.durationsPage(ctx.db, req.query.by, buildingFilter(req, p));
    },
  });

  // ------------------------------------------------------------ tenants' contacts (landlord only)
  app.post('/api/stock/contacts', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: `Inscrire le contact d’un locataire pour les alertes d’incidents (finalité : ${CONTACT_PURPOSE}), avec son consentement`,
      body: c.newContact,
      response: { 201: c.contactCreated },
    },
    handler: async (req, reply) => {
      const p = requireBailleur(req);
      await service.ownBuilding(ctx.db, p.organisationId, req.body.building_id);
      const created = await service.addContact(ctx.db, p.organisationId, req.body);
      reply.code(201);
      return created;
    },
  });

  app.get('/api/stock/buildings/:buildingId/contacts', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Les contacts des locataires d’un bâtiment, masqués (bailleur propriétaire seulement ; chaque lecture est journalisée)',
      params: c.buildingParams,
      response: { 200: c.contactList },
    },
    handler: async (req) => {
      const p = requireBailleur(req);
      await service.ownBuilding(ctx.db, p.organisationId, req.params.buildingId);
      return { contacts: await service.buildingContacts(ctx.db, req, req.params.buildingId) };
    },
  });

  app.delete('/api/stock/contacts/:contactId', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Effacer un contact (retrait du consentement ou départ du locataire)',
      params: c.contactParams,
      response: { 200: c.contactErased },
    },
    handler: async (req) => {
      await service.eraseContact(ctx.db, requireBailleur(req).organisationId, req.params.contactId);
      return { erased: true };
    },
  });
}
