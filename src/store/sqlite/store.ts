import type Database from 'better-sqlite3';
import type { PurgeResult, Store } from '../../core/ports/store.ts';
import { drainBatches } from '../rules.ts';
import { asyncAll, type Async } from '../async.ts';
import { abuseReads } from './abuse.ts';
import { openDatabase, type SqliteOptions } from './connection.ts';
import { keyReads } from './keys.ts';
import { migrate } from './migrations.ts';
import { outboxReads } from './outbox.ts';
import { retentionReads } from './retention.ts';
import { serviceReads } from './services.ts';
import { verificationReads } from './verifications.ts';
import { statsReads } from './stats.ts';
import { webhookReads } from './webhooks.ts';
import { spendingFirst } from './request-budgets.ts';
import { systemClock } from '../../core/clock.ts';
import { TokenBuckets } from '../memory/token-buckets.ts';
import { InlineWriteQueue, WorkerWriteQueue, type WriteQueue } from './write-queue.ts';
import type { WriteOp, WriteResult, Writes } from './writes.ts';

export type { SqliteOptions } from './connection.ts';

/** Applies migrations and returns what was applied; for `otpd migrate`. */
export function migrateSqlite(o: SqliteOptions, now: number): number[] {
  const db = openDatabase(o);
  try {
    return migrate(db, now);
  } finally {
    db.close();
  }
}

const readsOn = (db: Database.Database) =>
  asyncAll({
    ...keyReads(db),
    ...outboxReads(db),
    ...abuseReads(db),
    ...retentionReads(db),
    ...serviceReads(db),
    ...verificationReads(db),
    ...webhookReads(db),
    ...statsReads(db),
  });

/** The port's writes (purge aside, which is several), each submitted to the write queue by name. */
type PortWrites = Pick<Async<Writes>, Exclude<keyof Writes, `purge${string}`>>;

/** The two operations that can spend a request budget first replace their plain read and write. */
type Reads = Omit<ReturnType<typeof readsOn>, 'admissionFacts'>;
type Writing = Omit<PortWrites, 'attemptValidation' | 'attemptAndRead'>;

export interface SqliteStore extends Reads, Writing, ReturnType<typeof spendingFirst> {}

/**
 * The embedded store. Writes go to one write connection through a WriteQueue (group commit; in a
 * worker thread for the server), where they run one at a time: that serialisation is what makes
 * each check-then-write atomic. Reads use this thread's own connection; under WAL they see every
 * committed write and never wait for the writer. Other processes (the CLI) are kept out by
 * SQLite's write lock (BEGIN IMMEDIATE) and wait on busy_timeout.
 *
 * Its methods are the aggregates' (verifications.ts, outbox.ts, keys.ts, abuse.ts, retention.ts),
 * put together here: the constructor assigns objects typed exactly as the merged interface says, and
 * `satisfies Store` below checks at compile time that nothing is missing.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: its methods are assigned in the constructor (see above)
export class SqliteStore {
  readonly #db: Database.Database;
  readonly #writes: WriteQueue;
  /** Prepared once: /readyz calls ping on every probe. */
  readonly #ping: Database.Statement;

  /**
   * `budgets`: where the API's per-client request budgets are kept, shared with the guard's limiter
   * (see from-config.ts); a store of its own when absent.
   */
  constructor(o: SqliteOptions, now: number, budgets = new TokenBuckets(systemClock)) {
    this.#db = openDatabase(o);
    migrate(this.#db, now);
    this.#ping = this.#db.prepare('SELECT 1');
    this.#writes = o.writer === 'worker' ? new WorkerWriteQueue(o) : new InlineWriteQueue(this.#db);
    const write = <K extends keyof PortWrites>(op: K) =>
      ((...args: unknown[]) => this.#submit({ op, args } as WriteOp)) as unknown as PortWrites[K];
    const writes: PortWrites = {
      createVerification: write('createVerification'),
      attemptValidation: write('attemptValidation'),
      attemptAndRead: write('attemptAndRead'),
      claimMessages: write('claimMessages'),
      noteWaiting: write('noteWaiting'),
      completeAttempt: write('completeAttempt'),
      completeAttempts: write('completeAttempts'),
      recordReceipt: write('recordReceipt'),
      appendDevMessages: write('appendDevMessages'),
      createApiKey: write('createApiKey'),
      upsertApiKey: write('upsertApiKey'),
      revokeApiKey: write('revokeApiKey'),
      putNumberRule: write('putNumberRule'),
      deleteNumberRule: write('deleteNumberRule'),
      putClientPolicy: write('putClientPolicy'),
      putBlocks: write('putBlocks'),
      deleteBlock: write('deleteBlock'),
      replaceBaselines: write('replaceBaselines'),
      createService: write('createService'),
      defaultService: write('defaultService'),
      updateService: write('updateService'),
      deleteService: write('deleteService'),
      closeVerification: write('closeVerification'),
      putEndpoint: write('putEndpoint'),
      deleteEndpoint: write('deleteEndpoint'),
      enableEndpoint: write('enableEndpoint'),
      claimEvents: write('claimEvents'),
      completeEvents: write('completeEvents'),
      recordEvent: write('recordEvent'),
      announceExpired: write('announceExpired'),
      replayEvents: write('replayEvents'),
      countRefusal: write('countRefusal'),
      countExpired: write('countExpired'),
    };
    const reads = readsOn(this.#db);
    const spending = spendingFirst(this.#db, budgets, reads.admissionFacts, {
      attemptValidation: writes.attemptValidation,
      attemptAndRead: writes.attemptAndRead,
    });
    Object.assign(this, reads, writes, spending);
  }

  #submit<O extends WriteOp>(o: O): Promise<WriteResult<O['op']>> {
    return this.#writes.submit(o);
  }

  /** Each table is drained in batches of its own write, so a purge never holds the write lock for long. */
  async purge(cutoff: number, batch: number): Promise<PurgeResult> {
    type Table = 'Verifications' | 'Messages' | 'DevMessages' | 'Receipts' | 'Rates' | 'Events' | 'Series';
    const drain = (op: `purge${Table}`) => drainBatches(batch, () => this.#submit({ op, args: [cutoff, batch] }));
    const verifications = await drain('purgeVerifications');
    const messages = await drain('purgeMessages');
    const devMessages = await drain('purgeDevMessages');
    await drain('purgeReceipts');
    await drain('purgeRates');
    await drain('purgeEvents');
    await drain('purgeSeries');
    return { verifications, messages, devMessages };
  }

  async ping(): Promise<void> {
    this.#writes.check();
    this.#ping.get();
  }

  async close(): Promise<void> {
    await this.#writes.close();
    if (this.#db.open) this.#db.close();
  }
}

// Compile-time proof that the class and its assembled methods make a whole Store.
null as unknown as SqliteStore satisfies Store;
