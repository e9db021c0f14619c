// SQL of the stock module: ADEME DPEs and their imports, landlords' buildings, incidents, tenants' contacts and the
// alerts sent. SQL only (the lake's RPLS is in lake.ts); the use cases that combine them are in service.ts.
import { sql, type Insertable } from 'kysely';
import type { StockBuilding, StockDpe, StockNotification } from '../../platform/db-schema.ts';
import type { TypedDb } from '../../platform/db.ts';
import {
  CONTACT_PURPOSE,
  emptyCounts,
  parseDpeClass,
  retentionEnd,
  type ClassCounts,
  type ContactChannel,
  type DpeClass,
  type IncidentCategory,
  type IncidentSeverity,
  type IncidentStatus,
} from './model.ts';

const BATCH = 500;
const NO_ID = '00000000-0000-0000-0000-000000000000';

// ---------------------------------------------------------------- DPEs

export type DpeValues = Insertable<StockDpe>;

/** A DPE file already imported (same content), or undefined. */
export async function dpeImportOf(db: TypedDb, sha256: string) {
  return db.selectFrom('stock_dpe_import').select(['file', 'layout', 'lines', 'accepted']).where('sha256', '=', sha256).executeTakeFirst();
}

/** Inserts DPEs, or replaces them by DPE number (a re-import changes nothing); the link to a building is kept. */
export async function upsertDpes(db: TypedDb, values: DpeValues[]): Promise<void> {
  for (let i = 0; i < values.length; i += BATCH)
    await db
      .insertInto('stock_dpe')
      .values(values.slice(i, i + BATCH))
      .onConflict((oc) =>
        oc.column('numero_dpe').doUpdateSet((eb) => ({
          date_reception: eb.ref('excluded.date_reception'),
          etiquette_dpe: eb.ref('excluded.etiquette_dpe'),
          etiquette_ges: eb.ref('excluded.etiquette_ges'),
          type_batiment: eb.ref('excluded.type_batiment'),
          surface_m2: eb.ref('excluded.surface_m2'),
          conso_ep_m2: eb.ref('excluded.conso_ep_m2'),
          ges_m2: eb.ref('excluded.ges_m2'),
          commune_code: eb.ref('excluded.commune_code'),
          code_insee_source: eb.ref('excluded.code_insee_source'),
          code_postal: eb.ref('excluded.code_postal'),
          identifiant_ban: eb.ref('excluded.identifiant_ban'),
          adresse: eb.ref('excluded.adresse'),
          numero_dpe_immeuble: eb.ref('excluded.numero_dpe_immeuble'),
          numero_rpls_logement: eb.ref('excluded.numero_rpls_logement'),
          source_file: eb.ref('excluded.source_file'),
        })),
      )
      .execute();
}

export async function recordDpeImport(
  db: TypedDb,
  r: { sha256: string; file: string; layout: string; lines: number; accepted: number; corrected: number; rejected: number },
): Promise<void> {
  await db
    .insertInto('stock_dpe_import')
    .values(r)
    .onConflict((oc) => oc.column('sha256').doUpdateSet({ imported_at: sql`now()` }))
    .execute();
}

/** A DPE belongs to a building when their BAN address ids are equal (the only shared key in both sources). */
export async function linkDpesToBuildings(db: TypedDb): Promise<number> {
  const r = await sql`update stock_dpe d set building_id = b.id from stock_building b
     where d.identifiant_ban is not null and b.ban_id = d.identifiant_ban and b.commune_code = d.commune_code
       and d.building_id is distinct from b.id`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** The DPE files imported, newest first. */
export async function dpeImports(db: TypedDb) {
  return db.selectFrom('stock_dpe_import').selectAll().orderBy('imported_at', 'desc').execute();
}

/** The first and last reception dates of the DPEs held, per commune. */
export async function dpeDatesByCommune(db: TypedDb): Promise<{ commune_code: string; first: string; last: string }[]> {
  return db
    .selectFrom('stock_dpe')
    .select(['commune_code', sql<string>`min(date_reception)::text`.as('first'), sql<string>`max(date_reception)::text`.as('last')])
    .groupBy('commune_code')
    .execute();
}

/** ADEME DPE labels per class for a set of commune codes (arrondissements included by the caller), and the last reception. */
export async function dpeCounts(db: TypedDb, codes: string[]): Promise<{ counts: ClassCounts; last: string | null }> {
  const counts = emptyCounts();
  let last: string | null = null;
  if (!codes.length) return { counts, last };
  const rows = await db
    .selectFrom('stock_dpe')
    .select(['etiquette_dpe', sql<number>`count(*)::int`.as('n'), sql<string | null>`max(date_reception)::text`.as('last')])
    .where('commune_code', 'in', codes)
    .groupBy('etiquette_dpe')
    .execute();
  for (const r of rows) {
    counts[parseDpeClass(r.etiquette_dpe) ?? 'unknown'] += r.n;
    if (r.last && (!last || r.last > last)) last = r.last;
  }
  return { counts, last };
}

// ---------------------------------------------------------------- buildings

export type BuildingValues = Omit<Insertable<StockBuilding>, 'id' | 'organisation_id' | 'updated_at'>;

export async function buildingReferences(db: TypedDb, organisationId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('stock_building').select('reference').where('organisation_id', '=', organisationId).execute();
  return new Set(rows.map((r) => r.reference));
}

/** Inserts or updates a landlord's buildings, keyed by its own reference. */
export async function upsertBuildings(db: TypedDb, organisationId: string, buildings: BuildingValues[]): Promise<void> {
  const now = new Date();
  const rows = buildings.map((b) => ({ ...b, organisation_id: organisationId, updated_at: now }));
  for (let i = 0; i < rows.length; i += BATCH)
    await db
      .insertInto('stock_building')
      .values(rows.slice(i, i + BATCH))
      .onConflict((oc) =>
        oc.columns(['organisation_id', 'reference']).doUpdateSet((eb) => ({
          commune_code: eb.ref('excluded.commune_code'),
          address: eb.ref('excluded.address'),
          ban_id: eb.ref('excluded.ban_id'),
          construction_year: eb.ref('excluded.construction_year'),
          dwellings_count: eb.ref('excluded.dwellings_count'),
          financing: eb.ref('excluded.financing'),
          qpv: eb.ref('excluded.qpv'),
          dpe_class: eb.ref('excluded.dpe_class'),
          dpe_date: eb.ref('excluded.dpe_date'),
          primary_energy_kwh_m2: eb.ref('excluded.primary_energy_kwh_m2'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
}

export interface BuildingRow {
  id: string;
  organisation_id: string;
  reference: string;
  commune_code: string;
  address: string | null;
  ban_id: string | null;
  construction_year: number | null;
  dwellings_count: number;
  financing: string | null;
  qpv: boolean | null;
  declared_dpe: DpeClass | null;
  /** Worst label of the ADEME DPEs linked to the building. */
  worst_ademe_dpe: DpeClass | null;
  ademe_dpe_count: number;
  primary_energy_kwh_m2: number | null;
}

export interface BuildingFilter {
  organisationId?: string;
  communes?: string[];
  ids?: string[];
}

export async function listBuildings(db: TypedDb, f: BuildingFilter = {}): Promise<BuildingRow[]> {
  let q = db
    .selectFrom('stock_building as b')
    .select([
      'b.id', 'b.organisation_id', 'b.reference', 'b.commune_code', 'b.address', 'b.ban_id', 'b.construction_year', 'b.dwellings_count',
      'b.financing', 'b.qpv', 'b.dpe_class', 'b.primary_energy_kwh_m2',
      // 'G' > 'F' > … as text, so max() is the worst label
      sql<string | null>`(select max(d.etiquette_dpe) from stock_dpe d where d.building_id = b.id)`.as('worst'),
      sql<number>`(select count(*)::int from stock_dpe d where d.building_id = b.id)`.as('dpe_count'),
    ]);
  if (f.organisationId) q = q.where('b.organisation_id', '=', f.organisationId);
  if (f.communes) q = f.communes.length ? q.where('b.commune_code', 'in', f.communes) : q.where(sql<boolean>`false`);
  if (f.ids) q = f.ids.length ? q.where('b.id', 'in', f.ids) : q.where(sql<boolean>`false`);
  const rows = await q.orderBy('b.reference').execute();
  return rows.map((r) => ({
    id: r.id,
    organisation_id: r.organisation_id,
    reference: r.reference,
    commune_code: r.commune_code,
    address: r.address,
    ban_id: r.ban_id,
    construction_year: r.construction_year,
    dwellings_count: r.dwellings_count,
    financing: r.financing,
    qpv: r.qpv,
    declared_dpe: parseDpeClass(r.dpe_class),
    worst_ademe_dpe: parseDpeClass(r.worst),
    ademe_dpe_count: r.dpe_count,
    primary_energy_kwh_m2: r.primary_energy_kwh_m2 === null ? null : Number(r.primary_energy_kwh_m2),
  }));
}

export async function buildingOwner(db: TypedDb, buildingId: string): Promise<{ organisation_id: string; reference: string; address: string | null } | undefined> {
  return db.selectFrom('stock_building').select(['organisation_id', 'reference', 'address']).where('id', '=', buildingId).executeTakeFirst();
}

// ---------------------------------------------------------------- incidents

export interface IncidentRow {
  id: string;
  organisation_id: string;
  building_id: string;
  building_reference: string;
  commune_code: string;
  address: string | null;
  reference: string | null;
  category: IncidentCategory;
  severity: IncidentSeverity;
  status: IncidentStatus;
  affected_dwellings: number | null;
  started_at: Date;
  resolved_at: Date | null;
}

export interface IncidentFilter {
  organisationId?: string;
  status?: IncidentStatus;
  ids?: string[];
  buildingId?: string;
  communes?: string[];
}

export async function listIncidents(db: TypedDb, f: IncidentFilter = {}): Promise<IncidentRow[]> {
  let q = db
    .selectFrom('stock_incident as i')
    .innerJoin('stock_building as b', 'b.id', 'i.building_id')
    .select([
      'i.id', 'i.organisation_id', 'i.building_id', 'b.reference as building_reference', 'b.commune_code', 'b.address', 'i.reference', 'i.category',
      'i.severity', 'i.status', 'i.affected_dwellings', 'i.started_at', 'i.resolved_at',
    ]);
  if (f.organisationId) q = q.where('i.organisation_id', '=', f.organisationId);
  if (f.status) q = q.where('i.status', '=', f.status);
  if (f.buildingId) q = q.where('i.building_id', '=', f.buildingId);
  if (f.ids) q = q.where('i.id', 'in', f.ids.length ? f.ids : [NO_ID]);
  if (f.communes) q = q.where('b.commune_code', 'in', f.communes.length ? f.communes : ['']);
  const rows = await q.orderBy('i.started_at', 'desc').limit(1000).execute();
  return rows.map((r) => ({
    ...r,
    // The table's checks hold these to the model's values.
    category: r.category as IncidentCategory,
    severity: r.severity as IncidentSeverity,
    status: r.status as IncidentStatus,
    started_at: new Date(r.started_at),
    resolved_at: r.resolved_at ? new Date(r.resolved_at) : null,
  }));
}

export async function findIncident(db: TypedDb, id: string): Promise<IncidentRow | undefined> {
  return (await listIncidents(db, { ids: [id] }))[0];
}

/** The incident a landlord already filed under its own reference, if any. */
export async function incidentWithReference(db: TypedDb, organisationId: string, reference: string): Promise<string | undefined> {
  const r = await db.selectFrom('stock_incident').select('id').where('organisation_id', '=', organisationId).where('reference', '=', reference).executeTakeFirst();
  return r?.id;
}

/** An incident's own columns (the building's reference, commune and address come from the building). */
export type IncidentValues = Omit<IncidentRow, 'id' | 'building_reference' | 'commune_code' | 'address'>;

export async function insertIncident(db: TypedDb, n: IncidentValues): Promise<string> {
  const row = await db.insertInto('stock_incident').values(n).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateIncident(db: TypedDb, id: string, u: { status: IncidentStatus; resolved_at: Date | null; severity: IncidentSeverity }): Promise<void> {
  await db.updateTable('stock_incident').set({ ...u, updated_at: new Date() }).where('id', '=', id).execute();
}

/** One step of an incident's history: its status, and whether a person or a key set it. */
export async function recordIncidentEvent(db: TypedDb, incidentId: string, status: IncidentStatus, actorKind: string): Promise<void> {
  await db.insertInto('stock_incident_event').values({ incident_id: incidentId, status, actor_kind: actorKind }).execute();
}

/** Start and end of incidents, with the building and landlord they concern (durations). */
export async function incidentSpans(db: TypedDb, f: { organisationId?: string; communes?: string[] }) {
  let q = db
    .selectFrom('stock_incident as i')
    .innerJoin('stock_building as b', 'b.id', 'i.building_id')
    .select(['i.building_id', 'b.reference', 'b.address', 'i.organisation_id', 'i.started_at', 'i.resolved_at']);
  if (f.organisationId) q = q.where('i.organisation_id', '=', f.organisationId);
  if (f.communes) q = q.where('b.commune_code', 'in', f.communes.length ? f.communes : ['']);
  return (await q.execute()).map((r) => ({ ...r, started_at: new Date(r.started_at), resolved_at: r.resolved_at ? new Date(r.resolved_at) : null }));
}

// ---------------------------------------------------------------- tenants' contacts

/** Registers a contact, or renews its consent (a withdrawn one is given again). */
export async function upsertContact(
  db: TypedDb,
  c: { building_id: string; organisation_id: string; channel: ContactChannel; address: string; consent: boolean; consent_at: Date },
): Promise<string> {
  const retention_until = retentionEnd(c.consent_at);
  const row = await db
    .insertInto('stock_contact')
    .values({ ...c, purpose: CONTACT_PURPOSE, retention_until, withdrawn_at: null })
    .onConflict((oc) =>
      oc.columns(['building_id', 'channel', 'address']).doUpdateSet({ consent: c.consent, consent_at: c.consent_at, retention_until, withdrawn_at: null }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ContactRow {
  id: string;
  channel: ContactChannel;
  address: string;
  purpose: string;
  consent: boolean;
  consent_at: Date;
  withdrawn_at: Date | null;
  retention_until: Date;
}

/** A building's contacts within their retention: between two purges an expired contact may still be stored, never read. */
export async function liveContacts(db: TypedDb, buildingId: string, now: Date): Promise<ContactRow[]> {
  const rows = await db
    .selectFrom('stock_contact')
    .select(['id', 'channel', 'address', 'purpose', 'consent', 'consent_at', 'withdrawn_at', 'retention_until'])
    .where('building_id', '=', buildingId)
    .where('retention_until', '>', now)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    ...r,
    channel: r.channel as ContactChannel, // the table's check holds it to the model's channels
    consent_at: new Date(r.consent_at),
    withdrawn_at: r.withdrawn_at ? new Date(r.withdrawn_at) : null,
    retention_until: new Date(r.retention_until),
  }));
}

export async function contactOwner(db: TypedDb, id: string): Promise<string | undefined> {
  const r = await db.selectFrom('stock_contact').select('organisation_id').where('id', '=', id).executeTakeFirst();
  return r?.organisation_id;
}

/** Deletes a contact; false when there was none. */
export async function deleteContact(db: TypedDb, id: string): Promise<boolean> {
  const r = await db.deleteFrom('stock_contact').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0) > 0;
}

/** Erases contacts past their retention date. */
export async function deleteExpiredContacts(db: TypedDb, now: Date): Promise<number> {
  const r = await db.deleteFrom('stock_contact').where('retention_until', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

// ---------------------------------------------------------------- alerts sent

export async function recordNotifications(db: TypedDb, rows: Insertable<StockNotification>[]): Promise<void> {
  if (rows.length) await db.insertInto('stock_notification').values(rows).execute();
}

export async function notificationsOf(db: TypedDb, incidentId: string) {
  return db
    .selectFrom('stock_notification')
    .select(['event', 'recipient_kind', 'channel', 'status', sql<string>`at::text`.as('at')])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}
