// Market HTTP, all public (DVF is open data): indicators per commune, EPCI, département, cadastral section and the
// instance's territory, with statistical secrecy; a commune's latest sales (not indexable: DVF's terms of use);
// what the lake holds. The public portal (issue 4) builds on these.
import { z } from 'zod';
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { PROPERTY_TYPES, type Method, type Period, type PropertyType } from './model.ts';
import { lakeContents, listableSales, protectedArea, publishedIndicators, type Scope } from './indicators.ts';
import { saleCells } from './portal.ts';
import { communeName, epciCommunes, territoryCommunes } from './store.ts';
import { readManifest } from './lake.ts';

export const SOURCE_DVF =
  'DGFiP, Demandes de valeurs foncières (DVF), édition géolocalisée d’Etalab ; calculs Habitat Commun. Réutilisation soumise aux conditions générales d’utilisation de la DGFiP.';

const METHOD_TEXT: Record<Method, string> = {
  etalab:
    'Méthode des « Statistiques DVF » de data.gouv.fr : ventes, VEFA et adjudications d’un seul bien (maison, appartement ou local), prix au m² = valeur foncière / surface réelle bâtie, inférieur à 100 000 €/m², médianes arrondies à l’euro.',
  habitat:
    'Méthode Habitat Commun : celle d’Etalab, mais deux lots distincts d’un même immeuble vendus ensemble ne comptent pas comme une vente d’un seul bien. Terrains à bâtir : ventes sans local bâti, prix au m² de terrain.',
};

const typesParam = z
  .string()
  .regex(new RegExp(`^(${PROPERTY_TYPES.join('|')})(,(${PROPERTY_TYPES.join('|')}))*$`), `Types possibles, séparés par des virgules : ${PROPERTY_TYPES.join(', ')}`)
  .default('maison,appartement,maison_appartement')
  .describe(`Types de biens, séparés par des virgules : ${PROPERTY_TYPES.join(', ')}`);

const indicatorQuery = z.object({
  periode: z.enum(['annee', 'mois']).default('annee').describe('Regroupement par année ou par mois'),
  types: typesParam,
  methode: z.enum(['habitat', 'etalab']).default('habitat').describe('habitat (par défaut) ou etalab (statistiques DVF de data.gouv.fr)'),
  debut: z.coerce.number().int().min(2000).max(2100).optional().describe('Première année (incluse)'),
  fin: z.coerce.number().int().min(2000).max(2100).optional().describe('Dernière année (incluse)'),
});

const values = {
  nb_ventes: z.number().describe('Nombre de ventes'),
  prix_m2_q1: z.number().describe('Premier quartile du prix au m² (€)'),
  prix_m2_median: z.number().describe('Prix au m² médian (€)'),
  prix_m2_q3: z.number().describe('Troisième quartile du prix au m² (€)'),
  prix_median: z.number().describe('Prix de vente médian (€)'),
};
const head = { code: z.string(), periode: z.string(), type: z.enum(PROPERTY_TYPES as [PropertyType, ...PropertyType[]]) };
const indicatorSchema = z.union([
  z.object({ ...head, secret: z.literal(false), ...values }),
  z.object({ ...head, secret: z.literal(true), raison: z.string() }),
]);
const indicatorsResponse = z.object({
  niveau: z.enum(['commune', 'epci', 'departement', 'section', 'territoire']),
  code: z.string(),
  nom: z.string().nullable(),
  periode: z.enum(['annee', 'mois']),
  methode: z.enum(['habitat', 'etalab']),
  methode_description: z.string(),
  seuil_secret: z.number().describe('Nombre de ventes minimal pour publier un chiffre'),
  source: z.string(),
  indicateurs: z.array(indicatorSchema),
});

type IndicatorQs = z.infer<typeof indicatorQuery>;

const COMMUNE = /^[0-9][0-9AB][0-9]{3}$/;

export function marketRoutes(app: App, ctx: AppContext) {
  async function answer(scope: Scope, nom: string | null, qs: IndicatorQs) {
    const indicateurs = await publishedIndicators(
      ctx.lake,
      { scope, periode: qs.periode as Period, types: qs.types.split(',') as PropertyType[], methode: qs.methode as Method, debut: qs.debut, fin: qs.fin },
      ctx.config.secrecyMinCount,
    );
    return {
      niveau: scope.niveau,
      code: scope.code,
      nom,
      periode: qs.periode,
      methode: qs.methode,
      methode_description: METHOD_TEXT[qs.methode as Method],
      seuil_secret: ctx.config.secrecyMinCount,
      source: SOURCE_DVF,
      indicateurs,
    };
  }

  const common = { tags: ['marché'], querystring: indicatorQuery, response: { 200: indicatorsResponse } };

  app.get('/api/market/communes/:code/indicateurs', {
    config: { access: 'public' },
    schema: {
      ...common,
      summary: 'Indicateurs du marché immobilier d’une commune (Paris, Lyon, Marseille : avec leurs arrondissements)',
      params: z.object({ code: z.string().regex(COMMUNE, 'Code INSEE de commune ou d’arrondissement sur 5 caractères') }),
    },
    handler: async (req) => answer({ niveau: 'commune', code: req.params.code }, (await communeName(ctx.db, req.params.code)) ?? null, req.query),
  });

  app.get('/api/market/epci/:siren/indicateurs', {
    config: { access: 'public' },
    schema: {
      ...common,
      summary: 'Indicateurs du marché immobilier d’un EPCI (ensemble de ses communes)',
      params: z.object({ siren: z.string().regex(/^[0-9]{9}$/, 'SIREN à 9 chiffres') }),
    },
    handler: async (req) => {
      const epci = await epciCommunes(ctx.db, req.params.siren);
      if (!epci) throw notFound(`EPCI ${req.params.siren}`);
      return answer({ niveau: 'epci', code: req.params.siren, communes: epci.communes }, epci.nom, req.query);
    },
  });

  app.get('/api/market/departements/:code/indicateurs', {
    config: { access: 'public' },
    schema: {
      ...common,
      summary: 'Indicateurs du marché immobilier d’un département',
      params: z.object({ code: z.string().regex(/^([0-9]{2}|2A|2B|97[0-9])$/, 'Code de département (ex. 69, 2A, 974)') }),
    },
    handler: async (req) => answer({ niveau: 'departement', code: req.params.code }, null, req.query),
  });

  app.get('/api/market/sections/:code/indicateurs', {
    config: { access: 'public' },
    schema: {
      ...common,
      summary: 'Indicateurs du marché immobilier d’une section cadastrale (10 premiers caractères de l’identifiant de parcelle)',
      params: z.object({ code: z.string().regex(/^[0-9][0-9AB][0-9]{3}[0-9A-Z]{3}[0-9A-Z]{2}$/, 'Section cadastrale sur 10 caractères (ex. 69389000BV)') }),
    },
    handler: async (req) => answer({ niveau: 'section', code: req.params.code }, null, req.query),
  });

  app.get('/api/market/territoire/indicateurs', {
    config: { access: 'public' },
    schema: { ...common, summary: 'Indicateurs du marché immobilier de l’ensemble du territoire de l’instance (tous ses EPCI)' },
    handler: async (req) =>
      answer({ niveau: 'territoire', code: 'territoire', communes: await territoryCommunes(ctx.db) }, 'Territoire de l’instance', req.query),
  });

  app.get('/api/market/communes/:code/ventes', {
    config: { access: 'public' },
    schema: {
      tags: ['marché'],
      summary:
        'Dernières ventes d’une commune (une ligne par mutation, sans adresse ni numéro de parcelle ; non indexable). Les ventes comptées dans un chiffre non publié (secret statistique) ne sont pas listées.',
      params: z.object({ code: z.string().regex(COMMUNE, 'Code INSEE de commune ou d’arrondissement sur 5 caractères') }),
      querystring: z.object({ limite: z.coerce.number().int().min(1).max(500).default(50) }),
      response: {
        200: z.object({
          code: z.string(),
          source: z.string(),
          ventes: z.array(
            z.object({
              id_mutation: z.string(),
              date_mutation: z.string(),
              nature_mutation: z.string(),
              valeur_fonciere: z.number().nullable(),
              code_commune: z.string(),
              section: z.string(),
              nb_lignes: z.number(),
              nb_maisons: z.number(),
              nb_appartements: z.number(),
              nb_dependances: z.number(),
              nb_locaux: z.number(),
              surface_reelle_bati: z.number().nullable(),
              nombre_pieces_principales: z.number().nullable(),
              surface_terrain: z.number().nullable(),
            }),
          ),
        }),
      },
    },
    handler: async (req, reply) => {
      // DVF's terms of use forbid indexing by search engines.
      reply.header('X-Robots-Tag', 'noindex, nofollow');
      // A sale counted in a withheld figure (its type, year or month, by either method) is not listed: the list
      // would give the withheld count and median back.
      const scope: Scope = { niveau: 'commune', code: req.params.code };
      const min = ctx.config.secrecyMinCount;
      const areas = await Promise.all((['habitat', 'etalab'] as const).map((methode) => protectedArea(ctx.lake, { scope, methode }, min)));
      const withheld = (k: string) => areas.some((a) => (a.status.get(k) ?? 'published') !== 'published');
      const ventes = await listableSales(ctx.lake, req.params.code, req.query.limite, (v) => saleCells(v).some(withheld));
      return { code: req.params.code, source: SOURCE_DVF, ventes };
    },
  });

  app.get('/api/market/etat', {
    config: { access: 'public' },
    schema: {
      tags: ['marché'],
      summary: 'Ce que contient le lac DVF : lignes et mutations par département et année, fichiers importés',
      response: {
        200: z.object({
          partitions: z.array(z.object({ departement: z.string(), annee: z.number(), lignes: z.number(), mutations: z.number() })),
          fichiers: z.array(z.object({ fichier: z.string(), importe_le: z.string(), lignes: z.number() })),
        }),
      },
    },
    handler: async () => ({
      partitions: await lakeContents(ctx.lake),
      fichiers: readManifest(ctx.lake.dir).files.map((f) => ({ fichier: f.file, importe_le: f.importedAt, lignes: f.lines })),
    }),
  });
}
