import type pg from 'pg';
import type { Clock } from '../../core/clock.ts';
import type { RateLimiter, RateRule } from '../../core/ports/rate-limiter.ts';
import { gcra, rateRetrySeconds } from '../rules.ts';

// GCRA (see rules.ts): one call of migration 5's otpd_take decides and records a request, and
// says how long a refused one must wait, in one round trip; see functions.ts for why it is exact
// across replicas.
const TAKE = 'SELECT otpd_take($1, $2, $3, $4) AS wait_ms';

/**
 * The rate limiter shared by every replica, in PostgreSQL, for the routes whose operations do not
 * spend the request budget themselves. The table is UNLOGGED: a lost update costs at most one
 * burst, and a commit that wrote only there waits for no WAL flush (its pool also runs with
 * `synchronous_commit=off`, see from-config.ts).
 */
export class PgRateLimiter implements RateLimiter {
  readonly #pool: pg.Pool;
  readonly #clock: Clock;

  constructor(pool: pg.Pool, o: { clock: Clock }) {
    this.#pool = pool;
    this.#clock = o.clock;
  }

  async take(key: string, rule: RateRule): Promise<number> {
    const wait = await this.takeMs(key, rule);
    return wait > 0 ? rateRetrySeconds(wait) : 0;
  }

  async takeMs(key: string, rule: RateRule): Promise<number> {
    if (rule.ratePerSecond <= 0) return 0;
    const { interval, tolerance } = gcra(rule);
    const r = await this.#pool.query<{ wait_ms: number }>({
      name: 'otpd_rate_take',
      text: TAKE,
      values: [key, this.#clock.now(), interval, tolerance],
    });
    const wait = r.rows[0]!.wait_ms;
    return wait > 0 ? Math.ceil(wait) : 0;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
