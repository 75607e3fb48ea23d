import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import type { PurgeResult } from '../../src/core/ports/store.ts';
import { Purger } from '../../src/jobs/purger.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { LIMITS, verification } from '../contract/store.contract.ts';

const DAY = 86_400_000;

test('the purger deletes what ended more than the retention ago, by the injected clock', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const store = new SqliteStore(
    { file: join(mkdtempSync(join(tmpdir(), 'otpd-purger-')), 'otpd.db'), synchronous: 'NORMAL', writer: 'inline' },
    clock.now(),
  );
  t.after(() => store.close());
  const results: PurgeResult[] = [];
  const purger = new Purger({
    store,
    clock,
    options: { retentionMs: 7 * DAY, intervalMs: 3_600_000, batchSize: 10 },
    events: { purged: (r) => results.push(r), error: (err) => assert.fail(String(err)) },
  });
  const t0 = clock.now();
  await store.createVerification(verification({ phone: 'a', createdAt: t0, expiresAt: t0 + 300_000 }), LIMITS);

  clock.set(t0 + 7 * DAY);
  assert.deepEqual(await purger.runOnce(), { verifications: 0, messages: 0, devMessages: 0 }, 'not yet past retention');
  clock.set(t0 + 7 * DAY + 300_001);
  assert.deepEqual(await purger.runOnce(), { verifications: 1, messages: 0, devMessages: 0 });
  assert.equal(results.length, 2);
});

test('a purge that fails is reported, not thrown, and the next one runs', async () => {
  const clock = new ManualClock();
  const errors: unknown[] = [];
  let calls = 0;
  const purger = new Purger({
    store: {
      purge: async () => {
        if (++calls === 1) throw new Error('database down');
        return { verifications: 0, messages: 0, devMessages: 0 };
      },
      dailyStats: async () => [],
    },
    clock,
    options: { retentionMs: DAY, intervalMs: 60_000, batchSize: 10 },
    events: { purged: () => {}, error: (err) => errors.push(err) },
  });
  assert.equal(await purger.runOnce(), undefined);
  assert.equal(errors.length, 1);
  assert.ok(await purger.runOnce());
});
