// What every module receives: configuration, the store, the lake, a logger. Built once per process.
import type { Config } from './config.ts';
import { openStore, type Db, type Store } from './db.ts';
import { openLake, type Lake } from './lake.ts';
import { createLogger, type Logger } from './log.ts';
import { migrate } from './migrate.ts';

export interface AppContext {
  config: Config;
  db: Db;
  store: Store;
  lake: Lake;
  log: Logger;
  close(): Promise<void>;
}

export async function createContext(config: Config, opts: { migrate?: boolean; log?: Logger } = {}): Promise<AppContext> {
  const log = opts.log ?? createLogger(config.logLevel);
  const store = await openStore(config);
  if (opts.migrate !== false) {
    const applied = await migrate(store);
    if (applied.length) log.info({ applied }, 'migrations appliquées');
  }
  const lake = await openLake(config.dataDir);
  return {
    config,
    db: store.db,
    store,
    lake,
    log,
    async close() {
      lake.close();
      await store.close();
    },
  };
}
