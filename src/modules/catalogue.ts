// The modules of the platform, in load order. Each one adds itself here with one line. They are loaded on demand, so
// that a command of the `habitat` CLI loads only the modules it needs (src/cli/commands.ts); the server loads them all.
import type { HabitatModule } from './types.ts';

export const MODULE_LOADERS: Record<string, () => Promise<HabitatModule>> = {
  territory: async () => (await import('./territory/index.ts')).territoryModule,
  access: async () => (await import('./access/index.ts')).accessModule,
  aids: async () => (await import('./aids/index.ts')).aidsModule,
  demand: async () => (await import('./demand/index.ts')).demandModule,
  market: async () => (await import('./market/index.ts')).marketModule,
  referential: async () => (await import('./referential/index.ts')).referentialModule,
  plh: async () => (await import('./plh/index.ts')).plhModule,
  stock: async () => (await import('./stock/index.ts')).stockModule,
  construction: async () => (await import('./construction/index.ts')).constructionModule,
  observatory: async () => (await import('./observatory/index.ts')).observatoryModule,
  sources: async () => (await import('./sources/index.ts')).sourcesModule,
};

/** Loaded by every command: the territory prepares the places the others rely on; access keeps organisations and audit. */
const BASE_MODULES = ['territory', 'access'];

/** The named modules (all when none are named) and the base ones, in load order. */
export async function loadModules(names?: string[]): Promise<HabitatModule[]> {
  const wanted = names ? new Set([...BASE_MODULES, ...names]) : undefined;
  const chosen = Object.keys(MODULE_LOADERS).filter((n) => !wanted || wanted.has(n));
  return Promise.all(chosen.map((n) => MODULE_LOADERS[n]()));
}
