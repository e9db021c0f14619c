import type { HabitatModule } from '../types.ts';
import { audit } from './audit.ts';
import { accessCli } from './cli.ts';
import { purgeAccess } from './retention.ts';
import { accessRoutes, principalResolver } from './routes.ts';
import { createOrganisation, linkOrganisation } from './store.ts';
import { instanceEpcis } from '../territory/index.ts';

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

/**
 * The organisation of that kind and commune (or, without a commune, of that name), created when absent — for the
 * demos, which several modules may run in any order. A partner is linked to every EPCI of the instance (it works
 * with the whole demo club); an EPCI or a commune needs no link.
 */
export async function ensureOrganisation(
  db: import('../../platform/db.ts').TypedDb,
  o: { kind: import('./model.ts').OrganisationKind; name: string; communeCode?: string | null; siren?: string | null },
): Promise<string> {
  let q = db.selectFrom('organisation').select('id').where('kind', '=', o.kind);
  q = o.communeCode ? q.where('commune_code', '=', o.communeCode) : q.where('name', '=', o.name);
  const found = await q.orderBy('created_at').executeTakeFirst();
  const id = found ? found.id : (await createOrganisation(db, { kind: o.kind, name: o.name, commune_code: o.communeCode ?? null, siren: o.siren ?? null })).id;
  if (o.kind !== 'commune' && o.kind !== 'epci') for (const e of await instanceEpcis(db)) await linkOrganisation(db, id, e.siren);
  return id;
}
