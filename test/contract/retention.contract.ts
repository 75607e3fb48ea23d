import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/core/ports/store.ts';
import { BUDGET, LIMITS, T0, right, verification, wrong, type StoreHarness } from './store.contract.ts';

const DAY = 86_400_000;

/**
 * Fills a store with one day of finished and unfinished work at T0 and one live verification ten
 * days later: 2 verified, 1 failed, 3 left to expire; of their messages 4 sent, 1 failed and 1
 * never claimed.
 */
async function fill(s: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const v = verification({ phone: `ret-${i}`, createdAt: T0 + i });
    await s.createVerification(v, LIMITS);
    ids.push(v.id);
  }
  // Claimed before any is validated: a claim expires the messages of codes that can no longer be used.
  const claimed = await s.claimMessages(T0 + 10, 30_000, 5);
  for (const [i, m] of claimed.entries()) {
    await s.completeAttempt({
      messageId: m.id,
      attempt: m.attempt,
      gateway: 'g',
      startedAt: T0 + 20,
      finishedAt: T0 + 21,
      ...(i < 4
        ? { outcome: 'sent' as const, providerMessageId: `p${i}` }
        : { outcome: 'permanent' as const, error: 'bad' }),
    });
  }
  for (const id of ids.slice(0, 2))
    assert.equal(await s.attemptValidation('client-a', id, T0 + 10, BUDGET, right), 'VERIFIED');
  for (let i = 0; i < 3; i++) await s.attemptValidation('client-a', ids[2]!, T0 + 10, BUDGET, wrong);
  await s.appendDevMessages([{ messageId: claimed[0]!.id, to: '+34629255833', text: 'old', at: T0 + 30 }]);
  await s.createVerification(
    verification({ phone: 'recent', createdAt: T0 + 10 * DAY, expiresAt: T0 + 10 * DAY + 300_000 }),
    LIMITS,
  );
  await s.appendDevMessages([{ messageId: '999999', to: '+34629255833', text: 'recent', at: T0 + 10 * DAY }]);
  return ids;
}

const FROM = new Date(T0 - DAY).toISOString().slice(0, 10);
const TO = new Date(T0 + 11 * DAY).toISOString().slice(0, 10);
const NOW = T0 + 10 * DAY + 1;
const CUTOFF = T0 + 3 * DAY;

export function retentionContract(name: string, h: StoreHarness): void {
  test(`${name}: purge removes what ended before the cutoff and keeps the rest`, async () => {
    const s = await h.open();
    try {
      const ids = await fill(s);
      const day0 = new Date(T0).toISOString().slice(0, 10);
      const before = await s.dailyStats(FROM, TO, NOW);
      const at = (metric: string) => before.find((r) => r.day === day0 && r.metric === metric)?.count;
      assert.equal(at('verifications.verified'), 2);
      assert.equal(at('verifications.failed'), 1);
      assert.equal(at('verifications.expired'), 3);
      assert.equal(at('messages.sent'), 4);
      assert.equal(at('messages.failed'), 1);
      assert.equal(at('messages.queued'), 1);

      assert.deepEqual(await s.purge(CUTOFF, 2), { verifications: 6, messages: 5, devMessages: 1 });
      assert.deepEqual(await s.dailyStats(FROM, TO, NOW), before, 'the per-day counts survive the purge');
      assert.equal(await s.attemptValidation('client-a', ids[0]!, NOW, BUDGET, right), 'NOT_FOUND');
      const left = await s.listMessages({ limit: 10 });
      assert.deepEqual(left.map((m) => m.status).sort(), ['queued', 'queued'], 'unfinished messages are kept');
      assert.deepEqual(
        (await s.listDevMessages(undefined, 10)).map((m) => m.text),
        ['recent'],
      );
      assert.deepEqual(
        await s.purge(CUTOFF, 2),
        { verifications: 0, messages: 0, devMessages: 0 },
        'a second purge finds nothing',
      );
    } finally {
      await s.close();
    }
  });

  test(`${name}: purgers running at once (two handles) delete and count each row once`, async () => {
    const s = await h.open();
    const second = h.openSecond ? await h.openSecond(s) : s;
    try {
      await fill(s);
      const before = await s.dailyStats(FROM, TO, NOW);
      const results = await Promise.all([
        s.purge(CUTOFF, 1),
        second.purge(CUTOFF, 1),
        s.purge(CUTOFF, 1),
        second.purge(CUTOFF, 1),
      ]);
      assert.equal(
        results.reduce((n, r) => n + r.verifications, 0),
        6,
      );
      assert.equal(
        results.reduce((n, r) => n + r.messages, 0),
        5,
      );
      assert.deepEqual(await s.dailyStats(FROM, TO, NOW), before);
    } finally {
      if (second !== s) await second.close();
      await s.close();
    }
  });
}
