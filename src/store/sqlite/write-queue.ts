import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { ClaimedMessage } from '../../core/ports/outbox.ts';
import { claimBatch } from '../rules.ts';
import type { SqliteOptions } from './connection.ts';
import { applyOp, runBatch, writesOn, type Settled, type WriteOp, type WriteResult, type Writes } from './writes.ts';

/**
 * Where the store's writes go: batched, committed, then each caller's promise settles. This layer
 * exists for the group commit (one fsync per batch, not per request) and, in the server, to keep
 * that fsync off the event loop by handing batches to the writer thread.
 */
export interface WriteQueue {
  submit<O extends WriteOp>(o: O): Promise<WriteResult<O['op']>>;
  /** Settles everything queued, then releases the write connection. */
  close(): Promise<void>;
  /** Throws when writes can no longer succeed (the writer thread died). */
  check(): void;
}

interface Waiter {
  op: WriteOp;
  resolve: (v: never) => void;
  reject: (e: unknown) => void;
}

function settle(waiters: readonly Waiter[], results: readonly Settled[]): void {
  waiters.forEach((w, i) => {
    const r = results[i]!;
    if (r.ok) w.resolve(r.value as never);
    else w.reject(r.error);
  });
}

/** Writes on the calling thread, one transaction per event-loop turn. For the CLI and tests. */
export class InlineWriteQueue implements WriteQueue {
  readonly #writes: Writes;
  readonly #db: Database.Database;
  #queue: Waiter[] = [];
  #scheduled = false;
  #closed = false;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#writes = writesOn(db);
  }

  submit<O extends WriteOp>(op: O): Promise<WriteResult<O['op']>> {
    if (this.#closed) return Promise.reject(new Error('store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, resolve: resolve as (v: never) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length)
      settle(
        batch,
        runBatch(
          this.#db,
          batch.map((w) => () => applyOp(this.#writes, w.op)),
        ),
      );
  }

  async close(): Promise<void> {
    this.#flush();
    this.#closed = true;
  }

  check(): void {
    if (this.#closed) throw new Error('store is closed');
  }
}

/**
 * Writes in a worker thread that owns the write connection. At most one batch is in flight: while
 * the worker commits (and fsyncs) one batch, requests keep arriving on the main thread and queue
 * into the next, so batches grow with load and the event loop never waits on the disk.
 */
export class WorkerWriteQueue implements WriteQueue {
  readonly #worker: Worker;
  #queue: Waiter[] = [];
  #inFlight: Waiter[] | undefined;
  #scheduled = false;
  #dead: Error | undefined;
  #closing: Promise<void> | undefined;
  #idle: (() => void) | undefined;

  constructor(options: SqliteOptions) {
    // The worker is this module's sibling: .ts run from the sources, .js in the packed build (dist/).
    const worker = new URL(`./writer-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
    this.#worker = new Worker(worker, { workerData: options });
    this.#worker.on('message', (results: Settled[]) => this.#onResults(results));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`SQLite writer thread exited (${code})`)));
  }

  submit<O extends WriteOp>(op: O): Promise<WriteResult<O['op']>> {
    if (this.#dead || this.#closing) return Promise.reject(this.#dead ?? new Error('store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, resolve: resolve as (v: never) => void, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return;
    this.#scheduled = true;
    // Wait for the rest of this turn's requests so they share the batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#send();
    });
  }

  #send(): void {
    if (this.#inFlight || this.#queue.length === 0) {
      if (!this.#inFlight && this.#queue.length === 0) this.#idle?.();
      return;
    }
    this.#inFlight = this.#queue;
    this.#queue = [];
    this.#worker.postMessage(this.#inFlight.map((w) => w.op));
  }

  #onResults(results: Settled[]): void {
    const batch = this.#inFlight ?? [];
    this.#inFlight = undefined;
    settle(
      batch,
      reviveBuffers(results).map((r) => (r.ok ? withExpired(r) : { ok: false, error: reviveError(r.error) })),
    );
    this.#send();
  }

  #fail(err: Error): void {
    if (!this.#dead) this.#dead = this.#closing ? new Error('store is closed') : err;
    for (const w of [...(this.#inFlight ?? []), ...this.#queue]) w.reject(this.#dead);
    this.#inFlight = undefined;
    this.#queue = [];
    this.#idle?.();
  }

  check(): void {
    if (this.#dead || this.#closing) throw this.#dead ?? new Error('store is closed');
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (!this.#dead && (this.#inFlight || this.#queue.length)) {
        await new Promise<void>((resolve) => {
          this.#idle = resolve;
          this.#send();
        });
      }
      await this.#worker.terminate();
    })();
    return this.#closing;
  }
}

/**
 * A claim's count of expired messages is a hidden property of its array (see claimBatch), which
 * structured clone drops: the writer sends it beside the value, and it is put back here.
 */
export function expiredBeside(s: Settled): Settled {
  if (!s.ok || !Array.isArray(s.value)) return s;
  const expired = (s.value as { expired?: number }).expired;
  return expired === undefined ? s : { ...s, expired };
}

function withExpired(s: Settled & { ok: true }): Settled {
  return s.expired === undefined ? s : { ok: true, value: claimBatch(s.value as ClaimedMessage[], s.expired) };
}

// Structured clone turns Buffers into plain Uint8Arrays and drops an Error's fields such as
// `code`; the driver and callers want both back.

export function reviveBuffers<T>(v: T): T {
  if (v instanceof Uint8Array) return (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)) as T;
  if (Array.isArray(v)) return v.map(reviveBuffers) as T;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = reviveBuffers(o[k]);
  }
  return v;
}

interface PlainError {
  name?: string;
  message?: string;
  code?: string;
}

export function plainError(e: unknown): PlainError {
  const x = (e ?? {}) as PlainError;
  return { name: x.name ?? 'Error', message: x.message ?? String(e), code: x.code };
}

function reviveError(e: unknown): Error {
  const p = plainError(e);
  return Object.assign(new Error(p.message), { name: p.name, code: p.code });
}
