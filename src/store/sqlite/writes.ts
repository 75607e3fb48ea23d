/**
 * Every write of the SQLite store, by name, over one write connection; and the group commit that
 * runs them. A write is a synchronous function of an aggregate (verifications.ts, outbox.ts, …);
 * the names exist so that a write can cross into the writer thread as plain data (see
 * write-queue.ts).
 */
import type Database from 'better-sqlite3';
import { abuseWrites } from './abuse.ts';
import { keyWrites } from './keys.ts';
import { outboxWrites } from './outbox.ts';
import { retentionWrites } from './retention.ts';
import { serviceWrites } from './services.ts';
import { closeWrites, verificationWrites } from './verifications.ts';
import { statsWrites } from './stats.ts';
import { webhookWrites } from './webhooks.ts';

export function writesOn(db: Database.Database) {
  return {
    ...verificationWrites(db),
    ...outboxWrites(db),
    ...keyWrites(db),
    ...abuseWrites(db),
    ...retentionWrites(db),
    ...serviceWrites(db),
    ...closeWrites(db),
    ...webhookWrites(db),
    ...statsWrites(db),
  };
}

export type Writes = ReturnType<typeof writesOn>;

/** One write as data: its name and arguments. */
export type WriteOp = { [K in keyof Writes]: { op: K; args: Parameters<Writes[K]> } }[keyof Writes];

export type WriteResult<K extends keyof Writes> = ReturnType<Writes[K]>;

export function applyOp(w: Writes, o: WriteOp): unknown {
  return (w[o.op] as (...a: unknown[]) => unknown)(...o.args);
}

/** `expired`: a claim's count of expired messages, carried beside the value across the writer thread. */
export type Settled = { ok: true; value: unknown; expired?: number } | { ok: false; error: unknown };

/**
 * Group commit: runs every operation of a batch, one after another, inside one IMMEDIATE
 * transaction with one commit (one fsync under synchronous=FULL). Operations are synchronous, so
 * they never interleave: each is exactly as atomic as if it had its own transaction, and callers
 * learn their result only after the commit.
 *
 * If BEGIN or COMMIT fails (lock held past busy_timeout, disk full, I/O error) nothing was written
 * and retrying at once would only wait again, so every operation fails: callers fail closed. If one
 * operation throws, it alone fails and the batch runs again without it, so a bad request cannot
 * fail its neighbours or leak partial writes into the commit.
 */
export function runBatch(db: Database.Database, ops: readonly (() => unknown)[]): Settled[] {
  const out: Settled[] = new Array(ops.length);
  let pending = ops.map((_, i) => i);
  while (pending.length > 0) {
    const values: unknown[] = [];
    let failed = -1;
    try {
      db.transaction(() => {
        for (let k = 0; k < pending.length; k++) {
          failed = k;
          values.push(ops[pending[k]!]!());
        }
        failed = -1;
      }).immediate();
    } catch (error) {
      if (failed < 0) {
        for (const i of pending) out[i] = { ok: false, error };
        return out;
      }
      out[pending[failed]!] = { ok: false, error };
      pending = pending.filter((_, k) => k !== failed);
      continue;
    }
    for (const [k, i] of pending.entries()) out[i] = { ok: true, value: values[k] };
    pending = [];
  }
  return out;
}
