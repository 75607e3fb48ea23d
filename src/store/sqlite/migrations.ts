import type Database from 'better-sqlite3';
import * as ddl from '../schema.ts';
import { EVENTS_SCHEMA, SQLITE_EVENT_TRIGGERS } from '../events-schema.ts';
import { SQLITE_STATS_TRIGGERS, STATS_SCHEMA } from '../stats-schema.ts';

// INTEGER PRIMARY KEY makes seq the rowid: appends go to the end of the table's own b-tree.
const SQLITE: ddl.Dialect = { bytes: 'BLOB', time: 'INTEGER', seq: 'INTEGER PRIMARY KEY' };
// Keyed tables that are only ever looked up by their key are stored clustered on it.
const WITHOUT_ROWID = ' WITHOUT ROWID';

/** Append-only: never edit a shipped migration, add the next one. */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'core', sql: ddl.coreTables(SQLITE) + ddl.attemptsTable(SQLITE, WITHOUT_ROWID) },
  { version: 2, name: 'retention', sql: ddl.retentionSchema(SQLITE, WITHOUT_ROWID) },
  {
    version: 3,
    name: 'delivery',
    sql: ddl.DELIVERY_SCHEMA,
  },
  {
    version: 4,
    name: 'abuse',
    sql: ddl.ABUSE_SCHEMA,
  },
  { version: 5, name: 'tenancy', sql: ddl.TENANCY_SCHEMA },
  {
    version: 6,
    name: 'velocity',
    // Velocity budgets move into the send's own write (they were in the server's memory, lost on
    // every restart); a row per key holds its GCRA time, as PostgreSQL's rate_limits does.
    sql: `CREATE TABLE rate_limits (key TEXT PRIMARY KEY, tat REAL NOT NULL)${WITHOUT_ROWID};`,
  },
  { version: 7, name: 'abuse-epoch', sql: ddl.ABUSE_EPOCH_SCHEMA },
  { version: 8, name: 'message-parts', sql: ddl.MESSAGE_PARTS_SCHEMA(WITHOUT_ROWID) },
  {
    version: 9,
    name: 'range-guard',
    // The countries' baselines are read with the other abuse facts (the spend cap): they move the
    // epoch too, once an hour when the guard learns them.
    sql: `${ddl.RANGE_GUARD_SCHEMA}${['INSERT', 'UPDATE', 'DELETE']
      .map(
        (op) => `  CREATE TRIGGER range_baselines_${op.toLowerCase()}_epoch AFTER ${op} ON range_baselines
    BEGIN UPDATE abuse_epoch SET n = n + 1; END;`,
      )
      .join('\n')}`,
  },
  {
    version: 10,
    name: 'services',
    sql: ddl.SERVICES_SCHEMA(
      SQLITE,
      "'VA' || lower(hex(randomblob(16)))",
      "CAST(strftime('%s', 'now') AS INTEGER) * 1000",
    ),
  },
  {
    version: 11,
    name: 'verification-details',
    sql: `${ddl.VERIFICATION_DETAILS_SCHEMA(SQLITE)}
      CREATE TRIGGER verifications_forget_code AFTER UPDATE OF status ON verifications
        WHEN NEW.status <> 'pending' AND NEW.code_sealed IS NOT NULL
        BEGIN UPDATE verifications SET code_sealed = NULL WHERE id = NEW.id; END;`,
  },
  {
    version: 12,
    name: 'events',
    sql:
      EVENTS_SCHEMA(SQLITE, "CAST(strftime('%s', 'now') AS INTEGER) * 1000") +
      SQLITE_EVENT_TRIGGERS("'evt_' || lower(hex(randomblob(16)))"),
  },
  // Keyed and only read by ranges of that key: clustered on it.
  {
    version: 13,
    name: 'stats-series',
    sql:
      STATS_SCHEMA(SQLITE, WITHOUT_ROWID) +
      SQLITE_STATS_TRIGGERS +
      "INSERT INTO event_cursors (name, at) VALUES ('stats-expiry', CAST(strftime('%s', 'now') AS INTEGER) * 1000);",
  },
];

/**
 * Applies pending migrations inside one IMMEDIATE transaction, so two processes starting at once
 * cannot both apply the same step. Returns the versions applied.
 */
export function migrate(db: Database.Database, now: number): number[] {
  db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
      applied_at INTEGER NOT NULL)`,
  );
  const applied: number[] = [];
  db.transaction(() => {
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now,
      );
      applied.push(m.version);
    }
  }).immediate();
  return applied;
}
