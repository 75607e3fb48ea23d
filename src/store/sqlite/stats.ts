import type Database from 'better-sqlite3';
import type { SeriesPoint, SeriesResolution } from '../../core/ports/stats.ts';
import { EXPIRED_SWEEP } from '../stats-schema.ts';
import { bucketMs, toSeriesPoint, type SeriesRow } from '../stats-rows.ts';

/** The refusal counter, on the one write connection (see writes.ts). */
export function statsWrites(db: Database.Database) {
  const bump = db.prepare(`INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total)
    VALUES ('m', @client, '', @at / 60000, @metric, 1, 0), ('h', @client, '', @at / 3600000, @metric, 1, 0),
      ('m', '*', '', @at / 60000, @metric, 1, 0), ('h', '*', '', @at / 3600000, @metric, 1, 0)
    ON CONFLICT (res, client_id, bucket, dim, metric) DO UPDATE SET count = count + excluded.count`);
  const cursor = db.prepare("SELECT at FROM event_cursors WHERE name = 'stats-expiry'").pluck();
  const sweep = db.prepare(EXPIRED_SWEEP('@from', '@to'));
  const move = db.prepare("UPDATE event_cursors SET at = ? WHERE name = 'stats-expiry'");
  return {
    countRefusal(clientId: string, defence: string, at: number): void {
      bump.run({ at: Math.floor(at), client: clientId, metric: `refused:${defence}` });
    },
    /** On the one write connection: the sweep and the cursor's move are one transaction. */
    countExpired(now: number): void {
      const from = cursor.get() as number;
      if (now <= from) return;
      sweep.run({ from, to: Math.floor(now) });
      move.run(Math.floor(now));
    },
  };
}

/** The series, on a read connection. */
export function statsReads(db: Database.Database) {
  // One range of the primary key: a tenant's rows, or `*`'s (every tenant's, counted as they happened).
  const q = db.prepare(`SELECT bucket, metric, dim, count, total FROM stats_series
    WHERE res = @res AND client_id = @client AND bucket >= @from AND bucket < @to`);
  return {
    statsSeries(o: { resolution: SeriesResolution; from: number; to: number; clientId?: string | undefined }) {
      const size = bucketMs(o.resolution);
      const rows = q.all({
        res: o.resolution === 'minute' ? 'm' : 'h',
        from: Math.ceil(o.from / size),
        to: Math.ceil(o.to / size),
        client: o.clientId ?? '*',
      }) as SeriesRow[];
      return rows.map((r) => toSeriesPoint(r, size)) satisfies SeriesPoint[];
    },
  };
}
