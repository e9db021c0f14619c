import type { HabitatModule } from '../types.ts';
import { stockCommands } from './cli.ts';
import { loadStockDemo } from './demo.ts';
import { purgeExpiredContacts } from './incidents.ts';
import { stockRoutes } from './routes.ts';

export const stockModule: HabitatModule = {
  name: 'stock',
  routes: stockRoutes,
  cli: ({ importCommand, withContext, io }) => stockCommands(importCommand, withContext, io),
  loadDemo: loadStockDemo,
  purge: async (ctx, now) => ({ 'contacts de locataires échus (fin de conservation)': await purgeExpiredContacts(ctx.db, now) }),
};

// For the sources module (connectors, catalogue, alerts): the RPLS and DPE imports, what they hold, the mail channel.
export { importRpls, readRplsManifest } from './lake.ts';
export { importDpe } from './store.ts';
export { channelsFor, useNotificationChannels, type Mailer } from './notify.ts';
export { DPE_LAYOUTS } from './ingest/dpe.ts';

/** DPE files imported and the communes and reception dates the DPE table covers. */
export async function dpeCoverage(db: import('../../platform/db.ts').Db) {
  const imports = await db.selectFrom('stock_dpe_import').select(['file', 'lines', 'accepted', 'imported_at']).orderBy('imported_at', 'desc').execute();
  const rows = await db
    .selectFrom('stock_dpe')
    .select('commune_code')
    .select((eb) => [eb.fn.min('date_reception').as('first'), eb.fn.max('date_reception').as('last')])
    .groupBy('commune_code')
    .execute();
  const day = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));
  const dates = rows.flatMap((r: any) => [day(r.first), day(r.last)]).sort();
  return {
    imports: imports.map((i: any) => ({ file: i.file as string, lines: Number(i.lines), accepted: Number(i.accepted), importedAt: new Date(i.imported_at).toISOString() })),
    communes: rows.map((r: any) => r.commune_code as string),
    dates: dates.length ? ([dates[0], dates[dates.length - 1]] as [string, string]) : null,
  };
}
