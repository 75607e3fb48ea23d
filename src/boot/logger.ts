import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/schema.ts';

/** JSON lines for machines; coloured, one-line entries for a person at a terminal. */
export function logFormat(c: Pick<Config, 'logFormat'>, stdoutIsTerminal: boolean): 'json' | 'pretty' {
  if (c.logFormat !== 'auto') return c.logFormat;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

/**
 * The one logger, at the configured level: JSON lines with ISO times, or (see {@link logFormat})
 * pino-pretty's lines, written synchronously so that nothing is lost when the process exits.
 */
export function createLogger(c: Config, stdoutIsTerminal = process.stdout.isTTY === true): Logger {
  const options = { level: c.logLevel, base: { service: 'otpd' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (logFormat(c, stdoutIsTerminal) === 'json') return pino(options);
  // Loaded only for a person at a terminal: a JSON-logging server never pays its ~70 ms.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const stream = pretty({
    sync: true,
    singleLine: true,
    // The listening line says its URLs in words already.
    ignore: 'pid,hostname,service,url,docs,openapi',
    translateTime: 'SYS:HH:MM:ss.l',
  });
  return pino(options, stream);
}
