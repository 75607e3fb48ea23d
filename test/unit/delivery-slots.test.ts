import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Slots } from '../../src/delivery/slots.ts';
import { Batcher } from '../../src/jobs/batcher.ts';

const never = new AbortController().signal;

test('slots: at most max holders; a free slot is taken before acquire returns', async () => {
  const s = new Slots(2);
  assert.equal(s.free, 2);
  void s.acquire(never);
  assert.equal(s.free, 1, 'counted synchronously, so a dispatcher round sees it at once');
  assert.equal(await s.acquire(never), true);
  assert.equal(s.free, 0);
  let third = false;
  void s.acquire(never).then(() => (third = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false, 'the third waits');
  s.release();
  await new Promise((r) => setImmediate(r));
  assert.equal(third, true, 'and gets the released slot');
  assert.equal(s.free, 0);
});

test('slots: waiters are served newest first; one that gives up holds nothing', async () => {
  const s = new Slots(1);
  await s.acquire(never);
  const order: string[] = [];
  const quitter = new AbortController();
  const old = s.acquire(never).then((ok) => ok && order.push('old'));
  const gaveUp = s.acquire(quitter.signal);
  const newest = s.acquire(never).then((ok) => ok && order.push('newest'));
  quitter.abort();
  assert.equal(await gaveUp, false);
  s.release();
  await newest;
  assert.deepEqual(order, ['newest']);
  s.release();
  await old;
  assert.deepEqual(order, ['newest', 'old']);
  s.release();
  assert.equal(s.free, 1, 'every slot came back');
});

test('batcher: items added in one turn go in one flush; those added during a flush go in the next', async () => {
  const flushed: number[][] = [];
  let release!: () => void;
  const b = new Batcher<number>(async (items) => {
    flushed.push(items);
    if (flushed.length === 1) await new Promise<void>((r) => (release = r));
  });
  const first = [b.add(1), b.add(2)];
  await new Promise((r) => setImmediate(r));
  const second = [b.add(3), b.add(4), b.add(5)];
  assert.deepEqual(flushed, [[1, 2]], 'one write in flight at a time');
  release();
  await Promise.all([...first, ...second]);
  assert.deepEqual(flushed, [
    [1, 2],
    [3, 4, 5],
  ]);
});

test('batcher: a failed flush rejects its own callers only', async () => {
  let calls = 0;
  const b = new Batcher<string>(async () => {
    if (++calls === 1) throw new Error('disk full');
  });
  const bad = b.add('a');
  await assert.rejects(bad, /disk full/);
  await b.add('b');
  assert.equal(calls, 2);
});
