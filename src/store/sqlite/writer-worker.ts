import { parentPort, workerData } from 'node:worker_threads';
import { runBatch, type Settled } from './batcher.ts';
import { openDatabase, type SqliteOptions } from './open.ts';
import { SqliteWriter, applyOp, type WriteOp } from './writer.ts';
import { plainError, reviveBuffers } from './clone.ts';

// The write connection's thread: each message is one batch, answered after its commit.
const db = openDatabase(workerData as SqliteOptions);
const writer = new SqliteWriter(db);

function portable(s: Settled): Settled {
  return s.ok ? s : { ok: false, error: plainError(s.error) };
}

parentPort!.on('message', (ops: WriteOp[]) => {
  const revived = reviveBuffers(ops);
  const results = runBatch(db, revived.map((o) => () => applyOp(writer, o)));
  parentPort!.postMessage(results.map(portable));
});
