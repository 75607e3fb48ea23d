import type pg from 'pg';
import type * as port from '../../core/ports/store.ts';
import { admitSend, CREATED, QUOTA, runStepsAsync, sendsSince, validation } from '../rules.ts';
import { advisoryLockKey, inTransaction, Rollback, rollbackTo } from './pool.ts';
import { takeChargeCte } from './usage.ts';
import * as rows from '../rows.ts';

// One statement for every write of an accepted send: supersede, the verification, its message and
// the charge, taken last (see usage.ts).
const WRITE_SEND = `
  WITH superseded AS (
    UPDATE verifications SET status = 'superseded', finished_at = $7
    WHERE client_id = $2 AND phone_index = $3 AND status = 'pending'
  ), v AS (
    INSERT INTO verifications (${rows.VERIFICATION_INSERT_COLUMNS}, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending')
  ), m AS (
    INSERT INTO messages (verification_id, client_id, channel, recipient, body, segments, status,
      next_attempt_at, created_at, updated_at)
    SELECT $1, $2, $12, $13, $14, $15, 'queued', $7, $7, $7 WHERE $12::text IS NOT NULL
  ), q AS (${takeChargeCte({ client: '$2', day: '$16', quota: '$17', cost: '$18', budget: '$19' })}
  )
  SELECT count(*)::int AS charged FROM q`;

/**
 * One transaction. Sends are serialised per (client, number) by a transaction advisory lock taken
 * in its own statement before the window count: under READ COMMITTED each statement sees what was
 * committed before it started, so the count sees every send that held the lock before us.
 */
async function createVerification(
  pool: pg.Pool,
  v: port.NewVerification,
  limits: port.SendLimits,
): Promise<port.CreateResult> {
  return rollbackTo(
    inTransaction(pool, async (c) => {
      await c.query({
        name: 'otpd_lock_number',
        text: 'SELECT pg_advisory_xact_lock($1::bigint)',
        values: [advisoryLockKey(v.clientId, v.phoneIndex)],
      });
      const recent = await c.query<{ created_at: number }>({
        name: 'otpd_recent_sends',
        text: 'SELECT created_at FROM verifications WHERE client_id = $1 AND phone_index = $2 AND created_at > $3',
        values: [v.clientId, v.phoneIndex, sendsSince(v, limits)],
      });
      const admitted = admitSend(
        recent.rows.map((r) => r.created_at),
        v,
        limits,
      );
      if (!admitted.ok) return admitted.refusal;
      const m = v.message;
      const charge = admitted.charge ?? { day: '', quota: 0, budget: 0, cost: 0 };
      const res = await c.query<{ charged: number }>({
        name: 'otpd_write_send',
        text: WRITE_SEND,
        values: [
          ...rows.verificationValues(v),
          ...[m?.channel ?? null, m?.recipient ?? null, m?.body ?? null, m?.segments ?? 1],
          ...[charge.day, charge.quota, charge.cost, charge.budget],
        ],
      });
      // The charge is taken last, so a refusal must undo the rows written before it.
      if (admitted.charge && res.rows[0]!.charged !== 1) throw new Rollback(QUOTA);
      return CREATED;
    }),
  );
}

interface LockedVerification {
  client_id: string;
  phone_index: Buffer;
  code_mac: Buffer;
  status: string;
  expires_at: number;
}

// Runs after the row lock is held, so under READ COMMITTED its snapshot includes every guess on
// this number that committed before us. The attempt is counted only within the guess budget.
const COUNT_ATTEMPT = `
  WITH w AS (
    SELECT COALESCE(SUM(wrong), 0)::int AS n FROM verifications WHERE client_id = $2 AND phone_index = $3
      AND created_at > $4
  ), counted AS (
    UPDATE verifications SET attempts = attempts + 1
    WHERE id = $1 AND status = 'pending' AND attempts < max_attempts AND (SELECT n FROM w) < $5
    RETURNING 1
  )
  SELECT count(*)::int AS counted FROM counted`;

const CONSUME = `UPDATE verifications SET status = 'verified', finished_at = $2 WHERE id = $1 AND status = 'pending'`;

const RECORD_WRONG = `UPDATE verifications SET wrong = wrong + 1,
  status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE status END,
  finished_at = CASE WHEN attempts >= max_attempts THEN $2 ELSE finished_at END
  WHERE id = $1 RETURNING status`;

/**
 * One transaction. `SELECT … FOR UPDATE` locks the verification row: parallel validations of one
 * id queue on it, and each re-reads the row as the previous one committed it (READ COMMITTED
 * re-checks a locked row's latest version), so a consumed or failed row is seen as such by everyone
 * behind the lock. The budget of wrong guesses spans the number's verifications; only one of them
 * is pending at a time (supersede), so this lock serialises it too.
 */
async function attemptValidation(
  pool: pg.Pool,
  clientId: string,
  id: string,
  now: number,
  budget: port.GuessBudget,
  candidates: readonly Buffer[],
): Promise<port.ValidationOutcome> {
  return inTransaction(pool, async (c) => {
    const found = await c.query<LockedVerification>({
      name: 'otpd_lock_verification',
      text: `SELECT client_id, phone_index, code_mac, status, expires_at FROM verifications
        WHERE id = $1 AND client_id = $2 FOR UPDATE`,
      values: [id, clientId],
    });
    const row = found.rows[0];
    const stored = row && {
      clientId: row.client_id,
      status: row.status,
      expiresAt: row.expires_at,
      codeMac: row.code_mac,
    };
    return runStepsAsync(validation(stored, clientId, now, candidates), async (step) => {
      if (step === 'countAttempt') {
        const values = [id, clientId, row!.phone_index, now - budget.windowMs, budget.max];
        return (
          (await c.query<{ counted: number }>({ name: 'otpd_count_attempt', text: COUNT_ATTEMPT, values })).rows[0]!
            .counted === 1
        );
      }
      if (step === 'consume')
        return (await c.query({ name: 'otpd_consume', text: CONSUME, values: [id, now] })).rowCount === 1;
      const wrong = await c.query<{ status: string }>({
        name: 'otpd_record_wrong',
        text: RECORD_WRONG,
        values: [id, now],
      });
      return wrong.rows[0]?.status === 'failed';
    });
  });
}

/** The verification writes of the PostgreSQL store. */
export const verifications = (pool: pg.Pool) => ({
  createVerification: (v: port.NewVerification, limits: port.SendLimits) => createVerification(pool, v, limits),
  attemptValidation: (
    clientId: string,
    id: string,
    now: number,
    budget: port.GuessBudget,
    candidates: readonly Buffer[],
  ) => attemptValidation(pool, clientId, id, now, budget, candidates),
});
