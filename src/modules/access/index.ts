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
export { adminEmails, findOrganisation, listOrganisations, organisationsOfEpci, sharedBy } from './store.ts';
export type { OrganisationKind, Sharable } from './model.ts';

/** E-mail addresses of the active agents and admins of an EPCI's organisation and of a commune's users (alerts about that commune). */
export async function territoryStaffEmails(db: import('../../platform/db.ts').Db, epci: string | null, commune: string): Promise<string[]> {
  const rows = await db
    .selectFrom('app_user as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select('u.email')
    .where('u.active', '=', true)
    .where((eb) =>
      eb.or([
        eb.and([eb('o.kind', '=', 'epci'), eb('o.siren', '=', epci ?? ''), eb('u.role', 'in', ['agent', 'admin'])]),
        eb.and([eb('o.kind', '=', 'commune'), eb('o.commune_code', '=', commune)]),
      ]),
    )
    .execute();
  return rows.map((r) => r.email as string).sort();
}

/** The commune an organisation belongs to (a commune's organisation), null otherwise. */
export async function organisationCommune(db: import('../../platform/db.ts').Db, id: string): Promise<string | null> {
  const row = await db.selectFrom('organisation').select('commune_code').where('id', '=', id).executeTakeFirst();
  return (row?.commune_code as string | null | undefined) ?? null;
}

/** Organisations by id (name, kind, SIREN): other modules say who owns what without reading the table. */
export async function organisationsById(db: import('../../platform/db.ts').TypedDb, ids: Iterable<string>) {
  const list = [...new Set(ids)];
  const rows = list.length ? await db.selectFrom('organisation').select(['id', 'name', 'kind', 'siren']).where('id', 'in', list).execute() : [];
  return new Map(rows.map((r) => [r.id, r]));
}

/** The active agents of an EPCI's own organisation and their e-mail addresses (alerts about its territory). */
export async function epciAgents(db: import('../../platform/db.ts').TypedDb, siren: string): Promise<{ id: string; email: string }[]> {
  return db
    .selectFrom('app_user as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.email'])
    .where('u.role', '=', 'agent')
    .where('u.active', '=', true)
    .where('o.kind', '=', 'epci')
    .where('o.siren', '=', siren)
    .execute();
}
