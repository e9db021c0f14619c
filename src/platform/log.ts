import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/**
 * The platform's logger: one JSON line per event for a log collector (a service, a redirected output); readable lines
 * when a person watches the terminal.
 */
export const createLogger = (level = 'info', readable = process.stdout.isTTY === true): Logger =>
  readable
    ? pino({ level, base: undefined }, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true }))
    : pino({ level, base: undefined });
