import type { HabitatModule } from '../types.ts';
import { constructionCli } from './cli.ts';
import { loadConstructionDemo } from './demo.ts';
import { constructionRoutes } from './routes.ts';

export const constructionModule: HabitatModule = {
  name: 'construction',
  routes: constructionRoutes,
  cli: constructionCli,
  loadDemo: loadConstructionDemo,
};

// For the sources module (connectors and catalogue): the Sitadel import and what it has brought.
export { importSitadel, type SitadelSummary } from './ingest/import.ts';

/** Sitadel files imported (newest first) and the communes and years of authorisation their permits cover. */
export async function sitadelCoverage(db: import('../../platform/db.ts').Db) {
  const imports = await db.selectFrom('construction_import').select(['file_name', 'rows', 'imported_at']).orderBy('imported_at', 'desc').execute();
  const rows = await db
    .selectFrom('construction_permit')
    .select('commune_code')
    .select((eb) => [eb.fn.min(eb.fn('date_part', [eb.val('year'), eb.ref('date_autorisation')])).as('first'), eb.fn.max(eb.fn('date_part', [eb.val('year'), eb.ref('date_autorisation')])).as('last')])
    .where('source', '=', 'sitadel')
    .groupBy('commune_code')
    .execute();
  const years = rows.flatMap((r: any) => [r.first, r.last]).filter((y: unknown) => y !== null).map(Number);
  return {
    imports: imports.map((i: any) => ({ file: i.file_name as string, rows: Number(i.rows), importedAt: new Date(i.imported_at).toISOString() })),
    communes: rows.map((r: any) => r.commune_code as string),
    years: years.length ? ([Math.min(...years), Math.max(...years)] as [number, number]) : null,
  };
}
