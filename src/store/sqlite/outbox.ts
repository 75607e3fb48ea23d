import type Database from 'better-sqlite3';
import type * as port from '../../core/ports/outbox.ts';
import type { DevMessageInput } from '../../core/ports/store.ts';
import {
  CLAIM_RETURNING,
  claimBatch,
  partitionDue,
  partsStatus,
  STALE_ERROR,
  stateAfter,
  toClaimed,
  type ClaimRow,
  type PartReceipt,
} from '../rules.ts';
import * as rows from '../rows.ts';

// A receipt may be recorded before the attempt that caused it (an SMSC can answer with a receipt
// before otpd has stored its submit response): completing an attempt as sent then takes the
// receipt's status at once.
const RECEIPT_STATUS = `COALESCE((SELECT status FROM message_receipts r
  WHERE r.gateway = @gateway AND r.provider_message_id = @providerId), 'sent')`;

const GUARD = "WHERE seq = @seq AND attempts = @attempt AND status = 'sending'";

function writeStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    // Due messages in claim order, each flagged when its code can no longer be used.
    due: p(`SELECT m.seq, (v.id IS NOT NULL AND (v.status <> 'pending' OR v.expires_at <= @now)) AS stale
      FROM messages m LEFT JOIN verifications v ON v.id = m.verification_id
      WHERE m.status IN ('queued', 'sending') AND m.next_attempt_at <= @now ORDER BY m.next_attempt_at DESC`),
    expire: p(`UPDATE messages SET status = 'expired', body = NULL, last_error = @error, updated_at = @now
      WHERE seq IN (SELECT value FROM json_each(@seqs))`),
    claim:
      p(`UPDATE messages SET status = 'sending', attempts = attempts + 1, next_attempt_at = @lease, updated_at = @now
      WHERE seq IN (SELECT value FROM json_each(@seqs)) RETURNING ${CLAIM_RETURNING}`),
    insertAttempt:
      p(`INSERT OR IGNORE INTO message_attempts (message_seq, attempt, gateway, started_at, finished_at, outcome,
      provider_message_id, error, segments) VALUES (@seq, @attempt, @gateway, @startedAt, @finishedAt, @outcome,
        @providerId, @error, @segments)`),
    sent: p(`UPDATE messages SET status = ${RECEIPT_STATUS}, body = NULL, gateway = @gateway,
      provider_message_id = @providerId,
      segments = COALESCE(@segments, segments), last_error = NULL, updated_at = @finishedAt ${GUARD}`),
    // A deferral was no attempt: the claim's increment is given back and no attempt row is kept.
    defer: p(`UPDATE messages SET status = 'queued', attempts = attempts - 1, next_attempt_at = @retryAt,
      route_step = 0, last_error = @error, updated_at = @finishedAt ${GUARD}`),
    finish: p(
      `UPDATE messages SET status = @status, body = NULL, gateway = @gateway, last_error = @error,
        updated_at = @finishedAt ${GUARD}`,
    ),
    requeue:
      p(`UPDATE messages SET status = 'queued', next_attempt_at = @retryAt, route_step = @routeStep, gateway = @gateway,
      last_error = @error, updated_at = @finishedAt ${GUARD}`),
    insertReceipt: p(`INSERT OR IGNORE INTO message_receipts (gateway, provider_message_id, status, error, received_at)
      VALUES (@gateway, @providerId, @status, @error, @at)`),
    applyReceipt: p(`UPDATE messages SET status = @status, last_error = COALESCE(@error, last_error), updated_at = @at
      WHERE gateway = @gateway AND provider_message_id = @providerId AND status = 'sent'`),
    noteWaiting: p(`UPDATE messages SET last_error = @error WHERE status = 'queued' AND next_attempt_at <= @now
      AND (last_error IS NULL OR last_error <> @error)`),
    insertPart: p(`INSERT OR IGNORE INTO message_parts (gateway, provider_message_id, message_seq, part)
      VALUES (@gateway, @providerId, @seq, @part)`),
    partOf: p('SELECT message_seq FROM message_parts WHERE gateway = @gateway AND provider_message_id = @providerId'),
    partReceipts: p(`SELECT r.status, r.error FROM message_parts p LEFT JOIN message_receipts r
      ON r.gateway = p.gateway AND r.provider_message_id = p.provider_message_id WHERE p.message_seq = ?`),
    setPartsStatus: p(`UPDATE messages SET status = @status, last_error = COALESCE(@error, last_error),
      updated_at = @at WHERE seq = @seq AND status IN ('sent', 'delivered')`),
    appendDev: p('INSERT OR IGNORE INTO dev_outbox (message_seq, recipient, text, created_at) VALUES (?, ?, ?, ?)'),
  };
}

/**
 * The outbox writes, run on the one write connection one at a time (see writes.ts). The guard on
 * (attempts, status) makes a late completion from a lapsed lease a no-op.
 */
export function outboxWrites(db: Database.Database) {
  const q = writeStatements(db);
  /** A multi-part message's status from its parts' receipts; only a sent or delivered one moves. */
  const applyParts = (seq: number, at: number): void => {
    const { status, error } = partsStatus(q.partReceipts.all(seq) as PartReceipt[]);
    q.setPartsStatus.run({ seq, status, error, at });
  };
  return {
    /** Both writes run in the caller's one transaction: the expiries and the leases commit together. */
    claimMessages(now: number, leaseMs: number, limit: number): port.ClaimBatch {
      const due = q.due.iterate({ now }) as Iterable<{ seq: number; stale: number }>;
      const { fresh, stale } = partitionDue(due, (r) => r.stale === 1, limit);
      if (stale.length > 0) q.expire.run({ seqs: JSON.stringify(stale.map((r) => r.seq)), error: STALE_ERROR, now });
      const expired = stale.length;
      if (fresh.length === 0) return claimBatch([], expired);
      const rows = q.claim.all({
        seqs: JSON.stringify(fresh.map((r) => r.seq)),
        lease: now + leaseMs,
        now,
      }) as ClaimRow[];
      return claimBatch(rows.map(toClaimed), expired);
    },

    completeAttempts(records: readonly port.AttemptRecord[]): void {
      for (const r of records) this.completeAttempt(r);
    },

    completeAttempt(r: port.AttemptRecord): void {
      const a = {
        seq: Number(r.messageId),
        attempt: r.attempt,
        gateway: r.gateway,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        outcome: r.outcome,
        providerId: r.providerMessageId ?? null,
        error: r.error ?? null,
        segments: r.segments ?? null,
      };
      if (r.outcome === 'deferred') {
        q.defer.run({ ...a, retryAt: r.retryAt ?? r.finishedAt });
        return;
      }
      q.insertAttempt.run(a);
      const state = stateAfter(r);
      if (state === 'sent') {
        q.sent.run({ ...a, providerId: a.providerId ?? '' });
        if ((r.partIds?.length ?? 0) > 1) {
          for (const [i, providerId] of r.partIds!.entries()) q.insertPart.run({ ...a, providerId, part: i + 1 });
          applyParts(a.seq, r.finishedAt);
        }
      } else if (state === 'queued') q.requeue.run({ ...a, retryAt: r.retryAt, routeStep: r.nextRouteStep ?? 0 });
      else q.finish.run({ ...a, status: state });
    },

    recordReceipt(r: port.DeliveryReceipt): 'recorded' | 'duplicate' {
      const row = {
        gateway: r.gateway,
        providerId: r.providerMessageId,
        status: r.status,
        error: r.error ?? null,
        at: r.at,
      };
      if (q.insertReceipt.run(row).changes === 0) return 'duplicate';
      const part = q.partOf.get(row) as { message_seq: number } | undefined;
      if (part) applyParts(part.message_seq, r.at);
      else q.applyReceipt.run(row);
      return 'recorded';
    },

    noteWaiting(now: number, error: string): number {
      return q.noteWaiting.run({ now, error }).changes;
    },

    appendDevMessages(list: readonly DevMessageInput[]): void {
      for (const m of list) q.appendDev.run(Number(m.messageId), m.to, m.text, m.at);
    },
  };
}

/** The outbox reads, on a read connection: committed state, never waiting for the writer. */
export function outboxReads(db: Database.Database) {
  // Operator listings walk back from the newest row (no index by recipient: it would cost every
  // send a random index page); the time bounds use the created_at index, a client's view the
  // (client_id, seq) one.
  const list = db.prepare(`SELECT ${rows.MESSAGE_COLUMNS} FROM messages
    WHERE (@client IS NULL OR client_id = @client)
      AND (@to IS NULL OR recipient = @to) AND (@status IS NULL OR status = @status)
      AND (@gateway IS NULL OR gateway = @gateway) AND (@since IS NULL OR created_at >= @since)
      AND (@until IS NULL OR created_at < @until) AND (@before IS NULL OR seq < @before)
    ORDER BY seq DESC LIMIT @limit`);
  const attempts = db.prepare(`SELECT ${rows.ATTEMPT_COLUMNS} FROM message_attempts
    WHERE message_seq IN (SELECT value FROM json_each(?)) ORDER BY message_seq, attempt`);
  // The partial index keeps due rows in next_attempt_at order: min() is its first entry.
  const oldest = db.prepare("SELECT min(next_attempt_at) FROM messages WHERE status IN ('queued', 'sending')").pluck();
  const depth = db.prepare("SELECT count(*) FROM messages WHERE status IN ('queued', 'sending')").pluck();
  const dev = db.prepare(`SELECT recipient, text, created_at FROM dev_outbox d
    WHERE (@to IS NULL OR recipient = @to)
      AND (@client IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.seq = d.message_seq AND m.client_id = @client))
    ORDER BY message_seq DESC LIMIT @limit`);
  return {
    listMessages(f: port.MessageFilter): port.MessageView[] {
      const params = {
        client: f.clientId ?? null,
        to: f.recipient ?? null,
        status: f.status ?? null,
        gateway: f.gateway ?? null,
        since: f.since ?? null,
        until: f.until ?? null,
        before: f.before !== undefined ? Number(f.before) : null,
        limit: f.limit,
      };
      return (list.all(params) as rows.MessageRow[]).map(rows.toMessageView);
    },
    oldestDue(now: number): number | null {
      const t = oldest.get() as number | null;
      return t !== null && t <= now ? t : null;
    },
    // Counted on the partial index messages_due, which holds exactly these rows.
    queueDepth: (): number => depth.get() as number,
    listAttempts: (ids: readonly string[]): port.AttemptView[] =>
      (attempts.all(JSON.stringify(ids.map(Number))) as rows.AttemptRow[]).map(rows.toAttemptView),
    listDevMessages: (to: string | undefined, limit: number, clientId?: string) =>
      (dev.all({ to: to ?? null, limit, client: clientId ?? null }) as rows.DevMessageRow[]).map(rows.toDevMessage),
  };
}
