import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runBatch } from '../../src/store/sqlite/writes.ts';

function db() {
  const d = new Database(join(mkdtempSync(join(tmpdir(), 'otpd-batch-')), 'b.db'));
  d.pragma('journal_mode = WAL');
  d.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
  return d;
}

test('a batch runs in one transaction and reports each result in order', () => {
  const d = db();
  const ins = d.prepare('INSERT INTO t (v) VALUES (?)');
  let inTx = true;
  const results = runBatch(
    d,
    Array.from({ length: 50 }, (_, i) => () => {
      inTx &&= d.inTransaction;
      return ins.run(i).changes;
    }),
  );
  assert.ok(inTx);
  assert.deepEqual(results, new Array(50).fill({ ok: true, value: 1 }));
  assert.equal(d.prepare('SELECT COUNT(*) FROM t').pluck().get(), 50);
});

test('an operation that throws fails alone: its writes are undone, its neighbours commit', () => {
  const d = db();
  const ins = d.prepare('INSERT INTO t (v) VALUES (?)');
  const results = runBatch(d, [
    () => ins.run(1).changes,
    () => {
      ins.run(2);
      ins.run(1); // primary-key violation after a write of its own
    },
    () => ins.run(3).changes,
  ]);
  assert.deepEqual(
    results.map((r) => r.ok),
    [true, false, true],
  );
  assert.deepEqual(d.prepare('SELECT v FROM t ORDER BY v').pluck().all(), [1, 3]);
});

test('a commit that cannot happen fails every operation at once, without running any alone', () => {
  const d = db();
  d.pragma('busy_timeout = 50');
  const other = new Database(d.name);
  other.exec('BEGIN EXCLUSIVE');
  let runs = 0;
  const results = runBatch(
    d,
    Array.from({ length: 5 }, () => () => runs++),
  );
  other.exec('ROLLBACK');
  assert.ok(results.every((r) => !r.ok && /locked|busy/i.test(String((r as { error: Error }).error.message))));
  assert.equal(runs, 0);
});
