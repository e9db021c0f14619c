// Stock HTTP: public energy figures per commune (with statistical secrecy), exposure to the rental ban and renovation
// priorities for signed-in users, landlords' buildings, incidents with alerts, tenants' contacts (landlord only, audited).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { assertOwnOrganisation, isEpciStaff, requirePrincipal, type Principal } from '../../platform/http/access.ts';
import { assertInPerimeter, perimeterFilter, perimeterRefused } from '../../platform/http/perimeter.ts';
import type { App } from '../types.ts';
import {
  CONTACT_CHANNELS,
  CONTACT_PURPOSE,
  CONTACT_PURPOSE_TEXT,
  DPE_CLASSES,
  INCIDENT_CATEGORIES,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  durationSummaries,
  emptyCounts,
  exposure,
  isoDay,
  normaliseContactAddress,
  RENTAL_BAN_CALENDAR,
  bannedClassesOn,
  protectDistribution,
  publishSum,
  renovationPriorities,
  retentionEnd,
  type ClassCounts,
  type DpeClass,
} from './model.ts';
import { latestMillesime, readRplsManifest, rplsByCommune } from './lake.ts';
import * as store from './store.ts';
import * as inc from './incidents.ts';
import { declaredStock } from './feeds.ts';

const TAG = 'stock';
export const SOURCE_RPLS =
  'SDES, Répertoire des logements locatifs des bailleurs sociaux (RPLS) au 1er janvier 2019, agrégé par commune (paquet R rrrpls, MIT) ; classe « dpeenergie » telle que déclarée par les bailleurs (DPE antérieurs à la réforme de 2021).';
export const SOURCE_DPE = 'ADEME, base des diagnostics de performance énergétique (DPE) des logements ; calculs Habitat Commun.';
const CALENDAR_NOTE =
  'Calendrier de la loi Climat et Résilience (loi 89-462 art. 6) : logements G interdits à la location depuis le 1er janvier 2025, F à partir de 2028, E à partir de 2034.';

const classKeys = [...DPE_CLASSES, 'inconnu'] as const;
const publishedZ = z.object({ valeur: z.number().nullable(), secret: z.boolean(), raison: z.string().optional() });
const countsZ = z.object(Object.fromEntries(classKeys.map((k) => [k, z.number()])) as Record<(typeof classKeys)[number], z.ZodNumber>);
const exposureZ = z.object({
  total: z.number(),
  connus: z.number(),
  inconnus: z.number(),
  interditsAujourdhui: z.number(),
  etapes: z.array(z.object({ date: z.string(), classe_exclue: z.enum(DPE_CLASSES), logements_interdits: z.number(), part_des_connus: z.number().nullable() })),
});
const problemZ = z.object({ type: z.string().optional(), title: z.string().optional(), status: z.number().optional(), code: z.string().optional(), detail: z.string().optional() }).passthrough();

const uuid = z.string().uuid('identifiant attendu (UUID)');
const communeCode = z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE de commune sur 5 caractères');

/**
 * Every public figure of a commune comes from one protected distribution: the classes (with secondary secrecy), the
 * total, and sums of classes published only when the published classes already give them. So no two public answers
 * can be combined to reveal a withheld figure.
 */
function publicFigures(counts: ClassCounts, min: number, today: string) {
  const prot = protectDistribution(counts, min);
  const known = [...DPE_CLASSES] as DpeClass[];
  return {
    total: prot.total,
    classes: prot.cells,
    connus: publishSum(counts, prot, known),
    interdits_aujourdhui: publishSum(counts, prot, bannedClassesOn(today)),
    etapes: RENTAL_BAN_CALENDAR.map((s) => ({ date: s.from, classe_exclue: s.excludes, logements_interdits: publishSum(counts, prot, bannedClassesOn(s.from)) })),
  };
}

/** Landlords act for their own organisation; only a bailleur's users or API keys may write stock data. */
function requireBailleur(req: FastifyRequest): Principal {
  const p = requirePrincipal(req);
  if (p.organisationKind !== 'bailleur') throw forbidden('Seul un bailleur social peut déclarer des bâtiments, des incidents ou des contacts de locataires.');
  return p;
}

async function ownBuilding(ctx: AppContext, req: FastifyRequest, buildingId: string) {
  const p = requireBailleur(req);
  const b = await inc.buildingOwner(ctx.db, buildingId);
  if (!b) throw notFound('Bâtiment');
  if (b.organisation_id !== p.organisationId) throw forbidden('Ce bâtiment appartient à un autre bailleur.');
  return b;
}

/**
 * The scope of an exposure or priority request: communes, and whose buildings. An EPCI's staff see every landlord's
 * buildings of its communes, a commune's users the buildings of their commune (counts only); any other organisation
 * sees its own buildings only, never another landlord's (issue 21).
 */
async function resolveScope(ctx: AppContext, req: FastifyRequest, niveau: 'commune' | 'epci' | 'bailleur', code: string) {
  const p = requirePrincipal(req);
  const territorial = p.perimeter.kind === 'epci' || p.perimeter.kind === 'commune';
  const ownOnly = territorial ? undefined : p.organisationId;
  if (niveau === 'commune') {
    const c = await store.communeWithArrondissements(ctx.db, code);
    if (!c) throw notFound('Commune');
    if (territorial) assertInPerimeter(req, { commune: code });
    return { nom: c.commune.nom, communes: c.codes, organisationId: ownOnly };
  }
  if (niveau === 'epci') {
    const e = await store.epciCommunes(ctx.db, code);
    if (!e.epci) throw notFound('EPCI');
    if (p.perimeter.kind === 'commune') throw perimeterRefused('Une commune consulte le parc de son territoire : choisissez le niveau « commune ».');
    if (territorial) assertInPerimeter(req, { epci: code });
    const codes = e.communes.map((c) => c.code);
    const arr = codes.length ? await ctx.db.selectFrom('commune').select('code').where('parent_code', 'in', codes).execute() : [];
    return { nom: e.epci.nom, communes: [...codes, ...arr.map((r: any) => r.code as string)], organisationId: ownOnly };
  }
  if (!uuid.safeParse(code).success) throw new AppError('stock.code', 'Pour un bailleur, le code est l’identifiant de son organisation.', 400);
  if (!isEpciStaff(p) && p.organisationId !== code) throw forbidden('Vous ne pouvez consulter que le parc de votre organisation.');
  assertOwnOrganisation(req, code);
  const org = await ctx.db.selectFrom('organisation').select(['id', 'name', 'kind']).where('id', '=', code).executeTakeFirst();
  if (!org || org.kind !== 'bailleur') throw notFound('Bailleur');
  return { nom: org.name as string, communes: undefined, organisationId: code };
}

export async function stockRoutes(app: App, ctx: AppContext) {
  const min = () => ctx.config.secrecyMinCount;

  // ------------------------------------------------------------ public
  app.get('/api/stock/energie/communes/:code', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Performance énergétique du parc social d’une commune (chiffres agrégés, secret statistique)',
      params: z.object({ code: communeCode }),
      response: { 200: z.any(), 404: problemZ },
    },
    handler: async (req) => {
      const c = await store.communeWithArrondissements(ctx.db, req.params.code);
      if (!c) throw notFound('Commune');
      const millesime = latestMillesime(ctx.lake.dir);
      const rpls = millesime ? (await rplsByCommune(ctx.lake, c.codes, millesime)) : [];
      const counts = emptyCounts();
      for (const f of rpls) for (const k of classKeys) counts[k] += f.classes[k];
      const pub = publicFigures(counts, min(), isoDay(new Date()));
      const dpe = await store.dpeCounts(ctx.db, c.codes);
      const { dernier, ...dpeCounts } = dpe;
      const dpePub = protectDistribution(dpeCounts, min());
      return {
        commune: { code: c.commune.code, nom: c.commune.nom },
        seuil_secret: min(),
        calendrier: CALENDAR_NOTE,
        rpls: millesime
          ? {
              millesime,
              source: SOURCE_RPLS,
              logements: pub.total,
              classes: pub.classes,
              interdits_aujourdhui: pub.interdits_aujourdhui,
              etapes: pub.etapes,
            }
          : null,
        dpe_ademe: { source: SOURCE_DPE, nb_dpe: dpePub.total, classes: dpePub.cells, derniere_reception: dernier },
      };
    },
  });

  app.get('/api/stock/energie/territoire', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Parc social et exposition à l’interdiction de louer, par commune du territoire (secret statistique)',
      response: {
        200: z.object({
          millesime: z.number().nullable(),
          source: z.string(),
          calendrier: z.string(),
          seuil_secret: z.number(),
          communes: z.array(
            z.object({
              code: z.string(),
              nom: z.string(),
              logements: publishedZ,
              classes_connues: publishedZ,
              interdits_2025: publishedZ,
              interdits_2028: publishedZ,
              interdits_2034: publishedZ,
            }),
          ),
        }),
      },
    },
    handler: async () => {
      const communes = await store.instanceCommuneList(ctx.db);
      const millesime = latestMillesime(ctx.lake.dir);
      const figures = millesime ? await rplsByCommune(ctx.lake, communes.map((c) => c.code), millesime) : [];
      const byCode = new Map(figures.map((f) => [f.commune_code, f]));
      return {
        millesime,
        source: SOURCE_RPLS,
        calendrier: CALENDAR_NOTE,
        seuil_secret: min(),
        communes: communes.map((c) => {
          const pub = publicFigures(byCode.get(c.code)?.classes ?? emptyCounts(), min(), isoDay(new Date()));
          return {
            code: c.code,
            nom: c.nom,
            logements: pub.total,
            classes_connues: pub.connus,
            interdits_2025: pub.etapes[0].logements_interdits,
            interdits_2028: pub.etapes[1].logements_interdits,
            interdits_2034: pub.etapes[2].logements_interdits,
          };
        }),
      };
    },
  });

  app.get('/api/stock/sources', {
    config: { access: 'public' },
    schema: { tags: [TAG], summary: 'Les données du parc chargées : millésimes RPLS et fichiers DPE importés', response: { 200: z.any() } },
    handler: async () => ({
      rpls: Object.values(readRplsManifest(ctx.lake.dir)).map((m) => ({ millesime: m.millesime, fichier: m.file, lignes: m.lines, logements: m.dwellings, perimetre: m.perimetre, importe_le: m.importedAt })),
      dpe: (await store.dpeImports(ctx.db)).map((d: any) => ({ fichier: d.file, format: d.layout, lignes: d.lines, acceptes: d.accepted, corriges: d.corrected, rejetes: d.rejected, importe_le: new Date(d.imported_at).toISOString() })),
    }),
  });

  // ------------------------------------------------------------ exposure and priorities (signed in)
  const scopeQuery = z.object({
    niveau: z.enum(['commune', 'epci', 'bailleur']).describe('commune (code INSEE), epci (SIREN) ou bailleur (identifiant d’organisation)'),
    code: z.string().min(1).max(40),
  });

  app.get('/api/stock/exposition', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Classes DPE et logements interdits à la location, aujourd’hui et à chaque étape du calendrier',
      querystring: scopeQuery,
      response: {
        200: z.object({
          niveau: z.string(),
          code: z.string(),
          nom: z.string(),
          calendrier: z.string(),
          rpls: z.object({ millesime: z.number(), source: z.string(), classes: countsZ, exposition: exposureZ }).nullable(),
          parc_declare: z.object({ source: z.string(), batiments: z.number(), classes: countsZ, exposition: exposureZ }),
          referentiel: z.object({
            source: z.string(),
            bailleurs: z.number(),
            lignes: z.number(),
            annee: z.number().nullable(),
            nb_logements: z.number(),
            nb_logements_qpv: z.number(),
            nb_logements_dpe_f_g: z.number().nullable(),
            nb_logements_vacants: z.number(),
          }),
        }),
      },
    },
    handler: async (req) => {
      const { niveau, code } = req.query;
      const scope = await resolveScope(ctx, req, niveau, code);
      const today = isoDay(new Date());
      let rpls = null;
      const millesime = latestMillesime(ctx.lake.dir);
      if (scope.communes && millesime) {
        const counts = emptyCounts();
        for (const f of await rplsByCommune(ctx.lake, scope.communes, millesime)) for (const k of classKeys) counts[k] += f.classes[k];
        rpls = { millesime, source: SOURCE_RPLS, classes: counts, exposition: exposure(counts, today) };
      }
      const buildings = await store.listBuildings(ctx.db, { organisationId: scope.organisationId, communes: scope.communes });
      const counts = store.buildingCounts(buildings);
      return {
        niveau,
        code,
        nom: scope.nom,
        calendrier: CALENDAR_NOTE,
        rpls,
        parc_declare: {
          source: 'Bâtiments déclarés par les bailleurs ; classe déclarée, sinon la plus mauvaise étiquette des DPE ADEME rattachés.',
          batiments: buildings.length,
          classes: counts,
          exposition: exposure(counts, today),
        },
        referentiel: await declaredStock(ctx.db, { communes: scope.communes, organisationId: scope.organisationId }),
      };
    },
  });

  app.get('/api/stock/priorites', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Bâtiments à rénover en priorité (interdits à la location d’abord, puis échéance la plus proche, puis nombre de logements)',
      querystring: scopeQuery,
      response: {
        200: z.object({
          nom: z.string(),
          priorites: z.array(
            z.object({
              rang: z.number(),
              id: z.string(),
              label: z.string(),
              commune_code: z.string(),
              dpe: z.enum(DPE_CLASSES).nullable(),
              nb_logements: z.number(),
              conso_ep_m2: z.number().nullable().optional(),
              interdit_depuis: z.string().nullable(),
              raison: z.string(),
            }),
          ),
        }),
      },
    },
    handler: async (req) => {
      const scope = await resolveScope(ctx, req, req.query.niveau, req.query.code);
      const p = requirePrincipal(req);
      // A building list names landlords' buildings: for the EPCI's staff and each landlord's own, not other partners.
      if (!isEpciStaff(p) && p.organisationKind !== 'bailleur') return { nom: scope.nom, priorites: [] };
      const buildings = await store.listBuildings(ctx.db, { organisationId: scope.organisationId, communes: scope.communes });
      const list = renovationPriorities(
        buildings.map((b) => ({
          id: b.id,
          label: `${b.bailleur} — ${b.reference}${b.adresse ? `, ${b.adresse}` : ''} (${b.commune})`,
          commune_code: b.commune_code,
          dpe: b.dpe_retenu,
          nb_logements: b.nb_logements,
          conso_ep_m2: b.conso_ep_m2,
        })),
        isoDay(new Date()),
      );
      return { nom: scope.nom, priorites: list };
    },
  });

  // ------------------------------------------------------------ buildings
  const buildingZ = z.object({
    reference: z.string().trim().min(1).max(60).describe('Identifiant du bâtiment chez le bailleur'),
    commune_code: communeCode,
    adresse: z.string().max(300).nullish(),
    identifiant_ban: z.string().max(80).nullish().describe('Identifiant BAN de l’adresse (rattache les DPE de l’ADEME)'),
    annee_construction: z.number().int().min(1000).max(2100).nullish(),
    nb_logements: z.number().int().min(0).max(5000),
    financement: z.enum(['PLAI', 'PLUS', 'PLS', 'PLI', 'autre']).nullish(),
    qpv: z.boolean().nullish(),
    dpe_classe: z.enum(DPE_CLASSES).nullish(),
    dpe_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ').nullish(),
    conso_ep_m2: z.number().min(0).max(5000).nullish(),
  });

  app.put('/api/stock/batiments', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Déclarer ou mettre à jour les bâtiments de son organisation (bailleur)',
      body: z.object({ batiments: z.array(buildingZ).min(1).max(10_000) }),
      response: { 200: z.object({ crees: z.number(), mis_a_jour: z.number(), dpe_rattaches: z.number() }) },
    },
    bodyLimit: 8 * 1024 * 1024, // up to 10,000 buildings
    handler: async (req) => {
      const p = requireBailleur(req);
      const refs = new Set<string>();
      for (const [i, b] of req.body.batiments.entries()) {
        if (refs.has(b.reference)) throw new AppError('stock.doublon', `Bâtiment n° ${i + 1} : la référence « ${b.reference} » figure deux fois.`, 400);
        refs.add(b.reference);
      }
      const codes = [...new Set(req.body.batiments.map((b) => b.commune_code))];
      const known = new Set((await ctx.db.selectFrom('commune').select('code').where('code', 'in', codes).execute()).map((r: any) => r.code));
      const unknown = req.body.batiments.findIndex((b) => !known.has(b.commune_code));
      if (unknown >= 0)
        throw new AppError('stock.commune', `Bâtiment n° ${unknown + 1} (« ${req.body.batiments[unknown].reference} ») : code commune ${req.body.batiments[unknown].commune_code} inconnu.`, 400);
      const r = await store.upsertBuildings(ctx.db, p.organisationId, req.body.batiments as store.BuildingInput[]);
      return { crees: r.created, mis_a_jour: r.updated, dpe_rattaches: r.linked };
    },
  });

  app.get('/api/stock/batiments', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Les bâtiments déclarés (un bailleur ne voit que les siens)',
      querystring: z.object({ commune: communeCode.optional() }),
      response: { 200: z.object({ batiments: z.array(z.any()) }) },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      if (!isEpciStaff(p) && p.organisationKind !== 'bailleur') return { batiments: [] };
      if (req.query.commune && isEpciStaff(p)) assertInPerimeter(req, { commune: req.query.commune });
      const batiments = await store.listBuildings(ctx.db, {
        organisationId: isEpciStaff(p) ? undefined : p.organisationId,
        communes: req.query.commune ? [req.query.commune] : isEpciStaff(p) ? perimeterFilter(req).communes : undefined,
      });
      return { batiments };
    },
  });

  // ------------------------------------------------------------ incidents
  const incidentOut = (i: inc.IncidentRow) => ({
    id: i.id,
    batiment_id: i.building_id,
    batiment: i.building_ref,
    commune_code: i.commune_code,
    adresse: i.adresse,
    reference: i.reference,
    type: i.category,
    gravite: i.severity,
    statut: i.status,
    logements_concernes: i.nb_logements_concernes,
    debut: i.started_at.toISOString(),
    resolution: i.resolved_at ? i.resolved_at.toISOString() : null,
  });
  const incidentZ = z.object({
    id: z.string(),
    batiment_id: z.string(),
    batiment: z.string(),
    commune_code: z.string(),
    adresse: z.string().nullable(),
    reference: z.string().nullable(),
    type: z.enum(INCIDENT_CATEGORIES),
    gravite: z.enum(INCIDENT_SEVERITIES),
    statut: z.enum(INCIDENT_STATUSES),
    logements_concernes: z.number().nullable(),
    debut: z.string(),
    resolution: z.string().nullable(),
  });
  const notifiedZ = z.object({ locataires: z.number(), agents: z.number(), echecs: z.number(), sans_fournisseur: z.number() });

  app.post('/api/stock/incidents', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Signaler un incident sur un de ses bâtiments (bailleur ou capteur par clé d’API) ; alerte les locataires inscrits',
      body: z.object({
        batiment_id: uuid,
        type: z.enum(INCIDENT_CATEGORIES),
        gravite: z.enum(INCIDENT_SEVERITIES).default('moyenne'),
        statut: z.enum(INCIDENT_STATUSES).default('ouvert'),
        debut: z.coerce.date().describe('Date et heure du début (ISO 8601)'),
        resolution: z.coerce.date().nullish(),
        reference: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'lettres, chiffres, _ et -, 40 caractères au plus').nullish(),
        logements_concernes: z.number().int().min(0).max(2000).nullish(),
      }),
      response: { 201: z.object({ incident: incidentZ, notifications: notifiedZ }) },
    },
    handler: async (req, reply) => {
      await ownBuilding(ctx, req, req.body.batiment_id);
      const p = requireBailleur(req);
      if (req.body.debut.getTime() > Date.now() + 5 * 60_000) throw new AppError('stock.dates', 'La date de début de l’incident est dans le futur.', 400);
      const created = await inc.createIncident(ctx.db, p.organisationId, p.kind, {
        building_id: req.body.batiment_id,
        reference: req.body.reference,
        category: req.body.type,
        severity: req.body.gravite,
        status: req.body.statut,
        started_at: req.body.debut,
        resolved_at: req.body.resolution ?? null,
        nb_logements_concernes: req.body.logements_concernes,
      });
      const notifications = await inc.notifyIncident(ctx, req, created, created.status === 'resolu' ? 'resolution' : 'ouverture');
      reply.code(201);
      return { incident: incidentOut(created), notifications };
    },
  });

  app.patch('/api/stock/incidents/:incidentId', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Mettre à jour un incident (en cours, résolu) ; la résolution est annoncée aux locataires inscrits',
      params: z.object({ incidentId: uuid }),
      body: z.object({ statut: z.enum(INCIDENT_STATUSES), resolution: z.coerce.date().nullish(), gravite: z.enum(INCIDENT_SEVERITIES).optional() }),
      response: { 200: z.object({ incident: incidentZ, notifications: notifiedZ.nullable() }) },
    },
    handler: async (req) => {
      const p = requireBailleur(req);
      const current = await inc.getIncident(ctx.db, req.params.incidentId);
      if (!current) throw notFound('Incident');
      if (current.organisation_id !== p.organisationId) throw forbidden('Cet incident appartient à un autre bailleur.');
      const updated = await inc.updateIncident(ctx.db, current, p.kind, { status: req.body.statut, resolved_at: req.body.resolution ?? null, severity: req.body.gravite });
      const notifications = updated.status === 'resolu' ? await inc.notifyIncident(ctx, req, updated, 'resolution') : null;
      return { incident: incidentOut(updated), notifications };
    },
  });

  app.get('/api/stock/incidents', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Les incidents (un bailleur ne voit que les siens)',
      querystring: z.object({ statut: z.enum(INCIDENT_STATUSES).optional(), batiment: uuid.optional() }),
      response: { 200: z.object({ incidents: z.array(incidentZ) }) },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      if (!isEpciStaff(p) && p.organisationKind !== 'bailleur') return { incidents: [] };
      const rows = await inc.listIncidents(ctx.db, {
        organisationId: isEpciStaff(p) ? undefined : p.organisationId,
        communes: isEpciStaff(p) ? perimeterFilter(req).communes : undefined,
        status: req.query.statut,
        buildingId: req.query.batiment,
      });
      return { incidents: rows.map(incidentOut) };
    },
  });

  app.get('/api/stock/incidents/:incidentId/notifications', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Les alertes envoyées pour un incident (sans les adresses)',
      params: z.object({ incidentId: uuid }),
      response: { 200: z.object({ notifications: z.array(z.object({ event: z.string(), recipient_kind: z.string(), channel: z.string(), status: z.string(), at: z.string() })) }) },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      const i = await inc.getIncident(ctx.db, req.params.incidentId);
      if (!i) throw notFound('Incident');
      if (!isEpciStaff(p) && p.organisationId !== i.organisation_id) throw forbidden('Cet incident appartient à un autre bailleur.');
      if (isEpciStaff(p)) assertInPerimeter(req, { commune: i.commune_code });
      return { notifications: (await inc.notificationsOf(ctx.db, i.id)) as any };
    },
  });

  app.get('/api/stock/incidents-durees', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Durée des incidents par bâtiment ou par bailleur (heures ; résolus et en cours)',
      querystring: z.object({ par: z.enum(['batiment', 'bailleur']).default('batiment') }),
      response: { 200: z.object({ par: z.string(), lignes: z.array(z.any()) }) },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      if (!isEpciStaff(p) && p.organisationKind !== 'bailleur') return { par: req.query.par, lignes: [] };
      const spans = await inc.incidentSpans(ctx.db, { organisationId: isEpciStaff(p) ? undefined : p.organisationId, communes: isEpciStaff(p) ? perimeterFilter(req).communes : undefined });
      const byBuilding = req.query.par === 'batiment';
      const labels = new Map(spans.map((s: any) => [byBuilding ? s.building_id : s.organisation_id, byBuilding ? `${s.name} — ${s.reference}${s.adresse ? `, ${s.adresse}` : ''}` : s.name]));
      const lignes = durationSummaries(
        spans.map((s: any) => ({ key: byBuilding ? s.building_id : s.organisation_id, started_at: s.started_at, resolved_at: s.resolved_at })),
        new Date(),
      ).map((d) => ({ ...d, libelle: labels.get(d.key) ?? d.key }));
      return { par: req.query.par, lignes };
    },
  });

  // ------------------------------------------------------------ tenants' contacts (landlord only)
  app.post('/api/stock/contacts', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: `Inscrire le contact d’un locataire pour les alertes d’incidents (finalité : ${CONTACT_PURPOSE}), avec son consentement`,
      body: z.object({
        batiment_id: uuid,
        canal: z.enum(CONTACT_CHANNELS),
        adresse: z.string().min(3).max(254).describe('Adresse électronique ou numéro de mobile'),
        consentement: z.boolean().describe(`Le locataire a accepté : « ${CONTACT_PURPOSE_TEXT} »`),
        date_consentement: z.coerce.date().optional(),
      }),
      response: { 201: z.object({ id: z.string(), finalite: z.string(), conservation_jusqu_au: z.string() }) },
    },
    handler: async (req, reply) => {
      await ownBuilding(ctx, req, req.body.batiment_id);
      const p = requireBailleur(req);
      const addr = normaliseContactAddress(req.body.canal, req.body.adresse);
      if (!addr.ok) throw new AppError('stock.contact', addr.message, 400);
      const at = req.body.date_consentement ?? new Date();
      if (at.getTime() > Date.now() + 60_000) throw new AppError('stock.contact', 'La date de consentement est dans le futur.', 400);
      const r = await inc.addContact(ctx.db, { building_id: req.body.batiment_id, organisation_id: p.organisationId, channel: req.body.canal, address: addr.value, consent: req.body.consentement, consent_at: at });
      reply.code(201);
      return { id: r.id, finalite: CONTACT_PURPOSE_TEXT, conservation_jusqu_au: retentionEnd(at).toISOString() };
    },
  });

  app.get('/api/stock/batiments/:buildingId/contacts', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Les contacts des locataires d’un bâtiment, masqués (bailleur propriétaire seulement ; chaque lecture est journalisée)',
      params: z.object({ buildingId: uuid }),
      response: { 200: z.object({ contacts: z.array(z.any()) }) },
    },
    handler: async (req) => {
      await ownBuilding(ctx, req, req.params.buildingId);
      return { contacts: await inc.readContacts(ctx.db, req, req.params.buildingId) };
    },
  });

  app.delete('/api/stock/contacts/:contactId', {
    config: { access: { roles: ['partner'] } },
    schema: {
      tags: [TAG],
      summary: 'Effacer un contact (retrait du consentement ou départ du locataire)',
      params: z.object({ contactId: uuid }),
      response: { 200: z.object({ efface: z.boolean() }) },
    },
    handler: async (req) => {
      const p = requireBailleur(req);
      const owner = await inc.contactOwner(ctx.db, req.params.contactId);
      if (!owner) throw notFound('Contact');
      if (owner !== p.organisationId) throw forbidden('Ce contact appartient à un autre bailleur.');
      await inc.eraseContact(ctx.db, req.params.contactId);
      return { efface: true };
    },
  });
}
