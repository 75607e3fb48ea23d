import type { Clock } from '../core/clock.ts';
import { liftedByOperator, type AbuseStore, type ConversionStat, type ScopeBlock } from '../core/ports/abuse.ts';
import { JobLoop } from './loop.ts';

export interface BreakerOptions {
  readonly windowMs: number;
  readonly minConversion: number;
  readonly minSentCountry: number;
  readonly minSentPrefix: number;
  readonly cooldownMs: number;
  readonly intervalMs: number;
  readonly shadow: boolean;
}

export interface BreakerEvents {
  /**
   * A country or prefix with no block in force was judged below the threshold: now blocked, or only
   * reported in shadow mode. Not repeated while that block is in force.
   */
  tripped(block: ScopeBlock, stat: ConversionStat): void;
  error(err: unknown): void;
}

/** The scopes whose settled codes convert below the threshold, once past their minimum volume. */
export function judge(
  stats: readonly ConversionStat[],
  o: BreakerOptions,
  now: number,
): { block: ScopeBlock; stat: ConversionStat }[] {
  const out: { block: ScopeBlock; stat: ConversionStat }[] = [];
  for (const stat of stats) {
    const min = stat.scope.startsWith('country:') ? o.minSentCountry : o.minSentPrefix;
    if (stat.sent < min || stat.verified / stat.sent >= o.minConversion) continue;
    const rate = Math.round((100 * stat.verified) / stat.sent);
    const threshold = Math.round(100 * o.minConversion);
    const reason = `${stat.verified} of ${stat.sent} codes validated (${rate}% < ${threshold}%)`;
    out.push({
      stat,
      block: { scope: stat.scope, until: now + o.cooldownMs, shadow: o.shadow, reason, createdAt: now },
    });
  }
  return out;
}

/**
 * The codes a scope may be judged on, as the start of the expiry range (null: not judged), given its
 * last block: one in force, or one that ended within the window (`last.until > windowStart`).
 */
export function judgedFrom(last: ScopeBlock | undefined, windowStart: number, now: number): number | null {
  if (last === undefined) return windowStart;
  if (last.until > now || liftedByOperator(last)) return null;
  // No code was sent to the scope during a real block (safe-listed numbers aside), so the codes that
  // expired after it are the ones sent since it ran out; those that expired before are what tripped
  // it, plus those sent just before the trip, which would otherwise trip it again at its end.
  return last.shadow ? windowStart : Math.max(windowStart, last.until);
}

/**
 * The conversion circuit breaker: on a timer, judges the codes that settled (expired) in the last
 * window, per country and per prefix, and blocks new sends to a scope whose conversion fell below
 * the threshold, for exactly the cool-down. Pumped numbers never validate, real users mostly do, so
 * healthy countries stay open.
 *
 * A scope with a block in force is not judged: the block is neither extended nor reported again,
 * shadow ones included. A scope an operator lifted less than a window ago is not judged either: the
 * operator decided, and fresh data must accumulate. A scope whose block ran out is judged at once:
 * after a real block on the codes that expired since it ended (no code was sent to the scope during
 * it, so the data that tripped it is not judged twice); after a shadow block, whose codes were sent,
 * on the whole window.
 *
 * Every replica may run it: a trip is an idempotent upsert (the later end wins), and the next run
 * on any replica sees the block in force. Replicas judging the same statistics at the same moment
 * may each report the trip once.
 */
export class ConversionBreaker {
  readonly #store: AbuseStore;
  readonly #clock: Clock;
  readonly #o: BreakerOptions;
  readonly #events: BreakerEvents;
  readonly #loop: JobLoop;

  constructor(d: { store: AbuseStore; clock: Clock; options: BreakerOptions; events: BreakerEvents }) {
    this.#store = d.store;
    this.#clock = d.clock;
    this.#o = d.options;
    this.#events = d.events;
    this.#loop = new JobLoop({
      step: () => this.runOnce().then(() => false),
      intervalMs: this.#o.intervalMs,
      firstDelay: 'interval',
      onError: (err) => this.#events.error(err),
    });
  }

  /** One evaluation; returns the scopes tripped. */
  async runOnce(): Promise<ScopeBlock[]> {
    const now = this.#clock.now();
    const windowStart = now - this.#o.windowMs;
    const [stats, recent] = await Promise.all([
      this.#store.conversionStats(windowStart, now),
      this.#store.listBlocks(windowStart),
    ]);
    const trips = judge(await this.#judgeable(stats, recent, windowStart, now), this.#o, now);
    if (trips.length) await this.#store.putBlocks(trips.map((t) => t.block));
    for (const t of trips) this.#events.tripped(t.block, t.stat);
    return trips.map((t) => t.block);
  }

  /** The statistics of the scopes that may be judged, each over the codes it may be judged on. */
  async #judgeable(
    stats: readonly ConversionStat[],
    recent: readonly ScopeBlock[],
    windowStart: number,
    now: number,
  ): Promise<ConversionStat[]> {
    const last = new Map(recent.map((b) => [b.scope, b]));
    const out: ConversionStat[] = [];
    const narrower = new Map<number, Set<string>>();
    for (const stat of stats) {
      const from = judgedFrom(last.get(stat.scope), windowStart, now);
      if (from === windowStart) out.push(stat);
      else if (from !== null) narrower.set(from, (narrower.get(from) ?? new Set()).add(stat.scope));
    }
    // Rare (only scopes whose real block ran out within the window), so one more query per end time.
    for (const [from, scopes] of narrower) {
      out.push(...(await this.#store.conversionStats(from, now)).filter((s) => scopes.has(s.scope)));
    }
    return out;
  }

  /** Runs the breaker every interval, the first an interval from now; never two timed runs at once. */
  start(): void {
    this.#loop.start();
  }

  /** Stops the timer and waits for a timed run in progress. */
  async stop(): Promise<void> {
    await this.#loop.stop();
  }
}
