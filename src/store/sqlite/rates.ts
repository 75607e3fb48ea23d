import type Database from 'better-sqlite3';

/**
 * Velocity budgets (GCRA times, see rules.ts) in a table, read and written by the send on the one
 * write connection: the check and the spending are part of the send's own step of the batch, so no
 * send can slip between them, and a budget holds across restarts and for every process on the file.
 */
export function rateWrites(db: Database.Database) {
  const get = db.prepare('SELECT tat FROM rate_limits WHERE key = ?').pluck();
  const put = db.prepare(
    'INSERT INTO rate_limits (key, tat) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tat = excluded.tat',
  );
  return {
    /** Each key's stored time, undefined for a key never used. */
    tats: (keys: readonly string[]): (number | undefined)[] => keys.map((k) => get.get(k) as number | undefined),
    store(keys: readonly string[], tats: readonly number[]): void {
      for (const [i, k] of keys.entries()) put.run(k, tats[i]);
    },
  };
}
