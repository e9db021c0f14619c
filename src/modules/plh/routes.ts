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
import { communeCode, instanceEpcis, siren } from '../territory/index.ts';
import type { App } from '../types.ts';
import {
  ACTION_STATUTS,
  AIDE_TYPES,
  CATEGORIES,
  sruLevy,
  sruProgress,
  sruSituation,
  targetStatus,
  triennialPeriod,
  mergeAchievements,
} from './model.ts';
import * as service from './service.ts';
import { exportProgramme, importProgrammeFile, importSruFile } from './service.ts';
import { SHEET_NAMES, type SheetName } from './ingest/programme-sheet.ts';
import { loadBilan } from './report/bilan-data.ts';
import { BILAN_MEDIA, bilanFileName, renderBilan } from './report/render.ts';
import * as store from './store.ts';
import { aideOutZ, aideZ, clubAnswer, foncierOutZ, foncierZ, objectifsAnswer, programmeZ, sruAnswer, sruInZ, sruLineZ, year as YEAR } from './contract.ts';

const TAG = 'plh';
const WRITE: Access = { roles: ['admin', 'agent'] };
const BILAN: Access = { roles: ['admin', 'agent', 'readonly'] };
const COMMUNE = communeCode;
const SIREN = siren;
const MAX_FILE = 20 * 1024 * 1024;

/** A commune of the instance's territory (422 otherwise) that the caller's EPCI may write (403 otherwise). */
async function assertWritableCommune(ctx: AppContext, req: FastifyRequest, code: string) {
  const communes = await service.territoryCommunes(ctx.db);
  if (!communes.some((c) => c.code === code)) throw new AppError('plh.commune_outside_territory', `La commune ${code} n’est pas dans le territoire de l’instance.`, 422);
  assertInPerimeter(req, { commune: code }, 'ecrire');
}

/** SRU lines of these communes (all the instance's without): each EPCI's catch-up rate comes from its own programme. */
export async function sruLines(ctx: AppContext, annee: number, communes?: string[]) {
  const inventories = await service.latestSruInventories(ctx.db, annee, communes);
  const epciOf = await service.epciOfCommunes(ctx.db, inventories.map((s) => s.communeCode));
  const heads = new Map<string, Awaited<ReturnType<typeof store.currentProgramme>>>();
  for (const e of new Set(epciOf.values())) if (e) heads.set(e, await store.currentProgramme(ctx.db, e));
  const periode = triennialPeriod(annee);
  const aides = (await store.listAides(ctx.db, { type: 'logement_social', communes })).filter((a) => a.annee >= periode.debut && a.annee <= periode.fin);
  return inventories.map((s) => {
    const head = heads.get(epciOf.get(s.communeCode) ?? '') ?? null;
    const situation = sruSituation({ residencesPrincipales: s.residencesPrincipales, logementsSociaux: s.logementsSociaux, tauxLegal: s.tauxLegal, tauxRattrapage: head?.tauxRattrapageSru });
    const mine = aides.filter((a) => a.communeCode === s.communeCode);
    const produits = { plai: mine.reduce((x, a) => x + a.nbPlai, 0), plus: mine.reduce((x, a) => x + a.nbPlus, 0), pls: mine.reduce((x, a) => x + a.nbPls, 0) };
    const objectif = s.exemptee ? 0 : situation.objectifTriennal;
    const progress = sruProgress(objectif, produits);
    return {
      inventory: s,
      line: {
        commune_code: s.communeCode,
        nom: s.nom,
        inventaire_annee: s.annee,
        population: s.population,
        residences_principales: s.residencesPrincipales,
        logements_sociaux: s.logementsSociaux,
        taux_legal: s.tauxLegal,
        exemptee: s.exemptee,
        taux_actuel: situation.tauxActuel,
        logements_requis: situation.logementsRequis,
        deficit: situation.deficit,
        periode: `${periode.debut}-${periode.fin}`,
        objectif_triennal: objectif,
        plai_min: s.exemptee ? 0 : situation.plaiMin,
        pls_max: s.exemptee ? 0 : situation.plsMax,
        produits: { ...produits, total: progress.produits },
        taux_realisation: progress.tauxRealisation,
        plai_respecte: progress.plaiRespecte,
        pls_respecte: progress.plsRespecte,
        source: s.source,
      },
    };
  });
}

const aideOut = (a: store.AideRow) => ({ id: a.id, ...store.aideColumns(a) });

const foncierOut = (f: store.Foncier) => ({ id: f.id!, ...store.foncierColumns(f) });

export async function plhRoutes(app: App, ctx: AppContext) {
  app.get('/api/plh/programme', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Le programme d’actions en cours d’un EPCI de son périmètre (le sien par défaut) : orientations, actions, budgets',
      querystring: z.object({ epci: SIREN.optional() }),
      response: { 200: z.object({ programme: programmeZ.nullable() }) },
    },
    handler: async (req) => {
      const head = await store.currentProgramme(ctx.db, requestedEpci(req, req.query.epci));
      if (!head) return { programme: null };
      const p = await store.loadProgramme(ctx.db, head);
      return {
        programme: {
          id: head.id,
          nom: p.nom,
          annee_debut: p.anneeDebut,
          annee_fin: p.anneeFin,
          taux_rattrapage_sru: p.tauxRattrapageSru,
          orientations: p.orientations,
          actions: p.actions.map((a) => ({
            code: a.code,
            orientation_code: a.orientationCode,
            titre: a.titre,
            pilote: a.pilote,
            partenaires: a.partenaires,
            statut: a.statut,
            indicateurs: a.indicateurs,
            indicateur_categorie: a.indicateurCategorie,
            commentaire: a.commentaire,
            budgets: p.budgets.filter((b) => b.actionCode === a.code).map((b) => ({ annee: b.annee, prevu_euros: b.prevuEuros, depense_euros: b.depenseEuros })),
          })),
        },
      };
    },
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
        querystring: z.object({ feuille: z.enum(SHEET_NAMES as [SheetName, ...SheetName[]]).optional(), nom: z.string().max(200).default('programme') }),
        response: { 200: z.object({ programme_id: z.string(), orientations: z.number(), actions: z.number(), budgets: z.number(), objectifs: z.number() }) },
      },
      bodyLimit: MAX_FILE, // the workbook itself
      handler: async (req) => {
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (!bytes.length) throw new AppError('plh.empty_file', 'Aucun fichier reçu : le corps de la requête est vide.', 400);
        const r = await importProgrammeFile(ctx.db, requestedEpci(req, undefined, 'ecrire'), bytes, req.query.nom, req.query.feuille);
        return { programme_id: r.programmeId, orientations: r.orientations, actions: r.actions, budgets: r.budgets, objectifs: r.objectifs };
      },
    });
    scope.withTypeProvider<ZodTypeProvider>().post('/api/plh/sru/import', {
      config: { access: WRITE },
      schema: {
        tags: [TAG],
        summary: 'Importer les inventaires SRU des communes (CSV, une ligne par commune et année)',
        description: 'Colonnes : commune_code, annee, residences_principales, logements_sociaux, taux_legal, source (obligatoires), population, exemptee, potentiel_fiscal_par_habitant, depenses_reelles_fonctionnement, depenses_deductibles.',
        querystring: z.object({ nom: z.string().max(200).default('inventaires-sru.csv') }),
        response: { 200: z.object({ inventaires: z.number() }) },
      },
      bodyLimit: MAX_FILE, // the CSV file itself
      handler: async (req) => {
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (!bytes.length) throw new AppError('plh.empty_file', 'Aucun fichier reçu : le corps de la requête est vide.', 400);
        return importSruFile(ctx.db, bytes, req.query.nom, requestedEpci(req, undefined, 'ecrire'));
      },
    });
  });

  app.get('/api/plh/programme/export', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Exporter le programme : classeur XLSX (toutes les feuilles) ou une feuille en CSV',
      querystring: z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx'), feuille: z.enum(SHEET_NAMES as [SheetName, ...SheetName[]]).default('actions'), epci: SIREN.optional() }),
    },
    handler: async (req, reply) => {
      const out = await exportProgramme(ctx.db, requestedEpci(req, req.query.epci), req.query.format, req.query.feuille);
      return reply.type(out.mediaType).header('content-disposition', `attachment; filename="${out.filename}"`).send(out.bytes);
    },
  });

  app.patch('/api/plh/actions/:code', {
    config: { access: WRITE },
    schema: {
      tags: [TAG],
      summary: 'Mettre à jour le statut ou le commentaire d’une action',
      params: z.object({ code: z.string().max(20) }),
      body: z.object({ statut: z.enum(ACTION_STATUTS).optional(), commentaire: z.string().max(4000).optional() }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      const head = await store.currentProgramme(ctx.db, requestedEpci(req, undefined, 'ecrire'));
      if (!head || !(await store.updateAction(ctx.db, head.id, req.params.code, req.body))) throw notFound(`Action ${req.params.code}`);
      return { ok: true as const };
    },
  });

  app.get('/api/plh/objectifs', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Objectifs territorialisés et réalisations (cumulées jusqu’à l’année donnée)',
      querystring: z.object({ annee: YEAR.optional(), commune: COMMUNE.optional(), epci: SIREN.optional() }),
      response: {
        200: objectifsAnswer,
      },
    },
    handler: async (req) => {
      const annee = req.query.annee ?? new Date().getFullYear();
      if (req.query.commune) assertInPerimeter(req, { commune: req.query.commune });
      const epci = requestedEpci(req, req.query.epci);
      const head = await store.currentProgramme(ctx.db, epci);
      if (!head) return { annee, objectifs: [] };
      const p = await store.loadProgramme(ctx.db, head);
      const names = new Map((await service.territoryCommunes(ctx.db, epci)).map((c) => [c.code, c.nom]));
      const mine = perimeterFilter(req).communes;
      const ach = mergeAchievements(await store.listRealisations(ctx.db, mine), await store.listAides(ctx.db, { communes: mine }), await service.platformAchievements(ctx.db, mine));
      const objectifs = p.objectifs
        .filter((o) => mine.includes(o.communeCode))
        .filter((o) => !req.query.commune || o.communeCode === req.query.commune)
        .map((o) => {
          const t = targetStatus(o, ach, annee);
          return {
            commune_code: t.communeCode,
            commune: names.get(t.communeCode) ?? t.communeCode,
            categorie: t.categorie,
            annee_debut: t.anneeDebut,
            annee_fin: t.anneeFin,
            objectif: t.objectif,
            realise: t.realise,
            taux_realisation: t.tauxRealisation,
            avancement_attendu: t.avancementAttendu,
            sources: t.sources,
            action_code: t.actionCode ?? null,
          };
        });
      return { annee, objectifs };
    },
  });

  app.put('/api/plh/realisations', {
    config: { access: WRITE },
    schema: {
      tags: [TAG],
      summary: 'Enregistrer une réalisation (commune, catégorie, année) avec sa source ; remplace la valeur existante',
      body: z.object({ commune_code: COMMUNE, categorie: z.enum(CATEGORIES), annee: YEAR, valeur: z.number().int().min(0), source: z.string().trim().min(1).max(300) }),
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      await assertWritableCommune(ctx, req, req.body.commune_code);
      await store.upsertRealisation(ctx.db, { communeCode: req.body.commune_code, categorie: req.body.categorie, annee: req.body.annee, valeur: req.body.valeur, source: req.body.source });
      return { ok: true as const };
    },
  });

  app.get('/api/plh/sru', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Situation SRU des communes de son périmètre : déficit, objectif triennal, production, prélèvement estimé',
      querystring: z.object({ annee: YEAR.optional() }),
      response: {
        200: z.object({
          annee: z.number(),
          taux_rattrapage: z.number(),
          communes: z.array(sruLineZ.extend({ prelevement_net_estime: z.number().nullable() })),
        }),
      },
    },
    handler: async (req) => {
      const annee = req.query.annee ?? new Date().getFullYear();
      const f = perimeterFilter(req);
      const head = f.epcis.length === 1 ? await store.currentProgramme(ctx.db, f.epcis[0]) : null;
      const lines = await sruLines(ctx, annee, f.communes);
      return {
        annee,
        taux_rattrapage: head?.tauxRattrapageSru ?? 0.33,
        communes: lines.map(({ inventory: s, line }) => ({
          ...line,
          prelevement_net_estime:
            s.potentielFiscalParHabitant !== null && s.depensesReellesFonctionnement !== null && !s.exemptee
              ? sruLevy({ deficit: line.deficit, potentielFiscalParHabitant: s.potentielFiscalParHabitant, depensesReellesFonctionnement: s.depensesReellesFonctionnement, depensesDeductibles: s.depensesDeductibles ?? 0 }).net
              : null,
        })),
      };
    },
  });

  app.get('/api/plh/public/sru', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Public : situation SRU par commune (logements sociaux, taux, déficit, objectif triennal, production)',
      querystring: z.object({ annee: YEAR.optional() }),
      response: { 200: sruAnswer },
    },
    handler: async (req) => {
      const annee = req.query.annee ?? new Date().getFullYear();
      return {
        annee,
        regles:
          'Article 55 de la loi SRU (CCH L302-5 à L302-9-1) : taux légal de 20 % ou 25 % des résidences principales ; objectif triennal = part du déficit (33 % par défaut) ; au moins 30 % de PLAI et au plus 30 % de PLS.',
        communes: (await sruLines(ctx, annee)).map((l) => l.line),
      };
    },
  });

  app.put('/api/plh/sru/:code/:annee', {
    config: { access: WRITE },
    schema: {
      tags: [TAG],
      summary: 'Saisir l’inventaire SRU d’une commune au 1er janvier d’une année',
      params: z.object({ code: COMMUNE, annee: YEAR }),
      body: sruInZ,
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (req) => {
      await assertWritableCommune(ctx, req, req.params.code);
      const b = req.body;
      await store.upsertSru(ctx.db, {
        communeCode: req.params.code,
        annee: req.params.annee,
        population: b.population,
        residencesPrincipales: b.residences_principales,
        logementsSociaux: b.logements_sociaux,
        tauxLegal: b.taux_legal,
        exemptee: b.exemptee,
        potentielFiscalParHabitant: b.potentiel_fiscal_par_habitant,
        depensesReellesFonctionnement: b.depenses_reelles_fonctionnement,
        depensesDeductibles: b.depenses_deductibles,
        source: b.source,
      });
      return { ok: true as const };
    },
  });

  app.get('/api/plh/aides', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Aides accordées par l’EPCI sur son territoire (un partenaire ne voit que celles de son organisation, une commune celles de son territoire)',
      querystring: z.object({ annee: YEAR.optional(), commune: COMMUNE.optional(), type: z.enum(AIDE_TYPES).optional() }),
      response: { 200: z.object({ aides: z.array(aideOutZ) }) },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      const f = perimeterFilter(req);
      const filter: Parameters<typeof store.listAides>[1] = { annee: req.query.annee, communeCode: req.query.commune, type: req.query.type, communes: f.communes };
      if (!isEpciStaff(p)) {
        const commune = p.organisationKind === 'commune' ? await organisationCommune(ctx.db, p.organisationId) : null;
        filter.organisationId = p.organisationId;
        if (commune) filter.communeOnly = commune;
      }
      return { aides: (await store.listAides(ctx.db, filter)).map(aideOut) };
    },
  });

  app.post('/api/plh/aides', {
    config: { access: WRITE },
    schema: {
      tags: [TAG],
      summary: 'Enregistrer une aide accordée (par référence de dossier : la même référence met à jour le dossier)',
      body: aideZ,
      response: { 200: aideOutZ },
    },
    handler: async (req) => {
      const b = req.body;
      await assertWritableCommune(ctx, req, b.commune_code);
      // The reference identifies the case across the instance: never let one EPCI overwrite another's case.
      const same = await store.findAide(ctx.db, { reference: b.reference });
      if (same) assertInPerimeter(req, { commune: same.communeCode }, 'ecrire');
      if (b.type === 'logement_social' && b.nb_plai + b.nb_plus + b.nb_pls === 0 && b.nb_logements === 0)
        throw new AppError('plh.aid_without_dwellings', 'Une aide au logement social porte sur au moins un logement (PLAI, PLUS ou PLS).', 422);
      const saved = await store.upsertAide(ctx.db, {
        reference: b.reference,
        type: b.type,
        communeCode: b.commune_code,
        annee: b.annee,
        montantEuros: b.montant_euros,
        nbLogements: b.nb_logements,
        nbPlai: b.nb_plai,
        nbPlus: b.nb_plus,
        nbPls: b.nb_pls,
        gainEnergetiquePct: b.gain_energetique_pct,
        operation: b.operation,
        organisationId: b.organisation_id,
        actionCode: b.action_code,
        commentaire: b.commentaire,
      });
      return aideOut(saved);
    },
  });

  app.delete('/api/plh/aides/:id', {
    config: { access: WRITE },
    schema: { tags: [TAG], summary: 'Supprimer une aide enregistrée par erreur', params: z.object({ id: z.uuid() }), response: { 200: z.object({ ok: z.literal(true) }) } },
    handler: async (req) => {
      const aide = await store.findAide(ctx.db, { id: req.params.id });
      if (!aide) throw notFound('Aide');
      assertInPerimeter(req, { commune: aide.communeCode }, 'ecrire');
      if (!(await store.deleteAide(ctx.db, req.params.id))) throw notFound('Aide');
      return { ok: true as const };
    },
  });

  app.get('/api/plh/foncier', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Registre des gisements fonciers et friches des communes de son périmètre',
      querystring: z.object({ commune: COMMUNE.optional() }),
      response: { 200: z.object({ sites: z.array(foncierOutZ) }) },
    },
    handler: async (req) => ({ sites: (await store.listFoncier(ctx.db, req.query.commune, perimeterFilter(req).communes)).map(foncierOut) }),
  });

  app.get('/api/plh/foncier/geojson', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Gisements fonciers et friches localisés, en GeoJSON (points WGS84) pour la carte',
      response: { 200: z.object({ type: z.literal('FeatureCollection'), features: z.array(z.any()) }) },
    },
    handler: async (req) => ({
      type: 'FeatureCollection' as const,
      features: (await store.listFoncier(ctx.db, undefined, perimeterFilter(req).communes))
        .filter((f) => f.longitude !== null && f.latitude !== null)
        .map((f) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [f.longitude, f.latitude] }, properties: foncierOut(f) })),
    }),
  });

  app.post('/api/plh/foncier', {
    config: { access: WRITE },
    schema: { tags: [TAG], summary: 'Enregistrer un gisement foncier ou une friche (par référence)', body: foncierZ, response: { 200: foncierOutZ } },
    handler: async (req) => {
      const b = req.body;
      await assertWritableCommune(ctx, req, b.commune_code);
      const same = await store.findFoncier(ctx.db, { reference: b.reference });
      if (same) assertInPerimeter(req, { commune: same.communeCode }, 'ecrire');
      if (b.parcelle && !b.parcelle.startsWith(b.commune_code))
        throw new AppError('plh.parcel_outside_commune', `La parcelle ${b.parcelle} n’est pas dans la commune ${b.commune_code} (ses 5 premiers caractères sont le code INSEE).`, 422);
      if ((b.longitude === null) !== (b.latitude === null)) throw new AppError('plh.coordinates', 'Indiquez la longitude et la latitude ensemble, ou aucune des deux.', 422);
      const saved = await store.upsertFoncier(ctx.db, {
        reference: b.reference,
        nature: b.nature,
        communeCode: b.commune_code,
        parcelle: b.parcelle,
        surfaceM2: b.surface_m2,
        zonage: b.zonage,
        logementsPotentiels: b.logements_potentiels,
        statut: b.statut,
        longitude: b.longitude,
        latitude: b.latitude,
        commentaire: b.commentaire,
      });
      return foncierOut(saved);
    },
  });

  app.delete('/api/plh/foncier/:id', {
    config: { access: WRITE },
    schema: { tags: [TAG], summary: 'Supprimer un site du registre foncier', params: z.object({ id: z.uuid() }), response: { 200: z.object({ ok: z.literal(true) }) } },
    handler: async (req) => {
      const site = await store.findFoncier(ctx.db, { id: req.params.id });
      if (!site) throw notFound('Site foncier');
      assertInPerimeter(req, { commune: site.communeCode }, 'ecrire');
      if (!(await store.deleteFoncier(ctx.db, req.params.id))) throw notFound('Site foncier');
      return { ok: true as const };
    },
  });

  app.get('/api/plh/club', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Comparaison du club : les indicateurs du PLH de chaque EPCI qui les partage (et ceux de son propre EPCI)',
      querystring: z.object({ annee: YEAR.optional() }),
      response: {
        200: clubAnswer,
      },
    },
    handler: async (req) => {
      const annee = req.query.annee ?? new Date().getFullYear();
      const p = perimeterOfRequest(req);
      const shared = new Set(await sharedBy(ctx.db, 'indicateurs_plh'));
      const epcis = await instanceEpcis(ctx.db);
      const out = [];
      for (const e of epcis) {
        const visible = shared.has(e.siren) || (p.kind === 'epci' && p.epci === e.siren);
        if (!visible) {
          out.push({ epci: e.siren, nom: e.nom, partage: false, programme: null, objectifs: [], sru: null });
          continue;
        }
        const communes = (await service.territoryCommunes(ctx.db, e.siren)).map((c) => c.code);
        const head = await store.currentProgramme(ctx.db, e.siren);
        const prog = head ? await store.loadProgramme(ctx.db, head) : null;
        const ach = mergeAchievements(await store.listRealisations(ctx.db, communes), await store.listAides(ctx.db, { communes }), await service.platformAchievements(ctx.db, communes));
        const byCat = new Map<string, { objectif: number; realise: number }>();
        for (const o of prog?.objectifs ?? []) {
          const t = targetStatus(o, ach, annee);
          const c = byCat.get(t.categorie) ?? { objectif: 0, realise: 0 };
          c.objectif += t.objectif;
          c.realise += t.realise;
          byCat.set(t.categorie, c);
        }
        const sru = (await sruLines(ctx, annee, communes)).map((l) => l.line);
        out.push({
          epci: e.siren,
          nom: e.nom,
          partage: true,
          programme: head ? { nom: head.nom, annee_debut: head.anneeDebut, annee_fin: head.anneeFin } : null,
          objectifs: CATEGORIES.filter((c) => byCat.has(c)).map((categorie) => {
            const c = byCat.get(categorie)!;
            return { categorie, objectif: c.objectif, realise: c.realise, taux_realisation: c.objectif ? c.realise / c.objectif : null };
          }),
          sru: sru.length
            ? { communes: sru.length, deficitaires: sru.filter((l) => l.deficit > 0 && !l.exemptee).length, deficit: sru.reduce((x, l) => x + l.deficit, 0), objectif_triennal: sru.reduce((x, l) => x + l.objectif_triennal, 0) }
            : null,
        });
      }
      return { annee, epcis: out };
    },
  });

  app.get('/api/plh/bilan', {
    config: { access: BILAN },
    schema: {
      tags: [TAG],
      summary: 'Bilan annuel ou triennal du PLH de son EPCI : HTML, DOCX (modifiable) ou PDF',
      querystring: z.object({
        epci: SIREN.optional(),
        annee: YEAR,
        triennal: z.enum(['true', 'false']).default('false').describe('true : bilan triennal (l’année et les deux précédentes)'),
        format: z.enum(['html', 'docx', 'pdf']).default('html'),
      }),
    },
    handler: async (req, reply) => {
      const b = await loadBilan(ctx.db, { epci: requestedEpci(req, req.query.epci), annee: req.query.annee, triennal: req.query.triennal === 'true' });
      const bytes = await renderBilan(b, req.query.format);
      const disposition = req.query.format === 'html' ? 'inline' : 'attachment';
      return reply.type(BILAN_MEDIA[req.query.format]).header('content-disposition', `${disposition}; filename="${bilanFileName(b, req.query.format)}"`).send(bytes);
    },
  });
}
