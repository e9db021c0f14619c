// An application for HTTP tests: a fresh store copied from the template, a lake in a temporary folder, and helpers to
// act as a given role of a given organisation.
import { modules } from '../../src/modules/index.ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { openLake } from '../../src/platform/lake.ts';
import { createLogger } from '../../src/platform/log.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import type { Role } from '../../src/platform/http/access.ts';
import type { OrganisationKind } from '../../src/modules/access/model.ts';
import * as access from '../../src/modules/access/store.ts';
import { openTestStore, type StoreKind } from './stores.ts';

export const TEST_PASSWORD = 'mot-de-passe-de-test-solide';

export async function createTestContext(opts: { kind?: StoreKind; config?: Partial<Config> } = {}): Promise<AppContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'habitat-test-'));
  const store = await openTestStore(opts.kind ?? 'pglite');
  const lake = await openLake(dataDir);
  const config: Config = { ...loadConfig({}), dataDir, loadDemo: false, logLevel: 'silent', rateLimitPerMinute: 100_000, ...opts.config };
  return {
    config,
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
}

export interface Actor {
  userId: string;
  organisationId: string;
  headers: { cookie: string };
}

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  /**
   * Creates a user of that role in an organisation of that kind and signs it in: for 'epci' the instance's first EPCI,
   * for 'commune' its most populous commune, for 'club' the club's organisation (the operator's), for a partner kind
   * a new organisation linked to every EPCI of the instance (as partners were before perimeters).
   */
  login(role: Role, orgKind?: OrganisationKind, organisationId?: string): Promise<Actor>;
  /** The organisation of an instance EPCI (to sign in as its staff: `login('agent', 'epci', await t.epciOrg(siren))`). */
  epciOrg(siren: string): Promise<string>;
  /** A new organisation: a partner linked to these EPCIs, or a commune organisation of that commune. */
  org(kind: OrganisationKind, opts?: { epcis?: string[]; commune?: string; siren?: string }): Promise<string>;
  /** A partner organisation (new, or the one given) with an API key: headers carry `Authorization: Bearer …`. */
  apiKey(orgKind?: OrganisationKind, organisationId?: string): Promise<{ organisationId: string; key: string; headers: { authorization: string } }>;
  close(): Promise<void>;
}

export async function createTestApp(opts: { kind?: StoreKind; config?: Partial<Config> } = {}): Promise<TestApp> {
  const ctx = await createTestContext(opts);
  const app = await buildApp(ctx, modules, { logger: false });
  const first = ctx.config.epciSirens[0];
  const organisationFor = async (kind: OrganisationKind) => {
    if (kind === 'epci') return (await access.ensureEpciOrganisation(ctx.db, first)).id;
    if (kind === 'club') return (await access.ensureClubOrganisation(ctx.db)).id;
    const name = `${kind} ${randomUUID().slice(0, 6)}`;
    if (kind === 'commune') {
      const c = await ctx.db.selectFrom('commune').select('code').where('epci_siren', '=', first).where('type', '=', 'commune-actuelle').orderBy('population', 'desc').executeTakeFirstOrThrow();
      return (await access.createOrganisation(ctx.db, { kind, name, commune_code: c.code })).id;
    }
    return (await access.createOrganisation(ctx.db, { kind, name }, ctx.config.epciSirens)).id;
  };
  return {
    app,
    ctx,
    async epciOrg(siren) {
      return (await access.ensureEpciOrganisation(ctx.db, siren)).id;
    },
    async org(kind, opts = {}) {
      const name = `${kind} ${randomUUID().slice(0, 6)}`;
      return (await access.createOrganisation(ctx.db, { kind, name, commune_code: opts.commune ?? null, siren: opts.siren ?? null }, opts.epcis ?? [])).id;
    },
    async login(role, orgKind, organisationId) {
      const kind = orgKind ?? (role === 'admin' || role === 'agent' ? 'epci' : role === 'operator' ? 'club' : 'bailleur');
      const orgId = organisationId ?? (await organisationFor(kind));
      const email = `${role}-${randomUUID().slice(0, 8)}@exemple.fr`;
      const user = await access.createUser(ctx.db, { email, name: `${role} test`, role, organisationId: orgId, password: TEST_PASSWORD });
      const opened = await access.login(ctx.db, email, TEST_PASSWORD);
      return { userId: user.id, organisationId: orgId, headers: { cookie: `hc_session=${opened!.token}` } };
    },
    async apiKey(orgKind = 'bailleur', existing) {
      const organisationId = existing ?? (await organisationFor(orgKind));
      const { key } = await access.createApiKey(ctx.db, organisationId, 'clé de test');
      return { organisationId, key, headers: { authorization: `Bearer ${key}` } };
    },
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}
