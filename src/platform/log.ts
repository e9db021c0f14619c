import { createRequire } from 'node:module';
import pino from 'pino';

export type Logger = pino.Logger;

const require = createRequire(import.meta.url);

/**
 * The platform's logger: one JSON line per event for a log collector (a service, a redirected output); readable lines
 * when a person watches the terminal. pino-pretty (0.2 s to load) is loaded only then: a command piped or run by a
 * service does not pay for it.
 */
export function createLogger(level = 'info', readable = process.stdout.isTTY === true): Logger {
  if (!readable) return pino({ level, base: undefined });
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pino({ level, base: undefined }, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true }));
}
