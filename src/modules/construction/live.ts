// A small event bus for live pages. On PostgreSQL, publish() is a NOTIFY and every server process LISTENs on one
// dedicated connection, then fans the message out to its own subscribers (SSE clients): a change made on any node
// reaches the dashboards open on every node. The publisher hears its own NOTIFY too, so local delivery goes through the
// same path and nothing is delivered twice.
// On PGlite (embedded, one process by nature) the bus is an in-process emitter: the platform's Store does not hand out
// the PGlite instance, so `pglite.listen` is out of reach from a module, and it would add nothing in a single process.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../../platform/log.ts';

/** PostgreSQL limits a NOTIFY payload to 8000 bytes; ours stay far below, and a larger one is refused loudly. */
const MAX_PAYLOAD = 7900;

export interface LiveBus {
  readonly kind: 'postgres' | 'in-process';
  publish(topic: string, payload: unknown): Promise<void>;
  /** Resolves once the bus is listening, so a subscriber added after it misses nothing published later. */
  ready(): Promise<void>;
  subscribe(topic: string, fn: (payload: unknown) => void): () => void;
  close(): Promise<void>;
}

/** Channel names are SQL identifiers: keep them to a safe alphabet, prefixed so modules never collide. */
export const channelOf = (topic: string) => {
  if (!/^[a-z][a-z0-9_]{0,50}$/.test(topic)) throw new Error(`nom de sujet invalide : ${topic}`);
  return `habitat_${topic}`;
};

export function inProcessBus(): LiveBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'in-process',
    async publish(topic, payload) {
      const text = JSON.stringify(payload);
      if (Buffer.byteLength(text) > MAX_PAYLOAD) throw new Error('message trop long pour le flux en direct');
      // A copy, as a NOTIFY would give: no subscriber can mutate what another receives.
      emitter.emit(channelOf(topic), JSON.parse(text));
    },
    ready: async () => {},
    subscribe(topic, fn) {
      const ch = channelOf(topic);
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
export function postgresBus(url: string, log?: Logger): LiveBus {
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
    async publish(topic, payload) {
      const text = JSON.stringify(payload);
      if (Buffer.byteLength(text) > MAX_PAYLOAD) throw new Error('message trop long pour le flux en direct');
      await publisher.query('select pg_notify($1, $2)', [channelOf(topic), text]);
    },
    async ready() {
      await connect();
      await Promise.all(listening);
    },
    subscribe(topic, fn) {
      const ch = channelOf(topic);
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
