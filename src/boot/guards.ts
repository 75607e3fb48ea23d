import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { KeyRing } from '../core/keyring.ts';
import { checkStoredKey } from '../store/key-check.ts';
import { lockServer, type ServerLock } from '../store/sqlite/connection.ts';
import { StartupError } from './fatal.ts';

/**
 * Part of the composition root: one server per SQLite file. Two servers on one file would each run
 * a dispatcher and keep rate limits in their own memory, so they are refused; the CLI does not take
 * this lock and keeps working beside the server. PostgreSQL needs none: replicas are made for it.
 */
export function lockStore(c: Readonly<Config>): ServerLock | undefined {
  if (c.database.url) return undefined;
  const file = join(c.dataDir, 'otpd.db');
  const lock = lockServer(file);
  if (lock) return lock;
  throw new StartupError(
    `another otpd server is using ${file} (a second npm start?): stop it, or give this one its own OTPD_DATA_DIR; ` +
      'several servers can share a database only on PostgreSQL (OTPD_DATABASE_URL)',
  );
}

/**
 * Part of the composition root: refuses to serve with a secret the database was not set up with
 * (every right code would be rejected as CODE_INVALID, with nothing in the log), and records the
 * current secret after a rotation.
 */
export async function checkSecret(c: Readonly<Config>, keys: KeyRing, now: number, log: Logger): Promise<void> {
  const outcome = await checkStoredKey(c, keys.keyChecks(), now);
  if (outcome === 'rotated') log.info('the server secret was rotated: the database now records the current one');
  if (outcome !== 'mismatch') return;
  const which = c.secret ? 'OTPD_SECRET' : `the generated secret in ${join(c.dataDir, 'secret.key')}`;
  const others = c.database.url ? 'the other replicas use' : 'this database was used with';
  throw new StartupError(
    `${which} is not the secret this database was set up with, so every right code would be rejected: ` +
      `set the one ${others} (when rotating, keep the old one in OTPD_PREVIOUS_SECRETS)`,
  );
}
