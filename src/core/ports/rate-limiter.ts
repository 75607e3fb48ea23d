/** A budget: `burst` requests at once, refilled at `ratePerSecond`; a rate of 0 means unlimited. */
export interface RateRule {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** One budget to spend: a key (namespaced by the caller, always used with one rule) and its rule. */
export interface RateTake {
  readonly key: string;
  readonly rule: RateRule;
}

/**
 * Rate limiting per key: API clients, client IPs, number prefixes, countries. An adapter either
 * holds its state in memory (one process) or shares it (every replica sees one budget); both pass
 * test/contract/rate-limiter.contract.ts.
 */
export interface RateLimiter {
  /**
   * Spends one request from `key`'s budget under `rule` (keys are namespaced by the caller, and
   * one key is always used with one rule). Resolves to 0 when allowed, otherwise to the whole
   * seconds until a request would be allowed. Concurrency: parallel calls for one key never admit
   * more than the budget allows.
   */
  take(key: string, rule: RateRule): Promise<number>;

  /**
   * `take` for pacing rather than refusing: resolves to 0 when one request was spent, otherwise to
   * the milliseconds until one would be (nothing spent). For budgets that a sender waits on, such as
   * an SMPP account's throughput shared by every replica.
   */
  takeMs(key: string, rule: RateRule): Promise<number>;
}
