// Organisations, users, sessions and API keys in the store.
import { hash, verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Principal, Role } from '../../platform/http/access.ts';
import {
  newApiKey,
  newSecret,
  normaliseEmail,
  passwordProblem,
  roleFitsOrganisation,
  SESSION_DAYS,
  sha256,
  type OrganisationKind,
} from './model.ts';

export interface NewOrganisation {
  kind: OrganisationKind;
  name: string;
  siren?: string | null;
  commune_code?: string | null;
}

export async function createOrganisation(db: Db, o: NewOrganisation) {
  const sirenTaken = async () => {
    const other = o.siren ? await db.selectFrom('organisation').select('name').where('siren', '=', o.siren).executeTakeFirst() : undefined;
    return other && new AppError('access.siren_taken', `Une organisation porte déjà le SIREN ${o.siren} : « ${other.name} ».`, 409);
  };
  const taken = await sirenTaken();
  if (taken) throw taken;
  try {
    return await db
      .insertInto('organisation')
      .values({ kind: o.kind, name: o.name, siren: o.siren ?? null, commune_code: o.commune_code ?? null })
      .returning(['id', 'kind', 'name', 'siren', 'commune_code'])
      .executeTakeFirstOrThrow();
  } catch (e) {
    // Two creations at the same moment: the unique index lets one through; the other is told why.
    if ((e as { code?: string }).code === '23505') throw (await sirenTaken()) ?? e;
    throw e;
  }
}

export async function listOrganisations(db: Db) {
  return db.selectFrom('organisation').select(['id', 'kind', 'name', 'siren', 'commune_code']).orderBy('name').execute();
}

export async function findOrganisation(db: Db, id: string) {
  return db.selectFrom('organisation').select(['id', 'kind', 'name', 'siren', 'commune_code']).where('id', '=', id).executeTakeFirst();
}

/** The organisation of an instance EPCI, created on first use so the first admin has a home. */
export async function ensureEpciOrganisation(db: Db, siren: string) {
  const found = await db.selectFrom('organisation').select(['id', 'kind', 'name']).where('siren', '=', siren).executeTakeFirst();
  if (found) return found;
  const epci = await db.selectFrom('epci').select(['nom']).where('siren', '=', siren).executeTakeFirst();
  if (!epci) throw new AppError('access.unknown_epci', `EPCI ${siren} inconnu.`, 400);
  return createOrganisation(db, { kind: 'epci', name: epci.nom, siren });
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: Role;
  organisationId: string;
}

export async function createUser(db: Db, u: NewUser) {
  const problem = passwordProblem(u.password);
  if (problem) throw new AppError('access.weak_password', problem, 400);
  const org = await findOrganisation(db, u.organisationId);
  if (!org) throw new AppError('access.unknown_organisation', 'Organisation introuvable.', 400);
  if (!roleFitsOrganisation(u.role, org.kind))
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

export async function listUsers(db: Db, organisationId?: string) {
  let q = db
    .selectFrom('app_user as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.email', 'u.name', 'u.role', 'u.active', 'u.organisation_id', 'o.name as organisation_name']);
  if (organisationId) q = q.where('u.organisation_id', '=', organisationId);
  return q.orderBy('u.email').execute();
}

// A fixed hash to verify against when the e-mail is unknown, so response time does not reveal which accounts exist.
let decoyHash: Promise<string> | undefined;

/** Checks e-mail and password and opens a session; returns the raw token for the cookie. */
export async function login(db: Db, email: string, password: string): Promise<{ token: string; userId: string } | null> {
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'password_hash', 'active'])
    .where(sql`lower(email)`, '=', normaliseEmail(email))
    .executeTakeFirst();
  if (!user || !user.active) {
    decoyHash ??= hash('leurre-pour-temps-constant');
    await verify(await decoyHash, password).catch(() => false);
    return null;
  }
  if (!(await verify(user.password_hash, password))) return null;
  const token = newSecret();
  await db
    .insertInto('user_session')
    .values({ token_hash: sha256(token), user_id: user.id, expires_at: new Date(Date.now() + SESSION_DAYS * 86400_000) })
    .execute();
  return { token, userId: user.id };
}

export async function logout(db: Db, token: string) {
  await db.deleteFrom('user_session').where('token_hash', '=', sha256(token)).execute();
}

export async function principalFromSession(db: Db, token: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.name', 'u.role', 'u.active', 'o.id as org_id', 'o.kind as org_kind'])
    .where('s.token_hash', '=', sha256(token))
    .where('s.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row || !row.active) return undefined;
  return { kind: 'user', userId: row.id, name: row.name, role: row.role, organisationId: row.org_id, organisationKind: row.org_kind };
}

export async function createApiKey(db: Db, organisationId: string, name: string) {
  const { key, prefix, hash: keyHash } = newApiKey();
  const row = await db
    .insertInto('api_key')
    .values({ organisation_id: organisationId, name, prefix, key_hash: keyHash })
    .returning(['id', 'organisation_id', 'name', 'prefix', 'created_at'])
    .executeTakeFirstOrThrow();
  return { ...row, key };
}

export async function listApiKeys(db: Db, organisationId?: string) {
  let q = db.selectFrom('api_key').select(['id', 'organisation_id', 'name', 'prefix', 'created_at', 'revoked_at', 'last_used_at']);
  if (organisationId) q = q.where('organisation_id', '=', organisationId);
  return q.orderBy('created_at', 'desc').execute();
}

export async function revokeApiKey(db: Db, id: string) {
  return db.updateTable('api_key').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).returning(['id', 'organisation_id']).executeTakeFirst();
}

/** API keys act for their organisation with the partner role. */
export async function principalFromApiKey(db: Db, key: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_key as k')
    .innerJoin('organisation as o', 'o.id', 'k.organisation_id')
    .select(['k.id', 'k.name', 'o.id as org_id', 'o.kind as org_kind'])
    .where('k.key_hash', '=', sha256(key))
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  await db.updateTable('api_key').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
  return { kind: 'apikey', apiKeyId: row.id, name: row.name, role: 'partner', organisationId: row.org_id, organisationKind: row.org_kind };
}

export async function listAudit(db: Db, opts: { limit: number; organisationId?: string; entity?: string }) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.organisationId) q = q.where('organisation_id', '=', opts.organisationId);
  if (opts.entity) q = q.where('entity', '=', opts.entity);
  return q.execute();
}
