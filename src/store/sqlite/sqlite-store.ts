import Database from 'better-sqlite3';
import type {
  ApiKeyRecord,
  AttemptRecord,
  ClaimedMessage,
  CreateResult,
  GuessBudget,
  MessageView,
  NewVerification,
  SendLimits,
  Store,
  StoredCode,
  ValidationOutcome,
} from '../../core/ports/store.ts';
import { WriteBatcher } from './batcher.ts';
import { migrate } from './migrations.ts';
import { keyQueries, rowToKey, type KeyRow } from './key-queries.ts';

export interface SqliteOptions {
  /** Path of the database file. */
  readonly file: string;
  /** FULL survives power loss; NORMAL survives a process crash (kill -9) but not power loss. */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's lock before failing (closed). */
  readonly busyTimeoutMs?: number;
}

interface VerificationRow {
  client_id: string;
  phone_index: Buffer;
  code_mac: Buffer;
  status: string;
  expires_at: number;
}

function openDatabase(o: SqliteOptions): Database.Database {
  const db = new Database(o.file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${o.synchronous}`);
  db.pragma(`busy_timeout = ${Math.trunc(o.busyTimeoutMs ?? 5000)}`);
  return db;
}

/** Applies migrations and returns what was applied; for `otpd migrate`. */
export function migrateSqlite(o: SqliteOptions, now: number): number[] {
  const db = openDatabase(o);
  try {
    return migrate(db, now);
  } finally {
    db.close();
  }
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The embedded store. One connection, one thread: every write goes through the group-commit
 * batcher, whose operations are synchronous and therefore run one at a time. That serialisation
 * is what makes each method's check-then-write atomic; other processes (the CLI) are kept out by
 * SQLite's write lock (BEGIN IMMEDIATE) and wait on busy_timeout.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #batch: WriteBatcher;
  readonly #q;
  readonly #keys;

  constructor(o: SqliteOptions, now: number) {
    this.#db = openDatabase(o);
    migrate(this.#db, now);
    this.#batch = new WriteBatcher(this.#db);
    this.#keys = keyQueries(this.#db);
    const p = (sql: string) => this.#db.prepare(sql);
    this.#q = {
      recentSends: p('SELECT created_at FROM verifications WHERE client_id = ? AND phone_index = ? AND created_at > ? ORDER BY created_at').pluck(),
      takeQuota: p(`INSERT INTO usage_daily (client_id, day, messages) VALUES (?, ?, 1)
        ON CONFLICT (client_id, day) DO UPDATE SET messages = messages + 1 WHERE messages < ? RETURNING messages`),
      supersede: p(`UPDATE verifications SET status = 'superseded', finished_at = ? WHERE client_id = ? AND phone_index = ? AND status = 'pending'`),
      insertVerification: p(`INSERT INTO verifications (id, client_id, phone_index, code_mac, key_id, status, max_attempts, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`),
      insertMessage: p(`INSERT INTO messages (id, verification_id, client_id, channel, recipient, body, status, next_attempt_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`),
      getVerification: p('SELECT client_id, phone_index, code_mac, status, expires_at FROM verifications WHERE id = ?'),
      wrongGuesses: p('SELECT COALESCE(SUM(wrong), 0) FROM verifications WHERE client_id = ? AND phone_index = ? AND created_at > ?').pluck(),
      countAttempt: p(`UPDATE verifications SET attempts = attempts + 1 WHERE id = ? AND status = 'pending' AND attempts < max_attempts`),
      consume: p(`UPDATE verifications SET status = 'verified', finished_at = ? WHERE id = ? AND status = 'pending'`),
      recordWrong: p(`UPDATE verifications SET wrong = wrong + 1,
        status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE status END,
        finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE finished_at END
        WHERE id = ? RETURNING status`).pluck(),
      claim: p(`UPDATE messages SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?, updated_at = ?
        WHERE id IN (SELECT id FROM messages WHERE status IN ('queued', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?)
        RETURNING id, recipient, body, attempts`),
      insertAttempt: p(`INSERT OR IGNORE INTO message_attempts (message_id, attempt, gateway, started_at, finished_at, outcome, provider_message_id, error)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      finish: p(`UPDATE messages SET status = ?, body = NULL, gateway = ?, provider_message_id = ?, last_error = ?, updated_at = ?
        WHERE id = ? AND attempts = ? AND status = 'sending'`),
      requeue: p(`UPDATE messages SET status = 'queued', next_attempt_at = ?, gateway = ?, last_error = ?, updated_at = ?
        WHERE id = ? AND attempts = ? AND status = 'sending'`),
      listMessages: p(`SELECT id, recipient, status, attempts, created_at, updated_at, last_error FROM messages
        WHERE (@to IS NULL OR recipient = @to) ORDER BY created_at DESC, rowid DESC LIMIT @limit`),
      appendDev: p('INSERT OR IGNORE INTO dev_outbox (message_id, recipient, text, created_at) VALUES (?, ?, ?, ?)'),
      listDev: p(`SELECT recipient, text, created_at FROM dev_outbox WHERE (@to IS NULL OR recipient = @to) ORDER BY seq DESC LIMIT @limit`),
      ping: p('SELECT 1').pluck(),
    };
  }

  createVerification(v: NewVerification, limits: SendLimits): Promise<CreateResult> {
    return this.#batch.submit(() => this.#create(v, limits));
  }

  #create(v: NewVerification, limits: SendLimits): CreateResult {
    const q = this.#q;
    const longest = Math.max(0, ...limits.windows.map((w) => w.windowMs));
    const sends = q.recentSends.all(v.clientId, v.phoneIndex, v.createdAt - longest) as number[];
    for (const w of limits.windows) {
      const inWindow = sends.filter((t) => t > v.createdAt - w.windowMs);
      if (inWindow.length >= w.max) {
        const oldest = inWindow[inWindow.length - w.max] ?? v.createdAt;
        return { ok: false, reason: 'SEND_LIMIT', retryAfterMs: Math.max(1000, oldest + w.windowMs - v.createdAt) };
      }
    }
    if (v.message && limits.dailyQuota > 0) {
      if (!q.takeQuota.get(v.clientId, utcDay(v.createdAt), limits.dailyQuota)) return { ok: false, reason: 'QUOTA' };
    }
    q.supersede.run(v.createdAt, v.clientId, v.phoneIndex);
    q.insertVerification.run(v.id, v.clientId, v.phoneIndex, v.codeMac, v.keyId, v.maxAttempts, v.createdAt, v.expiresAt);
    const m = v.message;
    if (m) q.insertMessage.run(m.id, v.id, v.clientId, m.channel, m.recipient, m.body, v.createdAt, v.createdAt, v.createdAt);
    return { ok: true };
  }

  attemptValidation(
    clientId: string,
    id: string,
    now: number,
    budget: GuessBudget,
    check: (stored: StoredCode) => boolean,
  ): Promise<ValidationOutcome> {
    return this.#batch.submit(() => this.#attempt(clientId, id, now, budget, check));
  }

  #attempt(clientId: string, id: string, now: number, budget: GuessBudget, check: (s: StoredCode) => boolean): ValidationOutcome {
    const q = this.#q;
    const row = q.getVerification.get(id) as VerificationRow | undefined;
    if (!row || row.client_id !== clientId) return 'NOT_FOUND';
    if (row.status === 'failed') return 'FAILED';
    if (row.status !== 'pending' || now >= row.expires_at) return 'EXPIRED';
    const wrong = q.wrongGuesses.get(clientId, row.phone_index, now - budget.windowMs) as number;
    if (wrong >= budget.max) return 'FAILED';
    // The attempt is counted before the comparison, so no path evaluates a guess it did not pay for.
    if (q.countAttempt.run(id).changes !== 1) return 'FAILED';
    if (check({ id, codeMac: row.code_mac })) {
      return q.consume.run(now, id).changes === 1 ? 'VERIFIED' : 'EXPIRED';
    }
    return q.recordWrong.get(now, id) === 'failed' ? 'FAILED' : 'INVALID';
  }

  claimMessages(now: number, leaseMs: number, limit: number): Promise<ClaimedMessage[]> {
    return this.#batch.submit(() => {
      const rows = this.#q.claim.all(now + leaseMs, now, now, limit) as { id: string; recipient: string; body: Buffer | null; attempts: number }[];
      return rows.filter((r) => r.body !== null).map((r) => ({ id: r.id, recipient: r.recipient, body: r.body as Buffer, attempt: r.attempts }));
    });
  }

  completeAttempt(r: AttemptRecord): Promise<void> {
    return this.#batch.submit(() => {
      const q = this.#q;
      q.insertAttempt.run(r.messageId, r.attempt, r.gateway, r.startedAt, r.finishedAt, r.outcome, r.providerMessageId ?? null, r.error ?? null);
      if (r.outcome === 'transient' && r.retryAt !== undefined) {
        q.requeue.run(r.retryAt, r.gateway, r.error ?? null, r.finishedAt, r.messageId, r.attempt);
        return;
      }
      const status = r.outcome === 'sent' ? 'sent' : r.outcome === 'permanent' ? 'failed' : 'abandoned';
      q.finish.run(status, r.gateway, r.providerMessageId ?? null, r.error ?? null, r.finishedAt, r.messageId, r.attempt);
    });
  }

  async listMessages(filter: { recipient?: string; limit: number }): Promise<MessageView[]> {
    const rows = this.#q.listMessages.all({ to: filter.recipient ?? null, limit: filter.limit }) as {
      id: string; recipient: string; status: MessageView['status']; attempts: number; created_at: number; updated_at: number; last_error: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id, recipient: r.recipient, status: r.status, attempts: r.attempts,
      createdAt: r.created_at, updatedAt: r.updated_at, lastError: r.last_error,
    }));
  }

  appendDevMessage(m: { messageId: string; to: string; text: string; at: number }): Promise<void> {
    return this.#batch.submit(() => {
      this.#q.appendDev.run(m.messageId, m.to, m.text, m.at);
    });
  }

  async listDevMessages(to: string | undefined, limit: number): Promise<{ to: string; text: string; createdAt: number }[]> {
    const rows = this.#q.listDev.all({ to: to ?? null, limit }) as { recipient: string; text: string; created_at: number }[];
    return rows.map((r) => ({ to: r.recipient, text: r.text, createdAt: r.created_at }));
  }

  createApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void> {
    return this.#batch.submit(() => {
      this.#keys.insert.run(k.id, k.clientId, k.name, secretHash, JSON.stringify(k.scopes), k.createdAt, k.revokedAt);
    });
  }

  upsertApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void> {
    return this.#batch.submit(() => {
      this.#keys.upsert.run(k.id, k.clientId, k.name, secretHash, JSON.stringify(k.scopes), k.createdAt, k.revokedAt);
    });
  }

  async findApiKeyBySecretHash(secretHash: Buffer): Promise<ApiKeyRecord | null> {
    const row = this.#keys.byHash.get(secretHash) as KeyRow | undefined;
    return row ? rowToKey(row) : null;
  }

  async findApiKeyById(id: string): Promise<ApiKeyRecord | null> {
    const row = this.#keys.byId.get(id) as KeyRow | undefined;
    return row ? rowToKey(row) : null;
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (this.#keys.list.all() as KeyRow[]).map(rowToKey);
  }

  revokeApiKey(id: string, now: number): Promise<boolean> {
    return this.#batch.submit(() => {
      if (this.#keys.revoke.run(now, id).changes === 1) return true;
      return this.#keys.byId.get(id) !== undefined;
    });
  }

  async ping(): Promise<void> {
    this.#q.ping.get();
  }

  async close(): Promise<void> {
    this.#batch.close();
    this.#db.close();
  }
}
