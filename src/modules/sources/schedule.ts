// The server's own refresh (HABITAT_REFRESH=true): every hour it checks which sources are due (each on its rhythm,
// src/modules/sources/model.ts) and refreshes them one after the other. The timers are unref'd: they never keep the
// process alive, and a check still running when the server stops is simply not waited for (imports swap whole).
import type { AppContext } from '../../platform/context.ts';
import { refreshSources } from './service.ts';

const HOUR = 3_600_000;

export function startRefreshSchedule(ctx: AppContext, opts: { firstDelayMs?: number; everyMs?: number } = {}): () => void {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const report = await refreshSources(ctx, { trigger: 'schedule' });
      const done = report.filter((r) => r.result !== 'not_due' && r.result !== 'not_configured');
      if (done.length) ctx.log.info({ sources: done }, 'sources : mise à jour planifiée');
    } catch (err) {
      ctx.log.error({ err }, 'sources : la mise à jour planifiée a échoué');
    } finally {
      busy = false;
    }
  };
  const first = setTimeout(tick, opts.firstDelayMs ?? 60_000);
  const every = setInterval(tick, opts.everyMs ?? HOUR);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
