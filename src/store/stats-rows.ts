import type { SeriesPoint, SeriesResolution } from '../core/ports/stats.ts';

export interface SeriesRow {
  bucket: number | string;
  metric: string;
  dim: string;
  count: number | string;
  total: number | string;
}

export const bucketMs = (r: SeriesResolution): number => (r === 'minute' ? 60_000 : 3_600_000);

export const toSeriesPoint = (r: SeriesRow, size: number): SeriesPoint => ({
  at: Number(r.bucket) * size,
  metric: r.metric,
  dim: r.dim,
  count: Number(r.count),
  total: Number(r.total),
});
