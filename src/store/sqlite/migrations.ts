import type Database from 'better-sqlite3';
import { ABUSE_SCHEMA, DELIVERY_SCHEMA } from '../shared-schema.ts';

/** Append-only: never edit a shipped migration, add the next one. */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'core',
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        name TEXT NOT NULL,
        secret_hash BLOB NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE TABLE verifications (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        phone_index BLOB NOT NULL,
        code_mac BLOB NOT NULL,
        key_id TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        wrong INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX verifications_by_number ON verifications (client_id, phone_index, created_at);
      -- Outbox rows are keyed by an append-only integer: every send inserts here, and a random key
      -- (a UUID) would dirty one more random index page per send in every commit.
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        verification_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        body BLOB,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        gateway TEXT,
        provider_message_id TEXT,
        last_error TEXT
      );
      CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status IN ('queued', 'sending');
      CREATE TABLE message_attempts (
        message_seq INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        gateway TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        provider_message_id TEXT,
        error TEXT,
        PRIMARY KEY (message_seq, attempt)
      ) WITHOUT ROWID;
      CREATE TABLE usage_daily (
        client_id TEXT NOT NULL,
        day TEXT NOT NULL,
        messages INTEGER NOT NULL,
        PRIMARY KEY (client_id, day)
      );
      CREATE TABLE dev_outbox (
        message_seq INTEGER PRIMARY KEY,
        recipient TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'retention',
    sql: `
      CREATE INDEX verifications_by_expiry ON verifications (expires_at);
      CREATE INDEX messages_by_age ON messages (created_at);
      CREATE TABLE stats_daily (
        day TEXT NOT NULL,
        client_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, client_id, metric)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'delivery',
    sql: DELIVERY_SCHEMA,
  },
  {
    version: 4,
    name: 'abuse',
    sql: ABUSE_SCHEMA,
  },
];

/**
 * Applies pending migrations inside one IMMEDIATE transaction, so two processes starting at once
 * cannot both apply the same step. Returns the versions applied.
 */
export function migrate(db: Database.Database, now: number): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied: number[] = [];
  db.transaction(() => {
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now);
      applied.push(m.version);
    }
  }).immediate();
  return applied;
}
