import type pg from 'pg';
import type * as port from '../../core/ports/outbox.ts';
import type { DevMessageInput } from '../../core/ports/store.ts';
import {
  CLAIM_RETURNING,
  claimBatch,
  EXPIRE_BATCH,
  STALE_ERROR,
  stateAfter,
  toClaimed,
  type ClaimRow,
} from '../rules.ts';
import * as rows from '../rows.ts';
import { partIdsOf, recordPartReceipt, recordParts } from './parts.ts';
import { advisoryLockKey, inTransaction } from './pool.ts';

// Whether a message's code can still be used (true without a verification row). A correlated
// scalar subquery, not a join: the planner never turns it into one, so the claim walks messages_due
// in order and stops at its LIMIT. As a join, the planner (which sees few verifications pending)
// would rather join and sort every due row, on every claim.
const USABLE = `COALESCE((SELECT v.status = 'pending' AND v.expires_at > $2 FROM verifications v
  WHERE v.id = m.verification_id), true)`;

// The pg-boss pattern: each SELECT locks the due rows it takes and SKIPs rows another replica has
// locked, so concurrent claimers never take one message twice and never wait on each other. Under
// READ COMMITTED a row that another claimer updated and committed after our snapshot is re-checked
// against its latest version (next_attempt_at now in the future), so it is not taken.
// This is rules.ts's partitionDue in one statement:
// `fresh` takes the most recently due messages whose code can still be used (or that have no
// verification row): under a backlog the newest codes go first, their users are still waiting;
// `stale` expires the due messages whose code cannot, but only those due after the last one taken
// (all of them when fewer than $3 were taken): the stale rows the claim walked past. So
// a claim costs what its scan costs, however long the backlog behind it. The two sets are disjoint
// (one verification row, one snapshot; `fresh` is materialized once), so no row is updated twice.
// `seq = ANY (ARRAY(…))` makes both updates primary-key lookups in the generic plan too.
const CLAIM = `
  WITH fresh AS MATERIALIZED (
    SELECT m.seq, m.next_attempt_at FROM messages m
    WHERE m.status IN ('queued', 'sending') AND m.next_attempt_at <= $2 AND ${USABLE}
    ORDER BY m.next_attempt_at DESC LIMIT $3 FOR UPDATE SKIP LOCKED
  ), stale AS (
    SELECT m.seq FROM messages m
    WHERE m.status IN ('queued', 'sending') AND NOT ${USABLE} AND m.next_attempt_at <= $2
      AND m.next_attempt_at >= COALESCE((SELECT min(next_attempt_at) FROM fresh HAVING count(*) = $3), 0)
    ORDER BY m.next_attempt_at DESC LIMIT $5 FOR UPDATE SKIP LOCKED
  ), expired AS (
    UPDATE messages SET status = 'expired', body = NULL, last_error = $4, updated_at = $2
      WHERE seq = ANY (ARRAY(SELECT seq FROM stale)) RETURNING 1
  ), claimed AS (
    UPDATE messages SET status = 'sending', attempts = attempts + 1, next_attempt_at = $1, updated_at = $2
    WHERE seq = ANY (ARRAY(SELECT seq FROM fresh))
    RETURNING ${CLAIM_RETURNING}
  )
  -- One row per claimed message, each with the count of expired ones; a single row of NULLs with
  -- that count when nothing was claimed.
  SELECT claimed.*, n.expired FROM (SELECT count(*)::int AS expired FROM expired) n LEFT JOIN claimed ON true`;

// One statement for a whole round of attempts, so each attempt row and its message's state change
// commit together. The guard on (attempts, status) makes a late completion from a lapsed lease a
// no-op for the message. A receipt recorded before the attempt (see recordReceipt) gives a sent
// message its final status.
const COMPLETE = `
  WITH r AS (
    SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[],
      $8::text[], $9::text[], $10::bigint[], $11::int[], $12::int[])
      AS r(seq, attempt, gateway, started_at, finished_at, outcome, provider_id, error, status, retry_at,
        segments, route_step)
  ), a AS (
    INSERT INTO message_attempts (message_seq, attempt, gateway, started_at, finished_at, outcome,
      provider_message_id, error, segments)
    SELECT seq, attempt, gateway, started_at, finished_at, outcome, provider_id, error, segments FROM r
    WHERE outcome <> 'deferred'
    ON CONFLICT DO NOTHING
  )
  UPDATE messages m SET
    attempts = m.attempts - CASE WHEN r.outcome = 'deferred' THEN 1 ELSE 0 END,
    status = CASE WHEN r.status = 'sent'
      THEN COALESCE((SELECT x.status FROM message_receipts x WHERE x.gateway = r.gateway
        AND x.provider_message_id = r.provider_id), 'sent') ELSE r.status END,
    body = CASE WHEN r.status = 'queued' THEN m.body ELSE NULL END,
    next_attempt_at = CASE WHEN r.status = 'queued' THEN r.retry_at ELSE m.next_attempt_at END,
    route_step = CASE WHEN r.status = 'queued' THEN r.route_step ELSE m.route_step END,
    gateway = r.gateway,
    provider_message_id = CASE WHEN r.status = 'sent' THEN r.provider_id ELSE m.provider_message_id END,
    segments = COALESCE(r.segments, m.segments),
    last_error = r.error,
    updated_at = r.finished_at
  FROM r WHERE m.seq = r.seq AND m.attempts = r.attempt AND m.status = 'sending'`;

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
 * Claims due messages for one dispatcher, and expires (for good, body dropped) the due messages
 * whose verification is no longer pending or has expired at `now`, so a stale code is never sent.
 * Concurrency: one autocommit statement with `FOR UPDATE SKIP LOCKED`; a message is leased to one
 * replica at a time, and a replica that dies mid-send loses it when `next_attempt_at` (the lease)
 * passes. A code consumed or superseded while the claim runs may still be sent once: the claim
 * reads the verification as of its snapshot and does not lock it, so it never waits on validations.
 */
async function claimMessages(pool: pg.Pool, now: number, leaseMs: number, limit: number): Promise<port.ClaimBatch> {
  if (limit <= 0) return [];
  const res = await pool.query<ClaimRow & { expired: number }>({
    name: 'otpd_claim',
    text: CLAIM,
    values: [now + leaseMs, now, limit, STALE_ERROR, EXPIRE_BATCH],
  });
  const claimed = res.rows.filter((r) => r.seq !== null).map(toClaimed);
  return claimBatch(claimed, res.rows[0]?.expired ?? 0);
}

/**
 * Serialises the sent completion and the receipt of one (gateway, provider message id). Under READ
 * COMMITTED neither statement sees the other's uncommitted write: the completion's receipt lookup
 * misses a receipt being inserted, and the receipt's UPDATE finds the message still `sending`, so
 * the receipt would be kept but never applied. Taken in its own statement, the lock makes the next
 * statement's snapshot include whatever the other transaction committed before releasing it.
 */
async function lockProviderIds(c: pg.PoolClient, keys: readonly string[]): Promise<void> {
  await c.query({
    name: 'otpd_lock_provider_ids',
    text: 'SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT unnest($1::bigint[]) AS k ORDER BY 1) l',
    values: [keys],
  });
}

/** The columns of COMPLETE, one array per column. */
function completeValues(records: readonly port.AttemptRecord[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 12 }, () => []);
  for (const r of records) {
    const row = [
      Number(r.messageId),
      r.attempt,
      r.gateway,
      r.startedAt,
      r.finishedAt,
      r.outcome,
      r.providerMessageId ?? null,
      r.error ?? null,
      stateAfter(r),
      r.retryAt ?? null,
      r.segments ?? null,
      r.nextRouteStep ?? 0,
    ];
    for (const [i, v] of row.entries()) cols[i]!.push(v);
  }
  return cols;
}

/**
 * Records a round of attempts and moves their messages on, in one statement (idempotent per
 * attempt). When some were sent, the (gateway, provider id) locks shared with recordReceipt are
 * taken first, in the same transaction, in one order (no two rounds deadlock); a round without a
 * sent attempt carries no provider id and needs no lock.
 */
async function completeAttempts(pool: pg.Pool, records: readonly port.AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  const complete = { name: 'otpd_complete', text: COMPLETE, values: completeValues(records) };
  const locks = records
    .filter((r) => stateAfter(r) === 'sent' && r.providerMessageId !== undefined)
    .map((r) => advisoryLockKey(r.gateway, r.providerMessageId!))
    .concat(partIdsOf(records).map((p) => advisoryLockKey(p.gateway, p.id)));
  if (locks.length === 0) {
    await pool.query(complete);
    return;
  }
  await inTransaction(pool, async (c) => {
    await lockProviderIds(c, locks);
    await c.query(complete);
    await recordParts(c, records);
  });
}

/** Records and applies a receipt under the (gateway, provider id) lock shared with completeAttempt. */
async function recordReceipt(pool: pg.Pool, r: port.DeliveryReceipt): Promise<'recorded' | 'duplicate'> {
  return inTransaction(pool, async (c) => {
    await lockProviderIds(c, [advisoryLockKey(r.gateway, r.providerMessageId)]);
    const part = await recordPartReceipt(c, r);
    if (part) return part;
    const res = await c.query<{ n: number }>({
      name: 'otpd_receipt',
      text: RECEIPT,
      values: [r.gateway, r.providerMessageId, r.status, r.error ?? null, r.at],
    });
    return res.rows[0]!.n === 1 ? 'recorded' : 'duplicate';
  });
}

async function listMessages(pool: pg.Pool, f: port.MessageFilter): Promise<port.MessageView[]> {
  const res = await pool.query<rows.MessageRow>({
    name: 'otpd_list_messages',
    text: `SELECT ${rows.MESSAGE_COLUMNS} FROM messages
      WHERE ($1::text IS NULL OR recipient = $1) AND ($2::text IS NULL OR status = $2)
        AND ($3::text IS NULL OR gateway = $3) AND ($4::bigint IS NULL OR created_at >= $4)
        AND ($5::bigint IS NULL OR created_at < $5) AND ($6::bigint IS NULL OR seq < $6)
        AND ($8::text IS NULL OR client_id = $8)
      ORDER BY seq DESC LIMIT $7`,
    values: [
      f.recipient ?? null,
      f.status ?? null,
      f.gateway ?? null,
      f.since ?? null,
      f.until ?? null,
      f.before !== undefined ? Number(f.before) : null,
      f.limit,
      f.clientId ?? null,
    ],
  });
  return res.rows.map(rows.toMessageView);
}

async function listAttempts(pool: pg.Pool, ids: readonly string[]): Promise<port.AttemptView[]> {
  const res = await pool.query<rows.AttemptRow>({
    name: 'otpd_list_attempts',
    text: `SELECT ${rows.ATTEMPT_COLUMNS} FROM message_attempts WHERE message_seq = ANY($1::bigint[])
      ORDER BY message_seq, attempt`,
    values: [ids.map(Number)],
  });
  return res.rows.map(rows.toAttemptView);
}

async function appendDevMessages(pool: pg.Pool, list: readonly DevMessageInput[]): Promise<void> {
  if (list.length === 0) return;
  await pool.query({
    name: 'otpd_append_dev',
    text: `INSERT INTO dev_outbox (message_seq, recipient, text, created_at)
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING`,
    values: [
      list.map((m) => Number(m.messageId)),
      list.map((m) => m.to),
      list.map((m) => m.text),
      list.map((m) => m.at),
    ],
  });
}

// The partial index messages_due keeps due rows in next_attempt_at order: min() is its first entry.
async function oldestDue(pool: pg.Pool, now: number): Promise<number | null> {
  const res = await pool.query<{ t: string | null }>({
    name: 'otpd_oldest_due',
    text: "SELECT min(next_attempt_at) AS t FROM messages WHERE status IN ('queued', 'sending')",
  });
  const t = res.rows[0]?.t;
  return t !== null && t !== undefined && Number(t) <= now ? Number(t) : null;
}

async function noteWaiting(pool: pg.Pool, now: number, error: string): Promise<number> {
  const res = await pool.query({
    name: 'otpd_note_waiting',
    text: `UPDATE messages SET last_error = $2 WHERE status = 'queued' AND next_attempt_at <= $1
      AND last_error IS DISTINCT FROM $2`,
    values: [now, error],
  });
  return res.rowCount ?? 0;
}

async function queueDepth(pool: pg.Pool): Promise<number> {
  const res = await pool.query<{ n: number }>({
    name: 'otpd_queue_depth',
    text: "SELECT count(*)::int AS n FROM messages WHERE status IN ('queued', 'sending')",
  });
  return res.rows[0]!.n;
}

async function listDevMessages(pool: pg.Pool, to: string | undefined, limit: number, clientId?: string) {
  const res = await pool.query<rows.DevMessageRow>({
    name: 'otpd_list_dev',
    text: `SELECT recipient, text, created_at FROM dev_outbox d WHERE ($1::text IS NULL OR recipient = $1)
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.seq = d.message_seq AND m.client_id = $3))
      ORDER BY message_seq DESC LIMIT $2`,
    values: [to ?? null, limit, clientId ?? null],
  });
  return res.rows.map(rows.toDevMessage);
}

/** The outbox and development-inbox operations of the PostgreSQL store. */
export const outbox = (pool: pg.Pool) => ({
  claimMessages: (now: number, leaseMs: number, limit: number) => claimMessages(pool, now, leaseMs, limit),
  completeAttempt: (r: port.AttemptRecord) => completeAttempts(pool, [r]),
  completeAttempts: (records: readonly port.AttemptRecord[]) => completeAttempts(pool, records),
  oldestDue: (now: number) => oldestDue(pool, now),
  queueDepth: () => queueDepth(pool),
  noteWaiting: (now: number, error: string) => noteWaiting(pool, now, error),
  recordReceipt: (r: port.DeliveryReceipt) => recordReceipt(pool, r),
  listMessages: (f: port.MessageFilter): Promise<port.MessageView[]> => listMessages(pool, f),
  listAttempts: (ids: readonly string[]): Promise<port.AttemptView[]> => listAttempts(pool, ids),
  appendDevMessages: (list: readonly DevMessageInput[]) => appendDevMessages(pool, list),
  listDevMessages: (to: string | undefined, limit: number, clientId?: string) =>
    listDevMessages(pool, to, limit, clientId),
});
