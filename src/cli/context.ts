import { ConfigError, loadConfig, type LoadOptions } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { systemClock } from '../core/clock.ts';
import { isOtpdError, type ErrorCode } from '../core/errors.ts';
import type { Store } from '../core/ports/store.ts';
import { explainStartupFailure, wantsStack } from '../boot/fatal.ts';
import { ensureDataDir } from '../boot/secrets.ts';

/** Loads and validates the configuration, or prints every problem and exits with status 2. */
export function configOrExit(file: string | undefined, o: LoadOptions = {}): Readonly<Config> {
  try {
    return loadConfig(process.env, file, o);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`otpd: ${err.message}\nEvery setting is described in docs/configuration.md.\n`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * Runs a command against the configured store and closes it afterwards. The store (and its driver) is
 * loaded here, on first use, so commands that need no store never load one.
 */
export async function withStore<T>(
  file: string | undefined,
  fn: (store: Store, c: Readonly<Config>) => Promise<T>,
): Promise<T> {
  const c = configOrExit(file);
  const { store, limiter } = await opening(c, async () => {
    ensureDataDir(c.dataDir);
    const { openStore } = await import('../store/from-config.ts');
    return openStore(c, systemClock, 'inline');
  });
  try {
    return await fn(store, c);
  } finally {
    await limiter.close?.();
    await store.close();
  }
}

/**
 * Runs what opens the store (or migrates it); a failure there (an unusable data directory, an
 * unreachable database) is one line that says what to do, and exit status 1. The stack trace is
 * printed only at debug level.
 */
export async function opening<T>(c: Readonly<Config>, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    if (wantsStack(c)) process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    return fail(explainStartupFailure(err, c));
  }
}

export function fail(message: string): never {
  process.stderr.write(`otpd: ${message}\n`);
  process.exit(1);
}

/**
 * Prints a domain error as `otpd: <message>` and exits 1, in the CLI's own words for the codes given
 * (the operator typed the value, so the CLI may echo it where the API would not). Anything else is a
 * bug and is rethrown.
 */
export function failOn(err: unknown, words: Partial<Record<ErrorCode, string>> = {}): never {
  if (isOtpdError(err)) fail(words[err.code] ?? err.message);
  throw err;
}

/** Runs a use case, printing its domain errors as {@link failOn} does. */
export async function orFail<T>(
  work: () => T | Promise<T>,
  words: Partial<Record<ErrorCode, string>> = {},
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    return failOn(err, words);
  }
}

/** Runs a validation before anything is opened, printing its error as {@link failOn} does. */
export function checked<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    return failOn(err);
  }
}
