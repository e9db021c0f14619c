// Retention: what is past its keeping period is deleted on a schedule inside the running server, and by
// `habitat purge` (for cron), never at the next read. Each module says what it purges (HabitatModule.purge).
import type { AppContext } from './context.ts';
import { recordAudit, type HabitatModule } from './module.ts';

export type PurgeSource = Pick<HabitatModule, 'name' | 'purge' | 'record'>;

/** Runs every module's purge; returns the counts by French label. One audit row says what was deleted, if anything. */
export async function runPurge(ctx: AppContext, sources: PurgeSource[], now = new Date()): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const s of sources) {
    if (!s.purge) continue;
    for (const [label, n] of Object.entries(await s.purge(ctx, now))) counts[label] = (counts[label] ?? 0) + n;
  }
  if (Object.values(counts).some((n) => n > 0))
    await recordAudit(ctx, sources, null, { action: 'purge', entity: 'conservation', detail: { ...counts, le: now.toISOString() } });
  return counts;
}

export function describePurge(counts: Record<string, number>): string {
  const lines = Object.entries(counts).map(([label, n]) => `  - ${label} : ${n.toLocaleString('fr-FR')}`);
  return lines.length ? `Supprimé (durées de conservation dépassées) :\n${lines.join('\n')}` : 'Rien à supprimer.';
}

/**
 * Runs the purge now and then every `intervalMs`, on a timer that does not keep the process alive; a run never
 * overlaps the previous one, and a failure is logged, never thrown. Returns the function that stops it and waits for a
 * run in progress, so the store is closed after it, not under it.
 */
export function schedulePurge(ctx: AppContext, sources: PurgeSource[], intervalMs: number): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = runPurge(ctx, sources)
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0)) ctx.log.info({ counts }, 'purge : durées de conservation appliquées');
      })
      .catch((err) => ctx.log.error({ err }, 'purge : échec, nouvel essai au prochain passage'))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(tick, 0);
  const every = setInterval(tick, intervalMs);
  first.unref();
  every.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}
