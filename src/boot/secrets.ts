import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { KeyRing } from '../core/keyring.ts';
import { dataDirProblem, StartupError } from './fatal.ts';

/**
 * Creates the data directory with owner-only access, as it holds the database and secrets, and
 * makes sure this user can write there before anything else is tried.
 */
export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new StartupError(dataDirProblem(dir, (err as { code?: string }).code ?? 'unusable'), { cause: err });
  }
}

/**
 * The server secret: from configuration, or (development only; config forbids the gap in
 * production) read from or generated into dataDir/secret.key with mode 0600.
 */
export function resolveSecret(c: Config): { secret: string; generatedAt?: string } {
  if (c.secret) return { secret: c.secret };
  const file = join(c.dataDir, 'secret.key');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim() };
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { secret, generatedAt: file };
}

export function writeSecretFile(path: string, content: string): void {
  writeFileSync(path, `${content}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Part of the composition root: the data directory, the server secret, and the keys derived from it. */
export function buildKeyRing(c: Config, log: Logger): KeyRing {
  ensureDataDir(c.dataDir);
  const { secret, generatedAt } = resolveSecret(c);
  if (generatedAt) {
    log.warn({ file: generatedAt }, 'generated a new server secret (development); set OTPD_SECRET in production');
  }
  return new KeyRing(secret, c.previousSecrets);
}
