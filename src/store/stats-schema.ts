import type { Dialect } from './schema.ts';

/**
 * Counters per minute and per hour for the console's overview (issue "A web console"): kept by
 * triggers on the writes that cause them, in the same transaction, so they survive restarts and
 * never disagree with what was committed, and read without scanning verifications or messages.
 *
 * Every change is counted twice: for its tenant and for `*`, every tenant at once, so that an
 * operator's overview reads one tenant's worth of rows whatever the number of tenants. `res` is
 * `m` (bucket: epoch minutes) or `h` (epoch hours); minutes hold the totals only (`dim` `''`), for
 * the day's time series; hours hold the totals and `country:XX` or `gateway:id`, for the tables.
 * Metrics: `sent` (verifications created), `validated`, `failed` (no checks left), `handed` (a
 * message handed to its gateway; `total`: the sum of the waits from acceptance to hand-over, ms),
 * `delivered` and `undelivered` (failed, expired or abandoned), and `refused:<defence>` (written by
 * the send's refusal, which changes no row to hang a trigger on), and `expired` (a code that
 * expired unused: no write happens then, so a sweep counts them, see EXPIRED_SWEEP).
 */
export const STATS_SCHEMA = (d: Dialect, rowid = '') => `
      CREATE TABLE stats_series (
        res TEXT NOT NULL,
        client_id TEXT NOT NULL,
        dim TEXT NOT NULL,
        bucket ${d.time} NOT NULL,
        metric TEXT NOT NULL,
        count ${d.time} NOT NULL,
        total ${d.time} NOT NULL,
        PRIMARY KEY (res, client_id, bucket, dim, metric)
      )${rowid};
`;

/**
 * The rows one change adds, for its tenant and for `*`: the minute and the hour totals, and the
 * hour of its `dim` (a country or a gateway) when it has one.
 */
const rows = (client: string, at: string, metric: string, dim: string | null, total = '0') =>
  [client, "'*'"]
    .flatMap((c) => [
      `('m', ${c}, '', ${at} / 60000, ${metric}, 1, ${total})`,
      `('h', ${c}, '', ${at} / 3600000, ${metric}, 1, ${total})`,
      ...(dim ? [`('h', ${c}, ${dim}, ${at} / 3600000, ${metric}, 1, ${total})`] : []),
    ])
    .join(',\n            ');

const upsert = (table: string) => `ON CONFLICT (res, client_id, bucket, dim, metric)
            DO UPDATE SET count = ${table}.count + excluded.count, total = ${table}.total + excluded.total`;

const COUNTRY = "'country:' || coalesce(NEW.country, '??')";
const GATEWAY = "'gateway:' || coalesce(NEW.gateway, '?')";

const VERIFICATION_SENT = rows('NEW.client_id', 'NEW.created_at', "'sent'", COUNTRY);
const VERIFICATION_CLOSED = (metric: string) => rows('NEW.client_id', 'NEW.finished_at', metric, COUNTRY);
const MESSAGE = (metric: string) => rows('NEW.client_id', 'NEW.updated_at', metric, GATEWAY);
const HANDED = rows('NEW.client_id', 'NEW.updated_at', "'handed'", GATEWAY, 'NEW.updated_at - NEW.created_at');

/** The statuses a message reaches that count as not delivered. */
const UNDELIVERED = "('failed', 'expired', 'abandoned')";

/** SQLite: the triggers, one per transition (a resend's row, status `resent`, is no verification). */
export const SQLITE_STATS_TRIGGERS = `
      CREATE TRIGGER stats_sent AFTER INSERT ON verifications WHEN NEW.status = 'pending'
        BEGIN
          INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total) VALUES
            ${VERIFICATION_SENT}
          ${upsert('stats_series')};
        END;
      CREATE TRIGGER stats_closed AFTER UPDATE OF status ON verifications
        WHEN OLD.status = 'pending' AND NEW.status IN ('verified', 'failed')
        BEGIN
          INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total) VALUES
            ${VERIFICATION_CLOSED("CASE NEW.status WHEN 'verified' THEN 'validated' ELSE 'failed' END")}
          ${upsert('stats_series')};
        END;
      CREATE TRIGGER stats_handed AFTER UPDATE OF status ON messages
        WHEN NEW.status = 'sent' AND OLD.status <> 'sent'
        BEGIN
          INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total) VALUES
            ${HANDED}
          ${upsert('stats_series')};
        END;
      CREATE TRIGGER stats_delivered AFTER UPDATE OF status ON messages
        WHEN NEW.status <> OLD.status AND (NEW.status = 'delivered' OR NEW.status IN ${UNDELIVERED})
        BEGIN
          INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total) VALUES
            ${MESSAGE("CASE NEW.status WHEN 'delivered' THEN 'delivered' ELSE 'undelivered' END")}
          ${upsert('stats_series')};
        END;
`;

/** PostgreSQL: the same counters from one trigger function per table. */
export const PG_STATS_TRIGGERS = `
      CREATE FUNCTION otpd_stats_verification() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total) VALUES
            ${VERIFICATION_SENT}
          ${upsert('stats_series')};
        ELSE
          INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total) VALUES
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
          INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total) VALUES
            ${HANDED}
          ${upsert('stats_series')};
        ELSE
          INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total) VALUES
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

/**
 * Counts the verifications that expired unused in (@from, @to] (pending, so never to be used: a
 * check after expiry changes nothing), by their expiry time, as the triggers count the rest: for
 * the tenant and for `*`, minute and hour totals, and the hour per country. The range is read on
 * the expiry index; the caller moves the cursor in the same transaction.
 */
export const EXPIRED_SWEEP = (from: string, to: string) => `
      WITH e AS (SELECT client_id, expires_at, 'country:' || coalesce(country, '??') AS country FROM verifications
        WHERE expires_at > ${from} AND expires_at <= ${to} AND status = 'pending'),
      scoped AS (SELECT client_id AS c, expires_at, country FROM e UNION ALL SELECT '*', expires_at, country FROM e)
      INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total)
      SELECT res, c, dim, bucket, 'expired', count(*), 0 FROM (
        SELECT 'm' AS res, c, '' AS dim, expires_at / 60000 AS bucket FROM scoped
        UNION ALL SELECT 'h', c, '', expires_at / 3600000 FROM scoped
        UNION ALL SELECT 'h', c, country, expires_at / 3600000 FROM scoped
      ) AS x WHERE true GROUP BY res, c, dim, bucket
      ON CONFLICT (res, client_id, bucket, dim, metric)
        DO UPDATE SET count = stats_series.count + excluded.count`;
