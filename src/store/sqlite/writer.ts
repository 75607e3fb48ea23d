import type Database from 'better-sqlite3';
import { anyMacMatches } from '../../core/keyring.ts';
import type {
  ApiKeyRecord, AttemptRecord, ClaimedMessage, CreateResult, DeliveryReceipt, GuessBudget, NewVerification, PurgeResult, SendLimits, ValidationOutcome,
} from '../../core/ports/store.ts';
import type { ClientPolicy, NumberRule, NumberRuleKind, ScopeBlock } from '../../core/ports/abuse.ts';
import { utcDay } from '../../core/clock.ts';
import { retentionWrites } from './retention.ts';
import { outboxWrites } from './outbox-writes.ts';
import { abuseWrites } from './abuse.ts';

interface VerificationRow {
  client_id: string;
  phone_index: Buffer;
  code_mac: Buffer;
  status: string;
  expires_at: number;
}

function prepareAll(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    // No ORDER BY: with STAT4 it makes SQLite re-prepare the statement on every call (4x slower);
    // a number has at most a handful of rows in the window, sorted in JS instead.
    recentSends: p('SELECT created_at FROM verifications WHERE client_id = ? AND phone_index = ? AND created_at > ?').pluck(),
    takeQuota: p(`INSERT INTO usage_daily (client_id, day, messages, spend_micros) VALUES (@client, @day, 1, @cost)
      ON CONFLICT (client_id, day) DO UPDATE SET messages = messages + 1, spend_micros = spend_micros + excluded.spend_micros
      WHERE (@quota = 0 OR messages < @quota) AND (@budget = 0 OR spend_micros + excluded.spend_micros <= @budget) RETURNING messages`),
    supersede: p(`UPDATE verifications SET status = 'superseded', finished_at = ? WHERE client_id = ? AND phone_index = ? AND status = 'pending'`),
    insertVerification: p(`INSERT INTO verifications (id, client_id, phone_index, code_mac, key_id, status, max_attempts, created_at, expires_at, country, prefix, messaged)
      VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`),
    insertMessage: p(`INSERT INTO messages (verification_id, client_id, channel, recipient, body, segments, status, next_attempt_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`),
    getVerification: p('SELECT client_id, phone_index, code_mac, status, expires_at FROM verifications WHERE id = ?'),
    wrongGuesses: p('SELECT COALESCE(SUM(wrong), 0) FROM verifications WHERE client_id = ? AND phone_index = ? AND created_at > ?').pluck(),
    countAttempt: p(`UPDATE verifications SET attempts = attempts + 1 WHERE id = ? AND status = 'pending' AND attempts < max_attempts`),
    consume: p(`UPDATE verifications SET status = 'verified', finished_at = ? WHERE id = ? AND status = 'pending'`),
    recordWrong: p(`UPDATE verifications SET wrong = wrong + 1,
      status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE status END,
      finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE finished_at END
      WHERE id = ? RETURNING status`).pluck(),
    appendDev: p('INSERT OR IGNORE INTO dev_outbox (message_seq, recipient, text, created_at) VALUES (?, ?, ?, ?)'),
    insertKey: p('INSERT INTO api_keys (id, client_id, name, secret_hash, scopes, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    upsertKey: p(`INSERT INTO api_keys (id, client_id, name, secret_hash, scopes, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, name = excluded.name, secret_hash = excluded.secret_hash,
      scopes = excluded.scopes, revoked_at = excluded.revoked_at`),
    revokeKey: p('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    keyExists: p('SELECT 1 FROM api_keys WHERE id = ?').pluck(),
  };
}

/**
 * Every write of the SQLite store, as synchronous methods over prepared statements. They run only
 * inside `runBatch` on the one write connection (in a worker thread or inline), one at a time; that
 * serialisation is what makes each check-then-write atomic (see the Store port's JSDoc).
 */
export class SqliteWriter {
  readonly #q: ReturnType<typeof prepareAll>;
  readonly #purge: ReturnType<typeof retentionWrites>;
  readonly #outbox: ReturnType<typeof outboxWrites>;
  readonly #abuse: ReturnType<typeof abuseWrites>;

  constructor(db: Database.Database) {
    this.#q = prepareAll(db);
    this.#purge = retentionWrites(db);
    this.#outbox = outboxWrites(db);
    this.#abuse = abuseWrites(db);
  }

  /** One batch of the retention purge; the caller repeats it until a batch comes back short. */
  purgeBatch(cutoff: number, batch: number): PurgeResult {
    return this.#purge(cutoff, batch);
  }

  createVerification(v: NewVerification, limits: SendLimits): CreateResult {
    const q = this.#q;
    const longest = Math.max(0, ...limits.windows.map((w) => w.windowMs));
    const sends = (q.recentSends.all(v.clientId, v.phoneIndex, v.createdAt - longest) as number[]).sort((a, b) => a - b);
    for (const w of limits.windows) {
      const inWindow = sends.filter((t) => t > v.createdAt - w.windowMs);
      if (inWindow.length >= w.max) {
        const oldest = inWindow[inWindow.length - w.max] ?? v.createdAt;
        return { ok: false, reason: 'SEND_LIMIT', retryAfterMs: Math.max(1000, oldest + w.windowMs - v.createdAt) };
      }
    }
    const budget = limits.dailyBudgetMicros ?? 0;
    if (v.message && (limits.dailyQuota > 0 || budget > 0)) {
      const cost = v.message.costMicros ?? 0;
      if (budget > 0 && cost > budget) return { ok: false, reason: 'QUOTA' };
      if (!q.takeQuota.get({ client: v.clientId, day: utcDay(v.createdAt), cost, quota: limits.dailyQuota, budget })) return { ok: false, reason: 'QUOTA' };
    }
    q.supersede.run(v.createdAt, v.clientId, v.phoneIndex);
    q.insertVerification.run(v.id, v.clientId, v.phoneIndex, v.codeMac, v.keyId, v.maxAttempts, v.createdAt, v.expiresAt,
      v.country ?? null, v.prefix ?? null, v.message ? 1 : 0);
    const m = v.message;
    if (m) q.insertMessage.run(v.id, v.clientId, m.channel, m.recipient, m.body, m.segments, v.createdAt, v.createdAt, v.createdAt);
    return { ok: true };
  }

  attemptValidation(clientId: string, id: string, now: number, budget: GuessBudget, candidates: readonly Buffer[]): ValidationOutcome {
    const q = this.#q;
    const row = q.getVerification.get(id) as VerificationRow | undefined;
    if (!row || row.client_id !== clientId) return 'NOT_FOUND';
    if (row.status === 'failed') return 'FAILED';
    if (row.status !== 'pending' || now >= row.expires_at) return 'EXPIRED';
    const wrong = q.wrongGuesses.get(clientId, row.phone_index, now - budget.windowMs) as number;
    if (wrong >= budget.max) return 'FAILED';
    // The attempt is counted before the comparison, so no path compares a guess it did not pay for.
    if (q.countAttempt.run(id).changes !== 1) return 'FAILED';
    if (anyMacMatches(row.code_mac, candidates)) {
      return q.consume.run(now, id).changes === 1 ? 'VERIFIED' : 'EXPIRED';
    }
    return q.recordWrong.get(now, id) === 'failed' ? 'FAILED' : 'INVALID';
  }

  claimMessages(now: number, leaseMs: number, limit: number): ClaimedMessage[] {
    return this.#outbox.claim(now, leaseMs, limit);
  }

  completeAttempt(r: AttemptRecord): void {
    this.#outbox.complete(r);
  }

  recordReceipt(r: DeliveryReceipt): 'recorded' | 'duplicate' {
    return this.#outbox.recordReceipt(r);
  }

  putNumberRule(r: NumberRule): void {
    this.#abuse.putNumberRule(r);
  }

  deleteNumberRule(kind: NumberRuleKind, prefix: string): boolean {
    return this.#abuse.deleteNumberRule(kind, prefix);
  }

  putClientPolicy(p: ClientPolicy): void {
    this.#abuse.putClientPolicy(p);
  }

  putBlocks(blocks: readonly ScopeBlock[]): void {
    this.#abuse.putBlocks(blocks);
  }

  deleteBlock(scope: string, now: number): boolean {
    return this.#abuse.deleteBlock(scope, now);
  }

  appendDevMessage(m: { messageId: string; to: string; text: string; at: number }): void {
    this.#q.appendDev.run(Number(m.messageId), m.to, m.text, m.at);
  }

  createApiKey(k: ApiKeyRecord, secretHash: Buffer): void {
    this.#q.insertKey.run(k.id, k.clientId, k.name, secretHash, JSON.stringify(k.scopes), k.createdAt, k.revokedAt);
  }

  upsertApiKey(k: ApiKeyRecord, secretHash: Buffer): void {
    this.#q.upsertKey.run(k.id, k.clientId, k.name, secretHash, JSON.stringify(k.scopes), k.createdAt, k.revokedAt);
  }

  revokeApiKey(id: string, now: number): boolean {
    return this.#q.revokeKey.run(now, id).changes === 1 || this.#q.keyExists.get(id) !== undefined;
  }
}

export type WriteOp = {
  [K in keyof SqliteWriter]: SqliteWriter[K] extends (...a: infer A) => unknown ? { op: K; args: A } : never;
}[keyof SqliteWriter];

export type WriteResult<K extends WriteOp['op']> = ReturnType<SqliteWriter[K]>;

export function applyOp(w: SqliteWriter, o: WriteOp): unknown {
  return (w[o.op] as (...a: unknown[]) => unknown).apply(w, o.args);
}
