import { after } from 'node:test';
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
