// Retention of the access module's personal data: the audit log (connection and action logs: CNIL recommends
// 6 months to 1 year; HABITAT_AUDIT_RETENTION_DAYS, 365 by default) and sessions once expired.
import type { AppContext } from '../../platform/context.ts';

export async function purgeAccess(ctx: AppContext, now: Date): Promise<Record<string, number>> {
  const auditBefore = new Date(now.getTime() - ctx.config.auditRetentionDays * 86_400_000);
  const audit = await ctx.db.deleteFrom('audit_log').where('at', '<', auditBefore).executeTakeFirst();
  const sessions = await ctx.db.deleteFrom('user_session').where('expires_at', '<=', now).executeTakeFirst();
  return {
    [`entrées du journal d’audit de plus de ${ctx.config.auditRetentionDays} jours`]: Number(audit.numDeletedRows ?? 0),
    'sessions expirées': Number(sessions.numDeletedRows ?? 0),
  };
}
