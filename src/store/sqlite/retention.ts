import type Database from 'better-sqlite3';
import type { DailyStat } from '../../core/ports/store.ts';
import { dayRange } from '../rules.ts';
import { toDailyStat, type StatRow } from '../rows.ts';

const DAY = `strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')`;

/**
 * Retention writes, on the one write connection (see writes.ts): each is one batch, and the rows a
 * batch adds to the per-day aggregates are exactly the rows it deletes, in the same transaction.
 */
export function retentionWrites(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    oldVerifications: p('SELECT rowid FROM verifications WHERE expires_at < ? LIMIT ?').pluck(),
    countVerifications: p(`INSERT INTO stats_daily (day, client_id, metric, count)
      SELECT ${DAY}, client_id, 'verifications.' || CASE WHEN status = 'pending' THEN 'expired'
        ELSE status END, count(*)
      FROM verifications WHERE rowid IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3
      ON CONFLICT (day, client_id, metric) DO UPDATE SET count = count + excluded.count`),
    deleteVerifications: p('DELETE FROM verifications WHERE rowid IN (SELECT value FROM json_each(?))'),
    oldMessages: p(
      `SELECT seq FROM messages WHERE created_at < ? AND status NOT IN ('queued', 'sending') LIMIT ?`,
    ).pluck(),
    countMessages: p(`INSERT INTO stats_daily (day, client_id, metric, count)
      SELECT ${DAY}, client_id, 'messages.' || status, count(*)
      FROM messages WHERE seq IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3
      ON CONFLICT (day, client_id, metric) DO UPDATE SET count = count + excluded.count`),
    deleteAttempts: p('DELETE FROM message_attempts WHERE message_seq IN (SELECT value FROM json_each(?))'),
    deleteMessages: p('DELETE FROM messages WHERE seq IN (SELECT value FROM json_each(?))'),
    deleteDev: p(
      'DELETE FROM dev_outbox WHERE message_seq IN (SELECT message_seq FROM dev_outbox WHERE created_at < ? LIMIT ?)',
    ),
    // A budget whose time is long past holds no information: it is as full as a key never used.
    deleteRates: p('DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE tat < ? LIMIT ?)'),
    // Events past retention that are settled (delivered or given up): a pending one is still owed.
    deleteEvents: p(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE created_at < ?
      AND status <> 'pending' LIMIT ?)`),
    // The console's counters are kept as long as the rows they count.
    deleteSeries: p(`DELETE FROM stats_series WHERE (res, client_id, bucket, dim, metric) IN
      (SELECT res, client_id, bucket, dim, metric FROM stats_series
        WHERE (res = 'm' AND bucket < @cutoff / 60000) OR (res = 'h' AND bucket < @cutoff / 3600000) LIMIT @batch)`),
    deleteReceipts: p(`DELETE FROM message_receipts WHERE (gateway, provider_message_id) IN
      (SELECT gateway, provider_message_id FROM message_receipts WHERE received_at < ? LIMIT ?)`),
  };
  return {
    purgeVerifications(cutoff: number, batch: number): number {
      const ids = JSON.stringify(q.oldVerifications.all(cutoff, batch));
      q.countVerifications.run(ids);
      return q.deleteVerifications.run(ids).changes;
    },
    purgeMessages(cutoff: number, batch: number): number {
      const ids = JSON.stringify(q.oldMessages.all(cutoff, batch));
      q.countMessages.run(ids);
      q.deleteAttempts.run(ids);
      return q.deleteMessages.run(ids).changes;
    },
    purgeDevMessages: (cutoff: number, batch: number): number => q.deleteDev.run(cutoff, batch).changes,
    purgeReceipts: (cutoff: number, batch: number): number => q.deleteReceipts.run(cutoff, batch).changes,
    purgeRates: (cutoff: number, batch: number): number => q.deleteRates.run(cutoff, batch).changes,
    purgeEvents: (cutoff: number, batch: number): number => q.deleteEvents.run(cutoff, batch).changes,
    purgeSeries: (cutoff: number, batch: number): number => q.deleteSeries.run({ cutoff, batch }).changes,
  };
}

/** Retention reads, on a read connection. */
export function retentionReads(db: Database.Database) {
  const stmt = db.prepare(`
    SELECT day, client_id, metric, SUM(count) AS count FROM (
      SELECT day, client_id, metric, count FROM stats_daily WHERE day BETWEEN @fromDay AND @toDay
      UNION ALL
      SELECT ${DAY} AS day, client_id,
        'verifications.' || CASE WHEN status = 'pending' AND expires_at <= @now THEN 'expired'
          ELSE status END AS metric, count(*) AS count
      FROM verifications WHERE created_at >= @from AND created_at < @to GROUP BY 1, 2, 3
      UNION ALL
      SELECT ${DAY} AS day, client_id, 'messages.' || status AS metric, count(*) AS count
      FROM messages WHERE created_at >= @from AND created_at < @to GROUP BY 1, 2, 3
    ) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  return {
    dailyStats: (fromDay: string, toDay: string, now: number): DailyStat[] =>
      (stmt.all({ fromDay, toDay, now, ...dayRange(fromDay, toDay) }) as StatRow[]).map(toDailyStat),
  };
}
