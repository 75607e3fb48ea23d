// The queue's depth for operators (otpd_delivery_queue_depth): read from the store on the first
// poll and every DEPTH_EVERY polls after, since it is a count where the age is one index lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BacklogMonitor, DEPTH_EVERY } from '../../src/delivery/backlog.ts';
import { coreFixture, smsText } from '../helpers/core.ts';

test('the backlog monitor reports the queue depth on its first poll and every DEPTH_EVERY polls', async (t) => {
  const f = coreFixture();
  t.after(() => f.store.close());
  const depths: number[] = [];
  const m = new BacklogMonitor({
    store: f.store,
    clock: f.clock,
    maxAgeMs: 5000,
    onDepth: (n) => depths.push(n),
    onError: (e) => assert.fail(String(e)),
  });
  for (let i = 0; i < 3; i++)
    await f.verifier.sendCode('c', { to: `+3462925${5800 + i}`, template: smsText('{{code}}') });
  await m.refresh();
  assert.deepEqual(depths, [3]);
  await f.verifier.sendCode('c', { to: '+34629255900', template: smsText('{{code}}') });
  for (let i = 1; i < DEPTH_EVERY; i++) await m.refresh();
  assert.deepEqual(depths, [3], 'not read again before DEPTH_EVERY polls');
  await m.refresh();
  assert.deepEqual(depths, [3, 4]);
});
