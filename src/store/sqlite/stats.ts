import type Database from 'better-sqlite3';
import type { SeriesPoint, SeriesResolution } from '../../core/ports/stats.ts';
import { bucketMs, toSeriesPoint, type SeriesRow } from '../stats-rows.ts';

/** The refusal counter, on the one write connection (see writes.ts). */
export function statsWrites(db: Database.Database) {
  const bump = db.prepare(`INSERT INTO stats_series (res, bucket, client_id, metric, dim, count)
    VALUES ('m', @at / 60000, @client, @metric, '', 1), ('h', @at / 3600000, @client, @metric, '', 1)
    ON CONFLICT (res, bucket, client_id, metric, dim) DO UPDATE SET count = count + excluded.count`);
  return {
    countRefusal(clientId: string, defence: string, at: number): void {
      bump.run({ at: Math.floor(at), client: clientId, metric: `refused:${defence}` });
    },
  };
}

/** The series, on a read connection: one range of the primary key, summed over tenants unless one is named. */
export function statsReads(db: Database.Database) {
  const q = db.prepare(`SELECT bucket, metric, dim, SUM(count) AS count FROM stats_series
    WHERE res = @res AND bucket >= @from AND bucket < @to AND (@client IS NULL OR client_id = @client)
    GROUP BY bucket, metric, dim`);
  return {
    statsSeries(o: { resolution: SeriesResolution; from: number; to: number; clientId?: string | undefined }) {
      const size = bucketMs(o.resolution);
      const rows = q.all({
        res: o.resolution === 'minute' ? 'm' : 'h',
        from: Math.ceil(o.from / size),
        to: Math.ceil(o.to / size),
        client: o.clientId ?? null,
      }) as SeriesRow[];
      return rows.map((r) => toSeriesPoint(r, size)) satisfies SeriesPoint[];
    },
  };
}
