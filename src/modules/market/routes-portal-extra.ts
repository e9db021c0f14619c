// The price portal's period page and search (contract-portal.ts), public and not indexable (they carry DVF sale
// rows: Etalab's terms forbid their indexing). Thin: validate → explore.ts → reply.
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import type { LakeReader } from '../../platform/lake.ts';
import { communeParams } from './contract.ts';
import { periodAnswer, periodQuery, searchAnswer, searchQuery } from './contract-portal.ts';
import { portalPeriodService } from './explore.ts';

export function portalExtraRoutes(app: App, ctx: AppContext, lake: LakeReader) {
  const portal = portalPeriodService({ db: ctx.db, lake, secrecyMinCount: ctx.config.secrecyMinCount });
  const tags = ['marché', 'portail des prix'];

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
