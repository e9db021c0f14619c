// The shape every capability module exposes to the platform: its HTTP routes and its CLI commands.
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CliIO } from '../platform/cli-io.ts';
import type { AppContext } from '../platform/context.ts';

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

/** Runs `fn` with a ready context (store migrated, lake open) and closes it afterwards. */
export type WithContext = <T>(fn: (ctx: AppContext) => Promise<T>) => Promise<T>;

export interface HabitatModule {
  name: string;
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
