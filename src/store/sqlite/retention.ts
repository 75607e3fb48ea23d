import type Database from 'better-sqlite3';
import type { DailyStat, PurgeResult } from '../../core/ports/store.ts';

const DAY = `strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')`;

/**
 * Retention statements of the SQLite store. `purgeBatch` runs on the write connection (inside one
 * batch, so the rows it counts are exactly the rows it deletes); `dailyStats` on a read connection.
 */
export function retentionWrites(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    oldVerifications: p('SELECT rowid FROM verifications WHERE expires_at < ? LIMIT ?').pluck(),
    countVerifications: p(`INSERT INTO stats_daily (day, client_id, metric, count)
      SELECT ${DAY}, client_id, 'verifications.' || CASE WHEN status = 'pending' THEN 'expired' ELSE status END, count(*)
      FROM verifications WHERE rowid IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3
      ON CONFLICT (day, client_id, metric) DO UPDATE SET count = count + excluded.count`),
    deleteVerifications: p('DELETE FROM verifications WHERE rowid IN (SELECT value FROM json_each(?))'),
    oldMessages: p(`SELECT seq FROM messages WHERE created_at < ? AND status NOT IN ('queued', 'sending') LIMIT ?`).pluck(),
    countMessages: p(`INSERT INTO stats_daily (day, client_id, metric, count)
      SELECT ${DAY}, client_id, 'messages.' || status, count(*)
      FROM messages WHERE seq IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3
      ON CONFLICT (day, client_id, metric) DO UPDATE SET count = count + excluded.count`),
    deleteAttempts: p('DELETE FROM message_attempts WHERE message_seq IN (SELECT value FROM json_each(?))'),
    deleteMessages: p('DELETE FROM messages WHERE seq IN (SELECT value FROM json_each(?))'),
    deleteDev: p('DELETE FROM dev_outbox WHERE message_seq IN (SELECT message_seq FROM dev_outbox WHERE created_at < ? LIMIT ?)'),
    deleteReceipts: p(`DELETE FROM message_receipts WHERE (gateway, provider_message_id) IN
      (SELECT gateway, provider_message_id FROM message_receipts WHERE received_at < ? LIMIT ?)`),
  };
  return function purgeBatch(cutoff: number, batch: number): PurgeResult {
    const v = q.oldVerifications.all(cutoff, batch) as number[];
    if (v.length) {
      const ids = JSON.stringify(v);
      q.countVerifications.run(ids);
      q.deleteVerifications.run(ids);
    }
    const m = q.oldMessages.all(cutoff, batch) as number[];
    if (m.length) {
      const ids = JSON.stringify(m);
      q.countMessages.run(ids);
      q.deleteAttempts.run(ids);
      q.deleteMessages.run(ids);
    }
    const devMessages = q.deleteDev.run(cutoff, batch).changes;
    q.deleteReceipts.run(cutoff, batch);
    return { verifications: v.length, messages: m.length, devMessages };
  };
}

export function dailyStatsQuery(db: Database.Database) {
  const stmt = db.prepare(`
    SELECT day, client_id, metric, SUM(count) AS count FROM (
      SELECT day, client_id, metric, count FROM stats_daily WHERE day BETWEEN @fromDay AND @toDay
      UNION ALL
      SELECT ${DAY} AS day, client_id,
        'verifications.' || CASE WHEN status = 'pending' AND expires_at <= @now THEN 'expired' ELSE status END AS metric, count(*) AS count
      FROM verifications WHERE created_at >= @from AND created_at < @to GROUP BY 1, 2, 3
      UNION ALL
      SELECT ${DAY} AS day, client_id, 'messages.' || status AS metric, count(*) AS count
      FROM messages WHERE created_at >= @from AND created_at < @to GROUP BY 1, 2, 3
    ) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  return (fromDay: string, toDay: string, now: number): DailyStat[] => {
    const from = Date.parse(`${fromDay}T00:00:00Z`);
    const to = Date.parse(`${toDay}T00:00:00Z`) + 86_400_000;
    const rows = stmt.all({ fromDay, toDay, now, from, to }) as { day: string; client_id: string; metric: string; count: number }[];
    return rows.map((r) => ({ day: r.day, clientId: r.client_id, metric: r.metric, count: r.count }));
  };
}
