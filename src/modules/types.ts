// The module interface lives in the platform (src/platform/module.ts); modules import it from here or from there.
export type { App, HabitatModule, WithContext } from '../platform/module.ts';
