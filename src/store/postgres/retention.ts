import type pg from 'pg';
import type { DailyStat, PurgeResult } from '../../core/ports/store.ts';
import { dayRange, drainBatches } from '../rules.ts';
import { toDailyStat, type StatRow } from '../rows.ts';

const DAY = `to_char(to_timestamp(created_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

// Each purge statement deletes a batch and adds exactly the rows it deleted to the aggregates, in
// one statement. SKIP LOCKED lets replicas purge side by side; a row another purger deleted first
// is gone by the time we would lock it, so no row is ever counted twice.
const PURGE_VERIFICATIONS = `
  WITH gone AS (
    DELETE FROM verifications WHERE id IN (
      SELECT id FROM verifications WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED
    ) RETURNING client_id, created_at, CASE WHEN status = 'pending' THEN 'expired' ELSE status END AS status
  ), agg AS (
    INSERT INTO stats_daily (day, client_id, metric, count)
    SELECT ${DAY}, client_id, 'verifications.' || status, count(*) FROM gone GROUP BY 1, 2, 3
    ON CONFLICT (day, client_id, metric) DO UPDATE SET count = stats_daily.count + excluded.count
  )
  SELECT count(*)::int AS n FROM gone`;

const PURGE_MESSAGES = `
  WITH gone AS (
    DELETE FROM messages WHERE seq IN (
      SELECT seq FROM messages WHERE created_at < $1 AND status NOT IN ('queued',
        'sending') LIMIT $2 FOR UPDATE SKIP LOCKED
    ) RETURNING seq, client_id, created_at, status
  ), attempts AS (
    DELETE FROM message_attempts WHERE message_seq IN (SELECT seq FROM gone)
  ), agg AS (
    INSERT INTO stats_daily (day, client_id, metric, count)
    SELECT ${DAY}, client_id, 'messages.' || status, count(*) FROM gone GROUP BY 1, 2, 3
    ON CONFLICT (day, client_id, metric) DO UPDATE SET count = stats_daily.count + excluded.count
  )
  SELECT count(*)::int AS n FROM gone`;

const PURGE_DEV = `
  WITH gone AS (
    DELETE FROM dev_outbox WHERE message_seq IN (
      SELECT message_seq FROM dev_outbox WHERE created_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED
    ) RETURNING 1
  )
  SELECT count(*)::int AS n FROM gone`;

function drain(pool: pg.Pool, name: string, text: string, cutoff: number, batch: number): Promise<number> {
  return drainBatches(
    batch,
    async () => (await pool.query<{ n: number }>({ name, text, values: [cutoff, batch] })).rows[0]!.n,
  );
}

/** See RetentionStore.purge: batches of autocommit statements, each one delete-and-count. */
async function purge(pool: pg.Pool, cutoff: number, batch: number): Promise<PurgeResult> {
  const verifications = await drain(pool, 'otpd_purge_verifications', PURGE_VERIFICATIONS, cutoff, batch);
  const messages = await drain(pool, 'otpd_purge_messages', PURGE_MESSAGES, cutoff, batch);
  const devMessages = await drain(pool, 'otpd_purge_dev', PURGE_DEV, cutoff, batch);
  // Rate-limit rows whose theoretical arrival time is long past hold no information.
  await pool.query({ name: 'otpd_purge_limits', text: 'DELETE FROM rate_limits WHERE tat < $1', values: [cutoff] });
  await pool.query({
    name: 'otpd_purge_receipts',
    text: 'DELETE FROM message_receipts WHERE received_at < $1',
    values: [cutoff],
  });
  // Settled events past retention (a pending one is still owed), a batch at a time.
  await drain(pool, 'otpd_purge_events', PURGE_EVENTS, cutoff, batch);
  // The console's counters are kept as long as the rows they count.
  await pool.query({
    name: 'otpd_purge_series',
    text: `DELETE FROM stats_series WHERE (res = 'm' AND bucket < $1::bigint / 60000)
      OR (res = 'h' AND bucket < $1::bigint / 3600000)`,
    values: [cutoff],
  });
  return { verifications, messages, devMessages };
}

const PURGE_EVENTS = `
  WITH gone AS (
    DELETE FROM events WHERE seq IN (
      SELECT seq FROM events WHERE created_at < $1 AND status <> 'pending' LIMIT $2 FOR UPDATE SKIP LOCKED
    ) RETURNING 1
  )
  SELECT count(*)::int AS n FROM gone`;

const STATS = `
  SELECT day, client_id, metric, SUM(count)::bigint AS count FROM (
    SELECT day, client_id, metric, count FROM stats_daily WHERE day BETWEEN $1 AND $2
    UNION ALL
    SELECT ${DAY} AS day, client_id,
      'verifications.' || CASE WHEN status = 'pending' AND expires_at <= $3 THEN 'expired'
        ELSE status END AS metric, count(*) AS count
    FROM verifications WHERE created_at >= $4 AND created_at < $5 GROUP BY 1, 2, 3
    UNION ALL
    SELECT ${DAY} AS day, client_id, 'messages.' || status AS metric, count(*) AS count
    FROM messages WHERE created_at >= $4 AND created_at < $5 GROUP BY 1, 2, 3
  ) t GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;

async function dailyStats(pool: pg.Pool, fromDay: string, toDay: string, now: number): Promise<DailyStat[]> {
  const { from, to } = dayRange(fromDay, toDay);
  const res = await pool.query<StatRow>({ name: 'otpd_stats', text: STATS, values: [fromDay, toDay, now, from, to] });
  return res.rows.map(toDailyStat);
}

/** Retention in PostgreSQL. */
export const retention = (pool: pg.Pool) => ({
  /**
   * Batches of single statements, each `DELETE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`
   * whose RETURNING rows feed the per-day aggregates in the same statement: a row is deleted, and
   * counted, by exactly one of several replicas purging at once.
   */
  purge: (cutoff: number, batch: number): Promise<PurgeResult> => purge(pool, cutoff, batch),
  dailyStats: (fromDay: string, toDay: string, now: number) => dailyStats(pool, fromDay, toDay, now),
});
