import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { PgRateLimiter } from '../../src/store/postgres/rate-limiter.ts';
import { migratePg } from '../../src/store/postgres/migrations.ts';
import { createPool } from '../../src/store/postgres/pool.ts';
import { TokenBuckets } from '../../src/store/memory/token-buckets.ts';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.ts';
import { rateLimiterContract, rateLimiterRulesContract, type LimiterHarness } from './rate-limiter.contract.ts';

const memory: LimiterHarness = {
  async open(o) {
    return [new TokenBuckets(o.clock)];
  },
  async close() {},
};
rateLimiterContract('memory limiter', memory);
rateLimiterRulesContract('memory limiter', memory);

// Two limiters on two pools over one schema: two replicas sharing one budget.
const used = new Set<string>();
after(() => dropSchemas(used));
const postgres: LimiterHarness = {
  async open(o) {
    const schema = freshSchema();
    used.add(schema);
    const pools = [0, 1].map(() =>
      createPool({ url: PG_URL, schema, poolSize: 4, settings: { synchronous_commit: 'off' } }),
    );
    await migratePg(pools[0]!, schema, o.clock.now());
    return pools.map((p) => new PgRateLimiter(p, o));
  },
  async close(limiters) {
    await Promise.all(limiters.map((l) => (l as PgRateLimiter).close()));
  },
};
rateLimiterContract('postgres limiter (two replicas)', postgres);
rateLimiterRulesContract('postgres limiter', postgres);

// A request that waited for the budget's row lock is judged at its time plus the wait: the
// requests admitted meanwhile (with their later times) made it look like a burst, and it was
// refused (429s after 2 s waits with two replicas on one client).
test('postgres limiter: a request that waited for the budget row is not refused for the wait', async (t) => {
  const schema = freshSchema();
  used.add(schema);
  const pool = createPool({ url: PG_URL, schema, poolSize: 4 });
  t.after(() => pool.end());
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  await migratePg(pool, schema, clock.now());
  const limiter = new PgRateLimiter(pool, { clock });
  // 1000/s with a burst of 100: a tolerance of 100 ms.
  const rule = { ratePerSecond: 1000, burst: 100 };
  assert.equal(await limiter.take('client:a', rule), 0);
  const holder = await pool.connect();
  try {
    await holder.query('BEGIN');
    // Requests admitted while ours waits, stamped up to 600 ms after our caller read its clock.
    await holder.query("UPDATE rate_limits SET tat = $1 WHERE key = 'client:a'", [clock.now() + 600]);
    const waiting = limiter.take('client:a', rule);
    // The lock is held: the only way to make it wait. 1.5 s, not 0.7: on a busy machine the query
    // could reach the server late and be judged to have waited less than the 600 ms it needs.
    await new Promise((r) => setTimeout(r, 1500));
    await holder.query('COMMIT');
    assert.equal(await waiting, 0, 'judged 1.5 s later, it fits the budget');
  } finally {
    holder.release();
  }
});
