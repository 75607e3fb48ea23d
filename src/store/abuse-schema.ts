/**
 * The abuse tables and columns, in SQL that SQLite and PostgreSQL both accept (BIGINT and BOOLEAN
 * map to SQLite's INTEGER affinity): one text for both stores' migrations, so they cannot drift.
 */
export const ABUSE_SCHEMA = `
      ALTER TABLE verifications ADD COLUMN country TEXT;
      ALTER TABLE verifications ADD COLUMN prefix TEXT;
      ALTER TABLE verifications ADD COLUMN messaged INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE usage_daily ADD COLUMN spend_micros BIGINT NOT NULL DEFAULT 0;
      CREATE TABLE number_rules (
        kind TEXT NOT NULL,
        prefix TEXT NOT NULL,
        note TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (kind, prefix)
      );
      CREATE TABLE client_policies (
        client_id TEXT PRIMARY KEY,
        countries TEXT,
        daily_messages BIGINT,
        daily_budget_micros BIGINT,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE scope_blocks (
        scope TEXT PRIMARY KEY,
        until BIGINT NOT NULL,
        shadow BOOLEAN NOT NULL,
        reason TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
`;
