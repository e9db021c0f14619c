// The price portal's period page and search (contract-portal.ts), public and not indexable (they carry DVF sale
// rows: Etalab's terms forbid their indexing). Thin: validate → explore.ts → reply.
import type { FastifyReply } from 'fastify';
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import type { LakeReader } from '../../platform/lake.ts';
import { communeParams, type DataTable } from './contract.ts';
import { mapPeriodAnswer, mapPeriodDownloadQuery, mapPeriodQuery, periodAnswer, periodQuery, searchAnswer, searchQuery } from './contract-portal.ts';
import { portalPeriodService } from './explore.ts';
import { periodMapService } from './period-map.ts';
import { toCsv } from './portal-model.ts';

/** A published table as a file: CSV with its method and source as # lines, or JSON with its meta. */
export function sendTable<Row extends object>(reply: FastifyReply, t: DataTable<Row>, name: string, format: 'csv' | 'json') {
  reply.header('content-disposition', `attachment; filename="${name}.${format}"`);
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(t));
  return reply.type('text/csv; charset=utf-8').send(toCsv(t));
}

export function portalExtraRoutes(app: App, ctx: AppContext, lake: LakeReader, withheldCells: (code: string) => Promise<(cell: string) => boolean>) {
  const portal = portalPeriodService({ db: ctx.db, lake, secrecyMinCount: ctx.config.secrecyMinCount, withheldCells });
  const periodMap = periodMapService({ db: ctx.db, lake, secrecyMinCount: ctx.config.secrecyMinCount });
  const tags = ['marché', 'portail des prix'];

  app.get('/api/market/portal/map/period', {
    config: { access: 'public' },
    schema: {
      tags,
      summary:
        'Carte des prix sur une période de mois au choix (par défaut les 12 derniers mois des données) : prix au m² médian de chaque commune du territoire, classes de la légende, secret statistique',
      querystring: mapPeriodQuery,
      response: { 200: mapPeriodAnswer },
    },
    handler: (req) => periodMap.mapPeriod(req.query),
  });

  app.get('/api/market/portal/map/period/download', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Télécharger le tableau de la carte des prix sur une période de mois (CSV ou JSON, avec méthode et source)',
      querystring: mapPeriodDownloadQuery,
      produces: ['text/csv', 'application/json'],
    },
    handler: async (req, reply) => {
      const { table, fileName } = await periodMap.mapPeriodDownload(req.query);
      return sendTable(reply, table, fileName, req.query.format);
    },
  });

  app.get('/api/market/portal/communes/:code/period', {
    config: { access: 'public' },
    schema: {
      tags,
      summary:
        'Une commune sur une période de mois au choix (par défaut les 12 derniers mois des données) : médianes avec nombre de ventes, écart interquartile et intervalle de confiance à 95 %, comparaison, sections cadastrales situées, ventes de la période avec les autres ventes de leur parcelle, répartitions, indice des ventes répétées de l’intercommunalité',
      params: communeParams,
      querystring: periodQuery,
      response: { 200: periodAnswer },
    },
    handler: async (req, reply) => {
      reply.header('X-Robots-Tag', 'noindex, nofollow');
      return portal.periodPage(req.params.code, req.query);
    },
  });

  app.get('/api/market/portal/search', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Chercher une commune, un code postal ou une rue (adresses DVF) ; avec type, pièces ou budget : les ventes qui y correspondent',
      querystring: searchQuery,
      response: { 200: searchAnswer },
    },
    handler: async (req, reply) => {
      reply.header('X-Robots-Tag', 'noindex, nofollow');
      return portal.search(req.query);
    },
  });
}
