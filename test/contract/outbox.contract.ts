import assert from 'node:assert/strict';
import type { Store } from '../../src/core/ports/store.ts';
import { LIMITS, T0, storeTest, verification, type StoreHarness } from './store.contract.ts';

/** Queues one message per phone and claims them all; returns the claimed messages in queue order. */
async function queued(s: Store, phones: string[], segments = 1) {
  for (const [i, p] of phones.entries()) {
    await s.createVerification(verification({
      phone: p, createdAt: T0 + i, message: { channel: 'sms', recipient: `+3462925${String(i).padStart(4, '0')}`, body: Buffer.from('sealed'), segments },
    }), LIMITS);
  }
  return (await s.claimMessages(T0 + 100, 30_000, 100)).sort((a, b) => Number(a.id) - Number(b.id));
}

const sent = (id: string, attempt: number, providerMessageId: string, gateway = 'g1') =>
  ({ messageId: id, attempt, gateway, startedAt: T0 + 200, finishedAt: T0 + 210, outcome: 'sent' as const, providerMessageId, segments: 2 });

/** Delivery status, receipts, failover steps and operator listings: part of the Store contract. */
export function outboxContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);

  withStore('outbox: a claimed message carries its channel, segments and route step', async (s) => {
    const [m] = await queued(s, ['a'], 3);
    assert.deepEqual([m!.channel, m!.segments, m!.routeStep], ['sms', 3, 0]);
  });

  withStore('outbox: failover requeues at the next route step; the attempt is recorded with its gateway', async (s) => {
    const [m] = await queued(s, ['a']);
    await s.completeAttempt({
      messageId: m!.id, attempt: 1, gateway: 'g1', startedAt: T0, finishedAt: T0 + 5, outcome: 'permanent', error: 'refused', retryAt: T0 + 5, nextRouteStep: 1,
    });
    const [again] = await s.claimMessages(T0 + 5, 30_000, 10);
    assert.deepEqual([again!.attempt, again!.routeStep], [2, 1]);
    await s.completeAttempt(sent(again!.id, 2, 'p-2', 'g2'));
    const attempts = await s.listAttempts([m!.id]);
    assert.deepEqual(attempts.map((a) => [a.attempt, a.gateway, a.outcome, a.error, a.segments]), [[1, 'g1', 'permanent', 'refused', null], [2, 'g2', 'sent', null, 2]]);
    const [view] = await s.listMessages({ limit: 1 });
    assert.deepEqual([view!.status, view!.gateway, view!.providerMessageId, view!.segments], ['sent', 'g2', 'p-2', 2]);
  });

  withStore('receipts: a receipt moves a sent message to delivered; a duplicate is a no-op', async (s) => {
    const [m] = await queued(s, ['a']);
    await s.completeAttempt(sent(m!.id, 1, 'p-1'));
    assert.equal(await s.recordReceipt({ gateway: 'g1', providerMessageId: 'p-1', status: 'delivered', at: T0 + 300 }), 'recorded');
    assert.equal(await s.recordReceipt({ gateway: 'g1', providerMessageId: 'p-1', status: 'failed', error: 'late', at: T0 + 400 }), 'duplicate');
    const [view] = await s.listMessages({ limit: 1 });
    assert.deepEqual([view!.status, view!.updatedAt, view!.lastError], ['delivered', T0 + 300, null]);
  });

  withStore('receipts: one that arrives before the attempt is recorded is applied when it is', async (s) => {
    const [m] = await queued(s, ['a']);
    assert.equal(await s.recordReceipt({ gateway: 'g1', providerMessageId: 'p-early', status: 'failed', error: 'UNDELIV', at: T0 + 150 }), 'recorded');
    await s.completeAttempt(sent(m!.id, 1, 'p-early'));
    assert.equal((await s.listMessages({ limit: 1 }))[0]!.status, 'failed');
  });

  withStore('receipts: matched by gateway and provider id; an unknown one is kept but changes nothing', async (s) => {
    const [m] = await queued(s, ['a']);
    await s.completeAttempt(sent(m!.id, 1, 'same-id', 'g1'));
    assert.equal(await s.recordReceipt({ gateway: 'g2', providerMessageId: 'same-id', status: 'expired', at: T0 + 300 }), 'recorded');
    assert.equal((await s.listMessages({ limit: 1 }))[0]!.status, 'sent');
  });

  withStore('listing: filters by number, status, gateway and time; pages with a cursor, newest first', async (s) => {
    const claimed = await queued(s, ['a', 'b', 'c', 'd', 'e']);
    await s.completeAttempt(sent(claimed[0]!.id, 1, 'x0', 'g1'));
    await s.completeAttempt(sent(claimed[1]!.id, 1, 'x1', 'g2'));
    await s.recordReceipt({ gateway: 'g2', providerMessageId: 'x1', status: 'delivered', at: T0 + 300 });
    const ids = (f: Parameters<Store['listMessages']>[0]) => s.listMessages(f).then((v) => v.map((m) => m.id));
    const all = claimed.map((m) => m.id).reverse();
    assert.deepEqual(await ids({ limit: 10 }), all);
    assert.deepEqual(await ids({ recipient: '+34629250002', limit: 10 }), [claimed[2]!.id]);
    assert.deepEqual(await ids({ status: 'delivered', limit: 10 }), [claimed[1]!.id]);
    assert.deepEqual(await ids({ gateway: 'g1', limit: 10 }), [claimed[0]!.id]);
    assert.deepEqual(await ids({ since: T0 + 1, until: T0 + 3, limit: 10 }), [claimed[2]!.id, claimed[1]!.id]);
    const page1 = await ids({ limit: 2 });
    const page2 = await ids({ limit: 2, before: page1[1] });
    assert.deepEqual([...page1, ...page2], all.slice(0, 4));
    assert.deepEqual(await s.listAttempts([]), []);
  });
}
