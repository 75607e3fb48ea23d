import type Database from 'better-sqlite3';
import type { AttemptRecord, ClaimedMessage, DeliveryReceipt } from '../../core/ports/outbox.ts';

interface ClaimRow {
  seq: number;
  verification_id: string;
  channel: 'sms' | 'email';
  recipient: string;
  body: Buffer | null;
  attempts: number;
  route_step: number;
  segments: number;
}

/** What an operator reads on a message that was never sent because its code could not be used. */
const STALE_ERROR = 'the code expired or was superseded before it was sent';

/** At most this many unusable messages are expired per claim, so a backlog left by an outage is worked off in bounded writes. */
const EXPIRE_BATCH = 1000;

// A receipt may be recorded before the attempt that caused it (an SMSC can answer with a receipt
// before otpd has stored its submit response): completing an attempt as sent then takes the
// receipt's status at once.
const RECEIPT_STATUS = `COALESCE((SELECT status FROM message_receipts r WHERE r.gateway = @gateway AND r.provider_message_id = @providerId), 'sent')`;

/**
 * The outbox writes of the SQLite store, as synchronous functions over prepared statements. They
 * run only on the one write connection, one at a time (see SqliteWriter).
 */
export function outboxWrites(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    // Due messages in claim order, each flagged when its code can no longer be used (a message
    // without a verification row is not stale).
    due: p(`SELECT m.seq, (v.id IS NOT NULL AND (v.status <> 'pending' OR v.expires_at <= @now)) AS stale
      FROM messages m LEFT JOIN verifications v ON v.id = m.verification_id
      WHERE m.status IN ('queued', 'sending') AND m.next_attempt_at <= @now ORDER BY m.next_attempt_at`),
    expire: p(`UPDATE messages SET status = 'expired', body = NULL, last_error = @error, updated_at = @now
      WHERE seq IN (SELECT value FROM json_each(@seqs))`),
    claim: p(`UPDATE messages SET status = 'sending', attempts = attempts + 1, next_attempt_at = @lease, updated_at = @now
      WHERE seq IN (SELECT value FROM json_each(@seqs))
      RETURNING seq, verification_id, channel, recipient, body, attempts, route_step, segments`),
    insertAttempt: p(`INSERT OR IGNORE INTO message_attempts (message_seq, attempt, gateway, started_at, finished_at, outcome, provider_message_id, error, segments)
      VALUES (@seq, @attempt, @gateway, @startedAt, @finishedAt, @outcome, @providerId, @error, @segments)`),
    sent: p(`UPDATE messages SET status = ${RECEIPT_STATUS}, body = NULL, gateway = @gateway, provider_message_id = @providerId,
      segments = COALESCE(@segments, segments), last_error = NULL, updated_at = @finishedAt
      WHERE seq = @seq AND attempts = @attempt AND status = 'sending'`),
    finish: p(`UPDATE messages SET status = @status, body = NULL, gateway = @gateway, last_error = @error, updated_at = @finishedAt
      WHERE seq = @seq AND attempts = @attempt AND status = 'sending'`),
    requeue: p(`UPDATE messages SET status = 'queued', next_attempt_at = @retryAt, route_step = @routeStep, gateway = @gateway, last_error = @error,
      updated_at = @finishedAt WHERE seq = @seq AND attempts = @attempt AND status = 'sending'`),
    insertReceipt: p(`INSERT OR IGNORE INTO message_receipts (gateway, provider_message_id, status, error, received_at)
      VALUES (@gateway, @providerId, @status, @error, @at)`),
    applyReceipt: p(`UPDATE messages SET status = @status, last_error = COALESCE(@error, last_error), updated_at = @at
      WHERE gateway = @gateway AND provider_message_id = @providerId AND status = 'sent'`),
  };
  return {
    /**
     * Leases the oldest due messages whose code can still be used and expires (final, body dropped:
     * a stale code is never sent) the stale ones the scan walks past on the way, up to EXPIRE_BATCH;
     * so a claim costs what its scan costs, however long the backlog behind it. Both writes run in
     * the caller's one transaction (see runBatch): they commit together or not at all.
     */
    claim(now: number, leaseMs: number, limit: number): ClaimedMessage[] {
      if (limit <= 0) return [];
      const fresh: number[] = [];
      const stale: number[] = [];
      for (const r of q.due.iterate({ now }) as Iterable<{ seq: number; stale: number }>) {
        if (r.stale) {
          if (stale.length < EXPIRE_BATCH) stale.push(r.seq);
        } else if (fresh.push(r.seq) === limit) break;
      }
      if (stale.length > 0) q.expire.run({ seqs: JSON.stringify(stale), error: STALE_ERROR, now });
      if (fresh.length === 0) return [];
      // A due row always has its body (only final states drop it); if one ever did not, the
      // dispatcher fails to decrypt it and records a permanent failure, rather than it being leased forever.
      const rows = q.claim.all({ seqs: JSON.stringify(fresh), lease: now + leaseMs, now }) as ClaimRow[];
      return rows.map((r) => ({
        id: String(r.seq), verificationId: r.verification_id, channel: r.channel, recipient: r.recipient,
        body: r.body ?? Buffer.alloc(0), attempt: r.attempts, routeStep: r.route_step, segments: r.segments,
      }));
    },
    complete(r: AttemptRecord): void {
      const a = {
        seq: Number(r.messageId), attempt: r.attempt, gateway: r.gateway, startedAt: r.startedAt, finishedAt: r.finishedAt,
        outcome: r.outcome, providerId: r.providerMessageId ?? null, error: r.error ?? null, segments: r.segments ?? null,
      };
      q.insertAttempt.run(a);
      if (r.outcome === 'sent') q.sent.run({ ...a, providerId: a.providerId ?? '' });
      else if (r.retryAt !== undefined) q.requeue.run({ ...a, retryAt: r.retryAt, routeStep: r.nextRouteStep ?? 0 });
      else q.finish.run({ ...a, status: r.outcome === 'permanent' ? 'failed' : 'abandoned' });
    },
    recordReceipt(r: DeliveryReceipt): 'recorded' | 'duplicate' {
      const row = { gateway: r.gateway, providerId: r.providerMessageId, status: r.status, error: r.error ?? null, at: r.at };
      if (q.insertReceipt.run(row).changes === 0) return 'duplicate';
      q.applyReceipt.run(row);
      return 'recorded';
    },
  };
}
