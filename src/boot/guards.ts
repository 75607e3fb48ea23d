import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
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
