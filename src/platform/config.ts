// Instance configuration, read once from the environment. Safe defaults make `npm start` work with nothing set.
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** Folder for the embedded store (PGlite) and the lake. */
  dataDir: string;
  /** PostgreSQL server URL; when absent the embedded PGlite store under dataDir is used. */
  databaseUrl?: string;
  /** SIREN of the EPCIs this instance serves (a club of several is allowed). */
  epciSirens: string[];
  /** Statistical secrecy: a public figure computed from fewer cases than this is withheld. */
  secrecyMinCount: number;
  /** Secure flag on session cookies; off only for plain-HTTP local use. */
  cookieSecure: boolean;
  /** Load the demo data (territory, real open data extracts) at start. */
  loadDemo: boolean;
  logLevel: string;
  /** Requests per minute and per address on every route (login has its own, stricter limit). */
  rateLimitPerMinute: number;
}

/** Default demo club: Métropole de Lyon and Toulouse Métropole, the EPCIs shared/data holds real data for. */
export const DEMO_EPCI_SIRENS = ['200046977', '243100518'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.HABITAT_DATA_DIR ?? 'data');
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    epciSirens: (env.HABITAT_EPCI ?? DEMO_EPCI_SIRENS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    secrecyMinCount: Number(env.HABITAT_SECRECY_MIN ?? 11),
    cookieSecure: (env.HABITAT_COOKIE_SECURE ?? (env.NODE_ENV === 'production' ? 'true' : 'false')) === 'true',
    loadDemo: (env.HABITAT_DEMO ?? 'true') !== 'false',
    logLevel: env.LOG_LEVEL ?? 'info',
    rateLimitPerMinute: Number(env.HABITAT_RATE_LIMIT ?? 600),
  };
}
