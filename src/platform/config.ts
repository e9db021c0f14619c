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
  /** Secure flag on session cookies: on unless the server listens on a loopback address (plain-HTTP local use). */
  cookieSecure: boolean;
  /** Load the demo data (territory, real open data extracts) at start. */
  loadDemo: boolean;
  logLevel: string;
  /** Requests per minute and per address on every route (login has its own, stricter limit). */
  rateLimitPerMinute: number;
}

/** Default demo club: Métropole de Lyon and Toulouse Métropole, the EPCIs shared/data holds real data for. */
export const DEMO_EPCI_SIRENS = ['200046977', '243100518'];

/** A loopback listening address: only this machine reaches the server, over plain HTTP. */
export const isLoopbackHost = (host: string) => /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i.test(host.trim());

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.HABITAT_DATA_DIR ?? 'data');
  const host = env.HOST ?? '127.0.0.1';
  return {
    port: Number(env.PORT ?? 3000),
    host,
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    epciSirens: (env.HABITAT_EPCI ?? DEMO_EPCI_SIRENS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    secrecyMinCount: Number(env.HABITAT_SECRECY_MIN ?? 11),
    cookieSecure: (env.HABITAT_COOKIE_SECURE ?? (isLoopbackHost(host) ? 'false' : 'true')) === 'true',
    loadDemo: (env.HABITAT_DEMO ?? 'true') !== 'false',
    logLevel: env.LOG_LEVEL ?? 'info',
    rateLimitPerMinute: Number(env.HABITAT_RATE_LIMIT ?? 600),
  };
}
