import type pg from 'pg';
import type { SeriesPoint, SeriesResolution } from '../../core/ports/stats.ts';
import { EXPIRED_SWEEP } from '../stats-schema.ts';
import { bucketMs, toSeriesPoint, type SeriesRow } from '../stats-rows.ts';

/** The console's counters on PostgreSQL (see stats-schema.ts): one statement each. */
export const stats = (pool: pg.Pool) => ({
  async statsSeries(o: {
    resolution: SeriesResolution;
    from: number;
    to: number;
    clientId?: string | undefined;
  }): Promise<SeriesPoint[]> {
    const size = bucketMs(o.resolution);
    const r = await pool.query<SeriesRow>({
      name: 'otpd_stats_series',
      // One range of the primary key: a tenant's rows, or `*`'s (every tenant's, counted as they happened).
      text: `SELECT bucket, metric, dim, count, total FROM stats_series
        WHERE res = $1 AND client_id = $4 AND bucket >= $2 AND bucket < $3`,
      values: [
        o.resolution === 'minute' ? 'm' : 'h',
        Math.ceil(o.from / size),
        Math.ceil(o.to / size),
        o.clientId ?? '*',
      ],
    });
    return r.rows.map((row) => toSeriesPoint(row, size));
  },

  /** One transaction: the cursor row's lock keeps a second replica's sweep waiting, then it finds nothing new. */
  async countExpired(now: number): Promise<void> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await c.query<{ at: string }>("SELECT at FROM event_cursors WHERE name = 'stats-expiry' FOR UPDATE");
      const from = Number(r.rows[0]!.at);
      if (now > from) {
        await c.query(EXPIRED_SWEEP('$1::bigint', '$2::bigint'), [from, Math.floor(now)]);
        await c.query("UPDATE event_cursors SET at = $1 WHERE name = 'stats-expiry'", [Math.floor(now)]);
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  },

  async countRefusal(clientId: string, defence: string, at: number): Promise<void> {
    await pool.query({
      name: 'otpd_stats_refusal',
      text: `INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total)
        VALUES ('m', $2, '', $1::bigint / 60000, $3, 1, 0), ('h', $2, '', $1::bigint / 3600000, $3, 1, 0),
          ('m', '*', '', $1::bigint / 60000, $3, 1, 0), ('h', '*', '', $1::bigint / 3600000, $3, 1, 0)
        ON CONFLICT (res, client_id, bucket, dim, metric) DO UPDATE SET count = stats_series.count + 1`,
      values: [Math.floor(at), clientId, `refused:${defence}`],
    });
  },
});
