// Access rules: roles, organisation kinds, secrets (session tokens, API keys) and what a role may do. No I/O.
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../platform/http/access.ts';

export const ORGANISATION_KINDS = ['epci', 'commune', 'bailleur', 'promoteur', 'etat', 'adil', 'public'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
export const ORGANISATION_KIND_LABELS: Record<OrganisationKind, string> = {
  epci: 'EPCI',
  commune: 'Commune',
  bailleur: 'Bailleur social',
  promoteur: 'Promoteur',
  etat: 'Services de l’État',
  adil: 'ADIL',
  public: 'Public',
};
export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrateur',
  agent: 'Agent de l’EPCI',
  partner: 'Partenaire',
  readonly: 'Lecture seule',
};

/** Staff roles (admin, agent) belong to the EPCI; a partner organisation's users are partners or read-only. */
export function roleFitsOrganisation(role: Role, kind: OrganisationKind): boolean {
  if (role === 'admin' || role === 'agent') return kind === 'epci';
  return true;
}

export const SESSION_DAYS = 7;
export const MIN_PASSWORD_LENGTH = 12;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Le mot de passe doit compter au moins ${MIN_PASSWORD_LENGTH} caractères.`;
  return null;
}

/** Secrets are 32 random bytes; only their SHA-256 is stored, so a database leak gives no usable token. */
export const newSecret = () => randomBytes(32).toString('base64url');
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export const API_KEY_PREFIX = 'hc_';
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + newSecret();
  return { key, prefix: key.slice(0, 10), hash: sha256(key) };
}

export const normaliseEmail = (e: string) => e.trim().toLowerCase();
