import type pg from 'pg';
import type { SeriesPoint, SeriesResolution } from '../../core/ports/stats.ts';
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
      text: `SELECT bucket, metric, dim, SUM(count) AS count FROM stats_series
        WHERE res = $1 AND bucket >= $2 AND bucket < $3 AND ($4::text IS NULL OR client_id = $4)
        GROUP BY bucket, metric, dim`,
      values: [
        o.resolution === 'minute' ? 'm' : 'h',
        Math.ceil(o.from / size),
        Math.ceil(o.to / size),
        o.clientId ?? null,
      ],
    });
    return r.rows.map((row) => toSeriesPoint(row, size));
  },

  async countRefusal(clientId: string, defence: string, at: number): Promise<void> {
    await pool.query({
      name: 'otpd_stats_refusal',
      text: `INSERT INTO stats_series (res, bucket, client_id, metric, dim, count)
        VALUES ('m', $1::bigint / 60000, $2, $3, '', 1), ('h', $1::bigint / 3600000, $2, $3, '', 1)
        ON CONFLICT (res, bucket, client_id, metric, dim) DO UPDATE SET count = stats_series.count + 1`,
      values: [Math.floor(at), clientId, `refused:${defence}`],
    });
  },
});
