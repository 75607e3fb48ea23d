/**
 * Migration 14: the native and Twilio-compatible checks answer with the verification as the attempt
 * left it. As two statements that was two round trips (the attempt, then a read); this procedure
 * makes it one: an optional spend of the request budget (committed first, as in
 * otpd_validate_spending), otpd_validate, then the row read in the same transaction, which sees the
 * attempt's own writes.
 */
export const CHECK_READS_BACK = `
  CREATE PROCEDURE otpd_check(
    p_key_id text, p_key_hash bytea, p_client text, p_id text, p_now bigint,
    p_budget_since bigint, p_budget_max int, p_candidates bytea[],
    p_request text, p_interval float8, p_tolerance float8,
    INOUT outcome text DEFAULT NULL, INOUT wait_ms float8 DEFAULT NULL,
    INOUT r_service_id text DEFAULT NULL, INOUT r_channel text DEFAULT NULL, INOUT r_masked_to text DEFAULT NULL,
    INOUT r_locale text DEFAULT NULL, INOUT r_status text DEFAULT NULL, INOUT r_attempts int DEFAULT NULL,
    INOUT r_max_attempts int DEFAULT NULL, INOUT r_created_at bigint DEFAULT NULL,
    INOUT r_expires_at bigint DEFAULT NULL, INOUT r_finished_at bigint DEFAULT NULL,
    INOUT r_code_sealed bytea DEFAULT NULL)
  LANGUAGE plpgsql AS $fn$
  BEGIN
    IF p_request IS NOT NULL THEN
      -- A revoked key spends nothing: otpd_validate refuses it below.
      IF p_key_id IS NULL OR EXISTS (SELECT 1 FROM api_keys WHERE id = p_key_id AND client_id = p_client
          AND revoked_at IS NULL AND (p_key_hash IS NULL OR secret_hash = p_key_hash)) THEN
        wait_ms := otpd_take(p_request, p_now, p_interval, p_tolerance);
        IF wait_ms > 0 THEN
          outcome := 'REQUEST_LIMITED';
          RETURN;
        END IF;
        COMMIT;
      END IF;
    END IF;
    outcome := otpd_validate(p_key_id, p_key_hash, p_client, p_id, p_now, p_budget_since, p_budget_max, p_candidates);
    IF outcome IN ('NOT_FOUND', 'KEY_REVOKED') THEN
      RETURN;
    END IF;
    SELECT v.service_id, v.channel, v.masked_to, v.locale, v.status, v.attempts, v.max_attempts, v.created_at,
        v.expires_at, v.finished_at, v.code_sealed
      INTO r_service_id, r_channel, r_masked_to, r_locale, r_status, r_attempts, r_max_attempts, r_created_at,
        r_expires_at, r_finished_at, r_code_sealed
      FROM verifications v WHERE v.id = p_id AND v.client_id = p_client AND v.status <> 'resent';
  END
  $fn$;`;
