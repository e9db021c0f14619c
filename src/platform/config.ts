// Instance configuration: every environment variable the platform reads is read here, once, and checked against one
// schema. A wrong value stops the start with a French message naming the variable and the expected form, instead of
// a server that answers « moins de NaN opérations ». Safe defaults make `npm start` work with nothing set.
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';

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
  /** HABITAT_REFRESH: the running server refreshes each open-data source on its rhythm (docs/sources.md). */
  refreshSources: boolean;
  /** Publishers' base URLs (HABITAT_SOURCE_*_URL), so a mirror or a test server can stand in for them. */
  sourceUrls: SourceUrls;
  /** Outgoing proxy for the downloads (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as curl reads them). */
  proxy: { http?: string; https?: string; noProxy?: string };
  /** Trust X-Forwarded-For (behind a load balancer) for the caller's address. */
  trustProxy: boolean;
  /** `habitat import dvf` prints each DuckDB statement's duration. */
  traceDvf: boolean;
  /** SMTP server for e-mails (alerts, incident notices); none means no e-mail is sent. */
  smtpUrl?: string;
  /** Sender of those e-mails. */
  smtpFrom: string;
  /** Password for `habitat users add` without a prompt (scripts). Never logged. */
  cliPassword?: string;
  /** Audit log retention: entries older than this are deleted by the purge (CNIL: 6 months to 1 year). */
  auditRetentionDays: number;
  /** Months an attributed or struck-off social-housing demand is kept before the purge deletes it (docs/demand.md). */
  demandRetentionMonths: number;
  /** Minutes between two runs of the purge inside a running server; 0 leaves it to `habitat purge` (cron). */
  purgeIntervalMinutes: number;
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

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Each variable: its schema (on the raw string, absent or empty = default) and the expected form, said in French.
const integer = (min: number, max: number) =>
  z.string().regex(/^\s*\d+\s*$/).transform(Number).pipe(z.number().int().min(min).max(max));
const flag = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0']))
  .transform((s) => s === 'true' || s === '1');
const sirenList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^\d{9}$/)).min(1));

const httpUrl = z.string().trim().regex(/^https?:\/\/\S+$/);

const VARIABLES = {
  PORT: { schema: integer(0, 65535), expected: 'un numéro de port entre 0 et 65535, par exemple 3000' },
  HOST: { schema: z.string().trim().min(1), expected: 'une adresse d’écoute, par exemple 127.0.0.1 ou 0.0.0.0' },
  DATABASE_URL: { schema: z.string().trim().regex(/^postgres(ql)?:\/\/\S+$/), expected: 'une URL postgres://utilisateur:motdepasse@hôte:5432/base' },
  HABITAT_DATA_DIR: { schema: z.string().min(1), expected: 'un chemin de dossier' },
  HABITAT_EPCI: { schema: sirenList, expected: 'des SIREN de 9 chiffres séparés par des virgules, par exemple 200046977,243100518' },
  HABITAT_SECRECY_MIN: { schema: integer(1, 1000), expected: 'un nombre entier de 1 à 1000, par exemple 11' },
  HABITAT_DEMO: { schema: flag, expected: 'true ou false' },
  HABITAT_COOKIE_SECURE: { schema: flag, expected: 'true ou false' },
  NODE_ENV: { schema: z.string(), expected: 'par exemple production' },
  LOG_LEVEL: { schema: z.string().trim().pipe(z.enum(LOG_LEVELS)), expected: `un niveau parmi ${LOG_LEVELS.join(', ')}` },
  HABITAT_RATE_LIMIT: { schema: integer(1, 10_000_000), expected: 'un nombre entier de requêtes par minute, au moins 1, par exemple 600' },
  HABITAT_TRUST_PROXY: { schema: flag, expected: 'true ou false' },
  HABITAT_TRACE_DVF: { schema: flag, expected: 'true ou false (ou 1 ou 0)' },
  HABITAT_SMTP_URL: { schema: z.string().trim().regex(/^smtps?:\/\/\S+$/), expected: 'une URL smtp://hôte:port ou smtps://utilisateur:motdepasse@hôte:465' },
  HABITAT_SMTP_FROM: { schema: z.string().trim().min(3), expected: 'une adresse d’expéditeur, par exemple « Habitat Commun <ne-pas-repondre@exemple.fr> »' },
  HABITAT_PASSWORD: { schema: z.string(), expected: 'un mot de passe' },
  HABITAT_AUDIT_RETENTION_DAYS: { schema: integer(1, 3650), expected: 'un nombre entier de jours de 1 à 3650, par exemple 365' },
  HABITAT_DEMAND_RETENTION_MONTHS: { schema: integer(1, 120), expected: 'un nombre entier de mois de 1 à 120, par exemple 6' },
  HABITAT_PURGE_INTERVAL_MINUTES: { schema: integer(0, 10_080), expected: 'un nombre entier de minutes de 0 (pas de purge programmée) à 10080, par exemple 60' },
  HABITAT_REFRESH: { schema: flag, expected: 'true ou false' },
  HABITAT_SOURCE_DVF_URL: { schema: httpUrl, expected: 'une URL http(s)://, par exemple https://files.data.gouv.fr' },
  HABITAT_SOURCE_SDES_URL: { schema: httpUrl, expected: 'une URL http(s)://' },
  HABITAT_SOURCE_ADEME_URL: { schema: httpUrl, expected: 'une URL http(s)://' },
  HABITAT_SOURCE_INSEE_URL: { schema: httpUrl, expected: 'une URL http(s)://' },
  HABITAT_SOURCE_NPM_URL: { schema: httpUrl, expected: 'une URL http(s)://' },
  HABITAT_SOURCE_COG_URL: { schema: httpUrl, expected: 'une URL http(s)://' },
  HABITAT_SOURCE_RPLS_URL: { schema: httpUrl, expected: 'une URL http(s):// (modèle avec {millesime})' },
  // Proxies as curl reads them, upper and lower case.
  HTTP_PROXY: { schema: httpUrl, expected: 'une URL http(s)://hôte:port' },
  http_proxy: { schema: httpUrl, expected: 'une URL http(s)://hôte:port' },
  HTTPS_PROXY: { schema: httpUrl, expected: 'une URL http(s)://hôte:port' },
  https_proxy: { schema: httpUrl, expected: 'une URL http(s)://hôte:port' },
  NO_PROXY: { schema: z.string(), expected: 'une liste d’hôtes séparés par des virgules' },
  no_proxy: { schema: z.string(), expected: 'une liste d’hôtes séparés par des virgules' },
} satisfies Record<string, { schema: z.ZodType; expected: string }>;

export type ConfigVariable = keyof typeof VARIABLES;
/** Every environment variable the platform reads (the README's table lists the same). */
export const CONFIG_VARIABLES = Object.keys(VARIABLES) as ConfigVariable[];

type Parsed = { [K in ConfigVariable]?: z.output<(typeof VARIABLES)[K]['schema']> };

/** The configuration could not be read: `problems` names each faulty variable. */
export class ConfigError extends AppError {
  constructor(readonly problems: { variable: ConfigVariable; message: string }[]) {
    super('config.invalide', `Configuration invalide (variables d’environnement), rien n’a démarré :\n${problems.map((p) => `  - ${p.message}`).join('\n')}`, 500);
    this.name = 'ConfigError';
  }
}

/** A loopback listening address: only this machine reaches the server, over plain HTTP. */
export const isLoopbackHost = (host: string) => /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i.test(host.trim());

/** Reads and checks the environment; throws a ConfigError naming every faulty variable. */
/** `defaults.host`: a listening address given on the command line (`habitat serve --host`), which wins over HOST. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: { logLevel?: string; host?: string } = {}): Config {
  const v: Parsed = {};
  const problems: ConstructorParameters<typeof ConfigError>[0] = [];
  for (const name of CONFIG_VARIABLES) {
    const raw = env[name];
    // Absent and empty are the same: `VAR=` in an env file means "not set".
    if (raw === undefined || raw === '') continue;
    const r = VARIABLES[name].schema.safeParse(raw);
    if (r.success) (v as Record<string, unknown>)[name] = r.data;
    else {
      const shown = name === 'HABITAT_PASSWORD' || name === 'DATABASE_URL' || name === 'HABITAT_SMTP_URL' ? '(valeur masquée)' : `« ${raw} »`;
      problems.push({ variable: name, message: `${name} = ${shown} : attendu ${VARIABLES[name].expected}.` });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const host = defaults.host ?? v.HOST ?? '127.0.0.1';
  return {
    port: v.PORT ?? 3000,
    host,
    dataDir: resolve(v.HABITAT_DATA_DIR ?? 'data'),
    databaseUrl: v.DATABASE_URL,
    epciSirens: v.HABITAT_EPCI ?? DEMO_EPCI_SIRENS,
    secrecyMinCount: v.HABITAT_SECRECY_MIN ?? 11,
    cookieSecure: v.HABITAT_COOKIE_SECURE ?? !isLoopbackHost(host),
    loadDemo: v.HABITAT_DEMO ?? true,
    logLevel: v.LOG_LEVEL ?? defaults.logLevel ?? 'info',
    rateLimitPerMinute: v.HABITAT_RATE_LIMIT ?? 600,
    trustProxy: v.HABITAT_TRUST_PROXY ?? false,
    traceDvf: v.HABITAT_TRACE_DVF ?? false,
    smtpUrl: v.HABITAT_SMTP_URL,
    smtpFrom: v.HABITAT_SMTP_FROM ?? 'Habitat Commun <ne-pas-repondre@habitat-commun.fr>',
    cliPassword: v.HABITAT_PASSWORD,
    auditRetentionDays: v.HABITAT_AUDIT_RETENTION_DAYS ?? 365,
    demandRetentionMonths: v.HABITAT_DEMAND_RETENTION_MONTHS ?? 6,
    purgeIntervalMinutes: v.HABITAT_PURGE_INTERVAL_MINUTES ?? 60,
    refreshSources: v.HABITAT_REFRESH ?? false,
    sourceUrls: {
      dvf: v.HABITAT_SOURCE_DVF_URL ?? 'https://files.data.gouv.fr',
      sdes: v.HABITAT_SOURCE_SDES_URL ?? 'https://data.statistiques.developpement-durable.gouv.fr',
      ademe: v.HABITAT_SOURCE_ADEME_URL ?? 'https://data.ademe.fr',
      insee: v.HABITAT_SOURCE_INSEE_URL ?? 'https://www.insee.fr',
      npm: v.HABITAT_SOURCE_NPM_URL ?? 'https://registry.npmjs.org',
      cog: v.HABITAT_SOURCE_COG_URL ?? 'https://unpkg.com',
      rpls: v.HABITAT_SOURCE_RPLS_URL,
    },
    proxy: {
      http: v.HTTP_PROXY ?? v.http_proxy,
      https: v.HTTPS_PROXY ?? v.https_proxy,
      noProxy: v.NO_PROXY ?? v.no_proxy,
    },
  };
}

/**
 * The variables a command may take from the terminal it was typed in (src/platform/cli-io.ts): when the server runs
 * a command for another terminal (control-socket.ts), these come from that terminal, not from the server.
 */
export const TERMINAL_VARIABLES = ['HABITAT_PASSWORD', 'HABITAT_SMTP_URL', 'HABITAT_TRACE_DVF'] as const;

/** This process's values of the terminal variables (the only other read of the environment). */
export function terminalEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return Object.fromEntries(TERMINAL_VARIABLES.map((k) => [k, env[k] || undefined]));
}

