// Market HTTP, all public (DVF is open data): indicators per commune, EPCI, département, cadastral section and the
// instance's territory, with statistical secrecy; a commune's latest sales (not indexable: DVF's terms of use); what
// the lake holds; the public price portal's map and commune page, and every table of both as CSV or JSON. Thin:
// validate (contract.ts) → service.ts → reply.
import { z } from 'zod';
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import { lakePool } from '../../platform/lake.ts';
import { sendStored } from '../../platform/http/stored-answer.ts';
import {
  communePageAnswer,
  communeParams,
  communeTableParams,
  departementParams,
  downloadQuery,
  epciParams,
  indicatorQuery,
  indicatorsAnswer,
  type IndicatorQuery,
  type IndicatorsAnswer,
  lakeAnswer,
  mapAnswer,
  portalQuery,
  salesAnswer,
  salesQuery,
  sectionParams,
} from './contract.ts';
import { SOURCE_DVF } from './model.ts';
import { marketService, membershipOf, onDvfImported, refreshIndicators } from './service.ts';
import { portalExtraRoutes, sendTable } from './routes-portal-extra.ts';

export async function marketRoutes(app: App, ctx: AppContext) {
  // A few connections, so that the independent reads of one page run side by side.
  const pool = await lakePool(ctx.lake, 3);
  const market = marketService({ db: ctx.db, lake: pool, secrecyMinCount: ctx.config.secrecyMinCount });
  // The published indicators are computed in the background: once the server is ready (a lake imported by a CLI
  // command while no server ran, or by an older version), and after each import this process runs (decision 0005).
  // Then the answers every first visitor asks for are prepared (service.ts `prepare`), so that none waits for them.
  const membership = (communes: string[]) => membershipOf(ctx.db, communes);
  let closing = false;
  const refresh = () => {
    const started = Date.now();
    const refreshing = refreshIndicators(ctx.lake.dir, membership)
      .then(async (ready) => {
        if (ready && !closing && (await market.prepare(() => closing))) ctx.log.info({ ms: Date.now() - started }, 'indicateurs publiés à jour, premières réponses du portail des prix préparées');
      })
      .catch((e: unknown) => ctx.log.warn({ err: e }, 'indicateurs publiés non calculés ou réponses non préparées'));
    app.background(refreshing);
  };
  const stopListening = onDvfImported((dir) => dir === ctx.lake.dir && refresh());
  app.addHook('onReady', async () => refresh());
  // One hook, in this order: every computation and preparation started (two imports may overlap) reads through the
  // pool, which closes last.
  app.addHook('onClose', async () => {
    closing = true;
    stopListening();
    await app.idle();
    pool.close();
  });
  portalExtraRoutes(app, ctx, pool, market.withheldCells); // periods, sections, sales on the map, distributions, repeat sales, search

  /** An area's indicators: the same query, answer and secrecy at every level; only the place and its name differ. */
  function indicatorRoute<P extends z.ZodObject>(path: string, summary: string, params: P, answer: (p: z.infer<P>, q: IndicatorQuery) => Promise<IndicatorsAnswer>) {
    app.get(path, {
      config: { access: 'public' },
      schema: { tags: ['marché'], summary, params, querystring: indicatorQuery, response: { 200: indicatorsAnswer } },
      // Kept as the bytes sent until the next edition, like the portal's answers (ETag, gzip once).
      handler: async (req, reply) => sendStored(req, reply, await market.stored(`indicators|${req.url}`, () => answer(req.params as z.infer<P>, req.query))),
    });
  }
  const summary = (what: string) => `Indicateurs du marché immobilier ${what}`;

  indicatorRoute('/api/market/communes/:code/indicators', summary('d’une commune (Paris, Lyon, Marseille : avec leurs arrondissements)'), communeParams, (p, q) =>
    market.communeIndicators(p.code, q),
  );
  indicatorRoute('/api/market/epci/:siren/indicators', summary('d’un EPCI (ensemble de ses communes)'), epciParams, (p, q) => market.epciIndicators(p.siren, q));
  indicatorRoute('/api/market/departements/:code/indicators', summary('d’un département'), departementParams, (p, q) => market.departementIndicators(p.code, q));
  indicatorRoute(
    '/api/market/sections/:code/indicators',
    summary('d’une section cadastrale (10 premiers caractères de l’identifiant de parcelle)'),
    sectionParams,
    (p, q) => market.sectionIndicators(p.code, q),
  );
  indicatorRoute('/api/market/territory/indicators', summary('de l’ensemble du territoire de l’instance (tous ses EPCI)'), z.object({}), (_, q) => market.territoryIndicators(q));

  app.get('/api/market/communes/:code/sales', {
    config: { access: 'public' },
    schema: {
      tags: ['marché'],
      summary:
        'Dernières ventes d’une commune (une ligne par mutation, sans adresse ni numéro de parcelle ; non indexable). Les ventes comptées dans un chiffre non publié (secret statistique) ne sont pas listées.',
      params: communeParams,
      querystring: salesQuery,
      response: { 200: salesAnswer },
    },
    handler: async (req, reply) => {
      reply.header('X-Robots-Tag', 'noindex, nofollow'); // DVF's terms of use forbid indexing by search engines
      return { code: req.params.code, source: SOURCE_DVF, sales: await market.latestSales(req.params.code, req.query.limit) };
    },
  });

  app.get('/api/market/lake', {
    config: { access: 'public' },
    schema: {
      tags: ['marché'],
      summary: 'Ce que contient le lac DVF : lignes et mutations par département et année, fichiers importés',
      response: { 200: lakeAnswer },
    },
    handler: () => market.lake(),
  });

  // ---------- the price portal ----------

  const portal = ['marché', 'portail des prix'];
  const download = sendTable;

  app.get('/api/market/portal/map', {
    config: { access: 'public' },
    schema: {
      tags: portal,
      summary: 'Carte des prix : prix au m² médian de chaque commune du territoire, classes de la légende, secret statistique',
      querystring: portalQuery,
      response: { 200: mapAnswer },
    },
    handler: async (req, reply) => sendStored(req, reply, await market.storedMap(req.query)),
  });

  app.get('/api/market/portal/map/download', {
    config: { access: 'public' },
    schema: {
      tags: portal,
      summary: 'Télécharger le tableau de la carte des prix (CSV ou JSON, avec méthode et source)',
      querystring: downloadQuery,
      produces: ['text/csv', 'application/json'],
    },
    handler: async (req, reply) => {
      const { table, fileName } = await market.mapDownload(req.query);
      return download(reply, table, fileName, req.query.format);
    },
  });

  app.get('/api/market/portal/communes/:code', {
    config: { access: 'public' },
    schema: {
      tags: portal,
      summary: 'Page d’une commune : séries annuelle et mensuelle, répartition, volumes, terrains, comparaison, sections, dernières ventes',
      params: communeParams,
      querystring: portalQuery,
      response: { 200: communePageAnswer },
    },
    handler: async (req, reply) => {
      reply.header('X-Robots-Tag', 'noindex, nofollow'); // it carries sale rows: DVF's terms forbid indexing them
      return sendStored(req, reply, await market.storedCommune(req.params.code, req.query));
    },
  });

  app.get('/api/market/portal/communes/:code/download/:table', {
    config: { access: 'public' },
    schema: {
      tags: portal,
      summary: 'Télécharger un tableau de la page d’une commune (CSV ou JSON, avec méthode et source)',
      params: communeTableParams,
      querystring: downloadQuery,
      produces: ['text/csv', 'application/json'],
    },
    handler: async (req, reply) => {
      const { table, fileName } = await market.communeDownload(req.params.code, req.params.table, req.query);
      reply.header('X-Robots-Tag', 'noindex, nofollow');
      return download(reply, table, fileName, req.query.format);
    },
  });
}
