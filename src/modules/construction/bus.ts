// The live bus of a running instance: NOTIFY/LISTEN on a PostgreSQL server, an in-process emitter on PGlite.
import type { AppContext } from '../../platform/context.ts';
import type { Logger } from '../../platform/log.ts';
import { inProcessBus, postgresBus, type LiveBus } from './live.ts';
import type { LiveChange } from './store.ts';

export const TOPIC = 'construction';
const buses = new WeakMap<AppContext, LiveBus>();

export function busFor(ctx: AppContext): LiveBus {
  let bus = buses.get(ctx);
  if (!bus) {
    if (ctx.store.kind === 'postgres' && !ctx.config.databaseUrl)
      ctx.log.warn('flux en direct : serveur PostgreSQL sans DATABASE_URL connue, relais limité à ce processus');
    bus = ctx.store.kind === 'postgres' && ctx.config.databaseUrl ? postgresBus(ctx.config.databaseUrl, ctx.log) : inProcessBus();
    buses.set(ctx, bus);
  }
  return bus;
}

/** A failed publication must not fail the write that caused it: the change is stored, only its live echo is lost. */
export async function publishChanges(bus: LiveBus, changes: LiveChange[], log?: Logger): Promise<void> {
  for (const c of changes) {
    try {
      await bus.publish(TOPIC, c);
    } catch (err) {
      log?.warn({ err }, 'flux en direct : publication impossible');
    }
  }
}
