// The live event bus of a running instance, for any module (issue 20: infrastructure belongs to the platform).
// On a PostgreSQL server, publish() is a NOTIFY and every server process LISTENs on one dedicated connection, then fans
// the message out to its own subscribers (SSE clients): a change made on any node reaches the pages open on every node.
// The publisher hears its own NOTIFY too, so local delivery goes through the same path and nothing is delivered twice.
// On PGlite (embedded, one process by nature) the bus is an in-process emitter: the Store does not hand out the PGlite
// instance, so `pglite.listen` is out of reach, and it would add nothing in a single process.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { AppContext } from './context.ts';
import type { Logger } from './log.ts';

/** PostgreSQL limits a NOTIFY payload to 8000 bytes; ours stay far below, and a larger one is refused loudly. */
const MAX_PAYLOAD = 7900;

/** A named channel carrying payloads of one type. Declare it once in the module that publishes: `topic<Change>('x')`. */
export interface Topic<T> {
  readonly name: string;
  /** Type marker only: never set. */
  readonly payload?: T;
}

/** A topic; its name becomes a PostgreSQL channel (`habitat_<name>`), so it is kept to a safe alphabet. */
export function topic<T>(name: string): Topic<T> {
  channelOf(name);
  return { name };
}

export interface EventBus {
  readonly kind: 'postgres' | 'in-process';
  publish<T>(topic: Topic<T>, payload: T): Promise<void>;
  /** Resolves once the bus is listening, so a subscriber added after it misses nothing published later. */
  ready(): Promise<void>;
  subscribe<T>(topic: Topic<T>, fn: (payload: T) => void): () => void;
  close(): Promise<void>;
}

/** Channel names are SQL identifiers: keep them to a safe alphabet, prefixed so topics never collide with others'. */
function channelOf(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,50}$/.test(name)) throw new Error(`nom de sujet invalide : ${name}`);
  return `habitat_${name}`;
}

function encode(payload: unknown): string {
  const text = JSON.stringify(payload);
  if (Buffer.byteLength(text) > MAX_PAYLOAD) throw new Error('message trop long pour le flux en direct');
  return text;
}

export function inProcessBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'in-process',
    async publish(t, payload) {
      // A copy, as a NOTIFY would give: no subscriber can mutate what another receives.
      emitter.emit(channelOf(t.name), JSON.parse(encode(payload)));
    },
    ready: async () => {},
    subscribe<T>(t: Topic<T>, fn: (payload: T) => void) {
      const ch = channelOf(t.name);
      emitter.on(ch, fn);
      return () => emitter.off(ch, fn);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * One LISTEN connection per process (not per client), re-opened after a loss with a growing pause; topics are
 * LISTENed on first subscription. Publishing uses a short-lived pool connection (`select pg_notify`).
 */
export function postgresBus(url: string, log?: Logger): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const channels = new Set<string>();
  const listening: Promise<unknown>[] = [];
  const publisher = new pg.Pool({ connectionString: url, max: 4 });
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;
  let retry = 250;

  const connect = (): Promise<void> => {
    if (connecting) return connecting;
    connecting = (async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('notification', (msg) => {
        if (!msg.payload) return;
        try {
          emitter.emit(msg.channel, JSON.parse(msg.payload));
        } catch (err) {
          log?.warn({ err, channel: msg.channel }, 'flux en direct : message illisible ignoré');
        }
      });
      c.on('error', (err) => log?.warn({ err }, 'flux en direct : connexion LISTEN perdue'));
      c.on('end', () => {
        if (closed) return;
        client = undefined;
        connecting = undefined;
        setTimeout(() => void connect().catch(() => {}), retry).unref();
        retry = Math.min(retry * 2, 10_000);
      });
      await c.connect();
      for (const ch of channels) await c.query(`listen ${ch}`);
      client = c;
      retry = 250;
    })();
    connecting.catch(() => {
      connecting = undefined;
    });
    return connecting;
  };

  return {
    kind: 'postgres',
    async publish(t, payload) {
      await publisher.query('select pg_notify($1, $2)', [channelOf(t.name), encode(payload)]);
    },
    async ready() {
      await connect();
      await Promise.all(listening);
    },
    subscribe<T>(t: Topic<T>, fn: (payload: T) => void) {
      const ch = channelOf(t.name);
      if (!channels.has(ch)) {
        channels.add(ch);
        listening.push(
          connect()
            .then(() => client?.query(`listen ${ch}`))
            .catch((err) => log?.warn({ err }, 'flux en direct : LISTEN impossible')),
        );
      }
      emitter.on(ch, fn);
      return () => emitter.off(ch, fn);
    },
    async close() {
      closed = true;
      emitter.removeAllListeners();
      await client?.end().catch(() => {});
      await publisher.end().catch(() => {});
    },
  };
}

const buses = new WeakMap<AppContext, EventBus>();

/** The bus of a running context: LISTEN/NOTIFY on a PostgreSQL server, in-process on PGlite. One per context. */
export function eventsOf(ctx: AppContext): EventBus {
  let bus = buses.get(ctx);
  if (!bus) {
    if (ctx.store.kind === 'postgres' && !ctx.config.databaseUrl)
      ctx.log.warn('flux en direct : serveur PostgreSQL sans DATABASE_URL connue, relais limité à ce processus');
    bus = ctx.store.kind === 'postgres' && ctx.config.databaseUrl ? postgresBus(ctx.config.databaseUrl, ctx.log) : inProcessBus();
    buses.set(ctx, bus);
  }
  return bus;
}

/** Closes the context's bus, if it has one (the server on close, a command run in its own process when done). */
export async function closeEvents(ctx: AppContext): Promise<void> {
  const bus = buses.get(ctx);
  buses.delete(ctx);
  await bus?.close();
}

/** A failed publication must not fail the write that caused it: the change is stored, only its live echo is lost. */
export async function publishAll<T>(ctx: AppContext, t: Topic<T>, payloads: T[]): Promise<void> {
  const bus = eventsOf(ctx);
  for (const p of payloads) {
    try {
      await bus.publish(t, p);
    } catch (err) {
      ctx.log.warn({ err }, 'flux en direct : publication impossible');
    }
  }
}
