import type Database from 'better-sqlite3';
import type {
  ApiKeyRecord, AttemptRecord, AttemptView, ClaimedMessage, CreateResult, DailyStat, DeliveryReceipt, GuessBudget, MessageFilter, MessageView, NewVerification, PurgeResult, SendLimits, Store,
  ValidationOutcome,
} from '../../core/ports/store.ts';
import { dailyStatsQuery } from './retention.ts';
import { outboxReads } from './outbox-reads.ts';
import { abuseReads } from './abuse.ts';
import type {
  AdmissionFacts, ClientPolicy, ConversionStat, NumberRule, NumberRuleKind, ScopeBlock,
} from '../../core/ports/abuse.ts';
import { migrate } from './migrations.ts';
import { keyQueries, rowToKey, type KeyRow } from './key-queries.ts';
import { openDatabase, type SqliteOptions } from './open.ts';
import { InlineWriteQueue, WorkerWriteQueue, type WriteQueue } from './write-queue.ts';

export type { SqliteOptions } from './open.ts';

/** Applies migrations and returns what was applied; for `otpd migrate`. */
export function migrateSqlite(o: SqliteOptions, now: number): number[] {
  const db = openDatabase(o);
  try {
    return migrate(db, now);
  } finally {
    db.close();
  }
}

/**
 * The embedded store. Writes go to one write connection through a WriteQueue (group commit; in a
 * worker thread for the server), where they run one at a time: that serialisation is what makes
 * each check-then-write atomic. Reads use this thread's own connection; under WAL they see every
 * committed write and never wait for the writer. Other processes (the CLI) are kept out by
 * SQLite's write lock (BEGIN IMMEDIATE) and wait on busy_timeout.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #writes: WriteQueue;
  readonly #keys;
  readonly #q;
  readonly #stats: ReturnType<typeof dailyStatsQuery>;
  readonly #outbox: ReturnType<typeof outboxReads>;
  readonly #abuse: ReturnType<typeof abuseReads>;

  constructor(o: SqliteOptions, now: number) {
    this.#db = openDatabase(o);
    migrate(this.#db, now);
    this.#writes = o.writer === 'worker' ? new WorkerWriteQueue(o) : new InlineWriteQueue(this.#db);
    this.#keys = keyQueries(this.#db);
    this.#stats = dailyStatsQuery(this.#db);
    this.#outbox = outboxReads(this.#db);
    this.#abuse = abuseReads(this.#db);
    const p = (sql: string) => this.#db.prepare(sql);
    this.#q = {
      listDev: p('SELECT recipient, text, created_at FROM dev_outbox WHERE (@to IS NULL OR recipient = @to) ORDER BY message_seq DESC LIMIT @limit'),
      ping: p('SELECT 1').pluck(),
    };
  }

  createVerification(v: NewVerification, limits: SendLimits): Promise<CreateResult> {
    return this.#writes.submit({ op: 'createVerification', args: [v, limits] });
  }

  attemptValidation(clientId: string, id: string, now: number, budget: GuessBudget, candidates: readonly Buffer[]): Promise<ValidationOutcome> {
    return this.#writes.submit({ op: 'attemptValidation', args: [clientId, id, now, budget, candidates] });
  }

  claimMessages(now: number, leaseMs: number, limit: number): Promise<ClaimedMessage[]> {
    return this.#writes.submit({ op: 'claimMessages', args: [now, leaseMs, limit] });
  }

  completeAttempt(r: AttemptRecord): Promise<void> {
    return this.#writes.submit({ op: 'completeAttempt', args: [r] });
  }

  appendDevMessage(m: { messageId: string; to: string; text: string; at: number }): Promise<void> {
    return this.#writes.submit({ op: 'appendDevMessage', args: [m] });
  }

  createApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void> {
    return this.#writes.submit({ op: 'createApiKey', args: [k, secretHash] });
  }

  upsertApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void> {
    return this.#writes.submit({ op: 'upsertApiKey', args: [k, secretHash] });
  }

  revokeApiKey(id: string, now: number): Promise<boolean> {
    return this.#writes.submit({ op: 'revokeApiKey', args: [id, now] });
  }

  recordReceipt(r: DeliveryReceipt): Promise<'recorded' | 'duplicate'> {
    return this.#writes.submit({ op: 'recordReceipt', args: [r] });
  }

  async listMessages(filter: MessageFilter): Promise<MessageView[]> {
    return this.#outbox.listMessages(filter);
  }

  async listAttempts(messageIds: readonly string[]): Promise<AttemptView[]> {
    return this.#outbox.listAttempts(messageIds);
  }

  async listDevMessages(to: string | undefined, limit: number): Promise<{ to: string; text: string; createdAt: number }[]> {
    const rows = this.#q.listDev.all({ to: to ?? null, limit }) as { recipient: string; text: string; created_at: number }[];
    return rows.map((r) => ({ to: r.recipient, text: r.text, createdAt: r.created_at }));
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

  /** Batches run through the write queue, so a purge never holds the write lock for long. */
  async purge(cutoff: number, batch: number): Promise<PurgeResult> {
    const total = { verifications: 0, messages: 0, devMessages: 0 };
    for (;;) {
      const r = await this.#writes.submit({ op: 'purgeBatch', args: [cutoff, batch] });
      total.verifications += r.verifications;
      total.messages += r.messages;
      total.devMessages += r.devMessages;
      if (r.verifications < batch && r.messages < batch && r.devMessages < batch) return total;
    }
  }

  async dailyStats(fromDay: string, toDay: string, now: number): Promise<DailyStat[]> {
    return this.#stats(fromDay, toDay, now);
  }

  async admissionFacts(clientId: string, e164: string, scopes: readonly string[], now: number): Promise<AdmissionFacts> {
    return this.#abuse.admissionFacts(clientId, e164, scopes, now);
  }

  putNumberRule(r: NumberRule): Promise<void> {
    return this.#writes.submit({ op: 'putNumberRule', args: [r] });
  }

  deleteNumberRule(kind: NumberRuleKind, prefix: string): Promise<boolean> {
    return this.#writes.submit({ op: 'deleteNumberRule', args: [kind, prefix] });
  }

  async listNumberRules(kind?: NumberRuleKind): Promise<NumberRule[]> {
    return this.#abuse.listNumberRules(kind);
  }

  async getClientPolicy(clientId: string): Promise<ClientPolicy | null> {
    return this.#abuse.getClientPolicy(clientId);
  }

  putClientPolicy(p: ClientPolicy): Promise<void> {
    return this.#writes.submit({ op: 'putClientPolicy', args: [p] });
  }

  async listClientPolicies(): Promise<ClientPolicy[]> {
    return this.#abuse.listClientPolicies();
  }

  async conversionStats(from: number, to: number): Promise<ConversionStat[]> {
    return this.#abuse.conversionStats(from, to);
  }

  putBlocks(blocks: readonly ScopeBlock[]): Promise<void> {
    return this.#writes.submit({ op: 'putBlocks', args: [blocks] });
  }

  async listBlocks(since: number): Promise<ScopeBlock[]> {
    return this.#abuse.listBlocks(since);
  }

  deleteBlock(scope: string, now: number): Promise<boolean> {
    return this.#writes.submit({ op: 'deleteBlock', args: [scope, now] });
  }

  async ping(): Promise<void> {
    this.#writes.check();
    this.#q.ping.get();
  }

  async close(): Promise<void> {
    await this.#writes.close();
    if (this.#db.open) this.#db.close();
  }
}
