/** Counters per minute and per hour for the console's overview (see store/stats-schema.ts). */
export type SeriesResolution = 'minute' | 'hour';

export interface SeriesPoint {
  /** The bucket's start, epoch milliseconds. */
  readonly at: number;
  readonly metric: string;
  /** `''` for the total, `country:XX` or `gateway:id` (hours only). */
  readonly dim: string;
  readonly count: number;
  /** What the events summed besides their count: for `handed`, the waits before hand-over (ms). */
  readonly total: number;
}

export interface StatsStore {
  /**
   * The counters of buckets starting in [from, to), of every tenant (`clientId` absent) or of one:
   * by minute the totals only, by hour the totals and per country or gateway.
   * Written by the state changes themselves, in their transactions: a committed send, validation,
   * failure or delivery is counted once, whatever replica or restart came between.
   */
  statsSeries(q: {
    readonly resolution: SeriesResolution;
    readonly from: number;
    readonly to: number;
    readonly clientId?: string | undefined;
  }): Promise<SeriesPoint[]>;
  /** Counts one send a defence refused (`refused:<defence>`): a refusal changes no row a trigger could count. */
  countRefusal(clientId: string, defence: string, at: number): Promise<void>;
  /**
   * Counts the verifications that expired unused since the last sweep, up to `now`, under a cursor
   * kept in the store (one sweep at a time over every replica): each is counted once.
   */
  countExpired(now: number): Promise<void>;
}
