/**
 * Migration 5: a send-code's write and a validate-code as one server-side function each, so that
 * each is one round trip (one statement, its own transaction) instead of BEGIN, a lock, reads,
 * writes and COMMIT as separate round trips. The functions restate the rules of ../rules.ts
 * (`admitSend`, `gcraTake`, `validation`) in PL/pgSQL, because the decision has to be taken on the
 * server between the lock and the write; the store contract suite holds both stores to the same
 * behaviour. They read and write the tables of the session's search_path, as every other statement
 * of the store does.
 *
 * Locks, always in this order, so that no two sends can wait for each other: the (client, number)
 * advisory lock; the velocity budgets' rows, in key order; the client's usage_daily row; the
 * number's pending verifications (supersede), which only a holder of the advisory lock touches.
 */

// The key check of both functions: the key must still be the live key of this client, and, when
// the request carried the secret itself, with that secret (a re-keyed bootstrap key is refused).
const KEY_CHECK = `
    IF p_key_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM api_keys WHERE id = p_key_id
        AND client_id = p_client AND revoked_at IS NULL AND (p_key_hash IS NULL OR secret_hash = p_key_hash)) THEN
      outcome := 'KEY_REVOKED';
      RETURN;
    END IF;`;

/**
 * outcome: CREATED, KEY_REVOKED, RATE (`refused`: the 0-based index of the budget; `wait_ms`: until
 * it admits one), SEND_LIMIT (`wait_ms`: until the window admits one) or QUOTA. A refusal writes
 * nothing but, at most, an unused budget's row (a full budget, as if absent).
 */
const sendFunction = (version: 1 | 2 | 3 | 4) => {
  const signals = version >= 2;
  const details = version >= 3;
  const resends = version >= 4;
  return `
  CREATE FUNCTION otpd_send(
    p_key_id text, p_key_hash bytea, p_lock bigint, p_since bigint,
    p_id text, p_client text, p_phone bytea, p_mac bytea, p_mac_key text, p_max_attempts int,
    p_now bigint, p_expires bigint, p_country text, p_prefix text,${signals ? ' p_signals text,' : ''}${
      details
        ? `
    p_service text, p_vchannel text, p_masked text, p_locale text, p_code_sealed bytea, p_resend_of text,`
        : ''
    }${resends ? ' p_resend_pending boolean,' : ''}
    p_channel text, p_recipient text, p_body bytea, p_segments int,
    p_window_ms bigint[], p_window_max int[],
    p_day text, p_quota int, p_budget bigint, p_cost bigint,
    p_rate_keys text[], p_rate_interval float8[], p_rate_tolerance float8[],
    OUT outcome text, OUT wait_ms float8, OUT refused int${
      resends
        ? ',\n    OUT pending_id text, OUT pending_sealed bytea, OUT pending_expires bigint, OUT pending_locale text'
        : ''
    })
  LANGUAGE plpgsql AS $fn$
  DECLARE
    sends bigint[];
    tats float8[];
    n int;
    i int;
  BEGIN
    ${KEY_CHECK}
    -- Under READ COMMITTED each statement sees what committed before it began: taken first, the
    -- lock makes the count below see every send that held it before us.
    PERFORM pg_advisory_xact_lock(p_lock);${
      details
        ? `
    IF p_resend_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM verifications WHERE id = p_resend_of
        AND client_id = p_client AND status = 'pending' AND expires_at > p_now) THEN
      outcome := 'CLOSED';
      RETURN;
    END IF;`
        : ''
    }${resends ? RESEND_PENDING : ''}
    SELECT array_agg(created_at ORDER BY created_at) INTO sends FROM verifications
      WHERE client_id = p_client AND phone_index = p_phone AND created_at > p_since;
    n := coalesce(array_length(sends, 1), 0);
    IF coalesce(array_length(p_rate_keys, 1), 0) > 0 THEN
      INSERT INTO rate_limits (key, tat) SELECT k, 0 FROM unnest(p_rate_keys) k ORDER BY k
        ON CONFLICT (key) DO NOTHING;
      PERFORM 1 FROM rate_limits WHERE key = ANY (p_rate_keys) ORDER BY key FOR UPDATE;
      SELECT array_agg(r.tat ORDER BY k.i) INTO tats
        FROM unnest(p_rate_keys) WITH ORDINALITY AS k (key, i) JOIN rate_limits r ON r.key = k.key;
      FOR i IN 1 .. array_length(p_rate_keys, 1) LOOP
        IF greatest(tats[i], p_now) + p_rate_interval[i] - p_now > p_rate_tolerance[i] THEN
          outcome := 'RATE';
          refused := i - 1;
          wait_ms := tats[i] + p_rate_interval[i] - p_rate_tolerance[i] - p_now;
          RETURN;
        END IF;
      END LOOP;
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_window_ms, 1), 0) LOOP
      IF (SELECT count(*) FROM unnest(sends) t WHERE t > p_now - p_window_ms[i]) >= p_window_max[i] THEN
        -- Sends in a window are the newest ones: the oldest of the last max leaves it first.
        outcome := 'SEND_LIMIT';
        wait_ms := greatest(1000, coalesce(sends[n - p_window_max[i] + 1], p_now) + p_window_ms[i] - p_now);
        RETURN;
      END IF;
    END LOOP;
    IF p_day IS NOT NULL THEN
      IF p_budget > 0 AND p_cost > p_budget THEN
        outcome := 'QUOTA';
        RETURN;
      END IF;
      -- The one row all of a client's sends share: taken last, so it is held only until the COMMIT.
      INSERT INTO usage_daily (client_id, day, messages, spend_micros) VALUES (p_client, p_day, 1, p_cost)
        ON CONFLICT (client_id, day) DO UPDATE
          SET messages = usage_daily.messages + 1, spend_micros = usage_daily.spend_micros + excluded.spend_micros
        WHERE (p_quota = 0 OR usage_daily.messages < p_quota)
          AND (p_budget = 0 OR usage_daily.spend_micros + excluded.spend_micros <= p_budget);
      IF NOT FOUND THEN
        outcome := 'QUOTA';
        RETURN;
      END IF;
    END IF;
    IF coalesce(array_length(p_rate_keys, 1), 0) > 0 THEN
      UPDATE rate_limits r SET tat = greatest(r.tat, p_now) + k.step
        FROM unnest(p_rate_keys, p_rate_interval) AS k (key, step) WHERE r.key = k.key;
    END IF;
    ${details ? `IF p_resend_of IS NULL THEN\n      ${SUPERSEDE}\n    END IF;` : SUPERSEDE}
    ${details ? DETAILS_INSERT : SIGNALS_INSERT(signals)}
    IF p_channel IS NOT NULL THEN
      INSERT INTO messages (verification_id, client_id, channel, recipient, body, segments, status,
        next_attempt_at, created_at, updated_at)
        VALUES (${details ? 'coalesce(p_resend_of, p_id)' : 'p_id'}, p_client, p_channel, p_recipient, p_body,
          p_segments, 'queued', p_now, p_now, p_now);
    END IF;
    outcome := 'CREATED';
  END
  $fn$;`;
};

// Under the number's lock: a parallel start waits for the first one's verification and finds it.
const RESEND_PENDING = `
    IF p_resend_pending THEN
      SELECT id, code_sealed, expires_at, locale INTO pending_id, pending_sealed, pending_expires, pending_locale
        FROM verifications WHERE client_id = p_client AND phone_index = p_phone AND service_id = p_service
          AND channel = p_vchannel AND status = 'pending' AND expires_at > p_now AND code_sealed IS NOT NULL LIMIT 1;
      IF FOUND THEN
        outcome := 'PENDING';
        RETURN;
      END IF;
    END IF;`;

const SUPERSEDE = `UPDATE verifications SET status = 'superseded', finished_at = p_now
      WHERE client_id = p_client AND phone_index = p_phone AND status = 'pending';`;

const SIGNALS_INSERT = (signals: boolean) => `INSERT INTO verifications (id, client_id, phone_index, code_mac, key_id,
      max_attempts, created_at, expires_at, country, prefix, messaged, status${signals ? ', signals' : ''})
      VALUES (p_id, p_client, p_phone, p_mac, p_mac_key, p_max_attempts, p_now, p_expires, p_country, p_prefix,
        CASE WHEN p_channel IS NULL THEN 0 ELSE 1 END, 'pending'${signals ? ', p_signals' : ''});`;

// A resend's row: status 'resent', no code, out of conversion statistics (see VERIFICATION_DETAILS_SCHEMA).
const DETAILS_INSERT = `INSERT INTO verifications (id, client_id, phone_index, code_mac, key_id, max_attempts,
      created_at, expires_at, country, prefix, messaged, status, signals, service_id, channel, masked_to, locale,
      code_sealed)
      VALUES (p_id, p_client, p_phone, p_mac, p_mac_key, p_max_attempts, p_now, p_expires, p_country, p_prefix,
        CASE WHEN p_channel IS NULL OR p_resend_of IS NOT NULL THEN 0 ELSE 1 END,
        CASE WHEN p_resend_of IS NULL THEN 'pending' ELSE 'resent' END, p_signals, p_service, p_vchannel, p_masked,
        p_locale, CASE WHEN p_resend_of IS NULL THEN p_code_sealed END);`;

/**
 * outcome: a ValidationOutcome. The row lock serialises validations of one id (and of its number's
 * guess budget: only one verification of a number is pending at a time). The attempt is counted
 * before the comparison. The comparison is of HMACs under the server key (see docs/security.md).
 */
const VALIDATE = `
  CREATE FUNCTION otpd_validate(
    p_key_id text, p_key_hash bytea, p_client text, p_id text, p_now bigint,
    p_budget_since bigint, p_budget_max int, p_candidates bytea[], OUT outcome text)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v record;
    st text;
  BEGIN
    ${KEY_CHECK}
    SELECT phone_index, code_mac, status, expires_at INTO v FROM verifications
      WHERE id = p_id AND client_id = p_client FOR UPDATE;
    IF NOT FOUND THEN
      outcome := 'NOT_FOUND';
    ELSIF v.status = 'failed' THEN
      outcome := 'FAILED';
    ELSIF v.status <> 'pending' OR p_now >= v.expires_at THEN
      outcome := 'EXPIRED';
    ELSE
      -- A new snapshot, taken with the row lock held: every guess on this number committed before
      -- us is counted against the budget.
      UPDATE verifications SET attempts = attempts + 1
        WHERE id = p_id AND status = 'pending' AND attempts < max_attempts
          AND (SELECT coalesce(sum(wrong), 0) FROM verifications WHERE client_id = p_client
            AND phone_index = v.phone_index AND created_at > p_budget_since) < p_budget_max;
      IF NOT FOUND THEN
        outcome := 'FAILED';
      ELSIF v.code_mac = ANY (p_candidates) THEN
        UPDATE verifications SET status = 'verified', finished_at = p_now WHERE id = p_id AND status = 'pending';
        outcome := CASE WHEN FOUND THEN 'VERIFIED' ELSE 'EXPIRED' END;
      ELSE
        UPDATE verifications SET wrong = wrong + 1,
          status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE status END,
          finished_at = CASE WHEN attempts >= max_attempts THEN p_now ELSE finished_at END
          WHERE id = p_id RETURNING status INTO st;
        outcome := CASE WHEN st = 'failed' THEN 'FAILED' ELSE 'INVALID' END;
      END IF;
    END IF;
  END
  $fn$;`;

/**
 * One request against a GCRA budget (see rules.ts `gcraTake`): 0 when admitted (and spent),
 * otherwise the milliseconds until the budget admits one. ON CONFLICT DO UPDATE locks the row and
 * judges its latest committed version, so requests from every replica are admitted one at a time;
 * the refused case reads the time again in a statement of its own, which sees that same version.
 */
const TAKE = `
  CREATE FUNCTION otpd_take(p_key text, p_now float8, p_interval float8, p_tolerance float8) RETURNS float8
  LANGUAGE plpgsql AS $fn$
  DECLARE
    t float8;
  BEGIN
    INSERT INTO rate_limits (key, tat) VALUES (p_key, p_now + p_interval)
      ON CONFLICT (key) DO UPDATE SET tat = greatest(rate_limits.tat, p_now) + p_interval
      WHERE greatest(rate_limits.tat, p_now) + p_interval - p_now <= p_tolerance;
    IF FOUND THEN
      RETURN 0;
    END IF;
    SELECT tat INTO t FROM rate_limits WHERE key = p_key;
    RETURN t + p_interval - p_tolerance - p_now;
  END
  $fn$;`;

/**
 * A validation that first spends the API's per-request budget (the client's request rate), as one
 * round trip: outcome is REQUEST_LIMITED (wait_ms: until the budget admits one) or otpd_validate's.
 * A procedure, because it commits in the middle: the budget's row is the one row all of a client's
 * requests share, and committing it first (it is UNLOGGED, so that commit waits for no WAL flush)
 * frees it at once instead of holding it until the validation's own commit has been flushed.
 */
const VALIDATE_SPENDING = `
  CREATE PROCEDURE otpd_validate_spending(
    p_key_id text, p_key_hash bytea, p_client text, p_id text, p_now bigint,
    p_budget_since bigint, p_budget_max int, p_candidates bytea[],
    p_request text, p_interval float8, p_tolerance float8,
    INOUT outcome text DEFAULT NULL, INOUT wait_ms float8 DEFAULT NULL)
  LANGUAGE plpgsql AS $fn$
  BEGIN
    ${KEY_CHECK}
    wait_ms := otpd_take(p_request, p_now, p_interval, p_tolerance);
    IF wait_ms > 0 THEN
      outcome := 'REQUEST_LIMITED';
      RETURN;
    END IF;
    COMMIT;
    outcome := otpd_validate(p_key_id, p_key_hash, p_client, p_id, p_now, p_budget_since, p_budget_max, p_candidates);
  END
  $fn$;`;

export const ROUND_TRIPS_SCHEMA = sendFunction(1) + VALIDATE + TAKE + VALIDATE_SPENDING;

/** Migration 8 (the range guard): the send also stores the verification's signals (see schema.ts). */
export const SEND_WITH_SIGNALS = `
  DROP FUNCTION otpd_send(text, bytea, bigint, bigint, text, text, bytea, bytea, text, int, bigint, bigint, text, text,
    text, text, bytea, int, bigint[], int[], text, int, bigint, bigint, text[], float8[], float8[]);
  ${sendFunction(2)}`;

/**
 * Migration 11 (services, the native and Twilio-compatible APIs): the send also stores the
 * verification's service, channel, masked recipient, locale and sealed code, and sends a resend of
 * a pending verification (see VERIFICATION_DETAILS_SCHEMA); the sealed code is dropped as the
 * verification leaves pending.
 */
export const SEND_WITH_DETAILS = `
  DROP FUNCTION otpd_send(text, bytea, bigint, bigint, text, text, bytea, bytea, text, int, bigint, bigint, text, text,
    text, text, text, bytea, int, bigint[], int[], text, int, bigint, bigint, text[], float8[], float8[]);
  ${sendFunction(3)}
  CREATE FUNCTION otpd_forget_code() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    NEW.code_sealed := NULL;
    RETURN NEW;
  END
  $fn$;
  CREATE TRIGGER verifications_forget_code BEFORE UPDATE OF status ON verifications FOR EACH ROW
    WHEN (NEW.status <> 'pending' AND NEW.code_sealed IS NOT NULL) EXECUTE FUNCTION otpd_forget_code();`;

/**
 * Migration 12: a start asks the send itself whether its recipient has a pending verification to
 * resend (NewVerification.resendPending), in the send's transaction and under its lock, instead of
 * reading it first.
 */
export const SEND_RESENDS_PENDING = `
  DROP FUNCTION otpd_send(text, bytea, bigint, bigint, text, text, bytea, bytea, text, int, bigint, bigint, text, text,
    text, text, text, text, text, bytea, text, text, text, bytea, int, bigint[], int[], text, int, bigint, bigint,
    text[], float8[], float8[]);
  ${sendFunction(4)}`;

/**
 * otpd_take judged a request at the time its caller read the clock. One client's requests from
 * every replica share the budget's row, so under load a request may wait for that row's lock;
 * meanwhile the requests admitted before it moved the budget on with their later times, and the
 * waiting one, judged at its old time, looked like a burst and was refused (429s seen after 2 s
 * waits with two replicas). It is now judged at the caller's time plus how long the statement has
 * waited (the server's clock, read after the lock is held), which keeps the caller's clock, an
 * injected one in tests, and counts the wait.
 */
export const TAKE_AFTER_WAIT = `
  CREATE OR REPLACE FUNCTION otpd_take(p_key text, p_now float8, p_interval float8, p_tolerance float8)
  RETURNS float8
  LANGUAGE plpgsql AS $fn$
  DECLARE
    t float8;
    waited float8;
    now float8;
  BEGIN
    -- The row lock first (a new key has no row: its insert below cannot wait long), then the time.
    PERFORM 1 FROM rate_limits WHERE key = p_key FOR UPDATE;
    waited := 1000 * extract(epoch FROM clock_timestamp() - statement_timestamp())::float8;
    -- Under 10 ms it is this statement's own work, not a wait: ignored, so an injected clock stays exact.
    now := p_now + CASE WHEN waited >= 10 THEN waited ELSE 0 END;
    INSERT INTO rate_limits (key, tat) VALUES (p_key, now + p_interval)
      ON CONFLICT (key) DO UPDATE SET tat = greatest(rate_limits.tat, now) + p_interval
      WHERE greatest(rate_limits.tat, now) + p_interval - now <= p_tolerance;
    IF FOUND THEN
      RETURN 0;
    END IF;
    SELECT tat INTO t FROM rate_limits WHERE key = p_key;
    RETURN t + p_interval - p_tolerance - now;
  END
  $fn$;`;

/**
 * Migration 9: otpd_take counted the whole statement's time before the row lock as the wait, so a
 * slow statement on a busy server (15 ms of planning, no lock wait at all) moved the judged time
 * and a paced budget answered 235 ms instead of 250. Only the lock itself is timed now, and only a
 * wait of 50 ms or more counts: the waits this corrects were of seconds.
 */
export const TAKE_LOCK_WAIT = `
  CREATE OR REPLACE FUNCTION otpd_take(p_key text, p_now float8, p_interval float8, p_tolerance float8)
  RETURNS float8
  LANGUAGE plpgsql AS $fn$
  DECLARE
    t float8;
    waited float8;
    before timestamptz;
    now float8;
  BEGIN
    before := clock_timestamp();
    PERFORM 1 FROM rate_limits WHERE key = p_key FOR UPDATE;
    waited := 1000 * extract(epoch FROM clock_timestamp() - before)::float8;
    now := p_now + CASE WHEN waited >= 50 THEN waited ELSE 0 END;
    INSERT INTO rate_limits (key, tat) VALUES (p_key, now + p_interval)
      ON CONFLICT (key) DO UPDATE SET tat = greatest(rate_limits.tat, now) + p_interval
      WHERE greatest(rate_limits.tat, now) + p_interval - now <= p_tolerance;
    IF FOUND THEN
      RETURN 0;
    END IF;
    SELECT tat INTO t FROM rate_limits WHERE key = p_key;
    RETURN t + p_interval - p_tolerance - now;
  END
  $fn$;`;
