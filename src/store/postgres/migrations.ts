import type pg from 'pg';
import * as ddl from '../schema.ts';
import { EVENTS_SCHEMA, PG_EVENT_TRIGGERS } from '../events-schema.ts';
import { CHECK_READS_BACK } from './check-function.ts';
import { PG_STATS_TRIGGERS, STATS_SCHEMA } from '../stats-schema.ts';
import {
  ROUND_TRIPS_SCHEMA,
  SEND_WITH_DETAILS,
  SEND_RESENDS_PENDING,
  SEND_WITH_SIGNALS,
  TAKE_AFTER_WAIT,
  TAKE_LOCK_WAIT,
} from './functions.ts';
import { assertSchemaName } from './pool.ts';

// Times are epoch milliseconds in BIGINT, as in the SQLite store, so both adapters share every
// computation in the core.
const PG: ddl.Dialect = { bytes: 'BYTEA', time: 'BIGINT', seq: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' };

/** Append-only: never edit a shipped migration, add the next one. */
export const PG_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'core',
    sql: `${ddl.coreTables(PG) + ddl.attemptsTable(PG, '') + ddl.retentionSchema(PG, '')}
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
    sql: ddl.DELIVERY_SCHEMA,
  },
  {
    version: 3,
    name: 'abuse',
    sql: ddl.ABUSE_SCHEMA,
  },
  { version: 4, name: 'tenancy', sql: ddl.TENANCY_SCHEMA },
  { version: 5, name: 'round-trips', sql: ROUND_TRIPS_SCHEMA },
  { version: 6, name: 'message-parts', sql: ddl.MESSAGE_PARTS_SCHEMA('') },
  { version: 7, name: 'take-after-wait', sql: TAKE_AFTER_WAIT },
  { version: 8, name: 'range-guard', sql: ddl.RANGE_GUARD_SCHEMA + SEND_WITH_SIGNALS },
  { version: 9, name: 'take-lock-wait', sql: TAKE_LOCK_WAIT },
  {
    version: 10,
    name: 'services',
    sql: ddl.SERVICES_SCHEMA(
      PG,
      "'VA' || md5(random()::text || clock_timestamp()::text || c.client_id)",
      '(extract(epoch from clock_timestamp()) * 1000)::bigint',
    ),
  },
  { version: 11, name: 'verification-details', sql: ddl.VERIFICATION_DETAILS_SCHEMA(PG) + SEND_WITH_DETAILS },
  { version: 12, name: 'resend-pending', sql: SEND_RESENDS_PENDING },
  {
    version: 13,
    name: 'events',
    sql: EVENTS_SCHEMA(PG, '(extract(epoch from now()) * 1000)::bigint') + PG_EVENT_TRIGGERS,
  },
  { version: 14, name: 'check-reads-back', sql: CHECK_READS_BACK },
  {
    version: 15,
    name: 'stats-series',
    sql:
      STATS_SCHEMA(PG) +
      PG_STATS_TRIGGERS +
      "INSERT INTO event_cursors (name, at) VALUES ('stats-expiry', (extract(epoch from now()) * 1000)::bigint);",
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
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${name}.schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
          applied_at BIGINT NOT NULL)`,
      );
      const done = new Set(
        (await c.query<{ version: number }>(`SELECT version FROM ${name}.schema_migrations`)).rows.map(
          (r) => r.version,
        ),
      );
      for (const m of PG_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query('BEGIN');
        try {
          await c.query(`SET LOCAL search_path = ${name}`);
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            now,
          ]);
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
