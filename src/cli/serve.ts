import type { Config } from '../config/schema.ts';
import { explainStartupFailure, wantsStack } from '../boot/fatal.ts';
import { createLogger } from '../boot/logger.ts';
import { startServer, type Server } from '../main.ts';

/**
 * Runs until SIGTERM/SIGINT, then stops accepting, drains the dispatcher and closes the store. A
 * failure to start is one line on stderr that says what to do, and exit status 1; the stack trace
 * is logged only at debug level.
 */
export async function serve(c: Readonly<Config>): Promise<void> {
  const log = createLogger(c);
  let server: Server;
  try {
    server = await startServer(c, { logger: log });
  } catch (err) {
    if (wantsStack(c)) log.fatal({ err }, 'otpd failed to start');
    process.stderr.write(`otpd: ${explainStartupFailure(err, c)}\n`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
