import type pg from 'pg';
import type { Clock } from '../../core/clock.ts';
import type { RateLimiter, RateRule } from '../../core/ports/rate-limiter.ts';

// GCRA (the token bucket as one timestamp per key): a request is allowed when the key's
// theoretical arrival time, pushed one emission interval on, stays within `burst` intervals of
// now. One guarded upsert decides and records it; under READ COMMITTED ON CONFLICT DO UPDATE locks
// the row and evaluates the guard on its latest version, so parallel requests from every replica
// are admitted one at a time and never beyond the budget.
const TAKE = `
  INSERT INTO rate_limits (key, tat) VALUES ($1, $2::float8 + $3::float8)
  ON CONFLICT (key) DO UPDATE SET tat = GREATEST(rate_limits.tat, $2::float8) + $3::float8
  WHERE GREATEST(rate_limits.tat, $2::float8) + $3::float8 - $2::float8 <= $4::float8
  RETURNING tat`;

/**
 * The rate limiter shared by every replica, in PostgreSQL. Its pool should run with
 * `synchronous_commit=off` (see main.ts): the table is UNLOGGED, a lost update costs at most one
 * burst, and no request then waits for a WAL flush to be admitted.
 */
export class PgRateLimiter implements RateLimiter {
  readonly #pool: pg.Pool;
  readonly #clock: Clock;

  constructor(pool: pg.Pool, o: { clock: Clock }) {
    this.#pool = pool;
    this.#clock = o.clock;
  }

  async take(key: string, rule: RateRule): Promise<number> {
    if (rule.ratePerSecond <= 0) return 0;
    const interval = 1000 / rule.ratePerSecond;
    const tolerance = interval * rule.burst;
    const now = this.#clock.now();
    const r = await this.#pool.query<{ tat: number }>({
      name: 'otpd_rate_take',
      text: TAKE,
      values: [key, now, interval, tolerance],
    });
    if (r.rowCount === 1) return 0;
    const cur = await this.#pool.query<{ tat: number }>({
      name: 'otpd_rate_tat',
      text: 'SELECT tat FROM rate_limits WHERE key = $1',
      values: [key],
    });
    const tat = cur.rows[0]?.tat ?? now;
    return Math.max(1, Math.ceil((tat + interval - tolerance - now) / 1000));
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
