// PLH HTTP. Who may do what (docs/plh.md, docs/security.md « Périmètres »): each EPCI of the club has its own PLH.
// - an EPCI's admins and agents write its programme and its communes' figures, nothing of another EPCI;
// - a signed-in user reads the programme, targets, SRU inventories and the land register of the EPCIs of its
//   perimeter (an EPCI's staff its own; a partner those that linked it; a commune its commune's lines); aids granted:
//   an EPCI's staff see its communes', a partner those of its own organisation and, for a commune, those on its territory;
// - bilans: an EPCI's admin, agent, readonly, for their EPCI;
// - the club: each EPCI's PLH indicators, if it shares them (its own always);
// - public: the SRU summary per commune (official counts, no personal data).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { isEpciStaff, requirePrincipal, type Access } from '../../platform/http/access.ts';
import { assertInPerimeter, perimeterFilter, perimeterOfRequest, requestedEpci } from '../../platform/http/perimeter.ts';
import { organisationCommune, sharedBy } from '../access/index.ts';
import { communeCode, siren } from '../territory/index.ts';
import type { App } from '../types.ts';
import { ACTION_STATUSES, AID_TYPES, CATEGORIES } from './model.ts';
import * as service from './service.ts';
import { SHEET_NAMES, type SheetName } from './ingest/programme-sheet.ts';
import { loadBilan } from './report/bilan-data.ts';
import { BILAN_MEDIA, bilanFileName, renderBilan } from './report/render.ts';
import { aidOutZ, aidZ, clubAnswer, landOutZ, landZ, programmeZ, sruAnswer, sruInZ, sruPrivateAnswer, targetsAnswer, year as YEAR } from './contract.ts';

const TAG = 'plh';
const WRITE: Access = { roles: ['admin', 'agent'] };
const BILAN: Access = { roles: ['admin', 'agent', 'readonly'] };
const COMMUNE = communeCode;
const SIREN = siren;
const MAX_FILE = 20 * 1024 * 1024;
const SHEET = z.enum(SHEET_NAMES as [SheetName, ...SheetName[]]);
const thisYear = () => new Date().getFullYear();

/** A commune of the instance's territory (422 otherwise) that the caller's EPCI may write (403 otherwise). */
const writableCommune = (ctx: AppContext, req: FastifyRequest) => async (code: string) => {
  const communes = await service.territoryCommunes(ctx.db);
  if (!communes.some((c) => c.code === code)) throw new AppError('plh.commune_outside_territory', `La commune ${code} n’est pas dans le territoire de l’instance.`, 422);
  assertInPerimeter(req, { commune: code }, 'ecrire');
};
/** A commune the caller's EPCI may write (403 otherwise). */
const inWritePerimeter = (req: FastifyRequest) => (code: string) => assertInPerimeter(req, { commune: code }, 'ecrire');

const fileBody = (body: unknown) => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  if (!bytes.length) throw new AppError('plh.empty_file', 'Aucun fichier reçu : le corps de la requête est vide.', 400);
  return bytes;
};

export async function plhRoutes(app: App, ctx: AppContext) {
  app.get('/api/plh/programme', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Le programme d’actions en cours d’un EPCI de son périmètre (le sien par défaut) : orientations, actions, budgets',
      querystring: z.object({ epci: SIREN.optional() }),
      response: { 200: z.object({ programme: programmeZ.nullable() }) },
    },
    handler: async (req) => ({ programme: await service.programmeView(ctx.db, requestedEpci(req, req.query.epci)) }),
  });

  // The import takes the file as the raw body (XLSX or CSV), in its own scope so no JSON parser touches it.
  await app.register(async (scope: FastifyInstance) => {
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_FILE }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/plh/programme/import', {
      config: { access: WRITE },
      schema: {
        tags: [TAG],
        summary: 'Importer le programme : classeur XLSX complet (remplace le programme de même année de début) ou une feuille CSV (fusionnée)',
        description: 'Corps : le fichier brut. Feuilles et colonnes : voir docs/plh.md. Un import avec un problème n’enregistre rien (réponse 422 avec la liste des problèmes).',
        querystring: z.object({ sheet: SHEET.optional(), filename: z.string().max(200).default('programme') }),
        response: { 200: z.object({ programme_id: z.string(), orientations: z.number(), actions: z.number(), budgets: z.number(), targets: z.number() }) },
      },
      bodyLimit: MAX_FILE, // the workbook itself
      handler: async (req) => {
        const r = await service.importProgrammeFile(ctx.db, requestedEpci(req, undefined, 'ecrire'), fileBody(req.body), req.query.filename, req.query.sheet);
        return { programme_id: r.programmeId, orientations: r.orientations, actions: r.actions, budgets: r.budgets, targets: r.targets };
      },
    });
    scope.withTypeProvider<ZodTypeProvider>().post('/api/plh/sru/import', {
      config: { access: WRITE },
      schema: {
        tags: [TAG],
        summary: 'Importer les inventaires SRU des communes (CSV, une ligne par commune et année)',
        description: 'Colonnes : commune_code, annee, residences_principales, logements_sociaux, taux_legal, source (obligatoires), population, exemptee, potentiel_fiscal_par_habitant, depenses_reelles_fonctionnement, depenses_deductibles.',
        querystring: z.object({ filename: z.string().max(200).default('inventaires-sru.csv') }),
        response: { 200: z.object({ inventories: z.number() }) },
      },
      bodyLimit: MAX_FILE, // the CSV file itself
      handler: async (req) => service.importSruFile(ctx.db, fileBody(req.body), req.query.filename, requestedEpci(req, undefined, 'ecrire')),
    });
  });

  app.get('/api/plh/programme/export', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Exporter le programme : classeur XLSX (toutes les feuilles) ou une feuille en CSV',
      querystring: z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx'), sheet: SHEET.default('actions'), epci: SIREN.optional() }),
    },
    handler: async (req, reply) => {
      const out = await service.exportProgramme(ctx.db, requestedEpci(req, req.query.epci), req.query.format, req.query.sheet);
      return reply.type(out.mediaType).header('content-disposition', `attachment; filename="${out.filename}"`).send(out.bytes);
    },
  });

  app.patch('/api/plh/actions/:code', {
    config: { access: WRITE },
    schema: {
      tags: [TAG],
      summary: 'Mettre à jour le statut ou le commentaire d’une action',
      params: z.object({ code: z.string().max(20) }),
      body: z.object({ status: z.enum(ACTION_STATUSES).optional(), comment: z.string().max(4000).optional() }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      if (!(await service.updateAction(ctx.db, requestedEpci(req, undefined, 'ecrire'), req.params.code, req.body))) throw notFound(`Action ${req.params.code}`);
      return { ok: true as const };
    },
  });

  app.get('/api/plh/targets', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Objectifs territorialisés et réalisations (cumulées jusqu’à l’année donnée)',
      querystring: z.object({ year: YEAR.optional(), commune: COMMUNE.optional(), epci: SIREN.optional() }),
      response: { 200: targetsAnswer },
    },
    handler: async (req) => {
      const year = req.query.year ?? thisYear();
      if (req.query.commune) assertInPerimeter(req, { commune: req.query.commune });
      const epci = requestedEpci(req, req.query.epci);
      return { year, targets: await service.targets(ctx.db, epci, year, perimeterFilter(req).communes, req.query.commune) };
    },
  });

  app.put('/api/plh/achievements', {
    config: { access: WRITE },
    schema: {
      tags: [TAG],
      summary: 'Enregistrer une réalisation (commune, catégorie, année) avec sa source ; remplace la valeur existante',
      body: z.object({ commune_code: COMMUNE, category: z.enum(CATEGORIES), year: YEAR, value: z.number().int().min(0), source: z.string().trim().min(1).max(300) }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      await writableCommune(ctx, req)(req.body.commune_code);
      await service.saveAchievement(ctx.db, req.body);
      return { ok: true as const };
    },
  });

  app.get('/api/plh/sru', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Situation SRU des communes de son périmètre : déficit, objectif triennal, production, prélèvement estimé',
      querystring: z.object({ year: YEAR.optional() }),
      response: { 200: sruPrivateAnswer },
    },
    handler: async (req) => {
      const f = perimeterFilter(req);
      return service.sruWithLevy(ctx.db, req.query.year ?? thisYear(), f.communes, f.epcis);
    },
  });

  app.get('/api/plh/public/sru', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Public : situation SRU par commune (logements sociaux, taux, déficit, objectif triennal, production)',
      querystring: z.object({ year: YEAR.optional() }),
      response: { 200: sruAnswer },
    },
    handler: async (req) => {
      const year = req.query.year ?? thisYear();
      return {
        year,
        rules:
          'Article 55 de la loi SRU (CCH L302-5 à L302-9-1) : taux légal de 20 % ou 25 % des résidences principales ; objectif triennal = part du déficit (33 % par défaut) ; au moins 30 % de PLAI et au plus 30 % de PLS.',
        communes: (await service.sruLines(ctx.db, year)).map((l) => l.line),
      };
    },
  });

  app.put('/api/plh/sru/:code/:year', {
    config: { access: WRITE },
    schema: {
      tags: [TAG],
      summary: 'Saisir l’inventaire SRU d’une commune au 1er janvier d’une année',
      params: z.object({ code: COMMUNE, year: YEAR }),
      body: sruInZ,
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      await writableCommune(ctx, req)(req.params.code);
      await service.saveSruInventory(ctx.db, req.params.code, req.params.year, req.body);
      return { ok: true as const };
    },
  });

  app.get('/api/plh/aids', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Aides accordées par l’EPCI sur son territoire (un partenaire ne voit que celles de son organisation, une commune celles de son territoire)',
      querystring: z.object({ year: YEAR.optional(), commune: COMMUNE.optional(), type: z.enum(AID_TYPES).optional() }),
      response: { 200: z.object({ aids: z.array(aidOutZ) }) },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      const filter: Parameters<typeof service.listAids>[1] = { year: req.query.year, communeCode: req.query.commune, type: req.query.type, communes: perimeterFilter(req).communes };
      if (!isEpciStaff(p)) {
        const commune = p.organisationKind === 'commune' ? await organisationCommune(ctx.db, p.organisationId) : null;
        filter.organisationId = p.organisationId;
        if (commune) filter.communeOnly = commune;
      }
      return { aids: await service.listAids(ctx.db, filter) };
    },
  });

  app.post('/api/plh/aids', {
    config: { access: WRITE },
    schema: {
      tags: [TAG],
      summary: 'Enregistrer une aide accordée (par référence de dossier : la même référence met à jour le dossier)',
      body: aidZ,
      response: { 200: aidOutZ },
    },
    handler: async (req) => service.saveAid(ctx.db, req.body, writableCommune(ctx, req)),
  });

  app.delete('/api/plh/aids/:id', {
    config: { access: WRITE },
    schema: { tags: [TAG], summary: 'Supprimer une aide enregistrée par erreur', params: z.object({ id: z.uuid() }), response: { 200: z.object({ ok: z.literal(true) }) } },
    handler: async (req) => {
      if (!(await service.deleteAid(ctx.db, req.params.id, inWritePerimeter(req)))) throw notFound('Aide');
      return { ok: true as const };
    },
  });

  app.get('/api/plh/land', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Registre des gisements fonciers et friches des communes de son périmètre',
      querystring: z.object({ commune: COMMUNE.optional() }),
      response: { 200: z.object({ sites: z.array(landOutZ) }) },
    },
    handler: async (req) => ({ sites: await service.listLand(ctx.db, perimeterFilter(req).communes, req.query.commune) }),
  });

  app.get('/api/plh/land/geojson', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Gisements fonciers et friches localisés, en GeoJSON (points WGS84) pour la carte',
      response: { 200: z.object({ type: z.literal('FeatureCollection'), features: z.array(z.any()) }) },
    },
    handler: async (req) => service.landGeojson(ctx.db, perimeterFilter(req).communes),
  });

  app.post('/api/plh/land', {
    config: { access: WRITE },
    schema: { tags: [TAG], summary: 'Enregistrer un gisement foncier ou une friche (par référence)', body: landZ, response: { 200: landOutZ } },
    handler: async (req) => service.saveLand(ctx.db, req.body, writableCommune(ctx, req)),
  });

  app.delete('/api/plh/land/:id', {
    config: { access: WRITE },
    schema: { tags: [TAG], summary: 'Supprimer un site du registre foncier', params: z.object({ id: z.uuid() }), response: { 200: z.object({ ok: z.literal(true) }) } },
    handler: async (req) => {
      if (!(await service.deleteLand(ctx.db, req.params.id, inWritePerimeter(req)))) throw notFound('Site foncier');
      return { ok: true as const };
    },
  });

  app.get('/api/plh/club', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Comparaison du club : les indicateurs du PLH de chaque EPCI qui les partage (et ceux de son propre EPCI)',
      querystring: z.object({ year: YEAR.optional() }),
      response: { 200: clubAnswer },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      const shared = new Set(await sharedBy(ctx.db, 'indicateurs_plh'));
      return service.club(ctx.db, req.query.year ?? thisYear(), (s) => shared.has(s) || (p.kind === 'epci' && p.epci === s));
    },
  });

  app.get('/api/plh/report', {
    config: { access: BILAN },
    schema: {
      tags: [TAG],
      summary: 'Bilan annuel ou triennal du PLH de son EPCI : HTML, DOCX (modifiable) ou PDF',
      querystring: z.object({
        epci: SIREN.optional(),
        year: YEAR,
        triennial: z.enum(['true', 'false']).default('false').describe('true : bilan triennal (l’année et les deux précédentes)'),
        format: z.enum(['html', 'docx', 'pdf']).default('html'),
      }),
    },
    handler: async (req, reply) => {
      const b = await loadBilan(ctx.db, { epci: requestedEpci(req, req.query.epci), year: req.query.year, triennial: req.query.triennial === 'true' });
      const bytes = await renderBilan(b, req.query.format);
      const disposition = req.query.format === 'html' ? 'inline' : 'attachment';
      return reply.type(BILAN_MEDIA[req.query.format]).header('content-disposition', `${disposition}; filename="${bilanFileName(b, req.query.format)}"`).send(bytes);
    },
  });
}
