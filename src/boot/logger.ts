import pino, { type Logger } from 'pino';
import type { Config } from '../config/schema.ts';

/** The one logger: JSON lines, ISO times, at the configured level. */
export function createLogger(c: Config): Logger {
  return pino({ level: c.logLevel, base: { service: 'otpd' }, timestamp: pino.stdTimeFunctions.isoTime });
}
