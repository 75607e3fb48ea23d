import { ConfigError, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { systemClock } from '../core/clock.ts';
import type { Store } from '../core/ports/store.ts';
import { openStore } from '../store/from-config.ts';
import { ensureDataDir } from '../boot/secrets.ts';

/** Loads and validates the configuration, or prints every problem and exits non-zero. */
export function configOrExit(file: string | undefined): Readonly<Config> {
  try {
    return loadConfig(process.env, file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`otpd: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Runs a command against the configured store and closes it afterwards. */
export async function withStore<T>(file: string | undefined, fn: (store: Store, c: Readonly<Config>) => Promise<T>): Promise<T> {
  const c = configOrExit(file);
  ensureDataDir(c.dataDir);
  const { store, limiter } = await openStore(c, systemClock, 'inline');
  try {
    return await fn(store, c);
  } finally {
    await limiter.close?.();
    await store.close();
  }
}

export function fail(message: string): never {
  process.stderr.write(`otpd: ${message}\n`);
  process.exit(1);
}
