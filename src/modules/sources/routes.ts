// Sources HTTP: the public catalogue (what the platform knows and holds), and the run history for the EPCI's staff.
import type { AppContext } from '../../platform/context.ts';
import type { App } from '../types.ts';
import { historyAnswerZ, historyQueryZ, sourcesAnswerZ } from './contract.ts';
import { coverageAnswer } from '../observatory/index.ts';
import { catalogue, coverage } from './service.ts';
import { listRuns } from './store.ts';

export async function sourcesRoutes(app: App, ctx: AppContext) {
  app.get('/api/sources', {
    config: { access: 'public' },
    schema: {
      tags: ['sources'],
      summary: 'Sources de données : éditeur, licence, rythme, édition chargée et couverture du territoire',
      response: { 200: sourcesAnswerZ },
    },
    handler: async () => catalogue(ctx),
  });

  app.get('/api/sources/coverage', {
    config: { access: 'public' },
    schema: {
      tags: ['sources'],
      summary: 'Sources et couverture : édition, période et liste des communes du territoire couvertes par chaque source',
      response: { 200: coverageAnswer },
    },
    handler: async () => coverage(ctx),
  });

  app.get('/api/sources/history', {
    // The open-data runs are the instance's, not one EPCI's data: every EPCI's staff and the club's operator follow them.
    config: { access: { roles: ['admin', 'agent', 'operator'] } },
    schema: {
      tags: ['sources'],
      summary: 'Historique des téléchargements et mises à jour des sources (début, fin, lignes, résultat)',
      querystring: historyQueryZ,
      response: { 200: historyAnswerZ },
    },
    handler: async (req) => ({ runs: await listRuns(ctx.db, { source: req.query.source, limit: req.query.limit }) }),
  });
}
