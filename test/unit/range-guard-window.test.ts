// The range guard reads its window a page at a time (a turn of the event loop between pages):
// every send once, newest first, up to maxRows, whatever the pages cut through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWindow } from '../../src/jobs/range-guard.ts';
import { coreFixture } from '../helpers/core.ts';
import { LIMITS, verification } from '../contract/store.contract.ts';

test('paged reads of the window return each send once, newest first, up to maxRows', async () => {
  const f = coreFixture();
  const t0 = f.clock.now();
  // Three sends in each of 7 milliseconds: every page of 4 ends inside a millisecond.
  const times = Array.from({ length: 21 }, (_, i) => t0 + Math.floor(i / 3));
  for (const [i, createdAt] of times.entries()) {
    const v = verification({
      phone: `p${i}`,
      clientId: 'c',
      createdAt,
      expiresAt: createdAt + 300_000,
      signals: { block: `+4479111${String(i).padStart(3, '0')}`, sources: [], trusted: false },
    });
    assert.deepEqual(await f.store.createVerification(v, LIMITS), { ok: true });
  }
  const all = await readWindow(f.store, t0, t0 + 100, { maxRows: 100, page: 4 });
  assert.equal(all.length, 21);
  assert.deepEqual(
    all.map((x) => x.block).sort(),
    times.map((_, i) => `+4479111${String(i).padStart(3, '0')}`).sort(),
    'each once',
  );
  assert.deepEqual(
    all.map((x) => x.createdAt),
    [...times].sort((a, b) => b - a),
    'newest first',
  );
  assert.equal((await readWindow(f.store, t0, t0 + 100, { maxRows: 10, page: 4 })).length, 10);
  assert.equal((await readWindow(f.store, t0 + 5, t0 + 100, { maxRows: 100, page: 4 })).length, 6);
  await f.store.close();
});
