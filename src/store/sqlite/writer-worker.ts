// The writer thread's entry point (a Worker needs a file of its own): it owns the write
// connection, and answers each message, one batch of writes, after that batch's commit.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type SqliteOptions } from './connection.ts';
import { expiredBeside, plainError, reviveBuffers } from './write-queue.ts';
import { applyOp, runBatch, writesOn, type Settled, type WriteOp } from './writes.ts';

const db = openDatabase(workerData as SqliteOptions);
const writes = writesOn(db);

parentPort!.on('message', (ops: WriteOp[]) => {
  const results = runBatch(
    db,
    reviveBuffers(ops).map((o) => () => applyOp(writes, o)),
  );
  parentPort!.postMessage(
    results.map((s): Settled => (s.ok ? expiredBeside(s) : { ok: false, error: plainError(s.error) })),
  );
});
