// Retention (issue 21 §4): the audit log is kept HABITAT_AUDIT_RETENTION_DAYS (365 by default), expired sessions and
// tenants' contacts past their retention date are deleted by a scheduled purge in the running server and by
// `habitat purge` (cron), not at the next read.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules } from '../src/modules/index.ts';
import { sha256 } from '../src/modules/access/model.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createContext } from '../src/platform/context.ts';
import type { Db } from '../src/platform/db.ts';
import { runPurge, schedulePurge } from '../src/platform/purge.ts';
import { createTestApp, createTestContext, type TestApp } from './support/app.ts';
import { loadDemandDemo } from '../src/modules/demand/index.ts';
import { recordAttribution } from '../src/modules/demand/service.ts';
import * as demandStore from '../src/modules/demand/store.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-06-15T12:00:00Z');

const oldAuditRow = (db: Db, at: Date, entity = 'retention-test') =>
  db.insertInto('audit_log').values({ actor_kind: 'system', action: 'test', entity, at }).execute();
const auditRows = async (db: Db, entity = 'retention-test') =>
  (await db.selectFrom('audit_log').select('at').where('entity', '=', entity).execute()).map((r: any) => new Date(r.at).toISOString()).sort();

describe('the purge', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('deletes audit entries older than the retention period, expired sessions and contacts past their date', async () => {
    const db = t.ctx.db;
    await oldAuditRow(db, new Date(NOW.getTime() - 366 * DAY));
    await oldAuditRow(db, new Date(NOW.getTime() - 364 * DAY));
    const agent = await t.login('agent');
    await db.insertInto('user_session').values({ token_hash: sha256('expiree'), user_id: agent.userId, expires_at: new Date(NOW.getTime() - 1000) }).execute();
    await db.insertInto('user_session').values({ token_hash: sha256('valide'), user_id: agent.userId, expires_at: new Date(NOW.getTime() + DAY) }).execute();

    const landlord = await t.login('partner', 'bailleur');
    await t.app.inject({ method: 'PUT', url: '/api/stock/buildings', headers: landlord.headers, payload: { buildings: [{ reference: 'BAT-R', commune_code: '69388', dwellings_count: 4 }] } });
    const building = (await t.app.inject({ url: '/api/stock/buildings', headers: landlord.headers })).json().buildings[0].id;
    for (const adresse of ['echu@exemple.fr', 'garde@exemple.fr'])
      expect((await t.app.inject({ method: 'POST', url: '/api/stock/contacts', headers: landlord.headers, payload: { building_id: building, channel: 'email', address: adresse, consent: true } })).statusCode).toBe(201);
    await db.updateTable('stock_contact').set({ retention_until: new Date(NOW.getTime() - DAY) }).where('address', '=', 'echu@exemple.fr').execute();
    await db.updateTable('stock_contact').set({ retention_until: new Date(NOW.getTime() + DAY) }).where('address', '=', 'garde@exemple.fr').execute();

    const counts = await runPurge(t.ctx, modules, NOW);
    expect(counts).toEqual({
      'entrées du journal d’audit de plus de 365 jours': expect.any(Number),
      'sessions expirées': 1,
      'échecs de connexion passés': 0,
      'contacts de locataires échus (fin de conservation)': 1,
      'demandes attribuées ou radiées (fin de conservation)': 0,
    });
    expect(counts['entrées du journal d’audit de plus de 365 jours']).toBeGreaterThanOrEqual(1);
    expect(await auditRows(db)).toEqual([new Date(NOW.getTime() - 364 * DAY).toISOString()]);
    expect((await db.selectFrom('user_session').select('token_hash').where('user_id', '=', agent.userId).execute()).map((r: any) => r.token_hash)).not.toContain(sha256('expiree'));
    expect((await db.selectFrom('user_session').select('token_hash').where('token_hash', '=', sha256('valide')).execute())).toHaveLength(1);
    expect((await db.selectFrom('stock_contact').select('address').execute()).map((r: any) => r.address)).toEqual(['garde@exemple.fr']);
    // The purge leaves a trace of what it deleted (counts only).
    const trace = await db.selectFrom('audit_log').select(['actor_kind', 'detail']).where('action', '=', 'purge').where('entity', '=', 'conservation').execute();
    expect(trace).toHaveLength(1);
    expect(trace[0]).toMatchObject({ actor_kind: 'system', detail: { 'sessions expirées': 1 } });
  });

  it('keeps the audit log as long as HABITAT_AUDIT_RETENTION_DAYS says', async () => {
    const short = { ...t.ctx, config: { ...t.ctx.config, auditRetentionDays: 30 } };
    await oldAuditRow(t.ctx.db, new Date(NOW.getTime() - 31 * DAY), 'retention-30');
    await oldAuditRow(t.ctx.db, new Date(NOW.getTime() - 29 * DAY), 'retention-30');
    await runPurge(short, modules, NOW);
    expect(await auditRows(t.ctx.db, 'retention-30')).toEqual([new Date(NOW.getTime() - 29 * DAY).toISOString()]);
  });

  it('deletes attributed social-housing demands once HABITAT_DEMAND_RETENTION_MONTHS have passed, keeping the anonymous attribution', async () => {
    const db = t.ctx.db;
    await loadDemandDemo(db, t.ctx.config.epciSirens);
    const [seven, five] = await demandStore.loadDemands(db, { epciSiren: t.ctx.config.epciSirens[0], status: 'active' });
    // Attributed 7 and 5 months before NOW (2026-06-15).
    for (const [d, date] of [[seven, '2025-11-10'], [five, '2026-01-20']] as const)
      await recordAttribution(db, d.number, { attribution_date: date, commune_code: d.communes[0], typology: d.typology });
    const exists = async (n: string) => !!(await demandStore.getDemand(db, n));
    const attributions = async () => (await demandStore.attributionsFor(db, { epciSiren: t.ctx.config.epciSirens[0] })).length;
    const before = await attributions();
    // Kept 12 months: both stay.
    await runPurge({ ...t.ctx, config: { ...t.ctx.config, demandRetentionMonths: 12 } }, modules, NOW);
    expect([await exists(seven.number), await exists(five.number)]).toEqual([true, true]);
    // The default, 6 months: the one attributed 7 months ago goes, with its person; its attribution stays, anonymous.
    const counts = await runPurge(t.ctx, modules, NOW);
    expect(counts['demandes attribuées ou radiées (fin de conservation)']).toBeGreaterThanOrEqual(1);
    expect([await exists(seven.number), await exists(five.number)]).toEqual([false, true]);
    expect(await attributions()).toBe(before);
  });

  it('does not delete at the next read: an expired contact is hidden until the purge removes it', async () => {
    const db = t.ctx.db;
    const landlord = await t.login('partner', 'bailleur');
    await t.app.inject({ method: 'PUT', url: '/api/stock/buildings', headers: landlord.headers, payload: { buildings: [{ reference: 'BAT-L', commune_code: '69388', dwellings_count: 4 }] } });
    const building = (await t.app.inject({ url: '/api/stock/buildings', headers: landlord.headers })).json().buildings[0].id;
    await t.app.inject({ method: 'POST', url: '/api/stock/contacts', headers: landlord.headers, payload: { building_id: building, channel: 'email', address: 'lu@exemple.fr', consent: true } });
    await db.updateTable('stock_contact').set({ retention_until: new Date(Date.now() - DAY) }).where('address', '=', 'lu@exemple.fr').execute();
    const read = await t.app.inject({ url: `/api/stock/buildings/${building}/contacts`, headers: landlord.headers });
    expect(read.json().contacts).toEqual([]);
    expect(await db.selectFrom('stock_contact').select('id').where('address', '=', 'lu@exemple.fr').execute()).toHaveLength(1);
    await runPurge(t.ctx, modules);
    expect(await db.selectFrom('stock_contact').select('id').where('address', '=', 'lu@exemple.fr').execute()).toHaveLength(0);
  });
});

describe('the scheduled purge', () => {
  it('runs in a listening server, at start and then on its interval', async () => {
    const server = await createTestApp({ config: { purgeIntervalMinutes: 60 } });
    try {
      await oldAuditRow(server.ctx.db, new Date(Date.now() - 400 * DAY), 'au-demarrage');
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      await expect.poll(() => auditRows(server.ctx.db, 'au-demarrage'), { timeout: 60_000, interval: 100 }).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('repeats on its interval, never two runs at once, and stops without leaving one running', async () => {
    const ctx = await createTestContext(); // a store for the purge's audit row; no HTTP needed
    const runs: number[] = [];
    let inside = 0;
    const source = {
      name: 'compteur',
      async purge() {
        inside++;
        expect(inside).toBe(1);
        await new Promise((r) => setTimeout(r, 30));
        runs.push(Date.now());
        inside--;
        return { passages: 1 };
      },
    };
    try {
      const stop = schedulePurge(ctx, [source], 5);
      await expect.poll(() => runs.length, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(3);
      await stop();
      const after = runs.length;
      await new Promise((r) => setTimeout(r, 100));
      expect(runs.length).toBe(after);
      expect(inside).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  it('is off when HABITAT_PURGE_INTERVAL_MINUTES is 0: cron runs `habitat purge` instead', async () => {
    const server = await createTestApp({ config: { purgeIntervalMinutes: 0 } });
    try {
      await oldAuditRow(server.ctx.db, new Date(Date.now() - 400 * DAY), 'sans-purge');
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      // Something the server does after start, that a scheduled purge would have preceded.
      expect((await server.app.inject('/health')).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      expect(await auditRows(server.ctx.db, 'sans-purge')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('habitat purge', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'habitat-purge-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('purges from the command line, for cron, and says what it deleted', async () => {
    const env = { ...process.env, HABITAT_DATA_DIR: dataDir, HABITAT_DEMO: 'false', LOG_LEVEL: 'warn', HABITAT_AUDIT_RETENTION_DAYS: '90' };
    const config = { ...loadConfig(env), logLevel: 'silent' };
    // The migrated store with the territory loaded, as the global setup made it: the command starts in seconds.
    cpSync(process.env.HABITAT_TEST_PGLITE_TEMPLATE!, join(dataDir, 'pglite'), { recursive: true });
    let ctx = await createContext(config);
    await oldAuditRow(ctx.db, new Date(Date.now() - 91 * DAY), 'cron');
    await oldAuditRow(ctx.db, new Date(Date.now() - 89 * DAY), 'cron');
    await ctx.close();
    const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, '..', 'bin', 'habitat.js'), 'purge'], { env, timeout: 290_000 });
    expect(stdout).toContain('entrées du journal d’audit de plus de 90 jours : 1');
    ctx = await createContext(config);
    try {
      expect(await auditRows(ctx.db, 'cron')).toHaveLength(1);
    } finally {
      await ctx.close();
    }
  }, 300_000); // a cold start of the CLI (tsx + PGlite on disk): slow on a loaded 2-core machine
});
