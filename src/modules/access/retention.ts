// Retention of the access module's personal data: the audit log (connection and action logs: CNIL recommends
// 6 months to 1 year; HABITAT_AUDIT_RETENTION_DAYS, 365 by default), sessions once expired, and counts of failed
// logins once neither their window nor their lock runs any more.
import type { AppContext } from '../../platform/context.ts';
import { LOGIN_WINDOW_MINUTES } from './model.ts';

export async function purgeAccess(ctx: AppContext, now: Date): Promise<Record<string, number>> {
  const auditBefore = new Date(now.getTime() - ctx.config.auditRetentionDays * 86_400_000);
  const audit = await ctx.db.deleteFrom('audit_log').where('at', '<', auditBefore).executeTakeFirst();
  const sessions = await ctx.db.deleteFrom('user_session').where('expires_at', '<=', now).executeTakeFirst();
  const failures = await ctx.db
    .deleteFrom('login_failure')
    .where('first_failed_at', '<', new Date(now.getTime() - LOGIN_WINDOW_MINUTES * 60_000))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return {
    [`entrées du journal d’audit de plus de ${ctx.config.auditRetentionDays} jours`]: Number(audit.numDeletedRows ?? 0),
    'sessions expirées': Number(sessions.numDeletedRows ?? 0),
    'échecs de connexion passés': Number(failures.numDeletedRows ?? 0),
  };
}
