// Configuration is checked at start against one schema: a wrong value stops the start with a French message naming
// the variable and the expected form (issue 21: HABITAT_SECRECY_MIN=onze used to start and publish « moins de NaN »).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, DEMO_EPCI_SIRENS, loadConfig } from '../src/platform/config.ts';

const ROOT = join(import.meta.dirname, '..');

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('la configuration a été acceptée');
}

describe('loadConfig', () => {
  it('starts with nothing set, on safe defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      epciSirens: DEMO_EPCI_SIRENS,
      secrecyMinCount: 11,
      cookieSecure: false,
      loadDemo: true,
      logLevel: 'info',
      rateLimitPerMinute: 600,
      trustProxy: false,
      traceDvf: false,
      auditRetentionDays: 365,
      purgeIntervalMinutes: 60,
    });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.smtpUrl).toBeUndefined();
  });

  it('reads every variable in its documented form', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://habitat:secret@db:5432/habitat',
      HABITAT_EPCI: ' 200046977 , 243100518,',
      HABITAT_SECRECY_MIN: '5',
      HABITAT_DEMO: 'false',
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      HABITAT_RATE_LIMIT: '1200',
      HABITAT_TRUST_PROXY: 'TRUE',
      HABITAT_TRACE_DVF: '1',
      HABITAT_SMTP_URL: 'smtp://127.0.0.1:2525',
      HABITAT_SMTP_FROM: 'Métropole <habitat@exemple.fr>',
      HABITAT_AUDIT_RETENTION_DAYS: '180',
      HABITAT_PURGE_INTERVAL_MINUTES: '0',
    });
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://habitat:secret@db:5432/habitat',
      epciSirens: ['200046977', '243100518'],
      secrecyMinCount: 5,
      loadDemo: false,
      cookieSecure: true, // HOST is not a loopback address, and HABITAT_COOKIE_SECURE is not set
      logLevel: 'debug',
      rateLimitPerMinute: 1200,
      trustProxy: true,
      traceDvf: true,
      smtpUrl: 'smtp://127.0.0.1:2525',
      smtpFrom: 'Métropole <habitat@exemple.fr>',
      auditRetentionDays: 180,
      purgeIntervalMinutes: 0,
    });
  });

  it('takes an empty variable as unset (VAR= in an env file)', () => {
    expect(loadConfig({ HABITAT_SECRECY_MIN: '', DATABASE_URL: '', PORT: '' })).toMatchObject({ secrecyMinCount: 11, port: 3000, databaseUrl: undefined });
  });

  it('refuses HABITAT_SECRECY_MIN=onze, naming the variable and the expected form, in French', () => {
    const message = problemsOf({ HABITAT_SECRECY_MIN: 'onze' });
    expect(message).toContain('Configuration invalide');
    expect(message).toContain('HABITAT_SECRECY_MIN = « onze » : attendu un nombre entier de 1 à 1000, par exemple 11.');
  });

  it('lists every faulty variable at once, and never prints a secret', () => {
    const message = problemsOf({
      PORT: '80a',
      HABITAT_SECRECY_MIN: '0',
      HABITAT_RATE_LIMIT: '-5',
      HABITAT_DEMO: 'peut-être',
      HABITAT_EPCI: '20004697',
      LOG_LEVEL: 'bavard',
      DATABASE_URL: 'mysql://root:secret@db/habitat',
      HABITAT_AUDIT_RETENTION_DAYS: '1,5',
    });
    for (const v of ['PORT', 'HABITAT_SECRECY_MIN', 'HABITAT_RATE_LIMIT', 'HABITAT_DEMO', 'HABITAT_EPCI', 'LOG_LEVEL', 'DATABASE_URL', 'HABITAT_AUDIT_RETENTION_DAYS'])
      expect(message).toContain(`${v} = `);
    expect(message).toContain('attendu true ou false');
    expect(message).toContain('des SIREN de 9 chiffres');
    expect(message).not.toContain('secret');
    expect(message).toContain('DATABASE_URL = (valeur masquée)');
  });

  it('is the only reader of the environment in src/ (one schema for every variable)', () => {
    const readers: string[] = [];
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(f) && !/\.test\.tsx?$|test-support/.test(f)) {
          const text = readFileSync(p, 'utf8');
          for (const m of text.matchAll(/process\.env\b(?:\.([A-Z_0-9]+))?/g)) {
            if (p.endsWith(join('platform', 'config.ts'))) continue;
            readers.push(`${relative(ROOT, p)}: ${m[0]}`);
          }
          if (p.endsWith(join('platform', 'config.ts'))) for (const m of text.matchAll(/^\s{2}([A-Za-z][A-Za-z_0-9]+): \{ schema/gm)) names.add(m[1]);
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(readers).toEqual([]);
    expect([...names].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('habitat serve with a wrong variable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'habitat-config-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to start, says why in French and exits non-zero', async () => {
    const env = { ...process.env, HABITAT_DATA_DIR: dataDir, HABITAT_DEMO: 'false', PORT: '0', HABITAT_SECRECY_MIN: 'onze' };
    // Were the value accepted, the server would keep running: the timeout kills it and the test fails on the code.
    const r = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'habitat.js'), 'serve'], { env, timeout: 150_000 }).then(
      (ok) => ({ code: 0, stderr: ok.stderr, killed: false }),
      (e) => ({ code: e.code as number | null, stderr: String(e.stderr), killed: !!e.killed }),
    );
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HABITAT_SECRECY_MIN = « onze » : attendu un nombre entier');
    // Nothing was opened: the check comes before the store.
    expect(readdirSync(dataDir)).toEqual([]);
  }, 180_000);
});
