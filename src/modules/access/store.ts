// Organisations, users, sessions and API keys in the store.
import { sql } from 'kysely';
import type { TypedDb } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Principal, Role } from '../../platform/http/access.ts';
import { perimeterOf, type Perimeter } from '../../platform/http/perimeter.ts';
import { epciCommunes, findEpci, instanceEpcis, placesByCode } from '../territory/index.ts';
import {
  afterFailure,
  lockedMessage,
  newApiKey,
  newSecret,
  normaliseEmail,
  passwordProblem,
  roleFitsOrganisation,
  SESSION_DAYS,
  sha256,
  type OrganisationKind,
  type Sharable,
} from './model.ts';

// argon2 is a native module: loaded by the first password hashed or checked, not by every command that opens the store.
const hash = async (password: string) => (await import('@node-rs/argon2')).hash(password);
const verify = async (hashed: string, password: string) => (await import('@node-rs/argon2')).verify(hashed, password);

export interface NewOrganisation {
  kind: OrganisationKind;
  name: string;
  siren?: string | null;
  commune_code?: string | null;
}

/** Creates an organisation and links it to these EPCIs (a partner's; an EPCI or a commune needs no link). */
export async function createOrganisation(db: TypedDb, o: NewOrganisation, epcis: string[] = []) {
  const sirenTaken = async () => {
    const other = o.siren ? await db.selectFrom('organisation').select('name').where('siren', '=', o.siren).executeTakeFirst() : undefined;
    return other && new AppError('access.siren_taken', `Une organisation porte déjà le SIREN ${o.siren} : « ${other.name} ».`, 409);
  };
  const taken = await sirenTaken();
  if (taken) throw taken;
  try {
    return await db.transaction().execute(async (trx) => {
      const org = await trx
        .insertInto('organisation')
        .values({ kind: o.kind, name: o.name, siren: o.siren ?? null, commune_code: o.commune_code ?? null })
        .returning(['id', 'kind', 'name', 'siren', 'commune_code'])
        .executeTakeFirstOrThrow();
      for (const epci of epcis) await linkOrganisation(trx, org.id, epci);
      return org;
    });
  } catch (e) {
    // Two creations at the same moment: the unique index lets one through; the other is told why.
    if ((e as { code?: string }).code === '23505') throw (await sirenTaken()) ?? e;
    throw e;
  }
}

/** Links a partner organisation to an EPCI (idempotent). */
export async function linkOrganisation(db: TypedDb, organisationId: string, epci: string) {
  await db.insertInto('organisation_epci').values({ organisation_id: organisationId, epci_siren: epci }).onConflict((oc) => oc.doNothing()).execute();
}

export async function unlinkOrganisation(db: TypedDb, organisationId: string, epci: string): Promise<boolean> {
  const r = await db.deleteFrom('organisation_epci').where('organisation_id', '=', organisationId).where('epci_siren', '=', epci).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The EPCIs an organisation belongs to or works with: its own, its commune's, or those that linked it. */
export async function organisationEpcis(db: TypedDb, organisationId: string): Promise<string[]> {
  const org = await db.selectFrom('organisation').select(['kind', 'siren', 'commune_code']).where('id', '=', organisationId).executeTakeFirst();
  if (!org) return [];
  if (org.kind === 'epci' && org.siren) return [org.siren];
  if (org.kind === 'commune') {
    const epci = org.commune_code ? (await placesByCode(db, [org.commune_code])).get(org.commune_code)?.epci_siren : null;
    return epci ? [epci] : [];
  }
  const links = await db.selectFrom('organisation_epci').select('epci_siren').where('organisation_id', '=', organisationId).orderBy('epci_siren').execute();
  return links.map((l) => l.epci_siren);
}

export async function listOrganisations(db: TypedDb, ids?: string[]) {
  let q = db.selectFrom('organisation').select(['id', 'kind', 'name', 'siren', 'commune_code']);
  if (ids) q = q.where('id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
  const orgs = await q.orderBy('name').execute();
  const links = await db.selectFrom('organisation_epci').select(['organisation_id', 'epci_siren']).orderBy('epci_siren').execute();
  return orgs.map((o) => ({ ...o, epcis: links.filter((l) => l.organisation_id === o.id).map((l) => l.epci_siren) }));
}

export async function findOrganisation(db: TypedDb, id: string) {
  return db.selectFrom('organisation').select(['id', 'kind', 'name', 'siren', 'commune_code']).where('id', '=', id).executeTakeFirst();
}

/** The club's own organisation, home of its operators, created on first use. */
export async function ensureClubOrganisation(db: TypedDb) {
  const found = await db.selectFrom('organisation').select(['id', 'kind', 'name']).where('kind', '=', 'club').orderBy('created_at').executeTakeFirst();
  if (found) return found;
  return createOrganisation(db, { kind: 'club', name: 'Opérateur du club' });
}

/** The organisation of an instance EPCI, created on first use so the first admin has a home. */
export async function ensureEpciOrganisation(db: TypedDb, siren: string) {
  const found = await db.selectFrom('organisation').select(['id', 'kind', 'name']).where('siren', '=', siren).executeTakeFirst();
  if (found) return found;
  const epci = await findEpci(db, siren);
  if (!epci) throw new AppError('access.unknown_epci', `EPCI ${siren} inconnu.`, 400);
  return createOrganisation(db, { kind: 'epci', name: epci.name, siren });
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: Role;
  organisationId: string;
}

export async function createUser(db: TypedDb, u: NewUser) {
  const problem = passwordProblem(u.password);
  if (problem) throw new AppError('access.weak_password', problem, 400);
  const org = await findOrganisation(db, u.organisationId);
  if (!org) throw new AppError('access.unknown_organisation', 'Organisation introuvable.', 400);
  if (!roleFitsOrganisation(u.role, org.kind as OrganisationKind))
    throw new AppError('access.role_mismatch', `Le rôle « ${u.role} » est réservé aux agents d’un EPCI.`, 400);
  const email = normaliseEmail(u.email);
  const exists = await db.selectFrom('app_user').select('id').where(sql`lower(email)`, '=', email).executeTakeFirst();
  if (exists) throw new AppError('access.email_taken', `Un compte existe déjà pour ${email}.`, 409);
  return db
    .insertInto('app_user')
    .values({ email, name: u.name, role: u.role, organisation_id: u.organisationId, password_hash: await hash(u.password) })
    .returning(['id', 'email', 'name', 'role', 'organisation_id'])
    .executeTakeFirstOrThrow();
}

/** E-mail addresses of the active administrators and club operators (alerts of the platform itself, e.g. a failed data refresh). */
export async function adminEmails(db: TypedDb): Promise<string[]> {
  const rows = await db.selectFrom('app_user').select('email').where('role', 'in', ['admin', 'operator']).where('active', '=', true).orderBy('email').execute();
  return rows.map((r) => r.email);
}

/** Users, all of them or those of these organisations. */
export async function listUsers(db: TypedDb, organisationIds?: string[]) {
  let q = db
    .selectFrom('app_user as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.email', 'u.name', 'u.role', 'u.active', 'u.organisation_id', 'o.name as organisation_name', 'o.kind as organisation_kind']);
  if (organisationIds) q = q.where('u.organisation_id', 'in', organisationIds.length ? organisationIds : ['00000000-0000-0000-0000-000000000000']);
  return q.orderBy('u.email').execute();
}

export async function findUser(db: TypedDb, ref: { id?: string; email?: string }) {
  let q = db
    .selectFrom('app_user as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.email', 'u.name', 'u.role', 'u.active', 'u.organisation_id', 'o.kind as organisation_kind', 'o.name as organisation_name']);
  if (ref.id) q = q.where('u.id', '=', ref.id);
  else q = q.where(sql`lower(u.email)`, '=', normaliseEmail(ref.email ?? ''));
  return q.executeTakeFirst();
}

/** Deactivates or reactivates an account; deactivation closes its sessions at once. */
export async function setUserActive(db: TypedDb, userId: string, active: boolean) {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ active }).where('id', '=', userId).execute();
    if (!active) await trx.deleteFrom('user_session').where('user_id', '=', userId).execute();
  });
}

/** Changes a role (it applies from the next request: the role is read with the session). */
export async function setUserRole(db: TypedDb, userId: string, role: Role) {
  const user = await findUser(db, { id: userId });
  if (!user) throw notFound('Compte');
  if (!roleFitsOrganisation(role, user.organisation_kind as OrganisationKind))
    throw new AppError('access.role_mismatch', `Le rôle « ${role} » ne convient pas à une organisation de type « ${user.organisation_kind} ».`, 400);
  await db.updateTable('app_user').set({ role }).where('id', '=', userId).execute();
}

/** Sets a new password, closes the account's sessions and lifts a login lock on its address. */
export async function resetPassword(db: TypedDb, userId: string, password: string) {
  const problem = passwordProblem(password);
  if (problem) throw new AppError('access.weak_password', problem, 400);
  const user = await findUser(db, { id: userId });
  if (!user) throw notFound('Compte');
  const passwordHash = await hash(password);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
    await trx.deleteFrom('user_session').where('user_id', '=', userId).execute();
    await trx.deleteFrom('login_failure').where('email_hash', '=', sha256(normaliseEmail(user.email))).execute();
  });
}

export async function listSessions(db: TypedDb, userId: string) {
  return db
    .selectFrom('user_session')
    .select(['created_at', 'expires_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', new Date())
    .orderBy('created_at', 'desc')
    .execute();
}

export async function revokeSessions(db: TypedDb, userId: string): Promise<number> {
  const r = await db.deleteFrom('user_session').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

const locked = (until: Date) => new AppError('access.too_many_failures', lockedMessage(until), 429);

// A fixed hash to verify against when the e-mail is unknown, so response time does not reveal which accounts exist.
let decoyHash: Promise<string> | undefined;

/**
 * Checks e-mail and password and opens a session; returns the raw token for the cookie. Failures are counted per
 * address (known or not, so that the lock tells nothing about which accounts exist); after too many, the address is
 * locked for a while, even with the right password: that refusal is thrown (429) with the French message.
 */
export async function login(db: TypedDb, email: string, password: string, from: { ip?: string; userAgent?: string } = {}): Promise<{ token: string; userId: string } | null> {
  const address = normaliseEmail(email);
  const emailHash = sha256(address);
  const now = new Date();
  const failure = await db.selectFrom('login_failure').selectAll().where('email_hash', '=', emailHash).executeTakeFirst();
  if (failure?.locked_until && new Date(failure.locked_until) > now) throw locked(new Date(failure.locked_until));
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'password_hash', 'active'])
    .where(sql`lower(email)`, '=', address)
    .executeTakeFirst();
  let ok = false;
  if (!user || !user.active) {
    decoyHash ??= hash('leurre-pour-temps-constant');
    await verify(await decoyHash, password).catch(() => false);
  } else ok = await verify(user.password_hash, password);
  if (!ok || !user) {
    const next = afterFailure(failure ? { failures: failure.failures, firstFailedAt: new Date(failure.first_failed_at) } : undefined, now);
    const row = { failures: next.failures, first_failed_at: next.firstFailedAt, locked_until: next.lockedUntil };
    await db
      .insertInto('login_failure')
      .values({ email_hash: emailHash, ...row })
      .onConflict((oc) => oc.column('email_hash').doUpdateSet(row))
      .execute();
    if (next.lockedUntil) throw locked(next.lockedUntil);
    return null;
  }
  if (failure) await db.deleteFrom('login_failure').where('email_hash', '=', emailHash).execute();
  const token = newSecret();
  await db
    .insertInto('user_session')
    .values({
      token_hash: sha256(token),
      user_id: user.id,
      expires_at: new Date(Date.now() + SESSION_DAYS * 86400_000),
      ip: from.ip ?? null,
      user_agent: from.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, userId: user.id };
}

export async function logout(db: TypedDb, token: string) {
  await db.deleteFrom('user_session').where('token_hash', '=', sha256(token)).execute();
}

export async function principalFromSession(db: TypedDb, token: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.name', 'u.role', 'u.active', 'o.id as org_id', 'o.kind as org_kind', 'o.siren as org_siren', 'o.commune_code as org_commune'])
    .where('s.token_hash', '=', sha256(token))
    .where('s.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row || !row.active) return undefined;
  const role = row.role as Role; // the column's check constraint lists the roles
  const perimeter = await loadPerimeter(db, role, { id: row.org_id, kind: row.org_kind, siren: row.org_siren, communeCode: row.org_commune });
  return { kind: 'user', userId: row.id, name: row.name, role, organisationId: row.org_id, organisationKind: row.org_kind, perimeter };
}

// ---------------------------------------------------------------------------------------------------------------
// Perimeters: the facts `perimeterOf` needs, read once per request.

interface TerritoryIndex {
  territory: Record<string, string[]>;
  noms: Record<string, string>;
}
// The COG is loaded at start and never changes while the process runs: the communes of a set of EPCIs are read once.
const territories = new WeakMap<object, Map<string, Promise<TerritoryIndex>>>();

/** The instance's EPCIs with their communes (arrondissements included) and names. */
async function instanceTerritory(db: TypedDb): Promise<TerritoryIndex> {
  const epcis = (await instanceEpcis(db)).sort((a, b) => a.siren.localeCompare(b.siren));
  const key = epcis.map((e) => e.siren).join(',');
  let byKey = territories.get(db);
  if (!byKey) territories.set(db, (byKey = new Map()));
  let found = byKey.get(key);
  if (!found) {
    found = (async () => {
      const territory: Record<string, string[]> = {};
      const noms: Record<string, string> = {};
      for (const e of epcis) {
        territory[e.siren] = (await epciCommunes(db, e.siren, { arrondissements: true })).map((c) => c.code).sort();
        noms[e.siren] = e.name;
      }
      return { territory, noms };
    })();
    found.catch(() => byKey!.delete(key));
    byKey.set(key, found);
  }
  return found;
}

const grantsTables = new WeakMap<object, Promise<boolean>>();

/** EPCIs that authorised an organisation to read their demands (the demand module's table, read if it exists). */
async function demandGrants(db: TypedDb, organisationId: string): Promise<string[]> {
  let exists = grantsTables.get(db);
  if (!exists) {
    exists = sql<{ t: string | null }>`select to_regclass('demand_partner_access')::text as t`.execute(db).then((r) => !!r.rows[0]?.t);
    grantsTables.set(db, exists);
  }
  if (!(await exists)) return [];
  const rows = await db.selectFrom('demand_partner_access').select('epci_siren').where('organisation_id', '=', organisationId).execute();
  return rows.map((r) => r.epci_siren as string);
}

async function loadPerimeter(db: TypedDb, role: Role, organisation: { id: string; kind: string; siren: string | null; communeCode: string | null }): Promise<Perimeter> {
  const { territory, noms } = await instanceTerritory(db);
  const links = (await db.selectFrom('organisation_epci').select('epci_siren').where('organisation_id', '=', organisation.id).execute()).map((r) => r.epci_siren as string);
  let commune: { epci: string | null; codes: string[] } | undefined;
  if (organisation.kind === 'commune' && organisation.communeCode) {
    const code = organisation.communeCode;
    const epci = (await placesByCode(db, [code])).get(code)?.epci_siren ?? null;
    const places = epci ? await epciCommunes(db, epci, { arrondissements: true }) : [];
    const codes = places.filter((c) => c.code === code || c.parent_code === code).map((c) => c.code).sort();
    commune = { epci, codes };
  }
  let epciOrganisations: string[] = [];
  if (organisation.kind === 'epci' && organisation.siren && territory[organisation.siren]) epciOrganisations = await organisationsOfEpci(db, organisation.siren);
  return perimeterOf({ role, organisation, territory, noms, commune, links, epciOrganisations, demandGrants: await demandGrants(db, organisation.id) });
}

/** The organisations attached to an EPCI: its own, the partners it linked, the organisations of its communes. */
export async function organisationsOfEpci(db: TypedDb, epci: string): Promise<string[]> {
  const communes = (await epciCommunes(db, epci, { arrondissements: true })).map((c) => c.code);
  const rows = await db
    .selectFrom('organisation as o')
    .select('o.id')
    .where((eb) =>
      eb.or([
        eb.and([eb('o.kind', '=', 'epci'), eb('o.siren', '=', epci)]),
        ...(communes.length ? [eb.and([eb('o.kind', '=', 'commune'), eb('o.commune_code', 'in', communes)])] : []),
        eb('o.id', 'in', eb.selectFrom('organisation_epci').select('organisation_id').where('epci_siren', '=', epci)),
      ]),
    )
    .execute();
  return rows.map((r) => r.id);
}

export async function createApiKey(db: TypedDb, organisationId: string, name: string) {
  const { key, prefix, hash: keyHash } = newApiKey();
  const row = await db
    .insertInto('api_key')
    .values({ organisation_id: organisationId, name, prefix, key_hash: keyHash })
    .returning(['id', 'organisation_id', 'name', 'prefix', 'created_at'])
    .executeTakeFirstOrThrow();
  return { ...row, key };
}

/** API keys, all of them or those of these organisations. */
export async function listApiKeys(db: TypedDb, organisationIds?: string[]) {
  let q = db.selectFrom('api_key').select(['id', 'organisation_id', 'name', 'prefix', 'created_at', 'revoked_at', 'last_used_at']);
  if (organisationIds) q = q.where('organisation_id', 'in', organisationIds.length ? organisationIds : ['00000000-0000-0000-0000-000000000000']);
  return q.orderBy('created_at', 'desc').execute();
}

export async function revokeApiKey(db: TypedDb, id: string) {
  return db.updateTable('api_key').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).returning(['id', 'organisation_id']).executeTakeFirst();
}

/** API keys act for their organisation with the partner role. */
export async function principalFromApiKey(db: TypedDb, key: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_key as k')
    .innerJoin('organisation as o', 'o.id', 'k.organisation_id')
    .select(['k.id', 'k.name', 'o.id as org_id', 'o.kind as org_kind', 'o.siren as org_siren', 'o.commune_code as org_commune'])
    .where('k.key_hash', '=', sha256(key))
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  await db.updateTable('api_key').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
  const perimeter = await loadPerimeter(db, 'partner', { id: row.org_id, kind: row.org_kind, siren: row.org_siren, communeCode: row.org_commune });
  return { kind: 'apikey', apiKeyId: row.id, name: row.name, role: 'partner', organisationId: row.org_id, organisationKind: row.org_kind, perimeter };
}

/** The audit log, newest first: all of it, or the entries on these EPCIs' perimeter or by these organisations. */
export async function listAudit(db: TypedDb, opts: { limit: number; epcis?: string[]; organisationIds?: string[]; entity?: string }) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.epcis || opts.organisationIds)
    q = q.where((eb) =>
      eb.or([
        ...(opts.epcis?.length ? [eb('epci_siren', 'in', opts.epcis)] : []),
        ...(opts.organisationIds?.length ? [eb('organisation_id', 'in', opts.organisationIds)] : []),
        eb.val(false),
      ]),
    );
  if (opts.entity) q = q.where('entity', '=', opts.entity);
  return q.execute();
}

// ---------------------------------------------------------------------------------------------------------------
// Sharing with the club.

/** For every instance EPCI, what it shares with the club. */
export async function listSharing(db: TypedDb): Promise<{ epci: string; name: string; items: Sharable[] }[]> {
  const epcis = await instanceEpcis(db);
  const rows = await db.selectFrom('epci_sharing').select(['epci_siren', 'item']).orderBy('item').execute();
  return epcis.map((e) => ({ epci: e.siren, name: e.name, items: rows.filter((r) => r.epci_siren === e.siren).map((r) => r.item as Sharable) }));
}

/** The EPCIs that share this with the club. */
export async function sharedBy(db: TypedDb, item: Sharable): Promise<string[]> {
  return (await db.selectFrom('epci_sharing').select('epci_siren').where('item', '=', item).orderBy('epci_siren').execute()).map((r) => r.epci_siren);
}

export async function setSharing(db: TypedDb, epci: string, items: Sharable[], userId: string | null) {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('epci_sharing').where('epci_siren', '=', epci).where('item', 'not in', items.length ? items : ['']).execute();
    for (const item of items)
      await trx.insertInto('epci_sharing').values({ epci_siren: epci, item, shared_by: userId }).onConflict((oc) => oc.doNothing()).execute();
  });
}
