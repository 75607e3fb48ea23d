import type { Dialect } from './schema.ts';

/**
 * Counters per minute and per hour for the console's overview (issue "A web console"): kept by
 * triggers on the writes that cause them, in the same transaction, so they survive restarts and
 * never disagree with what was committed, and read without scanning verifications or messages.
 *
 * `res` is `m` (bucket: epoch minutes) or `h` (epoch hours); `dim` is `''` for the total,
 * `country:XX` or `gateway:id`. Metrics: `sent` (verifications created), `validated`, `failed` (no
 * checks left), `handed` (a message handed to its gateway) with `handed_ms` (the sum of the waits
 * from acceptance to hand-over), `delivered` and `undelivered` (failed, expired or abandoned), and
 * `refused:<defence>` (written by the send's refusal, which changes no row to hang a trigger on).
 */
export const STATS_SCHEMA = (d: Dialect, rowid = '') => `
      CREATE TABLE stats_series (
        res TEXT NOT NULL,
        bucket ${d.time} NOT NULL,
        client_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        dim TEXT NOT NULL,
        count ${d.time} NOT NULL,
        PRIMARY KEY (res, bucket, client_id, metric, dim)
      )${rowid};
`;

/** The rows one change adds: a minute and an hour row per (metric, dim), `value` each. */
const rows = (client: string, at: string, pairs: readonly [metric: string, dim: string, value: string][]) =>
  pairs
    .flatMap(([metric, dim, value]) => [
      `('m', ${at} / 60000, ${client}, ${metric}, ${dim}, ${value})`,
      `('h', ${at} / 3600000, ${client}, ${metric}, ${dim}, ${value})`,
    ])
    .join(',\n            ');

const upsert = (table: string) => `ON CONFLICT (res, bucket, client_id, metric, dim)
            DO UPDATE SET count = ${table}.count + excluded.count`;

const COUNTRY = (v: string) => `'country:' || coalesce(${v}.country, '??')`;
const GATEWAY = `'gateway:' || coalesce(NEW.gateway, '?')`;

const VERIFICATION_SENT = rows('NEW.client_id', 'NEW.created_at', [
  ["'sent'", "''", '1'],
  ["'sent'", COUNTRY('NEW'), '1'],
]);
const VERIFICATION_CLOSED = (metric: string) =>
  rows('NEW.client_id', 'NEW.finished_at', [
    [metric, "''", '1'],
    [metric, COUNTRY('NEW'), '1'],
  ]);
const MESSAGE = (metric: string, extra: readonly [string, string, string][] = []) =>
  rows('NEW.client_id', 'NEW.updated_at', [[metric, "''", '1'], [metric, GATEWAY, '1'], ...extra]);
const HANDED = MESSAGE("'handed'", [
  ["'handed_ms'", "''", 'NEW.updated_at - NEW.created_at'],
  ["'handed_ms'", GATEWAY, 'NEW.updated_at - NEW.created_at'],
]);

/** The statuses a message reaches that count as not delivered. */
const UNDELIVERED = "('failed', 'expired', 'abandoned')";

/** SQLite: the triggers, one per transition (a resend's row, status `resent`, is no verification). */
export const SQLITE_STATS_TRIGGERS = `
      CREATE TRIGGER stats_sent AFTER INSERT ON verifications WHEN NEW.status = 'pending'
        BEGIN
          INSERT INTO stats_series (res, bucket, client_id, metric, dim, count) VALUES
            ${VERIFICATION_SENT}
          ${upsert('stats_series')};
        END;
      CREATE TRIGGER stats_closed AFTER UPDATE OF status ON verifications
        WHEN OLD.status = 'pending' AND NEW.status IN ('verified', 'failed')
        BEGIN
          INSERT INTO stats_series (res, bucket, client_id, metric, dim, count) VALUES
            ${VERIFICATION_CLOSED("CASE NEW.status WHEN 'verified' THEN 'validated' ELSE 'failed' END")}
          ${upsert('stats_series')};
        END;
      CREATE TRIGGER stats_handed AFTER UPDATE OF status ON messages
        WHEN NEW.status = 'sent' AND OLD.status <> 'sent'
        BEGIN
          INSERT INTO stats_series (res, bucket, client_id, metric, dim, count) VALUES
            ${HANDED}
          ${upsert('stats_series')};
        END;
      CREATE TRIGGER stats_delivered AFTER UPDATE OF status ON messages
        WHEN NEW.status <> OLD.status AND (NEW.status = 'delivered' OR NEW.status IN ${UNDELIVERED})
        BEGIN
          INSERT INTO stats_series (res, bucket, client_id, metric, dim, count) VALUES
            ${MESSAGE("CASE NEW.status WHEN 'delivered' THEN 'delivered' ELSE 'undelivered' END")}
          ${upsert('stats_series')};
        END;
`;

/** PostgreSQL: the same counters from one trigger function per table. */
export const PG_STATS_TRIGGERS = `
      CREATE FUNCTION otpd_stats_verification() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO stats_series (res, bucket, client_id, metric, dim, count) VALUES
            ${VERIFICATION_SENT}
          ${upsert('stats_series')};
        ELSE
          INSERT INTO stats_series (res, bucket, client_id, metric, dim, count) VALUES
            ${VERIFICATION_CLOSED("CASE NEW.status WHEN 'verified' THEN 'validated' ELSE 'failed' END")}
          ${upsert('stats_series')};
        END IF;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER stats_sent AFTER INSERT ON verifications FOR EACH ROW WHEN (NEW.status = 'pending')
        EXECUTE FUNCTION otpd_stats_verification();
      CREATE TRIGGER stats_closed AFTER UPDATE OF status ON verifications FOR EACH ROW
        WHEN (OLD.status = 'pending' AND NEW.status IN ('verified', 'failed'))
        EXECUTE FUNCTION otpd_stats_verification();
      CREATE FUNCTION otpd_stats_message() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF NEW.status = 'sent' THEN
          INSERT INTO stats_series (res, bucket, client_id, metric, dim, count) VALUES
            ${HANDED}
          ${upsert('stats_series')};
        ELSE
          INSERT INTO stats_series (res, bucket, client_id, metric, dim, count) VALUES
            ${MESSAGE("CASE NEW.status WHEN 'delivered' THEN 'delivered' ELSE 'undelivered' END")}
          ${upsert('stats_series')};
        END IF;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER stats_messages AFTER UPDATE OF status ON messages FOR EACH ROW
        WHEN (NEW.status <> OLD.status AND NEW.status IN ('sent', 'delivered', 'failed', 'expired', 'abandoned'))
        EXECUTE FUNCTION otpd_stats_message();
`;
