import { createHash } from 'node:crypto';
import pg from 'pg';

export interface PgOptions {
  /** `postgres://user:password@host:port/database` */
  readonly url: string;
  /** Schema holding otpd's tables; created by the migrations if missing. */
  readonly schema: string;
  /** Connections per process; see docs/operations.md for sizing. */
  readonly poolSize: number;
  /** Per-statement limit, so a stuck lock fails a request (closed) instead of hanging it. */
  readonly statementTimeoutMs?: number;
  /** Extra session settings, e.g. `{ synchronous_commit: 'off' }` for counters that may be lost. */
  readonly settings?: Readonly<Record<string, string>>;
}

// BIGINT (oid 20) columns hold epoch milliseconds and counters, all far below 2^53; pg's default
// of returning them as strings would leak into every caller.
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export function assertSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and _`);
  return schema;
}

export function createPool(o: PgOptions): pg.Pool {
  const settings: Record<string, string> = {
    search_path: assertSchemaName(o.schema),
    statement_timeout: String(o.statementTimeoutMs ?? 10_000),
    ...o.settings,
  };
  const options = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize,
    options,
    types,
    application_name: 'otpd',
    // An unreachable server fails a request (closed) rather than queueing it forever.
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next checkout simply opens a new connection.
  pool.on('error', () => {});
  return pool;
}

export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * A key for `pg_advisory_xact_lock($1::bigint)`: the first 64 bits of a SHA-256 of the parts joined
 * by NUL, as a decimal string (a JS number cannot hold 64 bits). Keys of different purposes share
 * one space; a collision only serialises two unrelated transactions for a moment.
 */
export function advisoryLockKey(...parts: readonly (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const [i, part] of parts.entries()) {
    if (i > 0) h.update('\0');
    h.update(part);
  }
  return h.digest().readBigInt64BE(0).toString();
}

/**
 * Runs `fn` in one transaction on one connection. A thrown error (or a failed COMMIT) rolls back
 * and rejects, so the caller never reports success for a write that was not committed.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    try {
      await c.query('ROLLBACK');
    } catch (e) {
      broken = e as Error;
    }
    throw err;
  } finally {
    c.release(broken);
  }
}
