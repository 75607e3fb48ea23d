import type { Dialect } from './schema.ts';

/**
 * Webhook events (issue "Tell the app what happened"): each service's endpoint, and a durable
 * outbox of events. The state changes that cause an event write it themselves, through a trigger
 * in the same transaction (so no accepted change goes unannounced and nothing is announced that
 * did not commit), and only for a service that has an endpoint: without one a change costs a
 * lookup by primary key. Payloads hold ids, the masked recipient and times in epoch ms; the
 * delivery job shapes the envelope. A code or a full number never reaches this table.
 *
 * Expiry is no state change: the delivery job announces verifications that expired unused as it
 * passes their expiry time (event_cursors keeps how far it got).
 */
export const EVENTS_SCHEMA = (d: Dialect, now: string) => `
      CREATE TABLE webhook_endpoints (
        service_id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        url TEXT NOT NULL,
        secrets ${d.bytes} NOT NULL,
        enabled BOOLEAN NOT NULL,
        created_at ${d.time} NOT NULL,
        updated_at ${d.time} NOT NULL,
        last_success_at ${d.time},
        last_error TEXT,
        last_error_at ${d.time},
        failing_since ${d.time},
        disabled_at ${d.time}
      );
      CREATE TABLE events (
        seq ${d.seq},
        id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        verification_id TEXT,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at ${d.time} NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at ${d.time} NOT NULL,
        delivered_at ${d.time},
        last_error TEXT
      );
      CREATE INDEX events_due ON events (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX events_pending_by_verification ON events (verification_id, seq) WHERE status = 'pending';
      CREATE INDEX events_by_time ON events (created_at);
      CREATE TABLE event_cursors (name TEXT PRIMARY KEY, at ${d.time} NOT NULL);
      INSERT INTO event_cursors (name, at) VALUES ('expiry', ${now});
`;

/** The verification transitions that are events, by the status they reach. */
export const VERIFICATION_EVENT = `CASE NEW.status WHEN 'verified' THEN 'verification.approved'
          WHEN 'failed' THEN 'verification.max_attempts' ELSE 'verification.canceled' END`;

/** The message statuses that are events (a failure of any kind is message.failed). */
export const MESSAGE_EVENT = `CASE NEW.status WHEN 'sent' THEN 'message.sent' WHEN 'delivered' THEN 'message.delivered'
          ELSE 'message.failed' END`;

/** SQLite: triggers write the events; the payload is built with json_object. */
export const SQLITE_EVENT_TRIGGERS = (newId: string) => `
      CREATE TRIGGER events_on_verification AFTER UPDATE OF status ON verifications
        WHEN OLD.status = 'pending' AND NEW.status IN ('verified', 'failed', 'cancelled')
          AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.service_id = NEW.service_id)
        BEGIN
          INSERT INTO events (id, client_id, service_id, verification_id, type, payload, created_at, status, attempts,
            next_attempt_at)
          VALUES (${newId}, NEW.client_id, NEW.service_id, NEW.id, ${VERIFICATION_EVENT},
            json_object('verification', NEW.id, 'to', NEW.masked_to, 'channel', NEW.channel,
              'checks', NEW.attempts, 'maxChecks', NEW.max_attempts, 'createdAt', NEW.created_at,
              'expiresAt', NEW.expires_at, 'at', NEW.finished_at),
            NEW.finished_at, 'pending', 0, NEW.finished_at);
        END;
      CREATE TRIGGER events_on_message AFTER UPDATE OF status ON messages
        WHEN NEW.status <> OLD.status AND NEW.status IN ('sent', 'delivered', 'failed', 'expired', 'abandoned')
          AND NEW.verification_id IS NOT NULL
        BEGIN
          INSERT INTO events (id, client_id, service_id, verification_id, type, payload, created_at, status, attempts,
            next_attempt_at)
          SELECT ${newId}, v.client_id, v.service_id, v.id, ${MESSAGE_EVENT},
            json_object('verification', v.id, 'message', NEW.seq, 'to', v.masked_to, 'channel', NEW.channel,
              'status', NEW.status, 'gateway', NEW.gateway, 'error', NEW.last_error, 'attempts', NEW.attempts,
              'at', NEW.updated_at),
            NEW.updated_at, 'pending', 0, NEW.updated_at
          FROM verifications v JOIN webhook_endpoints w ON w.service_id = v.service_id
          WHERE v.id = NEW.verification_id;
        END;
`;

/** PostgreSQL: the same triggers as plpgsql functions; the payload is built with json_build_object. */
export const PG_EVENT_TRIGGERS = `
      CREATE FUNCTION otpd_verification_event() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO events (id, client_id, service_id, verification_id, type, payload, created_at, status, attempts,
          next_attempt_at)
        SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), NEW.client_id, NEW.service_id, NEW.id,
          ${VERIFICATION_EVENT},
          json_build_object('verification', NEW.id, 'to', NEW.masked_to, 'channel', NEW.channel,
            'checks', NEW.attempts, 'maxChecks', NEW.max_attempts, 'createdAt', NEW.created_at,
            'expiresAt', NEW.expires_at, 'at', NEW.finished_at)::text,
          NEW.finished_at, 'pending', 0, NEW.finished_at
        FROM webhook_endpoints w WHERE w.service_id = NEW.service_id;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER events_on_verification AFTER UPDATE OF status ON verifications FOR EACH ROW
        WHEN (OLD.status = 'pending' AND NEW.status IN ('verified', 'failed', 'cancelled'))
        EXECUTE FUNCTION otpd_verification_event();
      CREATE FUNCTION otpd_message_event() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO events (id, client_id, service_id, verification_id, type, payload, created_at, status, attempts,
          next_attempt_at)
        SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), v.client_id, v.service_id, v.id, ${MESSAGE_EVENT},
          json_build_object('verification', v.id, 'message', NEW.seq, 'to', v.masked_to, 'channel', NEW.channel,
            'status', NEW.status, 'gateway', NEW.gateway, 'error', NEW.last_error, 'attempts', NEW.attempts,
            'at', NEW.updated_at)::text,
          NEW.updated_at, 'pending', 0, NEW.updated_at
        FROM verifications v JOIN webhook_endpoints w ON w.service_id = v.service_id
        WHERE v.id = NEW.verification_id;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER events_on_message AFTER UPDATE OF status ON messages FOR EACH ROW
        WHEN (NEW.status <> OLD.status AND NEW.status IN ('sent', 'delivered', 'failed', 'expired', 'abandoned')
          AND NEW.verification_id IS NOT NULL)
        EXECUTE FUNCTION otpd_message_event();
`;
