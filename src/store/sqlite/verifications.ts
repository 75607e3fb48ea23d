import type Database from 'better-sqlite3';
import type * as port from '../../core/ports/store.ts';
import { admitSend, CREATED, QUOTA, runSteps, sendsSince, validation, type StoredVerification } from '../rules.ts';
import { usageWrites } from './usage.ts';
import { rateWrites } from './rates.ts';
import { liveKeyCheck } from './keys.ts';
import * as rows from '../rows.ts';

interface VerificationRow {
  client_id: string;
  phone_index: Buffer;
  code_mac: Buffer;
  status: string;
  expires_at: number;
}

const stored = (r: VerificationRow): StoredVerification => ({
  clientId: r.client_id,
  status: r.status,
  expiresAt: r.expires_at,
  codeMac: r.code_mac,
});

function statements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    // No ORDER BY: with STAT4 it makes SQLite re-prepare the statement on every call (4x slower);
    // a number has at most a handful of rows in the window, and admitSend sorts them.
    recentSends: p(
      'SELECT created_at FROM verifications WHERE client_id = ? AND phone_index = ? AND created_at > ?',
    ).pluck(),
    supersede: p(`UPDATE verifications SET status = 'superseded', finished_at = ?
      WHERE client_id = ? AND phone_index = ? AND status = 'pending'`),
    insertVerification: p(`INSERT INTO verifications (${rows.VERIFICATION_INSERT_COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    pending: p(`SELECT id, code_sealed, expires_at, locale FROM verifications WHERE client_id = ? AND phone_index = ?
      AND service_id = ? AND channel = ? AND status = 'pending' AND expires_at > ? AND code_sealed IS NOT NULL
      LIMIT 1`),
    resendable: p(`SELECT 1 FROM verifications WHERE id = ? AND client_id = ? AND status = 'pending'
      AND expires_at > ?`).pluck(),
    insertMessage: p(`INSERT INTO messages (verification_id, client_id, channel, recipient, body, segments, status,
      next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`),
    get: p('SELECT client_id, phone_index, code_mac, status, expires_at FROM verifications WHERE id = ?'),
    record: p(`SELECT ${rows.VERIFICATION_RECORD_COLUMNS} FROM verifications WHERE id = ? AND client_id = ?`),
    wrongGuesses: p(
      'SELECT COALESCE(SUM(wrong), 0) FROM verifications WHERE client_id = ? AND phone_index = ? AND created_at > ?',
    ).pluck(),
    countAttempt: p(
      `UPDATE verifications SET attempts = attempts + 1 WHERE id = ? AND status = 'pending'
        AND attempts < max_attempts`,
    ),
    consume: p(`UPDATE verifications SET status = 'verified', finished_at = ? WHERE id = ? AND status = 'pending'`),
    recordWrong: p(`UPDATE verifications SET wrong = wrong + 1,
      status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE status END,
      finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE finished_at END
      WHERE id = ? RETURNING status`).pluck(),
  };
}

interface PendingRow {
  id: string;
  code_sealed: Buffer;
  expires_at: number;
  locale: string | null;
}

const pendingResult = (p: PendingRow): port.CreateResult => ({
  ok: false,
  reason: 'PENDING',
  pending: { id: p.id, codeSealed: p.code_sealed, expiresAt: p.expires_at, locale: p.locale },
});

const KEY_REVOKED: port.CreateResult = Object.freeze({ ok: false, reason: 'KEY_REVOKED' });
const CLOSED: port.CreateResult = Object.freeze({ ok: false, reason: 'CLOSED' });

/**
 * The verification writes, run on the one write connection one at a time (see writes.ts): that
 * serialisation alone makes each check-then-write atomic, so no statement here needs a lock.
 */
export function verificationWrites(db: Database.Database) {
  const q = statements(db);
  const { takeCharge } = usageWrites(db);
  const rates = rateWrites(db);
  const live = liveKeyCheck(db);
  const revoked = (clientId: string, key: port.KeyCheck | undefined) => key !== undefined && !live(clientId, key);
  return {
    createVerification(v: port.NewVerification, limits: port.SendLimits, key?: port.KeyCheck): port.CreateResult {
      if (revoked(v.clientId, key)) return KEY_REVOKED;
      if (v.resendPending) {
        const p = q.pending.get(v.clientId, v.phoneIndex, v.serviceId, v.channel, v.createdAt) as
          | PendingRow
          | undefined;
        if (p) return pendingResult(p);
      }
      if (v.resendOf && q.resendable.get(v.resendOf, v.clientId, v.createdAt) === undefined) return CLOSED;
      const sends = q.recentSends.all(v.clientId, v.phoneIndex, sendsSince(v, limits)) as number[];
      const keys = (limits.rates ?? []).map((r) => r.key);
      const admitted = admitSend(sends, v, limits, rates.tats(keys));
      if (!admitted.ok) return admitted.refusal;
      // Taken before anything is inserted, so a refused charge leaves nothing to undo.
      if (admitted.charge && !takeCharge(v.clientId, admitted.charge)) return QUOTA;
      rates.store(keys, admitted.tats);
      if (!v.resendOf) q.supersede.run(v.createdAt, v.clientId, v.phoneIndex);
      q.insertVerification.run(...rows.verificationValues(v));
      const m = v.message;
      if (m)
        q.insertMessage.run(
          v.resendOf ?? v.id,
          v.clientId,
          m.channel,
          m.recipient,
          m.body,
          m.segments,
          v.createdAt,
          v.createdAt,
          v.createdAt,
        );
      return CREATED;
    },

    /** Its read runs in the attempt's own transaction, on the write connection: no read of the caller's. */
    attemptAndRead(
      clientId: string,
      id: string,
      now: number,
      budget: port.GuessBudget,
      candidates: readonly Buffer[],
      key?: port.KeyCheck,
    ): port.AttemptRead {
      const outcome = this.attemptValidation(clientId, id, now, budget, candidates, key);
      if (outcome === 'NOT_FOUND' || outcome === 'KEY_REVOKED') return { outcome, record: null };
      const row = q.record.get(id, clientId) as rows.VerificationRecordRow | undefined;
      return { outcome, record: row ? rows.toVerificationRecord(row) : null };
    },

    attemptValidation(
      clientId: string,
      id: string,
      now: number,
      budget: port.GuessBudget,
      candidates: readonly Buffer[],
      key?: port.KeyCheck,
    ): port.ValidationOutcome {
      if (revoked(clientId, key)) return 'KEY_REVOKED';
      const row = q.get.get(id) as VerificationRow | undefined;
      return runSteps(validation(row && stored(row), clientId, now, candidates), (step) => {
        if (step === 'countAttempt') {
          const wrong = q.wrongGuesses.get(clientId, row!.phone_index, now - budget.windowMs) as number;
          return wrong < budget.max && q.countAttempt.run(id).changes === 1;
        }
        if (step === 'consume') return q.consume.run(now, id).changes === 1;
        return q.recordWrong.get(now, id) === 'failed';
      });
    },
  };
}

// No ORDER BY in these reads (see `recentSends` above): with STAT4 it makes SQLite re-prepare the
// statement on every call. A verification has a handful of messages, a number a handful of rows.
const VERIFICATION_MESSAGES = `SELECT ${rows.MESSAGE_COLUMNS} FROM messages m
  WHERE m.verification_id = ? AND m.client_id = ?`;

/** The verification reads of the native and Twilio-compatible APIs, on a read connection. */
export function verificationReads(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    get: p(`SELECT ${rows.VERIFICATION_RECORD_COLUMNS} FROM verifications WHERE id = ? AND client_id = ?
      AND status <> 'resent'`),
    latest: p(`SELECT ${rows.VERIFICATION_RECORD_COLUMNS} FROM verifications WHERE client_id = ? AND phone_index = ?
      AND service_id = ? AND status <> 'resent'`),
    messages: p(VERIFICATION_MESSAGES),
    // Every tenant has a service once it has sent: the tenants are walked on the (client, number) index.
    byNumber: p(`SELECT ${rows.VERIFICATION_RECORD_COLUMNS} FROM verifications
      WHERE client_id IN (SELECT DISTINCT client_id FROM services WHERE @client IS NULL OR client_id = @client)
        AND phone_index = @phone AND status <> 'resent'`),
  };
  const one = (r: unknown) => (r ? rows.toVerificationRecord(r as rows.VerificationRecordRow) : null);
  return {
    getVerification: (clientId: string, id: string): port.VerificationRecord | null => one(q.get.get(id, clientId)),
    findLatestVerification(clientId: string, serviceId: string, phoneIndex: Buffer): port.VerificationRecord | null {
      const all = q.latest.all(clientId, phoneIndex, serviceId) as rows.VerificationRecordRow[];
      return one(
        all.reduce<rows.VerificationRecordRow | undefined>(
          (a, r) => (a && a.created_at >= r.created_at ? a : r),
          undefined,
        ),
      );
    },
    findVerificationsByNumber(phoneIndex: Buffer, limit: number, clientId?: string): port.VerificationRecord[] {
      const all = q.byNumber.all({ phone: phoneIndex, client: clientId ?? null }) as rows.VerificationRecordRow[];
      return all
        .map(rows.toVerificationRecord)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit);
    },
    listVerificationMessages: (clientId: string, id: string): port.MessageView[] =>
      (q.messages.all(id, clientId) as rows.MessageRow[]).sort((a, b) => a.seq - b.seq).map(rows.toMessageView),
  };
}

/** The one transition the APIs add to validation's: pending → cancelled or verified, guarded. */
export function closeWrites(db: Database.Database) {
  const close = db.prepare(`UPDATE verifications SET status = ?, finished_at = ?
    WHERE id = ? AND client_id = ? AND status = 'pending' AND expires_at > ?`);
  return {
    closeVerification: (clientId: string, id: string, to: 'cancelled' | 'verified', now: number): boolean =>
      close.run(to, now, id, clientId, now).changes === 1,
  };
}
