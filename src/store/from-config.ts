import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import type { Store } from '../core/ports/store.ts';
import { TokenBuckets } from './memory/token-buckets.ts';
import { migratePg } from './postgres/migrations.ts';
import { PgRateLimiter } from './postgres/rate-limiter.ts';
import { PgSlotLeases } from './postgres/slot-leases.ts';
import { MemorySlotLeases } from './memory/slot-leases.ts';
import type { SlotLeases } from '../core/ports/leases.ts';

/** Connections for held leases: one per SMPP bind this process holds, at most 16 per gateway. */
const LEASE_CONNECTIONS = 32;
import { PgStore } from './postgres/store.ts';
import { createPool } from './postgres/pool.ts';
import { migrateSqlite } from './sqlite/store.ts';
import { SqliteStore } from './sqlite/store.ts';

export interface OpenedStore {
  readonly store: Store;
  readonly limiter: RateLimiter & { close?(): Promise<void> };
  /** Slots shared by every replica (SMPP account binds); this process's own on SQLite. */
  readonly leases: SlotLeases & { close?(): Promise<void> };
  /** 'sqlite' or 'postgres', for logs and /readyz. */
  readonly kind: 'sqlite' | 'postgres';
}

const pgOptions = (c: Config) => {
  const url = c.database.url;
  if (!url) throw new Error('database.url is not set');
  return {
    url,
    schema: c.database.schema,
    poolSize: c.database.poolSize,
    statementTimeoutMs: c.database.statementTimeoutMs,
  };
};

/**
 * The one place that turns configuration into a store (used by the server and the CLI): the
 * shared PostgreSQL store and its shared rate limiter when `database.url` is set, otherwise the
 * embedded SQLite file with an in-memory limiter. Migrations run on open in both.
 */
export async function openStore(c: Readonly<Config>, clock: Clock, writer: 'worker' | 'inline'): Promise<OpenedStore> {
  if (c.database.url) {
    const store = await PgStore.open(pgOptions(c), clock.now());
    // Admission counters may be lost in a crash (at most one burst); no request should wait on a
    // WAL flush to be let in.
    const pool = createPool({
      ...pgOptions(c),
      poolSize: c.database.limiterPoolSize,
      settings: { synchronous_commit: 'off' },
    });
    // A held slot keeps its connection: a pool of its own, so leases never starve the store.
    const leases = new PgSlotLeases(createPool({ ...pgOptions(c), poolSize: LEASE_CONNECTIONS }));
    return { store, limiter: new PgRateLimiter(pool, { clock }), leases, kind: 'postgres' };
  }
  // One set of request budgets for the guard and for the operations that spend them themselves.
  const budgets = new TokenBuckets(clock);
  const store = new SqliteStore(
    {
      file: join(c.dataDir, 'otpd.db'),
      synchronous: c.sqlite.synchronous,
      busyTimeoutMs: c.sqlite.busyTimeoutMs,
      writer,
    },
    clock.now(),
    budgets,
  );
  return { store, limiter: budgets, leases: new MemorySlotLeases(), kind: 'sqlite' };
}

/** Applies pending migrations to the configured store; returns the versions applied. */
export async function migrateStore(c: Readonly<Config>, now: number): Promise<number[]> {
  if (c.database.url) {
    const pool = createPool(pgOptions(c));
    try {
      return await migratePg(pool, c.database.schema, now);
    } finally {
      await pool.end();
    }
  }
  return migrateSqlite(
    { file: join(c.dataDir, 'otpd.db'), synchronous: c.sqlite.synchronous, busyTimeoutMs: c.sqlite.busyTimeoutMs },
    now,
  );
}
