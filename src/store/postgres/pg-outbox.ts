import type pg from 'pg';
import type { AttemptRecord, AttemptView, ClaimedMessage, DeliveryReceipt, MessageFilter, MessageView } from '../../core/ports/outbox.ts';
import { ATTEMPT_COLUMNS, MESSAGE_COLUMNS, toAttemptView, toMessageView, type AttemptRow, type MessageRow } from '../message-rows.ts';

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
  RETURNING seq, verification_id, channel, recipient, body, attempts, route_step, segments`;

// One statement, so the attempt row and the state change commit together. The guard on
// (attempts, status) makes a late completion from a lapsed lease a no-op for the message. A
// receipt recorded before the attempt (see recordReceipt) gives a sent message its final status.
const COMPLETE = `
  WITH a AS (
    INSERT INTO message_attempts (message_seq, attempt, gateway, started_at, finished_at, outcome, provider_message_id, error, segments)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $11) ON CONFLICT DO NOTHING
  )
  UPDATE messages SET
    status = CASE WHEN $9 = 'sent'
      THEN COALESCE((SELECT r.status FROM message_receipts r WHERE r.gateway = $3 AND r.provider_message_id = $7), 'sent') ELSE $9 END,
    body = CASE WHEN $9 = 'queued' THEN body ELSE NULL END,
    next_attempt_at = CASE WHEN $9 = 'queued' THEN $10 ELSE next_attempt_at END,
    route_step = CASE WHEN $9 = 'queued' THEN $12 ELSE route_step END,
    gateway = $3,
    provider_message_id = CASE WHEN $9 = 'sent' THEN $7 ELSE provider_message_id END,
    segments = COALESCE($11, segments),
    last_error = $8,
    updated_at = $5
  WHERE seq = $1 AND attempts = $2 AND status = 'sending'`;

// INSERT … ON CONFLICT DO NOTHING decides duplicates atomically: of two replicas receiving the same
// callback, one inserts and applies it, the other sees no row and does nothing.
const RECEIPT = `
  WITH ins AS (
    INSERT INTO message_receipts (gateway, provider_message_id, status, error, received_at)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1
  ), upd AS (
    UPDATE messages SET status = $3, last_error = COALESCE($4, last_error), updated_at = $5
    WHERE gateway = $1 AND provider_message_id = $2 AND status = 'sent' AND EXISTS (SELECT 1 FROM ins)
  )
  SELECT count(*)::int AS n FROM ins`;

/**
 * Claims due messages for one dispatcher. Concurrency: one autocommit statement with
 * `FOR UPDATE SKIP LOCKED`; a message is leased to one replica at a time, and a replica that dies
 * mid-send loses it when `next_attempt_at` (the lease) passes.
 */
export async function claimMessagesPg(pool: pg.Pool, now: number, leaseMs: number, limit: number): Promise<ClaimedMessage[]> {
  const res = await pool.query<{
    seq: number; verification_id: string; channel: 'sms' | 'email'; recipient: string; body: Buffer | null; attempts: number; route_step: number; segments: number;
  }>({ name: 'otpd_claim', text: CLAIM, values: [now + leaseMs, now, limit] });
  return res.rows.map((r) => ({
    id: String(r.seq), verificationId: r.verification_id, channel: r.channel, recipient: r.recipient, body: r.body ?? Buffer.alloc(0),
    attempt: r.attempts, routeStep: r.route_step, segments: r.segments,
  }));
}

/** Records the attempt and moves the message on, in one statement (idempotent per attempt). */
export async function completeAttemptPg(pool: pg.Pool, r: AttemptRecord): Promise<void> {
  const status = r.outcome === 'sent' ? 'sent' : r.retryAt !== undefined ? 'queued' : r.outcome === 'permanent' ? 'failed' : 'abandoned';
  await pool.query({
    name: 'otpd_complete',
    text: COMPLETE,
    values: [Number(r.messageId), r.attempt, r.gateway, r.startedAt, r.finishedAt, r.outcome, r.providerMessageId ?? null, r.error ?? null,
      status, r.retryAt ?? null, r.segments ?? null, r.nextRouteStep ?? 0],
  });
}

export async function recordReceiptPg(pool: pg.Pool, r: DeliveryReceipt): Promise<'recorded' | 'duplicate'> {
  const res = await pool.query<{ n: number }>({
    name: 'otpd_receipt', text: RECEIPT, values: [r.gateway, r.providerMessageId, r.status, r.error ?? null, r.at],
  });
  return res.rows[0]!.n === 1 ? 'recorded' : 'duplicate';
}

export async function listMessagesPg(pool: pg.Pool, f: MessageFilter): Promise<MessageView[]> {
  const res = await pool.query<MessageRow>({
    name: 'otpd_list_messages',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE ($1::text IS NULL OR recipient = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR gateway = $3)
        AND ($4::bigint IS NULL OR created_at >= $4) AND ($5::bigint IS NULL OR created_at < $5) AND ($6::bigint IS NULL OR seq < $6)
      ORDER BY seq DESC LIMIT $7`,
    values: [f.recipient ?? null, f.status ?? null, f.gateway ?? null, f.since ?? null, f.until ?? null,
      f.before !== undefined ? Number(f.before) : null, f.limit],
  });
  return res.rows.map(toMessageView);
}

export async function listAttemptsPg(pool: pg.Pool, ids: readonly string[]): Promise<AttemptView[]> {
  const res = await pool.query<AttemptRow>({
    name: 'otpd_list_attempts',
    text: `SELECT ${ATTEMPT_COLUMNS} FROM message_attempts WHERE message_seq = ANY($1::bigint[]) ORDER BY message_seq, attempt`,
    values: [ids.map(Number)],
  });
  return res.rows.map(toAttemptView);
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
