// The referential module: published schemas and charters, partners' deliveries, validation reports, compliance.
import type { HabitatModule } from '../../platform/module.ts';
import { referentialCli } from './cli.ts';
import { referentialCatalogue } from './catalogue.ts';
import { loadReferentialDemo } from './demo.ts';
import { referentialRoutes } from './routes.ts';

export { acceptedRows } from './store.ts';

export const referentialModule: HabitatModule = {
  name: 'referential',
  routes: (app, ctx) => referentialRoutes(app, ctx, referentialCatalogue()),
  loadDemo: (ctx) => loadReferentialDemo(ctx, referentialCatalogue()),
  cli: referentialCli,
};
