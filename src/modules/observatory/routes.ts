// Observatory HTTP, all public: the portrait of a commune or an EPCI (also as a printable sheet), one indicator for
// every commune (ranking and map), the coverage of each source. Thin: validate (contract.ts) → use case → reply.
// The portrait routes live under /api/territory/… as the issue asks (a commune's page is the territory's), but the
// observatory registers them: docs/modules.md says so.
import type { AppContext } from '../../platform/context.ts';
import type { App } from '../types.ts';
import { communePortraitParams, epciPortraitParams, indicatorAnswer, indicatorParams, indicatorQuery, indicatorsListAnswer, portraitAnswer } from './contract.ts';
import { COMPARABLE_INDICATORS, compareIndicator, portrait } from './portrait.ts';

const tags = ['observatoire'];

export function observatoryRoutes(app: App, ctx: AppContext) {
  app.get('/api/territory/communes/:code/portrait', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Portrait d’une commune : population, marché, construction, logement social, demande, énergie, communes comparables',
      params: communePortraitParams,
      response: { 200: portraitAnswer },
    },
    handler: (req) => portrait(ctx, 'commune', req.params.code),
  });

  app.get('/api/territory/epci/:siren/portrait', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Portrait d’un EPCI : ses communes agrégées (sommes, taux des sommes, médianes recalculées sur les ventes)',
      params: epciPortraitParams,
      response: { 200: portraitAnswer },
    },
    handler: (req) => portrait(ctx, 'epci', req.params.siren),
  });

  app.get('/api/observatory/indicators', {
    config: { access: 'public' },
    schema: { tags, summary: 'Les indicateurs comparables entre communes (clé, libellé, unité, source)', response: { 200: indicatorsListAnswer } },
    handler: async () => ({ indicators: [...COMPARABLE_INDICATORS] }),
  });

  app.get('/api/observatory/indicators/:indicator', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Un indicateur pour chaque commune (classement, carte), avec la valeur des EPCI et du territoire et les classes de la légende (quantiles)',
      params: indicatorParams,
      querystring: indicatorQuery,
      response: { 200: indicatorAnswer },
    },
    handler: (req) => compareIndicator(ctx, req.params.indicator, req.query),
  });
}
