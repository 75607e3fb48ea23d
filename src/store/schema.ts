/**
 * The schema, written once for both stores so that they cannot drift: SQL that SQLite and
 * PostgreSQL both accept (BIGINT and BOOLEAN map to SQLite's INTEGER affinity), with the few types
 * that must differ named by the store's dialect. Shipped migrations are append-only in effect:
 * a text may be reorganised only if it still creates exactly the same tables.
 */

/** The column types each store needs where the two databases differ. */
export interface Dialect {
  /** Binary strings: BLOB in SQLite, BYTEA in PostgreSQL. */
  readonly bytes: string;
  /** Epoch milliseconds and counters: INTEGER in SQLite, BIGINT in PostgreSQL. */
  readonly time: string;
  /** The outbox's append-only key (see the messages table). */
  readonly seq: string;
}

/** The first tables: keys, verifications, the outbox, usage and the development inbox. */
export const coreTables = (d: Dialect) => `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        name TEXT NOT NULL,
        secret_hash ${d.bytes} NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at ${d.time} NOT NULL,
        revoked_at ${d.time}
      );
      -- id is TEXT, not UUID: it comes from the caller on validate-code, and a malformed one must be
      -- "not found", not a cast error.
      CREATE TABLE verifications (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        phone_index ${d.bytes} NOT NULL,
        code_mac ${d.bytes} NOT NULL,
        key_id TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        wrong INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        created_at ${d.time} NOT NULL,
        expires_at ${d.time} NOT NULL,
        finished_at ${d.time}
      );
      CREATE INDEX verifications_by_number ON verifications (client_id, phone_index, created_at);
      -- Outbox rows are keyed by an append-only integer: every send inserts here, and a random key
      -- (a UUID) would dirty one more random index page per send in every commit.
      CREATE TABLE messages (
        seq ${d.seq},
        verification_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        body ${d.bytes},
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at ${d.time} NOT NULL,
        created_at ${d.time} NOT NULL,
        updated_at ${d.time} NOT NULL,
        gateway TEXT,
        provider_message_id TEXT,
        last_error TEXT
      );
      CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status IN ('queued', 'sending');
      CREATE TABLE usage_daily (
        client_id TEXT NOT NULL,
        day TEXT NOT NULL,
        messages INTEGER NOT NULL,
        PRIMARY KEY (client_id, day)
      );
      CREATE TABLE dev_outbox (
        message_seq ${d.time} PRIMARY KEY,
        recipient TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at ${d.time} NOT NULL
      );
`;

/** Every attempt of a message; `rowid` is the SQLite dialect's `WITHOUT ROWID` (a clustered key). */
export const attemptsTable = (d: Dialect, rowid: string) => `
      CREATE TABLE message_attempts (
        message_seq ${d.time} NOT NULL,
        attempt INTEGER NOT NULL,
        gateway TEXT NOT NULL,
        started_at ${d.time} NOT NULL,
        finished_at ${d.time} NOT NULL,
        outcome TEXT NOT NULL,
        provider_message_id TEXT,
        error TEXT,
        PRIMARY KEY (message_seq, attempt)
      )${rowid};
`;

/** Retention: indexes for the purge and the per-day aggregates of purged rows. */
export const retentionSchema = (d: Dialect, rowid: string) => `
      CREATE INDEX verifications_by_expiry ON verifications (expires_at);
      CREATE INDEX messages_by_age ON messages (created_at);
      CREATE TABLE stats_daily (
        day TEXT NOT NULL,
        client_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        count ${d.time} NOT NULL,
        PRIMARY KEY (day, client_id, metric)
      )${rowid};
`;

/** Delivery: segments, route steps for failover, and receipts matched by (gateway, provider id). */
export const DELIVERY_SCHEMA = `
      ALTER TABLE messages ADD COLUMN segments INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE messages ADD COLUMN route_step INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE message_attempts ADD COLUMN segments INTEGER;
      CREATE INDEX messages_by_provider_id ON messages (gateway, provider_message_id)
        WHERE provider_message_id IS NOT NULL;
      CREATE TABLE message_receipts (
        gateway TEXT NOT NULL,
        provider_message_id TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (gateway, provider_message_id)
      );
`;

/** Abuse defences: conversion columns, the spend counter, number rules, client policies, breaker blocks. */
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

/**
 * Tenancy: each key is a client key (its own tenant) or an operator key (every tenant). Keys made
 * before this step become client keys, so a key that had `admin` keeps it for its own tenant only and
 * loses the cross-tenant reach nobody chose for it; only the bootstrap key (which every start
 * reinstalls as an operator key anyway) is an operator from the start. Messages get an index by
 * tenant so that a client's listing is a range scan, not a walk over every tenant's rows: one more
 * index entry per send, appended at the end of the tenant's range.
 */
export const TENANCY_SCHEMA = `
      ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'client';
      UPDATE api_keys SET kind = 'operator' WHERE id = 'bootstrap';
      CREATE INDEX messages_by_client ON messages (client_id, seq);
`;

/**
 * The parts of a message sent as several, each with its own provider id and delivery receipt: the
 * message is delivered once every part has a `delivered` receipt (in message_receipts), failed or
 * expired as soon as one part is.
 */
export const MESSAGE_PARTS_SCHEMA = (rowid: string) => `
  CREATE TABLE message_parts (
    gateway TEXT NOT NULL,
    provider_message_id TEXT NOT NULL,
    message_seq BIGINT NOT NULL,
    part INTEGER NOT NULL,
    PRIMARY KEY (gateway, provider_message_id)
  )${rowid};
  CREATE INDEX message_parts_by_message ON message_parts (message_seq);
`;

/**
 * A counter that every change to the abuse tables moves on (by triggers, so the CLI and any other
 * writer move it too): a process can keep those small tables in memory and re-read them only when
 * the counter has moved, one single-row read per send instead of three lookups (SQLite only).
 */
export const ABUSE_EPOCH_SCHEMA = `
  CREATE TABLE abuse_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT INTO abuse_epoch (id, n) VALUES (1, 0);
${['number_rules', 'client_policies', 'scope_blocks']
  .flatMap((t) =>
    ['INSERT', 'UPDATE', 'DELETE'].map(
      (op) => `  CREATE TRIGGER ${t}_${op.toLowerCase()}_epoch AFTER ${op} ON ${t}
    BEGIN UPDATE abuse_epoch SET n = n + 1; END;`,
    ),
  )
  .join('\n')}
`;

/**
 * The range guard (core/fraud): each send's signals (its block of 100, hashed source tags, the
 * tenant's trust flag) for the per-range statistics, throttles beside blocks with the strikes of a
 * repeat offender, and each tenant's learned baseline per country and range (bounded: see
 * fraud/baselines.ts).
 */
export const RANGE_GUARD_SCHEMA = `
      ALTER TABLE verifications ADD COLUMN signals TEXT;
      ALTER TABLE scope_blocks ADD COLUMN action TEXT NOT NULL DEFAULT 'block';
      ALTER TABLE scope_blocks ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE scope_blocks ADD COLUMN per_hour INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE range_baselines (
        scope TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        sent_per_hour DOUBLE PRECISION NOT NULL,
        validated_per_hour DOUBLE PRECISION NOT NULL,
        updated_at BIGINT NOT NULL
      );
`;

/**
 * Services (a named configuration per client). Each client that has keys or verifications gets
 * its default service, and its verifications move into it; `newId` and `now` are the dialect's
 * expressions for a fresh `VA…` id and the time in epoch milliseconds.
 */
export const SERVICES_SCHEMA = (d: Dialect, newId: string, now: string) => `
      CREATE TABLE services (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        friendly_name TEXT NOT NULL,
        is_default BOOLEAN NOT NULL,
        settings TEXT NOT NULL,
        created_at ${d.time} NOT NULL,
        updated_at ${d.time} NOT NULL
      );
      CREATE INDEX services_by_client ON services (client_id, id);
      CREATE UNIQUE INDEX services_one_default ON services (client_id) WHERE is_default;
      ALTER TABLE verifications ADD COLUMN service_id TEXT;
      INSERT INTO services (id, client_id, friendly_name, is_default, settings, created_at, updated_at)
        SELECT ${newId}, c.client_id, 'Default', TRUE, '{}', ${now}, ${now}
        FROM (SELECT client_id FROM api_keys UNION SELECT client_id FROM verifications) c;
      UPDATE verifications SET service_id =
        (SELECT s.id FROM services s WHERE s.client_id = verifications.client_id AND s.is_default);
`;

/**
 * What the native and Twilio-compatible APIs show of a verification and need for a resend: its
 * service, channel, masked recipient and locale, and its code sealed by the key ring (AES-256-GCM,
 * the verification id as associated data) while it is pending, so that a resend sends the same code.
 * The sealed code is dropped as the verification leaves `pending` (each store's trigger). A resend
 * is a row of status `resent` beside its verification: it counts in the number's send windows as
 * any send does, and `messaged = 0` keeps it out of conversion statistics.
 */
export const VERIFICATION_DETAILS_SCHEMA = (d: Dialect) => `
      ALTER TABLE verifications ADD COLUMN channel TEXT;
      ALTER TABLE verifications ADD COLUMN masked_to TEXT;
      ALTER TABLE verifications ADD COLUMN locale TEXT;
      ALTER TABLE verifications ADD COLUMN code_sealed ${d.bytes};
      CREATE INDEX messages_by_verification ON messages (verification_id);
`;
