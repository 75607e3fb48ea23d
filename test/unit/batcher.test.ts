import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WriteBatcher } from '../../src/store/sqlite/batcher.ts';

function db() {
  const d = new Database(join(mkdtempSync(join(tmpdir(), 'otpd-batch-')), 'b.db'));
  d.pragma('journal_mode = WAL');
  d.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
  return d;
}

test('writes submitted in one turn share one transaction and all settle after the commit', async () => {
  const d = db();
  const b = new WriteBatcher(d);
  const ins = d.prepare('INSERT INTO t (v) VALUES (?)');
  let commits = 0;
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => b.submit(() => {
    if (i === 0) commits = d.inTransaction ? 1 : 0;
    return ins.run(i).changes;
  })));
  assert.deepEqual(results, new Array(50).fill(1));
  assert.equal(commits, 1);
  assert.equal(d.prepare('SELECT COUNT(*) FROM t').pluck().get(), 50);
});

test('an operation that throws fails alone: its writes are undone, its neighbours commit', async () => {
  const d = db();
  const b = new WriteBatcher(d);
  const ins = d.prepare('INSERT INTO t (v) VALUES (?)');
  const outcomes = await Promise.allSettled([
    b.submit(() => ins.run(1)),
    b.submit(() => {
      ins.run(2);
      ins.run(1); // primary-key violation after a write of its own
    }),
    b.submit(() => ins.run(3)),
  ]);
  assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual(d.prepare('SELECT v FROM t ORDER BY v').pluck().all(), [1, 3]);
});

test('a commit that cannot happen fails every caller at once, without retrying each', async () => {
  const d = db();
  d.pragma('busy_timeout = 50');
  const other = new Database(d.name);
  other.exec('BEGIN EXCLUSIVE');
  const b = new WriteBatcher(d);
  let runs = 0;
  const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => b.submit(() => runs++)));
  other.exec('ROLLBACK');
  assert.ok(outcomes.every((o) => o.status === 'rejected'));
  assert.equal(runs, 0);
  await assert.rejects(Promise.resolve().then(() => { b.close(); return b.submit(() => 1); }), /closed/);
});
