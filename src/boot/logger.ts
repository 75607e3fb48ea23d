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
 * pino-pretty's lines for a person. JSON lines are written asynchronously: lines logged while a
 * write is in flight go out together in the next one, so a busy server makes one write per batch
 * of requests instead of one per request; pino flushes what is pending when the process exits.
 */
export function createLogger(c: Config, stdoutIsTerminal = process.stdout.isTTY === true): Logger {
  const options = { level: c.logLevel, base: { service: 'otpd' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (logFormat(c, stdoutIsTerminal) === 'json') return pino(options, pino.destination({ dest: 1, sync: false }));
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
