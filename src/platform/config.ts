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
  /** HABITAT_REFRESH: the running server refreshes each open-data source on its rhythm (docs/sources.md). */
  refreshSources: boolean;
  /** Publishers' base URLs (HABITAT_SOURCE_*_URL), so a mirror or a test server can stand in for them. */
  sourceUrls: SourceUrls;
  /** Outgoing proxy for the downloads (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as curl reads them). */
  proxy: { http?: string; https?: string; noProxy?: string };
}

export interface SourceUrls {
  /** Etalab's file server (geo-DVF). */
  dvf: string;
  /** SDES's DiDo API (Sitadel). */
  sdes: string;
  /** ADEME's data-fair API (DPE). */
  ademe: string;
  /** insee.fr (comparateur de territoires). */
  insee: string;
  /** npm registry (which version of @etalab/decoupage-administratif, the COG, is the latest). */
  npm: string;
  /** A CDN serving the files of npm packages (the COG's JSON files). */
  cog: string;
  /** RPLS aggregate by commune, a URL template with {millesime}; no default (docs/sources.md says why). */
  rpls?: string;
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
    refreshSources: env.HABITAT_REFRESH === 'true',
    sourceUrls: {
      dvf: env.HABITAT_SOURCE_DVF_URL || 'https://files.data.gouv.fr',
      sdes: env.HABITAT_SOURCE_SDES_URL || 'https://data.statistiques.developpement-durable.gouv.fr',
      ademe: env.HABITAT_SOURCE_ADEME_URL || 'https://data.ademe.fr',
      insee: env.HABITAT_SOURCE_INSEE_URL || 'https://www.insee.fr',
      npm: env.HABITAT_SOURCE_NPM_URL || 'https://registry.npmjs.org',
      cog: env.HABITAT_SOURCE_COG_URL || 'https://unpkg.com',
      rpls: env.HABITAT_SOURCE_RPLS_URL || undefined,
    },
    proxy: {
      http: env.HTTP_PROXY || env.http_proxy || undefined,
      https: env.HTTPS_PROXY || env.https_proxy || undefined,
      noProxy: env.NO_PROXY || env.no_proxy || undefined,
    },
  };
}
