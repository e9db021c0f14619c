import type { HabitatModule } from '../types.ts';
import { stockCommands } from './cli.ts';
import { loadStockDemo } from './demo.ts';
import { stockRoutes } from './routes.ts';
import { purgeExpiredContacts } from './service.ts';

export const stockModule: HabitatModule = {
  name: 'stock',
  routes: stockRoutes,
  cli: ({ importCommand, withContext, io }) => stockCommands(importCommand, withContext, io),
  loadDemo: loadStockDemo,
  purge: async (ctx, now) => ({ 'contacts de locataires échus (fin de conservation)': await purgeExpiredContacts(ctx.db, now) }),
};

// The DPE classes and the rental-ban calendar: the platform's one copy of these rules (the aids module uses them).
export {
  DPE_CLASSES,
  RENTAL_BAN_CALENDAR,
  classUnder,
  isRentalBanned,
  rentalBanDate,
  worseClass,
  type ClassBounds,
  type DpeClass,
} from './model.ts';

// For the sources module (connectors, catalogue, alerts): the RPLS and DPE imports, what they hold, the mail channel.
export { dpeCoverage, importDpe, importRpls } from './service.ts';
// For the observatory's portrait: the public energy figures of a commune or of an EPCI (RPLS classes, rental ban).
export { communeEnergy, epciEnergy } from './service.ts';
// Its RPLS part alone, for the codes the portrait already knows (a commune and its arrondissements, an EPCI's places).
export { rplsEnergy } from './service.ts';
export { readRplsManifest } from './lake.ts';
export { channelsFor, useNotificationChannels, type Mailer } from './notify.ts';
export { DPE_LAYOUTS } from './ingest/dpe.ts';
