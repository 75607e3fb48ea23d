import type pg from 'pg';
import type { AttemptRecord, ClaimedMessage, MessageView } from '../../core/ports/store.ts';

// The pg-boss pattern: the inner SELECT locks the due rows it takes and SKIPs rows another replica
// has locked, so concurrent claimers never take one message twice and never wait on each other.
// Under READ COMMITTED a row that another claimer updated and committed after our snapshot is
// re-checked against its latest version (next_attempt_at now in the future), so it is not taken.
const CLAIM = `
  UPDATE messages SET status = 'sending', attempts = attempts + 1, next_attempt_at = $1, updated_at = $2
  WHERE seq IN (
    SELECT seq FROM messages WHERE status IN ('queued', 'sending') AND next_attempt_at <= $2
    ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED
  )
  RETURNING seq, verification_id, recipient, body, attempts`;

// One statement, so the attempt row and the state change commit together. The guard on
// (attempts, status) makes a late completion from a lapsed lease a no-op for the message.
const COMPLETE = `
  WITH a AS (
    INSERT INTO message_attempts (message_seq, attempt, gateway, started_at, finished_at, outcome, provider_message_id, error)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
  )
  UPDATE messages SET
    status = $9,
    body = CASE WHEN $9 = 'queued' THEN body ELSE NULL END,
    next_attempt_at = CASE WHEN $9 = 'queued' THEN $10 ELSE next_attempt_at END,
    gateway = $3,
    provider_message_id = COALESCE($7, provider_message_id),
    last_error = $8,
    updated_at = $5
  WHERE seq = $1 AND attempts = $2 AND status = 'sending'`;

/**
 * Claims due messages for one dispatcher. Concurrency: one autocommit statement with
 * `FOR UPDATE SKIP LOCKED`; a message is leased to one replica at a time, and a replica that dies
 * mid-send loses it when `next_attempt_at` (the lease) passes.
 */
export async function claimMessagesPg(pool: pg.Pool, now: number, leaseMs: number, limit: number): Promise<ClaimedMessage[]> {
  const res = await pool.query<{ seq: number; verification_id: string; recipient: string; body: Buffer | null; attempts: number }>({
    name: 'otpd_claim', text: CLAIM, values: [now + leaseMs, now, limit],
  });
  return res.rows.map((r) => ({
    id: String(r.seq), verificationId: r.verification_id, recipient: r.recipient, body: r.body ?? Buffer.alloc(0), attempt: r.attempts,
  }));
}

/** Records the attempt and moves the message on, in one statement (idempotent per attempt). */
export async function completeAttemptPg(pool: pg.Pool, r: AttemptRecord): Promise<void> {
  const requeue = r.outcome === 'transient' && r.retryAt !== undefined;
  const status = requeue ? 'queued' : r.outcome === 'sent' ? 'sent' : r.outcome === 'permanent' ? 'failed' : 'abandoned';
  await pool.query({
    name: 'otpd_complete',
    text: COMPLETE,
    values: [Number(r.messageId), r.attempt, r.gateway, r.startedAt, r.finishedAt, r.outcome, r.providerMessageId ?? null, r.error ?? null,
      status, r.retryAt ?? null],
  });
}

export async function listMessagesPg(pool: pg.Pool, filter: { recipient?: string; limit: number }): Promise<MessageView[]> {
  const res = await pool.query<{
    seq: number; recipient: string; status: MessageView['status']; attempts: number; created_at: number; updated_at: number; last_error: string | null;
  }>({
    name: 'otpd_list_messages',
    text: `SELECT seq, recipient, status, attempts, created_at, updated_at, last_error FROM messages
      WHERE ($1::text IS NULL OR recipient = $1) ORDER BY seq DESC LIMIT $2`,
    values: [filter.recipient ?? null, filter.limit],
  });
  return res.rows.map((r) => ({
    id: String(r.seq), recipient: r.recipient, status: r.status, attempts: r.attempts,
    createdAt: r.created_at, updatedAt: r.updated_at, lastError: r.last_error,
  }));
}

export async function appendDevMessagePg(pool: pg.Pool, m: { messageId: string; to: string; text: string; at: number }): Promise<void> {
  await pool.query({
    name: 'otpd_append_dev',
    text: 'INSERT INTO dev_outbox (message_seq, recipient, text, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    values: [Number(m.messageId), m.to, m.text, m.at],
  });
}

export async function listDevMessagesPg(pool: pg.Pool, to: string | undefined, limit: number): Promise<{ to: string; text: string; createdAt: number }[]> {
  const res = await pool.query<{ recipient: string; text: string; created_at: number }>({
    name: 'otpd_list_dev',
    text: 'SELECT recipient, text, created_at FROM dev_outbox WHERE ($1::text IS NULL OR recipient = $1) ORDER BY message_seq DESC LIMIT $2',
    values: [to ?? null, limit],
  });
  return res.rows.map((r) => ({ to: r.recipient, text: r.text, createdAt: r.created_at }));
}
