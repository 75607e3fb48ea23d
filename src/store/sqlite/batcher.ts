import type Database from 'better-sqlite3';

interface Pending {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit. Every write a request needs is queued and, once per event-loop turn, all queued
 * writes run in one IMMEDIATE transaction and one commit; each caller's promise settles only after
 * that commit, so a 200 is never sent for a write that is not durable. One commit (and, with
 * synchronous=FULL, one fsync) is shared by every request that arrived in the same turn, which is
 * where most of SQLite's per-request cost goes otherwise.
 *
 * Each operation is a synchronous function, so operations never interleave: within the batch they
 * run one after another, exactly as if each had its own transaction. If an operation throws, the
 * batch is rolled back and runs again without it, so one bad request cannot fail or leak writes
 * into its neighbours.
 */
export class WriteBatcher {
  readonly #db: Database.Database;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #scheduled = false;
  #closed = false;

  constructor(db: Database.Database, maxBatch = 512) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  submit<T>(run: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Runs what is queued now; used before closing so no accepted write is dropped. */
  flushNow(): void {
    this.#flush();
  }

  close(): void {
    this.#flush();
    this.#closed = true;
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#runBatch(batch);
    }
  }

  #runBatch(batch: Pending[]): void {
    const results: unknown[] = new Array(batch.length);
    let failed = -1;
    try {
      this.#db.transaction(() => {
        for (let i = 0; i < batch.length; i++) {
          failed = i;
          results[i] = batch[i]!.run();
        }
        failed = -1;
      }).immediate();
    } catch (err) {
      // BEGIN or COMMIT failed (lock held past busy_timeout, disk full, I/O error): nothing was
      // written, and retrying at once would only wait again, so every caller fails closed.
      if (failed < 0) {
        for (const p of batch) p.reject(err);
        return;
      }
      // One operation threw: it alone fails, and the rest run again without it.
      batch[failed]!.reject(err);
      const rest = batch.filter((_, i) => i !== failed);
      if (rest.length > 0) this.#runBatch(rest);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]);
  }
}
