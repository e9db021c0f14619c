import type { HabitatModule } from '../types.ts';
import { audit } from './audit.ts';
import { purgeAccess } from './retention.ts';
import { accessRoutes, principalResolver } from './routes.ts';

// The read API other modules may use: what each EPCI shares with the club (docs/modules.md, « Between modules »).
export { findOrganisation, listOrganisations, organisationsOfEpci, sharedBy } from './store.ts';
// For modules that log reads of personal data and writes made outside HTTP (CLI, purges).
export { audit } from './audit.ts';
export { SHARABLE_LABELS, type Sharable } from './model.ts';

export const accessModule: HabitatModule = {
  name: 'access',
  identify: principalResolver,
  record: (ctx, req, entry) => audit(ctx.db, req, entry),
  routes: accessRoutes,
  purge: purgeAccess,
};

/** E-mail addresses of the active administrators and club operators (alerts of the platform itself, e.g. a failed data refresh). */
export async function adminEmails(db: import('../../platform/db.ts').Db): Promise<string[]> {
  const rows = await db.selectFrom('app_user').select('email').where('role', 'in', ['admin', 'operator']).where('active', '=', true).orderBy('email').execute();
  return rows.map((r) => r.email as string);
}
