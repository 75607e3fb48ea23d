import type { Clock } from '../../core/clock.ts';
import type { RateLimiter, RateRule } from '../../core/ports/rate-limiter.ts';

/** Keys tracked before the table is dropped: a memory bound (a dropped bucket only refills early). */
const MAX_KEYS = 200_000;

/**
 * Per-key token buckets held in memory: the embedded (single-process) rate limiter. Replicas that
 * must share one budget use the PostgreSQL limiter instead.
 */
export class TokenBuckets implements RateLimiter {
  readonly #clock: Clock;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async take(key: string, rule: RateRule): Promise<number> {
    return this.takeAt(key, rule, this.#clock.now());
  }

  async takeMs(key: string, rule: RateRule): Promise<number> {
    return this.#spend(key, rule, this.#clock.now());
  }

  /** `take` at a given time, synchronously: for a store spending a budget inside an operation. */
  takeAt(key: string, rule: RateRule, now: number): number {
    const ms = this.#spend(key, rule, now);
    return ms === 0 ? 0 : Math.max(1, Math.ceil(ms / 1000));
  }

  /** 0 when a token was spent, otherwise the milliseconds until one is there. */
  #spend(key: string, rule: RateRule, now: number): number {
    if (rule.ratePerSecond <= 0) return 0;
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= MAX_KEYS) this.#buckets.clear();
      b = { tokens: rule.burst, at: now };
      this.#buckets.set(key, b);
    }
    b.tokens = Math.min(rule.burst, b.tokens + ((now - b.at) / 1000) * rule.ratePerSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - b.tokens) / rule.ratePerSecond) * 1000));
  }
}
