import type pg from 'pg';
import { anyMacMatches } from '../../core/keyring.ts';
import type { CreateResult, GuessBudget, NewVerification, SendLimits, ValidationOutcome } from '../../core/ports/store.ts';
import { utcDay } from '../../core/clock.ts';
import { advisoryLockKey, inTransaction, rollbackTo, Rollback } from './pool.ts';

// One statement for every write of an accepted send: supersede, the verification, its message and
// the quota. The quota row is the one row all of a client's sends share, so it is taken last: its
// lock is then held only until the COMMIT that follows.
const WRITE_SEND = `
  WITH superseded AS (
    UPDATE verifications SET status = 'superseded', finished_at = $8 WHERE client_id = $2 AND phone_index = $3 AND status = 'pending'
  ), v AS (
    INSERT INTO verifications (id, client_id, phone_index, code_mac, key_id, status, max_attempts, created_at, expires_at, country, prefix, messaged)
    VALUES ($1, $2, $3, $4, $5, 'pending', $6, $8, $7, $16, $17, ($9::text IS NOT NULL)::int)
  ), m AS (
    INSERT INTO messages (verification_id, client_id, channel, recipient, body, segments, status, next_attempt_at, created_at, updated_at)
    SELECT $1, $2, $9, $10, $11, $14, 'queued', $8, $8, $8 WHERE $9::text IS NOT NULL
  ), q AS (
    INSERT INTO usage_daily (client_id, day, messages, spend_micros) SELECT $2, $12, 1, $15::bigint WHERE $13::int > 0 OR $18::bigint > 0
    ON CONFLICT (client_id, day) DO UPDATE SET messages = usage_daily.messages + 1, spend_micros = usage_daily.spend_micros + excluded.spend_micros
    WHERE ($13::int = 0 OR usage_daily.messages < $13::int) AND ($18::bigint = 0 OR usage_daily.spend_micros + excluded.spend_micros <= $18::bigint)
    RETURNING 1
  )
  SELECT count(*)::int AS quota_taken FROM q`;

/**
 * Sends are serialised per (client, number) by a transaction advisory lock taken in its own
 * statement before the window count: under READ COMMITTED each statement sees what was committed
 * before it started, so the count sees every send that held the lock before us.
 */
export async function createVerificationPg(pool: pg.Pool, v: NewVerification, limits: SendLimits): Promise<CreateResult> {
  return rollbackTo(inTransaction(pool, async (c) => {
    await c.query({ name: 'otpd_lock_number', text: 'SELECT pg_advisory_xact_lock($1::bigint)', values: [advisoryLockKey(v.clientId, v.phoneIndex)] });
    const longest = Math.max(0, ...limits.windows.map((w) => w.windowMs));
    const recent = await c.query<{ created_at: number }>({
      name: 'otpd_recent_sends',
      text: 'SELECT created_at FROM verifications WHERE client_id = $1 AND phone_index = $2 AND created_at > $3 ORDER BY created_at',
      values: [v.clientId, v.phoneIndex, v.createdAt - longest],
    });
    const sends = recent.rows.map((r) => r.created_at);
    for (const w of limits.windows) {
      const inWindow = sends.filter((t) => t > v.createdAt - w.windowMs);
      if (inWindow.length >= w.max) {
        const oldest = inWindow[inWindow.length - w.max] ?? v.createdAt;
        throw new Rollback<CreateResult>({ ok: false, reason: 'SEND_LIMIT', retryAfterMs: Math.max(1000, oldest + w.windowMs - v.createdAt) });
      }
    }
    const m = v.message;
    const quota = m ? limits.dailyQuota : 0;
    const budget = m ? (limits.dailyBudgetMicros ?? 0) : 0;
    const cost = m?.costMicros ?? 0;
    if (budget > 0 && cost > budget) throw new Rollback<CreateResult>({ ok: false, reason: 'QUOTA' });
    const res = await c.query<{ quota_taken: number }>({
      name: 'otpd_write_send',
      text: WRITE_SEND,
      values: [v.id, v.clientId, v.phoneIndex, v.codeMac, v.keyId, v.maxAttempts, v.expiresAt, v.createdAt,
        m?.channel ?? null, m?.recipient ?? null, m?.body ?? null, utcDay(v.createdAt), quota, m?.segments ?? 1, cost,
        v.country ?? null, v.prefix ?? null, budget],
    });
    if ((quota > 0 || budget > 0) && res.rows[0]!.quota_taken !== 1) throw new Rollback<CreateResult>({ ok: false, reason: 'QUOTA' });
    return { ok: true } as CreateResult;
  }));
}

interface LockedVerification {
  phone_index: Buffer;
  code_mac: Buffer;
  status: string;
  expires_at: number;
}

// Runs after the row lock is held, so under READ COMMITTED its snapshot includes every guess on
// this number that committed before us. The attempt is counted only within the guess budget.
const COUNT_ATTEMPT = `
  WITH w AS (
    SELECT COALESCE(SUM(wrong), 0)::int AS n FROM verifications WHERE client_id = $2 AND phone_index = $3 AND created_at > $4
  ), counted AS (
    UPDATE verifications SET attempts = attempts + 1
    WHERE id = $1 AND status = 'pending' AND attempts < max_attempts AND (SELECT n FROM w) < $5
    RETURNING 1
  )
  SELECT (SELECT n FROM w) AS wrong, (SELECT count(*)::int FROM counted) AS counted`;

/**
 * `SELECT … FOR UPDATE` locks the verification row for the transaction: parallel validations of
 * one id queue on it and each re-reads the row as the previous one committed it (READ COMMITTED
 * re-checks a locked row's latest version). The attempt is counted before the comparison, in the
 * same transaction, so no guess is compared without being paid for, and a consumed or failed row
 * is seen as such by everyone behind the lock. The budget of wrong guesses spans the number's
 * verifications; only one of them is pending at a time (supersede), so this lock serialises it too.
 */
export async function attemptValidationPg(
  pool: pg.Pool, clientId: string, id: string, now: number, budget: GuessBudget, candidates: readonly Buffer[],
): Promise<ValidationOutcome> {
  return rollbackTo(inTransaction(pool, async (c) => {
    const found = await c.query<LockedVerification>({
      name: 'otpd_lock_verification',
      text: 'SELECT phone_index, code_mac, status, expires_at FROM verifications WHERE id = $1 AND client_id = $2 FOR UPDATE',
      values: [id, clientId],
    });
    const row = found.rows[0];
    if (!row) throw new Rollback<ValidationOutcome>('NOT_FOUND');
    if (row.status === 'failed') throw new Rollback<ValidationOutcome>('FAILED');
    if (row.status !== 'pending' || now >= row.expires_at) throw new Rollback<ValidationOutcome>('EXPIRED');
    const count = await c.query<{ wrong: number; counted: number }>({
      name: 'otpd_count_attempt', text: COUNT_ATTEMPT, values: [id, clientId, row.phone_index, now - budget.windowMs, budget.max],
    });
    if (count.rows[0]!.counted !== 1) return 'FAILED' as ValidationOutcome;
    if (anyMacMatches(row.code_mac, candidates)) {
      const consumed = await c.query({
        name: 'otpd_consume',
        text: `UPDATE verifications SET status = 'verified', finished_at = $2 WHERE id = $1 AND status = 'pending'`,
        values: [id, now],
      });
      return (consumed.rowCount === 1 ? 'VERIFIED' : 'EXPIRED') as ValidationOutcome;
    }
    const wrong = await c.query<{ status: string }>({
      name: 'otpd_record_wrong',
      text: `UPDATE verifications SET wrong = wrong + 1,
        status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE status END,
        finished_at = CASE WHEN attempts >= max_attempts THEN $2 ELSE finished_at END
        WHERE id = $1 RETURNING status`,
      values: [id, now],
    });
    return (wrong.rows[0]?.status === 'failed' ? 'FAILED' : 'INVALID') as ValidationOutcome;
  }));
}
