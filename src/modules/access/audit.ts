// The audit log: who did what to which entity, on whose perimeter (EPCI). Writes through HTTP are logged by the
// platform hook; modules call `audit` for reads of personal data and for writes made outside HTTP (CLI).
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db.ts';
import type { AuditEntry } from '../../platform/module.ts';

export type { AuditEntry } from '../../platform/module.ts';

export async function audit(db: Db, req: FastifyRequest | null, entry: AuditEntry): Promise<void> {
  const p = req?.principal;
  await db
    .insertInto('audit_log')
    .values({
      actor_kind: p ? p.kind : req ? 'public' : 'system',
      actor_id: p ? (p.userId ?? p.apiKeyId ?? null) : null,
      organisation_id: p?.organisationId ?? null,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId ?? null,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      ip: req?.ip ?? null,
      epci_siren: entry.epci !== undefined ? entry.epci : (req?.auditEpci ?? p?.perimeter.epci ?? null),
    })
    .execute();
}
