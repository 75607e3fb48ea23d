import assert from 'node:assert/strict';
import type { SeriesPoint } from '../../src/core/ports/stats.ts';
import type { NewVerification, Store } from '../../src/core/ports/store.ts';
import {
  BUDGET,
  LIMITS,
  MIN,
  pairTest,
  right,
  storeTest,
  verification,
  wrong,
  type StoreHarness,
} from './store.contract.ts';

const HOUR = 60 * MIN;
// 10:00:00 UTC on a fixed day: minute and hour buckets fall where the test says.
const T = Date.UTC(2026, 5, 1, 10, 0, 0);

const v = (o: Partial<NewVerification> & { phone?: string } = {}) =>
  verification({ createdAt: T, expiresAt: T + 5 * MIN, country: 'ES', ...o });

/** `metric dim` → count (and `metric dim total` → the summed total where there is one), over the points. */
function totals(points: readonly SeriesPoint[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of points) {
    const k = `${p.metric} ${p.dim}`.trim();
    out[k] = (out[k] ?? 0) + p.count;
    if (p.total) out[`${k} total`] = (out[`${k} total`] ?? 0) + p.total;
  }
  return out;
}

const day = (s: Store, clientId?: string) =>
  s.statsSeries({ resolution: 'minute', from: T - HOUR, to: T + HOUR, clientId });

/** The console's counters: written by the changes themselves, read by bucket without the raw rows. */
export function statsContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);
  const withPair = pairTest(name, h);

  withStore('stats: sends, validations, failures and hand-overs counted per minute, country and gateway', async (s) => {
    const ok = v({ phone: 'p1' });
    const spent = v({ phone: 'p2', maxAttempts: 1, country: 'FR' });
    const open = v({ phone: 'p3', createdAt: T + MIN, expiresAt: T + 6 * MIN });
    for (const x of [ok, spent, open]) await s.createVerification(x, LIMITS);
    // A resend of a pending verification sends again but is no new verification.
    await s.createVerification(v({ phone: 'p3', createdAt: T + MIN + 1, resendOf: open.id }), LIMITS);
    const claimed = (await s.claimMessages(T + 2 * MIN, 30_000, 10)).sort((a, b) => Number(a.id) - Number(b.id));
    assert.equal(claimed.length, 4);
    const done = { attempt: 1, gateway: 'gw', startedAt: T + 2 * MIN, finishedAt: T + 2 * MIN + 500 };
    await s.completeAttempt({ ...done, messageId: claimed[0]!.id, outcome: 'sent', providerMessageId: 'x1' });
    await s.completeAttempt({ ...done, messageId: claimed[1]!.id, outcome: 'permanent', error: 'unknown subscriber' });
    await s.recordReceipt({ gateway: 'gw', providerMessageId: 'x1', status: 'delivered', at: T + 3 * MIN });
    assert.equal(await s.attemptValidation('client-a', ok.id, T + 2 * MIN, BUDGET, right), 'VERIFIED');
    assert.equal(await s.attemptValidation('client-a', spent.id, T + 2 * MIN, BUDGET, wrong), 'FAILED');

    const minutes = await day(s);
    const all = {
      sent: 3,
      validated: 1,
      failed: 1,
      handed: 1,
      'handed total': 2 * MIN + 500,
      delivered: 1,
      undelivered: 1,
    };
    assert.deepEqual(totals(minutes), all, 'minutes hold the totals');
    assert.deepEqual(totals(await day(s, 'client-a')), all, "the tenant's own are the same");
    const sentAt = minutes.filter((p) => p.metric === 'sent' && p.dim === '').map((p) => [p.at, p.count]);
    assert.deepEqual(
      sentAt.sort((a, b) => a[0]! - b[0]!),
      [
        [T, 2],
        [T + MIN, 1],
      ],
      'each in the minute it happened',
    );
    const hours = await s.statsSeries({ resolution: 'hour', from: T - HOUR, to: T + HOUR, clientId: 'client-a' });
    assert.deepEqual(
      totals(hours),
      {
        ...all,
        'sent country:ES': 2,
        'sent country:FR': 1,
        'validated country:ES': 1,
        'failed country:FR': 1,
        'handed gateway:gw': 1,
        'handed gateway:gw total': 2 * MIN + 500,
        'delivered gateway:gw': 1,
        'undelivered gateway:gw': 1,
      },
      'hours hold the totals, and per country and gateway',
    );
    assert.deepEqual(
      hours.filter((p) => p.metric === 'sent' && p.dim === '').map((p) => [p.at, p.count]),
      [[T, 3]],
    );
    assert.deepEqual(await s.statsSeries({ resolution: 'minute', from: T + HOUR, to: T + 2 * HOUR }), []);
  });

  withStore('stats: refusals are counted by defence; a tenant reads its own counters, an operator all', async (s) => {
    await s.createVerification(v({ phone: 'p1', clientId: 'client-b' }), LIMITS);
    await s.countRefusal('client-a', 'velocity_prefix', T + 1);
    await s.countRefusal('client-a', 'velocity_prefix', T + 2);
    await s.countRefusal('client-b', 'range_block', T + 3);
    assert.deepEqual(totals(await day(s, 'client-a')), { 'refused:velocity_prefix': 2 });
    assert.deepEqual(totals(await day(s, 'client-b')), { sent: 1, 'refused:range_block': 1 });
    assert.deepEqual(totals(await day(s)), { sent: 1, 'refused:velocity_prefix': 2, 'refused:range_block': 1 });
    assert.deepEqual(totals(await day(s, 'client-c')), {}, 'a tenant without events reads nothing');
  });

  withStore('stats: counters are purged with the rows they count, not before', async (s) => {
    await s.createVerification(v({ phone: 'p1' }), LIMITS);
    await s.countRefusal('client-a', 'blocklist', T + 2 * HOUR);
    await s.purge(T + HOUR, 100);
    const after = await s.statsSeries({ resolution: 'minute', from: T - HOUR, to: T + 3 * HOUR });
    assert.deepEqual(totals(after), { 'refused:blocklist': 1 }, 'what is older than the cutoff is gone');
    const hours = await s.statsSeries({ resolution: 'hour', from: T - HOUR, to: T + 3 * HOUR });
    assert.deepEqual(totals(hours), { 'refused:blocklist': 1 });
  });

  // After the cursor the migration set at the real time: the sweep counts from there.
  const after = () => Math.ceil((Date.now() + HOUR) / HOUR) * HOUR;
  const expired = (points: readonly SeriesPoint[]) =>
    points.filter((p) => p.metric === 'expired').map((p) => [p.at, p.dim, p.count]);

  withStore('stats: codes that expired unused are counted once by the sweep, at their expiry', async (s) => {
    const base = after();
    const unused = v({ phone: 'p1', createdAt: base, expiresAt: base + 5 * MIN });
    const used = v({ phone: 'p2', createdAt: base, expiresAt: base + 5 * MIN });
    const later = v({ phone: 'p3', createdAt: base, expiresAt: base + 30 * MIN, country: 'FR' });
    for (const x of [unused, used, later]) await s.createVerification(x, LIMITS);
    assert.equal(await s.attemptValidation('client-a', used.id, base + MIN, BUDGET, right), 'VERIFIED');
    await s.countExpired(base + 10 * MIN);
    await s.countExpired(base + 10 * MIN);
    const minutes = (clientId?: string) =>
      s.statsSeries({ resolution: 'minute', from: base, to: base + HOUR, clientId });
    assert.deepEqual(expired(await minutes()), [[base + 5 * MIN, '', 1]], 'the unused one, once, in its minute');
    assert.deepEqual(expired(await minutes('client-a')), [[base + 5 * MIN, '', 1]]);
    await s.countExpired(base + HOUR);
    const hours = await s.statsSeries({ resolution: 'hour', from: base, to: base + HOUR, clientId: 'client-a' });
    assert.deepEqual(
      expired(hours).sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
      [
        [base, '', 2],
        [base, 'country:ES', 1],
        [base, 'country:FR', 1],
      ],
    );
  });

  withPair('stats: two sweeps at once count each expiry once', async (a, b) => {
    const base = after();
    for (let i = 0; i < 3; i++)
      await a.createVerification(v({ phone: `p${i}`, createdAt: base, expiresAt: base + MIN }), LIMITS);
    await Promise.all([a.countExpired(base + 2 * MIN), b.countExpired(base + 2 * MIN)]);
    const points = await b.statsSeries({ resolution: 'minute', from: base, to: base + HOUR });
    assert.deepEqual(expired(points), [[base + MIN, '', 3]]);
  });

  withPair('stats: counters written through one handle are read through another (another process)', async (a, b) => {
    await a.createVerification(v({ phone: 'p1' }), LIMITS);
    await a.countRefusal('client-a', 'blocklist', T);
    assert.deepEqual(totals(await day(b)), { sent: 1, 'refused:blocklist': 1 });
  });
}
