// Aids HTTP: public simulators (questions, explained answers, the tables and their sources) and the EPCI's own
// aids, configured by its admins and agents. A simulation stores nothing and returns no one else's data.
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assertInPerimeter, perimeterFilter } from '../../platform/http/perimeter.ts';
import type { App } from '../types.ts';
import {
  DPE_CLASSES,
  INCOME_REFERENCES,
  MPR_CATEGORIES,
  placeOfCommune,
  VERIFICATION_LABEL,
  type CommuneZone,
  type LocalAid,
  type TableSet,
} from './model.ts';
import { SIMULATORS, simulatorById } from './simulators/index.ts';
import { EPCI_NAMES } from './simulators/common.ts';
import {
  communesOutsideEpci,
  createLocalAid,
  deleteLocalAid,
  epciNames,
  getLocalAid,
  instanceCommunes,
  listLocalAids,
  updateLocalAid,
  type LocalAidInput,
} from './store.ts';
import { tables } from './tables.ts';

const STAFF = { roles: ['admin', 'agent'] as ('admin' | 'agent')[] };

const sourceSchema = z.object({ titre: z.string(), url: z.string().optional() });
const verificationSchema = z.enum(['officiel', 'calcule', 'secondaire', 'deduit', 'a_verifier']);
const conditionSchema = z.object({
  id: z.string(),
  statut: z.enum(['remplie', 'non_remplie', 'inconnue']),
  texte: z.string(),
  valeur: z.union([z.number(), z.string()]).optional(),
  seuil: z.union([z.number(), z.string()]).optional(),
  table: z
    .object({
      fichier: z.string(),
      verification: verificationSchema,
      verification_libelle: z.string(),
      note: z.string(),
      sources: z.array(sourceSchema),
    })
    .optional(),
});
const answerSchema = z.object({
  simulateur: z.string(),
  titre: z.string(),
  date: z.string(),
  annee: z.number(),
  contexte: z.array(z.string()),
  avertissements: z.array(z.string()),
  aides: z.array(
    z.object({
      id: z.string(),
      nom: z.string(),
      verdict: z.enum(['eligible', 'non_eligible', 'inconnu']),
      libelle_verdict: z.string().optional(),
      resume: z.string(),
      conditions: z.array(conditionSchema),
      informations: z.array(z.string()),
      manque: z.array(z.string()),
      contact: z.object({ nom: z.string(), texte: z.string(), url: z.string().optional() }).optional(),
      source: z.string().optional(),
    }),
  ),
});
const questionSchema = z.object({
  id: z.string(),
  libelle: z.string(),
  aide: z.string().optional(),
  type: z.enum(['nombre', 'oui_non', 'choix', 'commune']),
  unite: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  options: z.array(z.object({ valeur: z.string(), libelle: z.string() })).optional(),
  obligatoire: z.boolean(),
  visibleSi: z
    .object({
      question: z.string(),
      valeurs: z.array(z.union([z.string(), z.boolean()])).optional(),
      min: z.number().optional(),
      egal: z.number().optional(),
    })
    .optional(),
});
const simulatorSchema = z.object({ id: z.string(), titre: z.string(), description: z.string(), questions: z.array(questionSchema) });

const localAidBody = z.object({
  epci_siren: z.string().regex(/^[0-9]{9}$/, 'SIREN de 9 chiffres'),
  kind: z.enum(['accession', 'renovation']),
  nom: z.string().trim().min(1, 'Le nom de l’aide est obligatoire.').max(200),
  description: z.string().max(2000).default(''),
  montant_euros: z.number().min(0).max(1_000_000).nullable().default(null),
  plafond_reference: z.enum(INCOME_REFERENCES as [string, ...string[]]).default('aucun'),
  primo_accedant_requis: z.boolean().default(false),
  types_logement: z.array(z.enum(['neuf', 'ancien_avec_travaux', 'ancien_sans_travaux'])).max(3).default([]),
  categories_mpr: z.array(z.enum(MPR_CATEGORIES as [string, ...string[]])).max(4).default([]),
  classes_dpe: z.array(z.enum(DPE_CLASSES)).max(7).default([]),
  communes: z.array(z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'Code INSEE de commune sur 5 caractères')).max(500).default([]),
  contact: z.string().max(500).default(''),
  deliberation: z.string().max(500).nullable().default(null),
  actif: z.boolean().default(true),
});
const localAidSchema = localAidBody.extend({ id: z.string() });

/**
 * The tables with the instance's own communes in the forms, zoned from the national file, so an instance
 * configured with other EPCIs gets its communes and their zones without any table to edit.
 */
export async function instanceTables(ctx: AppContext, t: TableSet = tables()): Promise<TableSet> {
  const rows = await instanceCommunes(ctx.db, ctx.config.epciSirens);
  const communes: CommuneZone[] = [];
  for (const r of rows) {
    const place = placeOfCommune(r.code, t.national);
    // A commune unknown to the zoning file stays out of the list: the household then gives its zone.
    if (!place) continue;
    communes.push({ code: r.code, nom: r.nom, epci_siren: r.epci_siren, zone_abc: place.zone_abc, zone_logement_social: place.zone_logement_social, ile_de_france: place.ile_de_france, note: place.note, verification: place.verification });
  }
  return communes.length ? { ...t, communes } : t;
}

export function aidsRoutes(app: App, ctx: AppContext) {
  const base = tables();
  let cached: Promise<TableSet> | undefined;
  const forInstance = () => {
    cached ??= instanceTables(ctx, base).catch((e) => {
      cached = undefined;
      throw e;
    });
    return cached;
  };
  const names = async () => ({ ...EPCI_NAMES, ...(await epciNames(ctx.db, ctx.config.epciSirens)) });

  app.get('/api/aids/simulators', {
    config: { access: 'public' },
    schema: {
      tags: ['aides'],
      summary: 'Les simulateurs d’aides et leurs questions',
      response: { 200: z.array(simulatorSchema) },
    },
    handler: async () => {
      const t = await forInstance();
      return SIMULATORS.map((s) => ({ id: s.id, titre: s.titre, description: s.description, questions: s.questions(t) }));
    },
  });

  for (const s of SIMULATORS) {
    app.post(`/api/aids/simulate/${s.id}`, {
      config: { access: 'public', audit: false },
      schema: {
        tags: ['aides'],
        summary: `Simulation « ${s.titre} » : chaque aide, éligible ou non, avec chaque condition et le chiffre comparé`,
        body: s.input,
        response: { 200: answerSchema },
      },
      handler: async (req) => {
        // Nothing from the household is stored or logged: the answer is computed and returned.
        const local = s.id === 'logement-social' ? [] : await listLocalAids(ctx.db, { sirens: ctx.config.epciSirens, activeOnly: true });
        const n = await names();
        return s.simulate(req.body, await forInstance(), local, (siren) => n[siren] ?? `l’EPCI ${siren}`);
      },
    });
  }

  app.get('/api/aids/tables', {
    config: { access: 'public' },
    schema: {
      tags: ['aides'],
      summary: 'Les barèmes utilisés, par dispositif et année, avec leurs sources et leur état de vérification',
      response: {
        200: z.array(
          z.object({
            fichier: z.string(),
            dispositif: z.string(),
            annee: z.number().nullable(),
            verification: verificationSchema,
            verification_libelle: z.string(),
            note: z.string(),
            sources: z.array(sourceSchema),
            valeurs: z.record(z.string(), z.record(z.string(), z.number())).optional(),
            verification_valeurs: z.record(z.string(), z.record(z.string(), verificationSchema)).optional(),
          }),
        ),
      },
    },
    handler: async () => {
      const t = base;
      const row = (
        x: { fichier: string; verification: any; verification_note: string; sources: any[]; valeurs?: any; verification_valeurs?: any },
        dispositif: string,
        annee: number | null,
      ) => ({
        fichier: x.fichier,
        dispositif,
        annee,
        verification: x.verification,
        verification_libelle: VERIFICATION_LABEL[x.verification as keyof typeof VERIFICATION_LABEL],
        note: x.verification_note,
        sources: x.sources,
        valeurs: x.valeurs,
        verification_valeurs: x.verification_valeurs,
      });
      // MaPrimeRénov' rows are nested one level deeper (region -> category -> persons): flattened for display.
      const mprRows = (v: any) =>
        Object.fromEntries(Object.entries(v).flatMap(([region, cats]: [string, any]) => Object.entries(cats).map(([cat, r]) => [`${region} · ${cat}`, r]))) as any;
      return [
        ...t.ceilings.map((c) => row(c, c.dispositif, c.annee)),
        ...t.ptz.map((c) => row(c, c.dispositif, c.annee)),
        ...t.mpr.map((c) => row({ ...c, valeurs: mprRows(c.valeurs) }, c.dispositif, c.annee)),
        row(t.dpe, 'DPE et calendrier de location', null),
        row(t.national.info, 'Zonage ABC de toutes les communes', 2024),
        row(t.national.recodedInfo, 'Zonage ABC des communes au code changé depuis', null),
        row(t.national.parisInfo, 'Paris et communes limitrophes (plafonds HLM)', null),
        row(t.zonage, 'Communes de démonstration (noms et zones)', null),
      ];
    },
  });

  app.get('/api/aids/local-aids', {
    config: { access: 'public' },
    schema: {
      tags: ['aides'],
      summary: 'Les aides propres des EPCI de l’instance, en vigueur',
      response: { 200: z.array(localAidSchema) },
    },
    handler: async () => (await listLocalAids(ctx.db, { sirens: ctx.config.epciSirens, activeOnly: true })) as any,
  });

  app.get('/api/aids/local-aids/all', {
    config: { access: STAFF },
    schema: {
      tags: ['aides'],
      summary: 'Toutes les aides propres de son EPCI, y compris inactives (agents et administrateurs)',
      response: { 200: z.array(localAidSchema) },
    },
    handler: async (req) => (await listLocalAids(ctx.db, { sirens: ctx.config.epciSirens.filter((s) => perimeterFilter(req).epcis.includes(s)) })) as any,
  });

  const check = async (body: LocalAidInput) => {
    if (!ctx.config.epciSirens.includes(body.epci_siren)) {
      throw new AppError('aids.epci_hors_instance', `L’EPCI ${body.epci_siren} n’est pas servi par cette instance.`, 422);
    }
    const outside = await communesOutsideEpci(ctx.db, body.epci_siren, body.communes);
    if (outside.length) {
      throw new AppError('aids.commune_hors_epci', `Communes hors de l’EPCI ${body.epci_siren} : ${outside.join(', ')}.`, 422);
    }
    if (body.kind === 'renovation' && body.plafond_reference !== 'aucun') {
      throw new AppError('aids.plafond_renovation', 'Une aide à la rénovation se règle par catégories MaPrimeRénov’, pas par un plafond d’accession.', 422);
    }
  };

  app.post('/api/aids/local-aids', {
    config: { access: STAFF },
    schema: { tags: ['aides'], summary: 'Créer une aide propre de l’EPCI', body: localAidBody, response: { 201: localAidSchema } },
    handler: async (req, reply) => {
      const body = req.body as LocalAidInput;
      await check(body);
      assertInPerimeter(req, { epci: body.epci_siren }, 'ecrire');
      const created = await createLocalAid(ctx.db, body, req.principal?.userId);
      return reply.code(201).send(created as any);
    },
  });

  app.put('/api/aids/local-aids/:id', {
    config: { access: STAFF },
    schema: {
      tags: ['aides'],
      summary: 'Modifier une aide propre de l’EPCI',
      params: z.object({ id: z.uuid('Identifiant d’aide invalide') }),
      body: localAidBody,
      response: { 200: localAidSchema },
    },
    handler: async (req) => {
      const body = req.body as LocalAidInput;
      await check(body);
      const existing = await getLocalAid(ctx.db, req.params.id);
      if (!existing || !ctx.config.epciSirens.includes(existing.epci_siren)) throw notFound('Aide');
      assertInPerimeter(req, { epci: existing.epci_siren }, 'ecrire');
      assertInPerimeter(req, { epci: body.epci_siren }, 'ecrire');
      return (await updateLocalAid(ctx.db, req.params.id, body, req.principal?.userId)) as any;
    },
  });

  app.delete('/api/aids/local-aids/:id', {
    config: { access: STAFF },
    schema: {
      tags: ['aides'],
      summary: 'Supprimer une aide propre de l’EPCI',
      params: z.object({ id: z.uuid('Identifiant d’aide invalide') }),
      response: { 204: z.null() },
    },
    handler: async (req, reply) => {
      const existing: LocalAid | undefined = await getLocalAid(ctx.db, req.params.id);
      if (!existing || !ctx.config.epciSirens.includes(existing.epci_siren)) throw notFound('Aide');
      assertInPerimeter(req, { epci: existing.epci_siren }, 'ecrire');
      await deleteLocalAid(ctx.db, req.params.id);
      return reply.code(204).send(null);
    },
  });

  // Unknown simulators get a French 404 rather than the generic one.
  app.post('/api/aids/simulate/:simulator', {
    config: { access: 'public' },
    schema: {
      tags: ['aides'],
      summary: 'Simulateur inconnu : réponse 404 qui liste les simulateurs existants',
      params: z.object({ simulator: z.string() }),
    },
    handler: async (req) => {
      if (!simulatorById(req.params.simulator)) {
        throw new AppError('not_found', `Simulateur « ${req.params.simulator} » introuvable. Simulateurs : ${SIMULATORS.map((s) => s.id).join(', ')}.`, 404);
      }
      throw new AppError('not_found', 'Simulateur introuvable.', 404);
    },
  });
}
