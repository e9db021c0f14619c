// Incidents on buildings, tenants' contacts and the alerts sent to them and to EPCI agents.
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { audit } from '../access/audit.ts';
import {
  CONTACT_PURPOSE,
  alertsAgents,
  incidentMessage,
  maskAddress,
  mayNotify,
  retentionEnd,
  transitionProblem,
  type ContactChannel,
  type IncidentCategory,
  type IncidentSeverity,
  type IncidentStatus,
} from './model.ts';
import { channelsFor } from './notify.ts';

export interface IncidentRow {
  id: string;
  organisation_id: string;
  building_id: string;
  building_ref: string;
  commune_code: string;
  adresse: string | null;
  reference: string | null;
  category: IncidentCategory;
  severity: IncidentSeverity;
  status: IncidentStatus;
  nb_logements_concernes: number | null;
  started_at: Date;
  resolved_at: Date | null;
}

export async function buildingOwner(db: Db, buildingId: string): Promise<{ organisation_id: string; reference: string; adresse: string | null } | undefined> {
  return db.selectFrom('stock_building').select(['organisation_id', 'reference', 'adresse']).where('id', '=', buildingId).executeTakeFirst() as any;
}

export async function getIncident(db: Db, id: string): Promise<IncidentRow | undefined> {
  const rows = await listIncidents(db, { ids: [id] });
  return rows[0];
}

export async function listIncidents(db: Db, f: { organisationId?: string; status?: IncidentStatus; ids?: string[]; buildingId?: string; communes?: string[] } = {}): Promise<IncidentRow[]> {
  let q = db
    .selectFrom('stock_incident as i')
    .innerJoin('stock_building as b', 'b.id', 'i.building_id')
    .select([
      'i.id', 'i.organisation_id', 'i.building_id', 'b.reference as building_ref', 'b.commune_code', 'b.adresse', 'i.reference', 'i.category',
      'i.severity', 'i.status', 'i.nb_logements_concernes', 'i.started_at', 'i.resolved_at',
    ]);
  if (f.organisationId) q = q.where('i.organisation_id', '=', f.organisationId);
  if (f.status) q = q.where('i.status', '=', f.status);
  if (f.buildingId) q = q.where('i.building_id', '=', f.buildingId);
  if (f.ids) q = q.where('i.id', 'in', f.ids);
  if (f.communes) q = q.where('b.commune_code', 'in', f.communes.length ? f.communes : ['']);
  const rows = await q.orderBy('i.started_at', 'desc').limit(1000).execute();
  return rows.map((r: any) => ({ ...r, started_at: new Date(r.started_at), resolved_at: r.resolved_at ? new Date(r.resolved_at) : null }));
}

export interface NewIncident {
  building_id: string;
  reference?: string | null;
  category: IncidentCategory;
  severity: IncidentSeverity;
  status: IncidentStatus;
  started_at: Date;
  resolved_at?: Date | null;
  nb_logements_concernes?: number | null;
}

export async function createIncident(db: Db, organisationId: string, actorKind: string, n: NewIncident): Promise<IncidentRow> {
  const resolvedAt = n.status === 'resolu' ? (n.resolved_at ?? new Date()) : null;
  if (resolvedAt && resolvedAt < n.started_at) throw new AppError('stock.dates', 'La date de résolution précède la date de début de l’incident.', 400);
  if (n.reference) {
    const dup = await db.selectFrom('stock_incident').select('id').where('organisation_id', '=', organisationId).where('reference', '=', n.reference).executeTakeFirst();
    if (dup) throw new AppError('stock.incident_existant', `L’incident « ${n.reference} » existe déjà : mettez-le à jour (PATCH /api/stock/incidents/${dup.id}).`, 409);
  }
  const id = await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('stock_incident')
      .values({
        organisation_id: organisationId,
        building_id: n.building_id,
        reference: n.reference ?? null,
        category: n.category,
        severity: n.severity,
        status: n.status,
        nb_logements_concernes: n.nb_logements_concernes ?? null,
        started_at: n.started_at,
        resolved_at: resolvedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.insertInto('stock_incident_event').values({ incident_id: row.id, status: n.status, actor_kind: actorKind }).execute();
    return row.id as string;
  });
  return (await getIncident(db, id))!;
}

export async function updateIncident(db: Db, current: IncidentRow, actorKind: string, u: { status: IncidentStatus; resolved_at?: Date | null; severity?: IncidentSeverity }): Promise<IncidentRow> {
  const problem = transitionProblem(current.status, u.status);
  if (problem) throw new AppError('stock.transition', problem, 409);
  const resolvedAt = u.status === 'resolu' ? (u.resolved_at ?? new Date()) : null;
  if (resolvedAt && resolvedAt < current.started_at) throw new AppError('stock.dates', 'La date de résolution précède la date de début de l’incident.', 400);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('stock_incident')
      .set({ status: u.status, resolved_at: resolvedAt, severity: u.severity ?? current.severity, updated_at: new Date() })
      .where('id', '=', current.id)
      .execute();
    await tx.insertInto('stock_incident_event').values({ incident_id: current.id, status: u.status, actor_kind: actorKind }).execute();
  });
  return (await getIncident(db, current.id))!;
}

// ---------------------------------------------------------------- contacts

export async function addContact(
  db: Db,
  c: { building_id: string; organisation_id: string; channel: ContactChannel; address: string; consent: boolean; consent_at: Date },
): Promise<{ id: string }> {
  const row = await db
    .insertInto('stock_contact')
    .values({ ...c, purpose: CONTACT_PURPOSE, retention_until: retentionEnd(c.consent_at), withdrawn_at: null })
    .onConflict((oc) =>
      oc.columns(['building_id', 'channel', 'address']).doUpdateSet({
        consent: c.consent,
        consent_at: c.consent_at,
        retention_until: retentionEnd(c.consent_at),
        withdrawn_at: null,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id as string };
}

/** Erases contacts past their retention date: run by the scheduled purge (stockModule.purge, `habitat purge`). */
export async function purgeExpiredContacts(db: Db, now = new Date()): Promise<number> {
  const r = await db.deleteFrom('stock_contact').where('retention_until', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

/** A building's contacts, masked, for its landlord. The read is audited. */
export async function readContacts(db: Db, req: FastifyRequest, buildingId: string) {
  // Between two purges an expired contact may still be stored: it is never shown.
  const rows = await db
    .selectFrom('stock_contact')
    .select(['id', 'channel', 'address', 'purpose', 'consent', 'consent_at', 'withdrawn_at', 'retention_until'])
    .where('building_id', '=', buildingId)
    .where('retention_until', '>', new Date())
    .orderBy('created_at')
    .execute();
  await audit(db, req, { action: 'read', entity: 'stock_contact', entityId: buildingId, detail: { contacts: rows.length, motif: 'consultation par le bailleur' } });
  return rows.map((r: any) => ({
    id: r.id as string,
    canal: r.channel as ContactChannel,
    adresse_masquee: maskAddress(r.channel, r.address),
    finalite: r.purpose as string,
    consentement: r.consent as boolean,
    date_consentement: new Date(r.consent_at).toISOString(),
    retrait: r.withdrawn_at ? new Date(r.withdrawn_at).toISOString() : null,
    conservation_jusqu_au: new Date(r.retention_until).toISOString(),
  }));
}

export async function contactOwner(db: Db, id: string): Promise<string | undefined> {
  const r = await db.selectFrom('stock_contact').select('organisation_id').where('id', '=', id).executeTakeFirst();
  return r?.organisation_id as string | undefined;
}

/** Withdrawal of consent erases the contact: nothing is kept that could still be used. */
export async function eraseContact(db: Db, id: string): Promise<void> {
  const r = await db.deleteFrom('stock_contact').where('id', '=', id).executeTakeFirst();
  if (!Number(r.numDeletedRows ?? 0)) throw notFound('Contact');
}

// ---------------------------------------------------------------- notifications

export interface NotificationSummary {
  locataires: number;
  agents: number;
  echecs: number;
  sans_fournisseur: number;
}

/**
 * Alerts the building's tenants who opted in, and the EPCI's agents for serious incidents. The read of contacts is
 * audited; the address is never copied into the notification log. A channel failure is recorded, never thrown.
 */
export async function notifyIncident(ctx: AppContext, req: FastifyRequest | null, incident: IncidentRow, event: 'ouverture' | 'resolution'): Promise<NotificationSummary> {
  const db = ctx.db;
  const now = new Date();
  // Between two purges an expired contact may still be stored: it is never read nor alerted.
  const contacts = (await db
    .selectFrom('stock_contact')
    .select(['id', 'channel', 'address', 'consent', 'purpose', 'withdrawn_at', 'retention_until'])
    .where('building_id', '=', incident.building_id)
    .where('retention_until', '>', now)
    .execute()) as any[];
  const eligible = contacts.filter((c) =>
    mayNotify({ consent: c.consent, purpose: c.purpose, withdrawn_at: c.withdrawn_at ? new Date(c.withdrawn_at) : null, retention_until: new Date(c.retention_until) }, now),
  );
  await audit(db, req, {
    action: 'read',
    entity: 'stock_contact',
    entityId: incident.building_id,
    detail: { motif: `alerte incident ${incident.id} (${event})`, contacts: contacts.length, avec_consentement: eligible.length },
  });
  const agents = alertsAgents(incident.severity)
    ? ((await db
        .selectFrom('app_user as u')
        .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
        .select(['u.id', 'u.email'])
        .where('u.role', '=', 'agent')
        .where('u.active', '=', true)
        .where('o.kind', '=', 'epci')
        // The agents concerned: those of the EPCI the building's commune belongs to (an arrondissement through its city).
        .where(
          'o.siren',
          '=',
          sql<string>`(select coalesce(c.epci_siren, p.epci_siren) from commune c left join commune p on p.code = c.parent_code where c.code = ${incident.commune_code})`,
        )
        .execute()) as { id: string; email: string }[])
    : [];
  const { mailer, sms } = channelsFor(ctx);
  const msg = incidentMessage({ category: incident.category, status: incident.status, address: incident.adresse, building_ref: incident.building_ref });
  const summary: NotificationSummary = { locataires: 0, agents: 0, echecs: 0, sans_fournisseur: 0 };
  const log: Record<string, unknown>[] = [];
  const attempt = async (kind: 'locataire' | 'agent', channel: ContactChannel, to: string, ids: { contact_id?: string; user_id?: string }) => {
    const provider = channel === 'email' ? mailer : sms;
    let status: 'envoye' | 'echec' | 'sans-fournisseur' = 'envoye';
    let error: string | null = null;
    if (!provider) status = 'sans-fournisseur';
    else {
      try {
        if (channel === 'email') await mailer!.send({ to, subject: msg.subject, text: msg.text });
        else await sms!.send(to, `${msg.text} Pour ne plus recevoir ces alertes, contactez votre bailleur.`);
      } catch (err) {
        status = 'echec';
        error = String((err as Error).message ?? err).slice(0, 300);
      }
    }
    if (status === 'envoye') summary[kind === 'locataire' ? 'locataires' : 'agents']++;
    else if (status === 'echec') summary.echecs++;
    else summary.sans_fournisseur++;
    log.push({ incident_id: incident.id, event, recipient_kind: kind, channel, status, error, contact_id: ids.contact_id ?? null, user_id: ids.user_id ?? null });
  };
  for (const c of eligible) await attempt('locataire', c.channel, c.address, { contact_id: c.id });
  for (const a of agents)
    await attempt('agent', 'email', a.email, { user_id: a.id });
  if (log.length) await db.insertInto('stock_notification').values(log).execute();
  return summary;
}

export async function incidentSpans(db: Db, f: { organisationId?: string; communes?: string[] }) {
  let q = db
    .selectFrom('stock_incident as i')
    .innerJoin('stock_building as b', 'b.id', 'i.building_id')
    .innerJoin('organisation as o', 'o.id', 'i.organisation_id')
    .select(['i.building_id', 'b.reference', 'b.adresse', 'i.organisation_id', 'o.name', 'i.started_at', 'i.resolved_at']);
  if (f.organisationId) q = q.where('i.organisation_id', '=', f.organisationId);
  if (f.communes) q = q.where('b.commune_code', 'in', f.communes.length ? f.communes : ['']);
  return (await q.execute()).map((r: any) => ({ ...r, started_at: new Date(r.started_at), resolved_at: r.resolved_at ? new Date(r.resolved_at) : null }));
}

export async function notificationsOf(db: Db, incidentId: string) {
  return db
    .selectFrom('stock_notification')
    .select(['event', 'recipient_kind', 'channel', 'status', sql<string>`at::text`.as('at')])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}
