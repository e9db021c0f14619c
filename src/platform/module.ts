// What a capability module gives the platform. The platform knows no module by name: the composition root
// (src/cli/main.ts, and the tests' app) hands it the list (src/modules/index.ts), and it calls these hooks.
import type { Command } from 'commander';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CliIO } from './cli-io.ts';
import type { AppContext } from './context.ts';

// Routes are registered through the Zod type provider; Fastify's own generics say nothing more useful here.
// oxlint-disable-next-line typescript/no-explicit-any
export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

/** Runs `fn` with a ready context (store migrated, lake open) and closes it afterwards. */
export type WithContext = <T>(fn: (ctx: AppContext) => Promise<T>) => Promise<T>;

/** One line of the audit log: who did what to which entity, on whose perimeter. */
export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | null;
  detail?: unknown;
  /** The EPCI on whose perimeter the action was; by default the one the request checked, else the caller's own. */
  epci?: string | null;
}

export interface HabitatModule {
  name: string;
  /**
   * At every start, in module order, before demo data and routes: what the other modules rely on (the territory
   * loads the COG and the instance's EPCIs). Must be fast when nothing changed.
   */
  prepare?(ctx: AppContext): Promise<void>;
  /** Who calls: sets `req.principal` from a session or an API key, or refuses (the access module). */
  identify?(ctx: AppContext): (req: FastifyRequest) => Promise<void>;
  /** Writes one line of the audit log (the access module); the platform calls it for every write it sees. */
  record?(ctx: AppContext, req: FastifyRequest | null, entry: AuditEntry): Promise<void>;
  /** Registers the module's routes, all under /api/<name>/ (public pages' data included). */
  routes?(app: App, ctx: AppContext): Promise<void> | void;
  /**
   * Adds sub-commands, e.g. under `habitat import` (`cli.importCommand`). They write through `cli.io` (never console),
   * resolve the paths they are given with `cli.io.path`, and read secrets with `cli.io.readSecret`: the command may run
   * inside the server for a terminal elsewhere.
   */
  cli?(cli: { program: Command; importCommand: Command; withContext: WithContext; io: CliIO }): void;
  /** Loads the module's demo data at start when HABITAT_DEMO is on; must be idempotent and fast when already done. */
  loadDemo?(ctx: AppContext): Promise<void>;
  /** Deletes what is past its retention period at `now`; returns how many of each, by French label (docs/security.md). */
  purge?(ctx: AppContext, now: Date): Promise<Record<string, number>>;
}

/** Runs every module's `prepare`, in order. */
export async function prepareModules(ctx: AppContext, modules: HabitatModule[]): Promise<void> {
  for (const m of modules) await m.prepare?.(ctx);
}

/** The audit log of the modules that keep one (the access module). */
export async function recordAudit(ctx: AppContext, modules: HabitatModule[], req: FastifyRequest | null, entry: AuditEntry): Promise<void> {
  for (const m of modules) await m.record?.(ctx, req, entry);
}
