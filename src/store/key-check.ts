import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { openDatabase } from './sqlite/connection.ts';
import { advisoryLockKey, createPool, inTransaction } from './postgres/pool.ts';

/**
 * The key check: the value of `KeyRing.keyChecks()` for the secret a database's processes use,
 * stored once per database so that a process started with another secret refuses to start instead
 * of rejecting every right code. It lives in a table of its own, created if missing, outside the
 * numbered migrations: it is written only here, at start, and an older otpd simply ignores it.
 */
const TABLE = `CREATE TABLE IF NOT EXISTS key_check (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
)`;

/**
 * `created`: the first start on this database; `current`: the stored value is this process's current
 * secret; `rotated`: it is one of its previous secrets, and the current one is now stored (so the
 * value follows the secret the last started process calls current); `mismatch`: none of its secrets.
 */
export type KeyCheckOutcome = 'created' | 'current' | 'rotated' | 'mismatch';

/** The rule, written once for both stores: what to conclude and what to store. */
export function decideKeyCheck(
  stored: string | undefined,
  checks: readonly string[],
): { outcome: KeyCheckOutcome; store?: string } {
  const [current] = checks;
  if (stored === undefined) return { outcome: 'created', store: current! };
  if (stored === current) return { outcome: 'current' };
  if (checks.includes(stored)) return { outcome: 'rotated', store: current! };
  return { outcome: 'mismatch' };
}

/**
 * Reads, decides and writes in one transaction that excludes every other process's check (SQLite's
 * IMMEDIATE write lock; a PostgreSQL advisory lock per schema), so two processes starting at once on
 * a new database cannot both store their own value: the second sees the first's.
 */
export async function checkStoredKey(
  c: Readonly<Config>,
  checks: readonly string[],
  now: number,
): Promise<KeyCheckOutcome> {
  if (c.database.url) {
    const pool = createPool({ url: c.database.url, schema: c.database.schema, poolSize: 1 });
    try {
      return await inTransaction(pool, async (q) => {
        await q.query('SELECT pg_advisory_xact_lock($1::bigint)', [
          advisoryLockKey('otpd:key-check', c.database.schema),
        ]);
        await q.query(TABLE);
        const row = await q.query<{ value: string }>('SELECT value FROM key_check WHERE id = 1');
        const d = decideKeyCheck(row.rows[0]?.value, checks);
        if (d.store !== undefined) {
          await q.query(
            `INSERT INTO key_check (id, value, updated_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
            [d.store, now],
          );
        }
        return d.outcome;
      });
    } finally {
      await pool.end();
    }
  }
  const db = openDatabase({
    file: join(c.dataDir, 'otpd.db'),
    synchronous: c.sqlite.synchronous,
    busyTimeoutMs: c.sqlite.busyTimeoutMs,
  });
  try {
    return db
      .transaction(() => {
        db.exec(TABLE);
        const row = db.prepare('SELECT value FROM key_check WHERE id = 1').get() as { value: string } | undefined;
        const d = decideKeyCheck(row?.value, checks);
        if (d.store !== undefined) {
          db.prepare(
            `INSERT INTO key_check (id, value, updated_at) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          ).run(d.store, now);
        }
        return d.outcome;
      })
      .immediate();
  } finally {
    db.close();
  }
}
