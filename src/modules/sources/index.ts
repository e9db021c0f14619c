// The sources: the catalogue of the data the platform knows (open data fetched by connectors, files transmitted
// under agreement), the connectors themselves, their schedule and history. docs/sources.md.
import type { HabitatModule } from '../types.ts';
import { sourcesCli } from './cli.ts';
import { sourcesRoutes } from './routes.ts';
import { startRefreshSchedule } from './schedule.ts';

export const sourcesModule: HabitatModule = {
  name: 'sources',
  routes: async (app, ctx) => {
    await sourcesRoutes(app, ctx);
    // The schedule lives with the HTTP server (habitat serve), not with one-off commands.
    if (ctx.config.refreshSources) {
      let stop: (() => void) | undefined;
      app.addHook('onReady', async () => {
        stop = startRefreshSchedule(ctx);
      });
      app.addHook('onClose', async () => stop?.());
    }
  },
  cli: ({ program, withContext, io }) => sourcesCli({ program, withContext, io }),
};
