import type pg from 'pg';
import { utcDay } from '../../core/clock.ts';
import type { RateTake } from '../../core/ports/rate-limiter.ts';
import type * as port from '../../core/ports/store.ts';
import * as rows from '../rows.ts';
import { chargeOf, CREATED, gcra, QUOTA, rateRetrySeconds, sendsSince } from '../rules.ts';
import { advisoryLockKey } from './pool.ts';

// Each is one statement in its own (implicit) transaction, so one round trip: the functions of
// migration 5 (functions.ts) hold the locks, the checks and the writes.
const SEND = `SELECT outcome, wait_ms, refused, pending_id, pending_sealed, pending_expires, pending_locale
  FROM otpd_send(${placeholders(35)})`;
const VALIDATE = `SELECT outcome FROM otpd_validate(${placeholders(8)})`;
const VALIDATE_SPENDING = `CALL otpd_validate_spending(${placeholders(11)})`;
const CHECK = `CALL otpd_check(${placeholders(11)})`;

/** otpd_check's answer: the outcome and, unless the verification was not found, its row after the attempt. */
interface CheckRow {
  outcome: port.ValidationOutcome | 'REQUEST_LIMITED';
  wait_ms: number | null;
  r_service_id: string | null;
  r_channel: string | null;
  r_masked_to: string | null;
  r_locale: string | null;
  r_status: string | null;
  r_attempts: number;
  r_max_attempts: number;
  r_created_at: string;
  r_expires_at: string;
  r_finished_at: string | null;
  r_code_sealed: Buffer | null;
}

const checkedRecord = (clientId: string, id: string, c: CheckRow): port.VerificationRecord =>
  rows.toVerificationRecord({
    id,
    client_id: clientId,
    service_id: c.r_service_id,
    channel: c.r_channel,
    masked_to: c.r_masked_to,
    locale: c.r_locale,
    status: c.r_status!,
    attempts: c.r_attempts,
    max_attempts: c.r_max_attempts,
    created_at: c.r_created_at,
    expires_at: c.r_expires_at,
    finished_at: c.r_finished_at,
    code_sealed: c.r_code_sealed,
  });

function placeholders(n: number): string {
  return Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');
}

interface SendRow {
  outcome: 'CREATED' | 'KEY_REVOKED' | 'RATE' | 'SEND_LIMIT' | 'QUOTA' | 'CLOSED' | 'PENDING';
  wait_ms: number | null;
  refused: number | null;
  pending_id: string | null;
  pending_sealed: Buffer | null;
  /** bigint: a string from the driver. */
  pending_expires: string | null;
  pending_locale: string | null;
}

const KEY_REVOKED: port.CreateResult = Object.freeze({ ok: false, reason: 'KEY_REVOKED' });
const CLOSED: port.CreateResult = Object.freeze({ ok: false, reason: 'CLOSED' });

/** The send function's arguments, in its order (see functions.ts). */
function sendValues(v: port.NewVerification, limits: port.SendLimits, key: port.KeyCheck | undefined): unknown[] {
  const m = v.message;
  // No day: nothing to charge. A cost over the whole budget is refused by the function itself, as
  // QUOTA after the velocity and window checks whose refusals come first.
  const day = chargeOf(v, limits) === null ? null : utcDay(v.createdAt);
  const rates = limits.rates ?? [];
  return [
    ...[key?.id ?? null, key?.secretHash ?? null, advisoryLockKey(v.clientId, v.phoneIndex), sendsSince(v, limits)],
    ...[v.id, v.clientId, v.phoneIndex, v.codeMac, v.keyId, v.maxAttempts],
    ...[
      v.createdAt,
      v.expiresAt,
      v.country ?? null,
      v.prefix ?? null,
      v.signals ? rows.encodeSignals(v.signals) : null,
    ],
    ...[v.serviceId ?? null, v.channel ?? null, v.maskedTo ?? null, v.locale ?? null, v.codeSealed ?? null],
    ...[v.resendOf ?? null, v.resendPending ?? false],
    ...[m?.channel ?? null, m?.recipient ?? null, m?.body ?? null, m?.segments ?? 1],
    ...[limits.windows.map((w) => w.windowMs), limits.windows.map((w) => w.max)],
    ...[day, limits.dailyQuota, limits.dailyBudgetMicros ?? 0, m?.costMicros ?? 0],
    ...[rates.map((r) => r.key), rates.map((r) => gcra(r.rule).interval), rates.map((r) => gcra(r.rule).tolerance)],
  ];
}

function toCreateResult(r: SendRow): port.CreateResult {
  switch (r.outcome) {
    case 'CREATED':
      return CREATED;
    case 'KEY_REVOKED':
      return KEY_REVOKED;
    case 'CLOSED':
      return CLOSED;
    case 'PENDING': {
      const pending = { id: r.pending_id!, codeSealed: r.pending_sealed!, expiresAt: Number(r.pending_expires) };
      return { ok: false, reason: 'PENDING', pending: { ...pending, locale: r.pending_locale } };
    }
    case 'QUOTA':
      return QUOTA;
    case 'SEND_LIMIT':
      return { ok: false, reason: 'SEND_LIMIT', retryAfterMs: r.wait_ms! };
    case 'RATE':
      return { ok: false, reason: 'RATE', index: r.refused!, retryAfterSeconds: rateRetrySeconds(r.wait_ms!) };
  }
}

/** The verification writes of the PostgreSQL store: one round trip each. */
export const verifications = (pool: pg.Pool) => ({
  /**
   * One statement. Sends are serialised per (client, number) by a transaction advisory lock taken
   * before the window count, and per budget by the budget rows' locks; see functions.ts.
   */
  async createVerification(
    v: port.NewVerification,
    limits: port.SendLimits,
    key?: port.KeyCheck,
  ): Promise<port.CreateResult> {
    const r = await pool.query<SendRow>({ name: 'otpd_send', text: SEND, values: sendValues(v, limits, key) });
    return toCreateResult(r.rows[0]!);
  },

  /**
   * One round trip: a statement, or with a request budget a procedure that commits the budget
   * first (see functions.ts). `SELECT … FOR UPDATE` in the function locks the verification row: parallel
   * validations of one id queue on it, and each re-reads the row as the previous one committed it
   * (READ COMMITTED re-checks a locked row's latest version), so a consumed or failed row is seen as
   * such by everyone behind the lock.
   */
  async attemptValidation(
    clientId: string,
    id: string,
    now: number,
    budget: port.GuessBudget,
    candidates: readonly Buffer[],
    key?: port.KeyCheck,
    request?: RateTake,
  ): Promise<port.ValidationOutcome | port.RequestLimited> {
    const values = [key?.id ?? null, key?.secretHash ?? null, clientId, id, now, now - budget.windowMs, budget.max];
    if (!request) {
      const r = await pool.query<{ outcome: port.ValidationOutcome }>({
        name: 'otpd_validate',
        text: VALIDATE,
        values: [...values, candidates],
      });
      return r.rows[0]!.outcome;
    }
    const g = gcra(request.rule);
    const r = await pool.query<{ outcome: port.ValidationOutcome | 'REQUEST_LIMITED'; wait_ms: number }>({
      name: 'otpd_validate_spending',
      text: VALIDATE_SPENDING,
      values: [...values, candidates, request.key, g.interval, g.tolerance],
    });
    const { outcome, wait_ms } = r.rows[0]!;
    return outcome === 'REQUEST_LIMITED' ? { retryAfterSeconds: rateRetrySeconds(wait_ms) } : outcome;
  },
});

async function getVerification(pool: pg.Pool, clientId: string, id: string): Promise<port.VerificationRecord | null> {
  const r = await pool.query<rows.VerificationRecordRow>(
    `SELECT ${rows.VERIFICATION_RECORD_COLUMNS} FROM verifications WHERE id = $1 AND client_id = $2
      AND status <> 'resent'`,
    [id, clientId],
  );
  return r.rows[0] ? rows.toVerificationRecord(r.rows[0]) : null;
}

/** The verification reads of the native and Twilio-compatible APIs, and the close transition. */
export const verificationLookup = (pool: pg.Pool) => ({
  /** One round trip: the attempt and the row as it left it, in one procedure (check-function.ts). */
  async attemptAndRead(
    clientId: string,
    id: string,
    now: number,
    budget: port.GuessBudget,
    candidates: readonly Buffer[],
    key?: port.KeyCheck,
    request?: RateTake,
  ): Promise<port.AttemptRead | port.RequestLimited> {
    const g = request ? gcra(request.rule) : undefined;
    const r = await pool.query<CheckRow>({
      name: 'otpd_check',
      text: CHECK,
      values: [
        ...[key?.id ?? null, key?.secretHash ?? null, clientId, id, now, now - budget.windowMs, budget.max],
        ...[candidates, request?.key ?? null, g?.interval ?? null, g?.tolerance ?? null],
      ],
    });
    const c = r.rows[0]!;
    if (c.outcome === 'REQUEST_LIMITED') return { retryAfterSeconds: rateRetrySeconds(c.wait_ms!) };
    if (c.r_status === null) return { outcome: c.outcome, record: null };
    return { outcome: c.outcome, record: checkedRecord(clientId, id, c) };
  },

  getVerification: (clientId: string, id: string) => getVerification(pool, clientId, id),

  async findLatestVerification(
    clientId: string,
    serviceId: string,
    phoneIndex: Buffer,
  ): Promise<port.VerificationRecord | null> {
    const r = await pool.query<rows.VerificationRecordRow>(
      `SELECT ${rows.VERIFICATION_RECORD_COLUMNS} FROM verifications WHERE client_id = $1 AND phone_index = $2
        AND service_id = $3 AND status <> 'resent' ORDER BY created_at DESC LIMIT 1`,
      [clientId, phoneIndex, serviceId],
    );
    return r.rows[0] ? rows.toVerificationRecord(r.rows[0]) : null;
  },

  async findVerificationsByNumber(
    phoneIndex: Buffer,
    limit: number,
    clientId?: string,
  ): Promise<port.VerificationRecord[]> {
    // Every tenant has a service once it has sent: the tenants are walked on the (client, number) index.
    const r = await pool.query<rows.VerificationRecordRow>({
      name: 'otpd_by_number',
      text: `SELECT ${rows.VERIFICATION_RECORD_COLUMNS} FROM verifications
        WHERE client_id IN (SELECT DISTINCT client_id FROM services WHERE $2::text IS NULL OR client_id = $2)
          AND phone_index = $1 AND status <> 'resent' ORDER BY created_at DESC LIMIT $3`,
      values: [phoneIndex, clientId ?? null, limit],
    });
    return r.rows.map(rows.toVerificationRecord);
  },

  async listVerificationMessages(clientId: string, id: string): Promise<port.MessageView[]> {
    const r = await pool.query<rows.MessageRow>(
      `SELECT ${rows.MESSAGE_COLUMNS} FROM messages WHERE verification_id = $1 AND client_id = $2 ORDER BY seq`,
      [id, clientId],
    );
    return r.rows.map(rows.toMessageView);
  },

  /** One guarded UPDATE: a validation holding the row's lock is waited for, and its result re-checked. */
  async closeVerification(clientId: string, id: string, to: 'cancelled' | 'verified', now: number): Promise<boolean> {
    const r = await pool.query(
      `UPDATE verifications SET status = $1, finished_at = $2
        WHERE id = $3 AND client_id = $4 AND status = 'pending' AND expires_at > $2`,
      [to, now, id, clientId],
    );
    return r.rowCount === 1;
  },
});
