import type { Clock } from '../core/clock.ts';
import type { AbuseStore, ConversionStat, ScopeBlock } from '../core/ports/abuse.ts';

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
  /** A country or prefix was (re)judged below the threshold: blocked, or only reported in shadow mode. */
  tripped(block: ScopeBlock, stat: ConversionStat): void;
  error(err: unknown): void;
}

/** The scopes whose settled codes convert below the threshold, once past their minimum volume. */
export function judge(stats: readonly ConversionStat[], o: BreakerOptions, now: number): { block: ScopeBlock; stat: ConversionStat }[] {
  const out: { block: ScopeBlock; stat: ConversionStat }[] = [];
  for (const stat of stats) {
    const min = stat.scope.startsWith('country:') ? o.minSentCountry : o.minSentPrefix;
    if (stat.sent < min || stat.verified / stat.sent >= o.minConversion) continue;
    const reason = `${stat.verified} of ${stat.sent} codes validated (${Math.round((100 * stat.verified) / stat.sent)}% < ${Math.round(100 * o.minConversion)}%)`;
    out.push({ stat, block: { scope: stat.scope, until: now + o.cooldownMs, shadow: o.shadow, reason, createdAt: now } });
  }
  return out;
}

/**
 * The conversion circuit breaker: on a timer, judges the codes that settled (expired) in the last
 * window, per country and per prefix, and blocks new sends to a scope whose conversion fell below
 * the threshold, for a cool-down. Pumped numbers never validate, real users mostly do, so healthy
 * countries stay open. Every replica may run it: blocks are idempotent upserts.
 */
export class ConversionBreaker {
  readonly #store: AbuseStore;
  readonly #clock: Clock;
  readonly #o: BreakerOptions;
  readonly #events: BreakerEvents;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(d: { store: AbuseStore; clock: Clock; options: BreakerOptions; events: BreakerEvents }) {
    this.#store = d.store;
    this.#clock = d.clock;
    this.#o = d.options;
    this.#events = d.events;
  }

  /** One evaluation; returns the scopes tripped. */
  async runOnce(): Promise<ScopeBlock[]> {
    const now = this.#clock.now();
    const stats = await this.#store.conversionStats(now - this.#o.windowMs, now);
    const trips = judge(stats, this.#o, now);
    if (trips.length) await this.#store.putBlocks(trips.map((t) => t.block));
    for (const t of trips) this.#events.tripped(t.block, t.stat);
    return trips.map((t) => t.block);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.runOnce().then(() => undefined, (err: unknown) => this.#events.error(err)).finally(() => {
        this.#running = undefined;
      });
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
