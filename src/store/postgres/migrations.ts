import type pg from 'pg';
import { ABUSE_SCHEMA, DELIVERY_SCHEMA } from '../shared-schema.ts';
import { assertSchemaName } from './pool.ts';

/**
 * Append-only: never edit a shipped migration, add the next one. Times are epoch milliseconds in
 * BIGINT, as in the SQLite store, so both adapters share every computation in the core.
 */
export const PG_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'core',
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        name TEXT NOT NULL,
        secret_hash BYTEA NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      );
      -- id is TEXT, not UUID: it comes from the caller on validate-code, and a malformed one must be
      -- "not found", not a cast error.
      CREATE TABLE verifications (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        phone_index BYTEA NOT NULL,
        code_mac BYTEA NOT NULL,
        key_id TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        wrong INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        finished_at BIGINT
      );
      CREATE INDEX verifications_by_number ON verifications (client_id, phone_index, created_at);
      CREATE INDEX verifications_by_expiry ON verifications (expires_at);
      CREATE TABLE messages (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        verification_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        body BYTEA,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        gateway TEXT,
        provider_message_id TEXT,
        last_error TEXT
      );
      CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status IN ('queued', 'sending');
      CREATE INDEX messages_by_age ON messages (created_at);
      CREATE TABLE message_attempts (
        message_seq BIGINT NOT NULL,
        attempt INTEGER NOT NULL,
        gateway TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        provider_message_id TEXT,
        error TEXT,
        PRIMARY KEY (message_seq, attempt)
      );
      CREATE TABLE usage_daily (
        client_id TEXT NOT NULL,
        day TEXT NOT NULL,
        messages INTEGER NOT NULL,
        PRIMARY KEY (client_id, day)
      );
      CREATE TABLE dev_outbox (
        message_seq BIGINT PRIMARY KEY,
        recipient TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE stats_daily (
        day TEXT NOT NULL,
        client_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (day, client_id, metric)
      );
      -- Rate-limit state is worth nothing after a crash (at worst a client gets one fresh burst), so
      -- it skips the WAL: these rows are written on every request.
      CREATE UNLOGGED TABLE rate_limits (
        key TEXT PRIMARY KEY,
        tat DOUBLE PRECISION NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'delivery',
    sql: DELIVERY_SCHEMA,
  },
  {
    version: 3,
    name: 'abuse',
    sql: ABUSE_SCHEMA,
  },
];

/**
 * Creates the schema and applies pending migrations. Replicas starting at once serialise on a
 * session advisory lock keyed by the schema name, so each step runs exactly once; each step is its
 * own transaction with its bookkeeping row, so a crash leaves either all of a step or none.
 * Returns the versions this call applied.
 */
export async function migratePg(pool: pg.Pool, schema: string, now: number): Promise<number[]> {
  const name = assertSchemaName(schema);
  const c = await pool.connect();
  const applied: number[] = [];
  try {
    await c.query('SELECT pg_advisory_lock(hashtext($1))', [`otpd:migrate:${name}`]);
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${name}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${name}.schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      const done = new Set((await c.query<{ version: number }>(`SELECT version FROM ${name}.schema_migrations`)).rows.map((r) => r.version));
      for (const m of PG_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query('BEGIN');
        try {
          await c.query(`SET LOCAL search_path = ${name}`);
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
          await c.query('COMMIT');
        } catch (err) {
          await c.query('ROLLBACK');
          throw err;
        }
        applied.push(m.version);
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock(hashtext($1))', [`otpd:migrate:${name}`]);
    }
  } finally {
    c.release();
  }
  return applied;
}
