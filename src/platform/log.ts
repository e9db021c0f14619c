import pino from 'pino';
export type Logger = pino.Logger;
export const createLogger = (level = 'info') => pino({ level, base: undefined });
