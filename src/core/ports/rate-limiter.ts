/**
 * Request-rate limiting per key (an API client today; IPs, prefixes and countries later). An
 * adapter either holds its state in memory (one process) or shares it (every replica sees one
 * budget); both must pass test/contract/rate-limiter.contract.ts.
 */
export interface RateLimiter {
  /**
   * Spends one request from `key`'s budget: `burst` requests at once, refilled at `ratePerSecond`.
   * Resolves to 0 when allowed, otherwise to the whole seconds until a request would be allowed.
   * Concurrency: parallel calls for one key never admit more than the budget allows.
   */
  take(key: string): Promise<number>;
}
