// Live events: a change made through one server reaches a dashboard connected to another server of the same PostgreSQL,
// relayed by LISTEN/NOTIFY. Two application instances with their own pools and LISTEN connections, on real sockets.
import { modules } from '../index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../test/support/stores.ts';
import { createTestApp } from '../../../test/support/app.ts';
import { loadConfig } from '../../platform/config.ts';
import type { AppContext } from '../../platform/context.ts';
import { openPostgres } from '../../platform/db.ts';
import { buildApp } from '../../platform/http/app.ts';
import { openLake } from '../../platform/lake.ts';
import { createLogger } from '../../platform/log.ts';
import * as access from '../access/store.ts';
import { inProcessBus, postgresBus, topic } from '../../platform/events.ts';
import { publish, syncPartnerProgrammes } from './service.ts';

interface SseEvent {
  event: string;
  data: any;
}

/** A minimal EventSource: reads the stream and hands out events in order; `next(pred)` waits for a matching one. */
async function openSse(url: string, cookie: string) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', cookie }, signal: controller.signal });
  if (res.status !== 200) throw new Error(`SSE ${res.status}: ${await res.text()}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const queue: SseEvent[] = [];
  const pull = async (): Promise<SseEvent> => {
    for (;;) {
      const queued = queue.shift();
      if (queued) return queued;
      const sep = buffer.indexOf('\n\n');
      if (sep >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (event && data) queue.push({ event, data: JSON.parse(data) });
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('flux fermé');
      buffer += value;
    }
  };
  return {
    async next(pred: (e: SseEvent) => boolean = () => true): Promise<SseEvent> {
      for (;;) {
        const e = await pull();
        if (pred(e)) return e;
      }
    },
    close: () => controller.abort(),
  };
}

async function instance(url: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'habitat-live-'));
  const store = await openPostgres(url);
  const lake = await openLake(dataDir);
  const ctx: AppContext = {
    config: { ...loadConfig({}), dataDir, databaseUrl: url, loadDemo: false, logLevel: 'silent', rateLimitPerMinute: 100_000 },
    db: store.db,
    store,
    lake,
    log: createLogger('silent'),
    async close() {
      lake.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const app = await buildApp(ctx, modules, { logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { ctx, app, address, close: async () => { await app.close(); await ctx.close(); } };
}

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

describe.skipIf(!process.env.HABITAT_TEST_PG_URL)('live events between two servers on one PostgreSQL', () => {
  it('a programme created on server A appears on the stream of server B, then its state change', async () => {
    const url = await createPostgresDatabase();
    const a = await instance(url);
    cleanup.push(a.close);
    const b = await instance(url);
    cleanup.push(b.close);

    const org = await access.ensureEpciOrganisation(a.ctx.db, '243100518'); // Toulouse Métropole: 31555 is its commune
    await access.createUser(a.ctx.db, { email: 'agent.direct@exemple.fr', name: 'Agent direct', role: 'agent', organisationId: org.id, password: 'mot-de-passe-de-test-solide' });
    const { token } = (await access.login(a.ctx.db, 'agent.direct@exemple.fr', 'mot-de-passe-de-test-solide'))!;
    const cookie = `hc_session=${token}`;

    const onB = await openSse(`${b.address}/api/construction/events`, cookie);
    cleanup.push(async () => onB.close());
    // "prêt" comes once B is LISTENing: from then on nothing is missed.
    expect((await onB.next()).data).toEqual({ relay: 'postgres' });

    const created = await fetch(`${a.address}/api/construction/programmes`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Résidence du Canal', commune_code: '31555', address: '12 rue des Lilas', dwellings: 40, state: 'permit_filed', state_date: '2026-03-02', financing: { plai: 4, plus: 8, pls: 2, brs: 6, free_market: 20 } }),
    });
    expect(created.status).toBe(201);
    const programme = await created.json();

    const first = await onB.next((e) => e.event === 'change' && e.data.id === programme.id);
    expect(first.data).toMatchObject({ type: 'programme', commune: '31555', state: 'permit_filed', source: 'manual' });

    const moved = await fetch(`${a.address}/api/construction/programmes/${programme.id}/state`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'permit_granted', date: '2026-06-15' }),
    });
    expect(moved.status).toBe(200);
    const second = await onB.next((e) => e.event === 'change' && e.data.id === programme.id);
    expect(second.data).toMatchObject({ from: 'permit_filed', state: 'permit_granted' });
  });

  it('the postgres bus delivers every message of a burst, in order, to another bus', async () => {
    const url = await createPostgresDatabase();
    const sender = postgresBus(url);
    const receiver = postgresBus(url);
    cleanup.push(() => sender.close(), () => receiver.close());
    const got: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const trial = topic<{ n: number }>('essai');
    receiver.subscribe(trial, (p) => {
      got.push(p.n);
      if (got.length === 300) done();
    });
    await receiver.ready();
    for (let n = 0; n < 300; n++) await sender.publish(trial, { n });
    await all;
    expect(got).toEqual([...Array(300).keys()]);
  });
});

describe('live events on the embedded store', () => {
  it('the in-process bus copies payloads and refuses oversized ones', async () => {
    const bus = inProcessBus();
    const trial = topic<{ n?: number; x?: string }>('essai');
    const seen: unknown[] = [];
    bus.subscribe(trial, (p) => seen.push(p));
    const payload = { n: 1 };
    await bus.publish(trial, payload);
    payload.n = 2;
    expect(seen).toEqual([{ n: 1 }]);
    await expect(bus.publish(trial, { x: 'é'.repeat(5000) })).rejects.toThrow(/trop long/);
    expect(() => topic('Pas un nom')).toThrow();
  });

  it('the SSE route wants a signed-in caller and the event-stream header', async () => {
    const t = await createTestApp();
    cleanup.push(() => t.close());
    const anon = await t.app.inject({ url: '/api/construction/events', headers: { accept: 'text/event-stream' } });
    expect(anon.statusCode).toBe(401);
    const agent = await t.login('agent');
    const plain = await t.app.inject({ url: '/api/construction/events', headers: agent.headers });
    expect(plain.statusCode).toBe(406);
    expect(plain.json().detail).toMatch(/text\/event-stream/);
  });

  it('a partner sees on the stream its own programmes only, an agent those of its EPCI only (issue 21)', async () => {
    const t = await createTestApp();
    cleanup.push(() => t.close());
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const TOULOUSE = '243100518';
    const toulouseAgent = await t.login('agent', 'epci', await t.epciOrg(TOULOUSE));
    const lyonAgent = await t.login('agent');
    const devA = await t.login('partner', 'promoteur', await t.org('promoteur', { epcis: [TOULOUSE] }));
    const devB = await t.login('readonly', 'promoteur', await t.org('promoteur', { epcis: [TOULOUSE] }));
    const open = async (who: { headers: { cookie: string } }) => {
      const s = await openSse(`${base}/api/construction/events`, who.headers.cookie);
      cleanup.push(async () => s.close());
      await s.next((e) => e.event === 'ready');
      return s;
    };
    const [onToulouse, onLyon, onA, onB] = [await open(toulouseAgent), await open(lyonAgent), await open(devA), await open(devB)];
    const changed = (e: { event: string }) => e.event === 'change';
    const partnerProgramme = async (organisationId: string, ref: string, commune: string) => {
      const row = { deliveryId: 'd', organisationId, receivedAt: new Date('2026-03-01'), line: 2, data: { identifiant_programme: ref, nom_programme: ref, code_commune: commune, etat: 'projet', nb_logements_total: 12, nb_libre: 12 } };
      const s = await syncPartnerProgrammes(t.ctx.db, [row], 'flux');
      await publish(t.ctx, s.changes);
      return s.changes[0].id;
    };
    // In order: developer A's unannounced project, an agent's programme in Toulouse, then developer B's own project
    // and a programme in Lyon. Each stream keeps the order, so the first change a subscriber gets tells what it was
    // not shown before it.
    const ofA = await partnerProgramme(devA.organisationId, 'A-1', '31555');
    const byAgent = await t.app.inject({ method: 'POST', url: '/api/construction/programmes', headers: toulouseAgent.headers, payload: { name: 'Cartoucherie', commune_code: '31555', dwellings: 30, state: 'permit_filed', state_date: '2026-02-10' } });
    expect(byAgent.statusCode, byAgent.body).toBe(201);
    const ofB = await partnerProgramme(devB.organisationId, 'B-1', '31069');
    const inLyon = await t.app.inject({ method: 'POST', url: '/api/construction/programmes', headers: lyonAgent.headers, payload: { name: 'Confluence', commune_code: '69382', dwellings: 20, state: 'permit_filed', state_date: '2026-02-10' } });
    expect(inLyon.statusCode, inLyon.body).toBe(201);

    const ofA2 = await partnerProgramme(devA.organisationId, 'A-2', '31069');

    const ids = async (stream: Awaited<ReturnType<typeof open>>, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await stream.next(changed)).data.id);
      return out;
    };
    expect(await ids(onA, 2)).toEqual([ofA, ofA2]);
    expect(await ids(onB, 1)).toEqual([ofB]);
    expect(await ids(onLyon, 1)).toEqual([inLyon.json().id]);
    expect(await ids(onToulouse, 4)).toEqual([ofA, byAgent.json().id, ofB, ofA2]);
  });
});
