import type { HabitatModule } from '../types.ts';
import { audit } from './audit.ts';
import { accessCli } from './cli.ts';
import { purgeAccess } from './retention.ts';
import { accessRoutes, principalResolver } from './routes.ts';

export const accessModule: HabitatModule = {
  name: 'access',
  identify: principalResolver,
  record: (ctx, req, entry) => audit(ctx.db, req, entry),
  routes: accessRoutes,
  cli: accessCli,
  purge: purgeAccess,
};

// The read API other modules may use (docs/modules.md, « Between modules »): organisations and users are read here,
// never with SQL on `organisation`, `organisation_epci` or `app_user`.
export { audit, type AuditEntry } from './audit.ts';
export { adminEmails, findOrganisation, organisationsOfEpci, sharedBy } from './store.ts';
export type { OrganisationKind, Sharable } from './model.ts';
