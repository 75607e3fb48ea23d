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
 * run one after another, exactly as if each had its own transaction. If any operation throws, the
 * whole batch is rolled back and every operation is retried alone, so one bad request cannot fail
 * or leak writes into its neighbours.
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
    try {
      this.#db.transaction(() => {
        for (let i = 0; i < batch.length; i++) results[i] = batch[i]!.run();
      }).immediate();
    } catch {
      if (batch.length === 1) return this.#runAlone(batch[0]!);
      for (const p of batch) this.#runAlone(p);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]);
  }

  #runAlone(p: Pending): void {
    let result: unknown;
    try {
      result = this.#db.transaction(p.run).immediate();
    } catch (err) {
      p.reject(err);
      return;
    }
    p.resolve(result);
  }
}
