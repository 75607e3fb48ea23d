import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { systemClock } from '../core/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
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
export async function withStore<T>(file: string | undefined, fn: (store: SqliteStore, c: Readonly<Config>) => Promise<T>): Promise<T> {
  const c = configOrExit(file);
  ensureDataDir(c.dataDir);
  const store = new SqliteStore({ file: join(c.dataDir, 'otpd.db'), synchronous: c.sqlite.synchronous, busyTimeoutMs: c.sqlite.busyTimeoutMs }, systemClock.now());
  try {
    return await fn(store, c);
  } finally {
    await store.close();
  }
}

export function fail(message: string): never {
  process.stderr.write(`otpd: ${message}\n`);
  process.exit(1);
}
