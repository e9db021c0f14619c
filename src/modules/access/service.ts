// The access module's use cases, shared by its routes and its commands: who an administrator may act on, accounts,
// organisations and their links to EPCIs, sessions, API keys, the audit log as each caller may read it, sharing.
import type { TypedDb } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Principal, Role } from '../../platform/http/access.ts';
import { communesOf, describePerimeter, epcisOf, type Perimeter } from '../../platform/http/perimeter.ts';
import type { Me } from './contract.ts';
import { isPersonalAudit, PARTNER_KINDS, type Sharable } from './model.ts';
import * as store from './store.ts';

export {
  createApiKey,
  createOrganisation,
  createUser,
  ensureClubOrganisation,
  ensureEpciOrganisation,
  findOrganisation,
  findUser,
  listOrganisations,
  listSharing,
  listUsers,
  organisationEpcis,
  organisationsOfEpci,
  resetPassword,
  revokeSessions,
} from './store.ts';

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

const PERIMETER_KINDS = { operateur: 'operator', epci: 'epci', commune: 'commune', partenaire: 'partner' } as const;

/** The caller, its organisation and where it acts, for the web app. */
export async function me(db: TypedDb, p: Principal): Promise<Me> {
  const organisation = await store.findOrganisation(db, p.organisationId);
  if (!organisation) throw notFound('Organisation');
  const m = p.perimeter;
  return {
    kind: p.kind,
    name: p.name,
    role: p.role,
    organisation,
    perimeter: {
      kind: PERIMETER_KINDS[m.kind],
      description: describePerimeter(m),
      epci: m.epci,
      epcis: epcisOf(m).map((siren) => ({ siren, name: m.noms[siren] ?? siren })),
      communes: communesOf(m).length,
      writes: m.ecrit,
      administers: m.administre,
    },
  };
}

/** A partner organisation that may be linked to an EPCI; an EPCI, a commune or the club's organisation never is. */
export async function linkablePartner(db: TypedDb, organisationId: string) {
  const org = await store.findOrganisation(db, organisationId);
  if (!org) throw notFound('Organisation');
  if (!(PARTNER_KINDS as readonly string[]).includes(org.kind) || org.kind === 'commune')
    throw new AppError('access.link_refused', 'Seul un partenaire (bailleur, promoteur, ADIL, État…) se rattache à un EPCI : une commune appartient déjà au sien.', 400);
  return org;
}

/** Links a partner organisation to an EPCI (idempotent). */
export const linkPartner = (db: TypedDb, org: { id: string }, epci: string) => store.linkOrganisation(db, org.id, epci);

/** Removes a partner's link to an EPCI; false when there was none. */
export const unlinkPartner = (db: TypedDb, organisationId: string, epci: string) => store.unlinkOrganisation(db, organisationId, epci);

/** Changes an account's role and whether it is active (deactivation closes its sessions); returns it afterwards. */
export async function changeUser(db: TypedDb, user: { id: string; role: string; active: boolean }, change: { role?: Role; active?: boolean }) {
  if (change.role && change.role !== user.role) await store.setUserRole(db, user.id, change.role);
  if (change.active !== undefined && change.active !== user.active) await store.setUserActive(db, user.id, change.active);
  const after = await store.findUser(db, { id: user.id });
  if (!after) throw notFound('Compte');
  return after;
}

/** An account's open sessions, timestamps as ISO strings. */
export async function listSessions(db: TypedDb, userId: string) {
  return (await store.listSessions(db, userId)).map((s) => ({ ...s, created_at: iso(s.created_at), expires_at: iso(s.expires_at) }));
}

/** API keys, all of them or those of these organisations; timestamps as ISO strings. */
export async function listApiKeys(db: TypedDb, organisationIds?: string[]) {
  return (await store.listApiKeys(db, organisationIds)).map((k) => ({
    ...k,
    created_at: iso(k.created_at),
    revoked_at: isoOrNull(k.revoked_at),
    last_used_at: isoOrNull(k.last_used_at),
  }));
}

/** Revokes a key the caller may act on (`mayAct` checks the perimeter); 404 for an unknown or already revoked key. */
export async function revokeApiKey(db: TypedDb, id: string, mayAct: (organisationId: string) => Promise<void> | void) {
  const key = (await store.listApiKeys(db)).find((k) => k.id === id);
  if (!key || key.revoked_at) throw notFound('Clé d’API');
  await mayAct(key.organisation_id);
  await store.revokeApiKey(db, key.id);
}

const PERSONAL = 'données personnelles';

/**
 * The audit log as this administrator may read it: its EPCI's entries, or for the operator everyone's, without the
 * identifiers and detail of entries on personal data unless an EPCI granted the operator's organisation that.
 */
export async function readAudit(db: TypedDb, p: Perimeter, q: { limit: number; entity?: string; epci?: string }) {
  const operator = p.administre === 'instance';
  const epcis = operator ? (q.epci ? [q.epci] : undefined) : [p.epci!];
  const rows = await store.listAudit(db, { limit: q.limit, entity: q.entity, epcis });
  const granted = new Set(p.demandes.map((d) => d.epci));
  return rows.map((e) => {
    const entry = { ...e, at: iso(e.at) };
    return operator && isPersonalAudit(e.entity) && !(e.epci_siren && granted.has(e.epci_siren)) ? { ...entry, entity_id: null, detail: null, masked: PERSONAL } : entry;
  });
}

/** What one EPCI shares with the club, after it chose. */
export async function shareWithClub(db: TypedDb, epci: string, items: Sharable[], userId: string | null) {
  await store.setSharing(db, epci, [...new Set(items)], userId);
  const mine = (await store.listSharing(db)).find((s) => s.epci === epci);
  if (!mine) throw notFound('EPCI');
  return mine;
}
