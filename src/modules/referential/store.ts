// Deliveries in the store: the file as received, its report, the accepted rows; reads for the API, the compliance
// dashboard and the other modules (`acceptedRows`).
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { ReferentialDelivery } from '../../platform/db-schema.ts';
import type { TypedDb } from '../../platform/db.ts';
import { listOrganisations } from '../access/index.ts';
import type { SchemaEntry } from './catalogue.ts';
import type { DeliveryFact } from './compliance.ts';
import type { DeliveryStatus, Row, ValidationReport } from './model.ts';

export interface NewDelivery {
  organisationId: string;
  entry: SchemaEntry;
  bytes: Uint8Array;
  filename?: string;
  mediaType?: string;
  idempotencyKey?: string;
  sentByUserId?: string;
  sentByApiKeyId?: string;
  onBehalf?: boolean;
  communes: ReadonlySet<string>;
  /** The SIREN rows must name in their producer column (see ValidationContext); undefined: not checked. */
  producerSiren?: string | null;
}

export interface DeliverySummary {
  id: string;
  organisationId: string;
  organisationName: string;
  schemaName: string;
  schemaVersion: string;
  receivedAt: string;
  lastReceivedAt: string;
  timesReceived: number;
  filename: string | null;
  byteSize: number;
  sha256: string;
  status: DeliveryStatus;
  rowsTotal: number;
  rowsValid: number;
  rowsAccepted: number;
  onBehalf: boolean;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The delivery's row, before its file is read: refused and empty until `completeDelivery` writes the outcome. */
export async function insertDelivery(db: TypedDb, d: Omit<NewDelivery, 'communes' | 'producerSiren'>, sha: string): Promise<string> {
  const inserted = await db
    .insertInto('referential_delivery')
    .values({
      organisation_id: d.organisationId,
      schema_name: d.entry.schema.name,
      schema_version: d.entry.schema.version,
      sent_by_user_id: d.sentByUserId ?? null,
      sent_by_api_key_id: d.sentByApiKeyId ?? null,
      on_behalf: !!d.onBehalf,
      filename: d.filename ?? null,
      media_type: d.mediaType ?? null,
      // Bound as base64 text: PGlite binds a large bytea parameter about 15 times slower than a text one.
      content: sql`decode(${Buffer.from(d.bytes).toString('base64')}, 'base64')`,
      content_sha256: sha,
      byte_size: d.bytes.byteLength,
      idempotency_key: d.idempotencyKey ?? null,
      status: 'refusee',
      rows_total: 0,
      rows_valid: 0,
      rows_accepted: 0,
      report: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id as string;
}

/** Accepted rows of a delivery, in one JSON parameter per batch rather than three per row (less to bind and parse). */
export async function insertDeliveryRows(db: TypedDb, deliveryId: string, rows: { l: number; d: Row }[]): Promise<void> {
  if (!rows.length) return;
  await sql`insert into referential_delivery_row (delivery_id, line, data)
    select ${deliveryId}::uuid, (e->>'l')::int, e->'d' from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) e`.execute(db);
}

export async function deleteDeliveryRows(db: TypedDb, deliveryId: string): Promise<void> {
  await db.deleteFrom('referential_delivery_row').where('delivery_id', '=', deliveryId).execute();
}

/** The outcome of the validation: status, counts and the report kept with the file. */
export async function completeDelivery(db: TypedDb, deliveryId: string, report: ValidationReport): Promise<void> {
  await db
    .updateTable('referential_delivery')
    .set({
      status: report.status,
      rows_total: report.summary.rowsTotal,
      rows_valid: report.summary.rowsValid,
      rows_accepted: report.summary.rowsAccepted,
      report: JSON.stringify(report),
    })
    .where('id', '=', deliveryId)
    .execute();
}

/** The organisation's delivery sent with this Idempotency-Key, with what identifies its content. */
export async function deliveryByIdempotencyKey(db: TypedDb, organisationId: string, key: string) {
  return db
    .selectFrom('referential_delivery')
    .select(['id', 'content_sha256', 'schema_name'])
    .where('organisation_id', '=', organisationId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst() as Promise<{ id: string; content_sha256: string; schema_name: string } | undefined>;
}

/** The organisation's delivery of this very file to this feed (name and version), if any. */
export async function sameContentDelivery(db: TypedDb, organisationId: string, name: string, version: string, sha: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('referential_delivery')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('schema_name', '=', name)
    .where('schema_version', '=', version)
    .where('content_sha256', '=', sha)
    .executeTakeFirst();
  return r?.id as string | undefined;
}

/** The same file received again: the partner's data is still current (freshness). */
export async function markReceivedAgain(db: TypedDb, id: string): Promise<void> {
  await db.updateTable('referential_delivery').set({ last_received_at: sql`now()`, times_received: sql`times_received + 1` }).where('id', '=', id).execute();
}

/** Whether this organisation already delivered this content, to any feed (the demo delivers each file once). */
export async function deliveredContent(db: TypedDb, organisationId: string, sha: string): Promise<boolean> {
  return !!(await db.selectFrom('referential_delivery').select('id').where('organisation_id', '=', organisationId).where('content_sha256', '=', sha).executeTakeFirst());
}

const summaryColumns = [
  'id',
  'organisation_id',
  'schema_name',
  'schema_version',
  'received_at',
  'last_received_at',
  'times_received',
  'filename',
  'byte_size',
  'content_sha256',
  'status',
  'rows_total',
  'rows_valid',
  'rows_accepted',
  'on_behalf',
] as const;
type SummaryRow = Pick<Selectable<ReferentialDelivery>, (typeof summaryColumns)[number]>;

/** Deliveries with their organisation's name (from the access module). */
async function toSummaries(db: TypedDb, rows: SummaryRow[]): Promise<DeliverySummary[]> {
  const names = new Map((await listOrganisations(db, [...new Set(rows.map((r) => r.organisation_id))])).map((o) => [o.id as string, o.name as string]));
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    organisationName: names.get(r.organisation_id) ?? '',
    schemaName: r.schema_name,
    schemaVersion: r.schema_version,
    receivedAt: new Date(r.received_at).toISOString(),
    lastReceivedAt: new Date(r.last_received_at).toISOString(),
    timesReceived: r.times_received,
    filename: r.filename,
    byteSize: r.byte_size,
    sha256: r.content_sha256,
    // The table's check constraint keeps the status to the three of the model.
    status: r.status as DeliveryStatus,
    rowsTotal: r.rows_total,
    rowsValid: r.rows_valid,
    rowsAccepted: r.rows_accepted,
    onBehalf: r.on_behalf,
  }));
}

export async function listDeliveries(db: TypedDb, opts: { organisationId?: string; organisationIds?: string[]; schemaName?: string; limit?: number } = {}): Promise<DeliverySummary[]> {
  let q = db.selectFrom('referential_delivery').select(summaryColumns);
  if (opts.organisationId) q = q.where('organisation_id', '=', opts.organisationId);
  if (opts.organisationIds) q = q.where('organisation_id', 'in', opts.organisationIds.length ? opts.organisationIds : ['00000000-0000-0000-0000-000000000000']);
  if (opts.schemaName) q = q.where('schema_name', '=', opts.schemaName);
  return toSummaries(db, await q.orderBy('received_at', 'desc').orderBy('id').limit(opts.limit ?? 100).execute());
}

export async function getDelivery(db: TypedDb, id: string): Promise<{ delivery: DeliverySummary; report: ValidationReport } | undefined> {
  const r = await db.selectFrom('referential_delivery').select([...summaryColumns, 'report']).where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  // The report is the JSON the validator wrote (ValidationReport); a driver may hand jsonb back as text.
  const report = (typeof r.report === 'string' ? JSON.parse(r.report) : r.report) as ValidationReport;
  return { delivery: (await toSummaries(db, [r]))[0], report };
}

export async function getDeliveryContent(db: TypedDb, id: string) {
  const r = await db
    .selectFrom('referential_delivery')
    .select(['organisation_id', 'filename', 'media_type', sql<string>`encode(content, 'base64')`.as('content_b64')])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  // Read as base64 too (same reason as on write); PostgreSQL wraps it every 76 characters.
  const content = Buffer.from(String(r.content_b64).replace(/\s+/g, ''), 'base64');
  return { organisationId: r.organisation_id as string, filename: r.filename as string | null, mediaType: r.media_type as string | null, content };
}

export interface AcceptedRow {
  deliveryId: string;
  organisationId: string;
  receivedAt: Date;
  schemaVersion: string;
  line: number;
  data: Row;
}

/**
 * The accepted rows of a feed, for the other modules (construction reads programmes-logements and permis-declares,
 * stock reads parc-social and incidents-batiments). `since` keeps deliveries received from that moment on;
 * `latestPerOrganisation` keeps only each partner's newest delivery with accepted rows, for feeds where each delivery
 * replaces the previous one (programmes, parc social).
 */
export async function acceptedRows(
  db: TypedDb,
  schemaName: string,
  opts: { since?: Date; organisationId?: string; latestPerOrganisation?: boolean } = {},
): Promise<AcceptedRow[]> {
  let q = db
    .selectFrom('referential_delivery_row as r')
    .innerJoin('referential_delivery as d', 'd.id', 'r.delivery_id')
    .select(['r.delivery_id', 'd.organisation_id', 'd.received_at', 'd.schema_version', 'r.line', 'r.data'])
    .where('d.schema_name', '=', schemaName)
    .where('d.status', '!=', 'refusee');
  if (opts.since) q = q.where('d.received_at', '>=', opts.since);
  if (opts.organisationId) q = q.where('d.organisation_id', '=', opts.organisationId);
  if (opts.latestPerOrganisation)
    q = q.where(
      sql<boolean>`d.id in (select distinct on (organisation_id) id from referential_delivery
        where schema_name = ${schemaName} and status <> 'refusee' order by organisation_id, received_at desc, id)`,
    );
  const rows = await q.orderBy('d.received_at').orderBy('r.delivery_id').orderBy('r.line').execute();
  return rows.map((r) => ({
    deliveryId: r.delivery_id,
    organisationId: r.organisation_id,
    receivedAt: new Date(r.received_at),
    schemaVersion: r.schema_version,
    line: r.line,
    // The rows the validator accepted (Row); a driver may hand jsonb back as text.
    data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Row,
  }));
}

/** What compliance is computed from: each delivery of these organisations (last reception, outcome, counts). */
export async function deliveryFacts(db: TypedDb, organisationIds: string[]): Promise<Map<string, DeliveryFact[]>> {
  const byOrg = new Map<string, DeliveryFact[]>();
  if (!organisationIds.length) return byOrg;
  const facts = await db
    .selectFrom('referential_delivery')
    .select(['organisation_id', 'schema_name', 'last_received_at', 'status', 'rows_total', 'rows_valid'])
    .where('organisation_id', 'in', organisationIds)
    .execute();
  for (const f of facts) {
    const list = byOrg.get(f.organisation_id) ?? [];
    list.push({ schemaName: f.schema_name, receivedAt: new Date(f.last_received_at), status: f.status as DeliveryFact['status'], rowsTotal: f.rows_total, rowsValid: f.rows_valid });
    byOrg.set(f.organisation_id, list);
  }
  return byOrg;
}
