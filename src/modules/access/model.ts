// Access rules: roles, organisation kinds, secrets (session tokens, API keys) and what a role may do. No I/O.
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../platform/http/access.ts';

export const ORGANISATION_KINDS = ['epci', 'commune', 'bailleur', 'promoteur', 'etat', 'adil', 'public', 'club'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
/** Kinds an admin may create: EPCI organisations come from the configuration, the club's from the first operator. */
export const PARTNER_KINDS = ORGANISATION_KINDS.filter((k) => k !== 'epci' && k !== 'club');

/**
 * Staff roles (admin, agent) belong to an EPCI; the operator to the club's organisation, which has no other role;
 * any other organisation's users are partners or read-only.
 */
export function roleFitsOrganisation(role: Role, kind: OrganisationKind): boolean {
  if (role === 'admin' || role === 'agent') return kind === 'epci';
  if (role === 'operator' || kind === 'club') return role === 'operator' && kind === 'club';
  return true;
}

/** Lock an address for a while after repeated failed logins (counted per address, whether an account exists or not). */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MINUTES = 15;
const LOGIN_LOCK_MINUTES = 15;

/** After a failed login: the new count, and until when the address is locked (null: not locked). */
export function afterFailure(prev: { failures: number; firstFailedAt: Date } | undefined, now: Date): { failures: number; firstFailedAt: Date; lockedUntil: Date | null } {
  const fresh = !prev || now.getTime() - prev.firstFailedAt.getTime() > LOGIN_WINDOW_MINUTES * 60_000;
  const failures = fresh ? 1 : prev.failures + 1;
  const firstFailedAt = fresh ? now : prev.firstFailedAt;
  return { failures, firstFailedAt, lockedUntil: failures >= LOGIN_MAX_FAILURES ? new Date(now.getTime() + LOGIN_LOCK_MINUTES * 60_000) : null };
}

export const lockedMessage = (until: Date) =>
  `Trop d’échecs de connexion avec cette adresse : la connexion est bloquée jusqu’à ${until.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' })} (heure de Paris). Réessayez ensuite, ou demandez à votre administrateur de réinitialiser votre mot de passe.`;

/** What an EPCI may share with the club (table epci_partage). */
export const SHARABLE = ['indicateurs_plh', 'conformite_referentiel'] as const;
export type Sharable = (typeof SHARABLE)[number];

/** Audit entries that name a person's data: an operator sees them without their identifiers or details. */
export function isPersonalAudit(entity: string): boolean {
  return /^(demand|stock_contact)$/.test(entity) || entity.startsWith('/api/demand/demands') || entity.startsWith('/api/demand/import') || /\/contacts\b/.test(entity);
}

export const SESSION_DAYS = 7;
const MIN_PASSWORD_LENGTH = 12;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Le mot de passe doit compter au moins ${MIN_PASSWORD_LENGTH} caractères.`;
  return null;
}

/** Secrets are 32 random bytes; only their SHA-256 is stored, so a database leak gives no usable token. */
export const newSecret = () => randomBytes(32).toString('base64url');
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const API_KEY_PREFIX = 'hc_';
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + newSecret();
  return { key, prefix: key.slice(0, 10), hash: sha256(key) };
}

export const normaliseEmail = (e: string) => e.trim().toLowerCase();
