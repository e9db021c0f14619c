import type { HabitatModule } from '../types.ts';
import { stockCommands } from './cli.ts';
import { loadStockDemo } from './demo.ts';
import { purgeExpiredContacts } from './incidents.ts';
import { stockRoutes } from './routes.ts';

export const stockModule: HabitatModule = {
  name: 'stock',
  routes: stockRoutes,
  cli: ({ importCommand, withContext }) => stockCommands(importCommand, withContext),
  loadDemo: loadStockDemo,
  purge: async (ctx, now) => ({ 'contacts de locataires échus (fin de conservation)': await purgeExpiredContacts(ctx.db, now) }),
};
