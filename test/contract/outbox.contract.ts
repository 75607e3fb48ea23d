import assert from 'node:assert/strict';
import type { Store } from '../../src/core/ports/store.ts';
import {
  BUDGET,
  LIMITS,
  MIN,
  T0,
  pairTest,
  right,
  storeTest,
  verification,
  wrong,
  type StoreHarness,
} from './store.contract.ts';

/** Queues one message per phone and claims them all; returns the claimed messages in queue order. */
async function queued(s: Store, phones: string[], segments = 1) {
  for (const [i, p] of phones.entries()) {
    await s.createVerification(
      verification({
        phone: p,
        createdAt: T0 + i,
        message: {
          channel: 'sms',
          recipient: `+3462925${String(i).padStart(4, '0')}`,
          body: Buffer.from('sealed'),
          segments,
        },
      }),
      LIMITS,
    );
  }
  return (await s.claimMessages(T0 + 100, 30_000, 100)).sort((a, b) => Number(a.id) - Number(b.id));
}

const STALE = 'the code expired or was superseded before it was sent';

/** Each message's [status, last error] by id, newest first. */
async function statuses(s: Store) {
  return new Map((await s.listMessages({ limit: 100 })).map((v) => [v.id, [v.status, v.lastError] as const]));
}

const sent = (id: string, attempt: number, providerMessageId: string, gateway = 'g1') => ({
  messageId: id,
  attempt,
  gateway,
  startedAt: T0 + 200,
  finishedAt: T0 + 210,
  outcome: 'sent' as const,
  providerMessageId,
  segments: 2,
});

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
      messageId: m!.id,
      attempt: 1,
      gateway: 'g1',
      startedAt: T0,
      finishedAt: T0 + 5,
      outcome: 'permanent',
      error: 'refused',
      retryAt: T0 + 5,
      nextRouteStep: 1,
    });
    const [again] = await s.claimMessages(T0 + 5, 30_000, 10);
    assert.deepEqual([again!.attempt, again!.routeStep], [2, 1]);
    await s.completeAttempt(sent(again!.id, 2, 'p-2', 'g2'));
    const attempts = await s.listAttempts([m!.id]);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.gateway, a.outcome, a.error, a.segments]),
      [
        [1, 'g1', 'permanent', 'refused', null],
        [2, 'g2', 'sent', null, 2],
      ],
    );
    const [view] = await s.listMessages({ limit: 1 });
    assert.deepEqual([view!.status, view!.gateway, view!.providerMessageId, view!.segments], ['sent', 'g2', 'p-2', 2]);
  });

  withStore('receipts: a receipt moves a sent message to delivered; a duplicate is a no-op', async (s) => {
    const [m] = await queued(s, ['a']);
    await s.completeAttempt(sent(m!.id, 1, 'p-1'));
    assert.equal(
      await s.recordReceipt({ gateway: 'g1', providerMessageId: 'p-1', status: 'delivered', at: T0 + 300 }),
      'recorded',
    );
    assert.equal(
      await s.recordReceipt({ gateway: 'g1', providerMessageId: 'p-1', status: 'failed', error: 'late', at: T0 + 400 }),
      'duplicate',
    );
    const [view] = await s.listMessages({ limit: 1 });
    assert.deepEqual([view!.status, view!.updatedAt, view!.lastError], ['delivered', T0 + 300, null]);
  });

  withStore('receipts: one that arrives before the attempt is recorded is applied when it is', async (s) => {
    const [m] = await queued(s, ['a']);
    assert.equal(
      await s.recordReceipt({
        gateway: 'g1',
        providerMessageId: 'p-early',
        status: 'failed',
        error: 'UNDELIV',
        at: T0 + 150,
      }),
      'recorded',
    );
    await s.completeAttempt(sent(m!.id, 1, 'p-early'));
    assert.equal((await s.listMessages({ limit: 1 }))[0]!.status, 'failed');
  });

  withStore('receipts: matched by gateway and provider id; an unknown one is kept but changes nothing', async (s) => {
    const [m] = await queued(s, ['a']);
    await s.completeAttempt(sent(m!.id, 1, 'same-id', 'g1'));
    assert.equal(
      await s.recordReceipt({ gateway: 'g2', providerMessageId: 'same-id', status: 'expired', at: T0 + 300 }),
      'recorded',
    );
    assert.equal((await s.listMessages({ limit: 1 }))[0]!.status, 'sent');
  });

  withStore('stale codes: a claim that takes nothing still says how many it expired', async (s) => {
    const v = verification();
    await s.createVerification(v, LIMITS);
    const none = await s.claimMessages(v.expiresAt + 1, 30_000, 10);
    assert.deepEqual([none.length, none.expired], [0, 1]);
  });

  withStore("stale codes: a superseded verification's queued message is expired, not claimed", async (s) => {
    const old = verification();
    const fresh = verification({ createdAt: T0 + 1 });
    await s.createVerification(old, LIMITS);
    await s.createVerification(fresh, LIMITS);
    const claimed = await s.claimMessages(T0 + 2, 30_000, 10);
    assert.deepEqual(
      claimed.map((m) => m.verificationId),
      [fresh.id],
    );
    assert.equal(claimed.expired, 1, 'the claim counts what it expired (for a metric)');
    const [newer, older] = await s.listMessages({ limit: 10 });
    assert.deepEqual([older!.status, older!.lastError, older!.updatedAt], ['expired', STALE, T0 + 2]);
    assert.equal(newer!.status, 'sending');
    const again = await s.claimMessages(T0 + 4 * MIN, 30_000, 10);
    assert.equal(again.expired, 0);
    assert.deepEqual(
      again.map((m) => m.verificationId),
      [fresh.id],
      'the expired message is final; the live one is retried',
    );
  });

  withStore(
    'stale codes: a message whose verification expired before the claim is expired (expiry is exclusive)',
    async (s) => {
      await s.createVerification(verification({ phone: 'short', expiresAt: T0 + 1000 }), LIMITS);
      const live = verification({ phone: 'long', createdAt: T0 + 1 });
      await s.createVerification(live, LIMITS);
      const claimed = await s.claimMessages(T0 + 1000, 30_000, 10);
      assert.deepEqual(
        claimed.map((m) => m.verificationId),
        [live.id],
      );
      assert.deepEqual([...(await statuses(s)).values()].map(([st]) => st).sort(), ['expired', 'sending']);
      assert.deepEqual(
        await s.claimMessages(T0 + 5 * MIN + 30_000, 30_000, 10),
        [],
        'a lapsed lease past expiry is not handed out again',
      );
      assert.deepEqual(
        [...(await statuses(s)).values()],
        [
          ['expired', STALE],
          ['expired', STALE],
        ],
      );
    },
  );

  withStore("stale codes: a verified or failed verification's queued message is expired", async (s) => {
    const verified = verification({ phone: 'ok' });
    const failed = verification({ phone: 'ko', maxAttempts: 1, createdAt: T0 + 1 });
    await s.createVerification(verified, LIMITS);
    await s.createVerification(failed, LIMITS);
    assert.equal(await s.attemptValidation('client-a', verified.id, T0 + 1, BUDGET, right), 'VERIFIED');
    assert.equal(await s.attemptValidation('client-a', failed.id, T0 + 1, BUDGET, wrong), 'FAILED');
    assert.deepEqual(await s.claimMessages(T0 + 2, 30_000, 10), []);
    assert.deepEqual(
      [...(await statuses(s)).values()],
      [
        ['expired', STALE],
        ['expired', STALE],
      ],
    );
  });

  withStore(
    'stale codes: a retry whose code was superseded meanwhile is expired; its late completion changes nothing',
    async (s) => {
      const [m] = await queued(s, ['a']);
      await s.createVerification(verification({ phone: 'a', createdAt: T0 + 200 }), LIMITS);
      const [again] = await s.claimMessages(T0 + 30_100, 30_000, 10);
      assert.notEqual(again!.id, m!.id, 'only the new code is sent');
      await s.completeAttempt(sent(m!.id, 1, 'p-late'));
      const st = await statuses(s);
      assert.deepEqual(st.get(m!.id), ['expired', STALE]);
      assert.equal((await s.listAttempts([m!.id])).length, 1, 'the late attempt is still recorded');
    },
  );

  withStore('stale codes: they do not use up the limit of a claim, however many are due first', async (s) => {
    const live = verification({ phone: 'other', createdAt: T0 });
    await s.createVerification(live, LIMITS);
    // Newer than `live`, so a newest-first claim walks past the four superseded ones to reach it.
    const many = Array.from({ length: 5 }, (_, i) => verification({ phone: 'many', createdAt: T0 + 1 + i }));
    for (const v of many) await s.createVerification(v, LIMITS);
    const claimed = await s.claimMessages(T0 + 20, 30_000, 2);
    assert.deepEqual(claimed.map((m) => m.verificationId).sort(), [many[4]!.id, live.id].sort());
    assert.deepEqual(
      [...(await statuses(s)).values()].map(([st]) => st),
      ['sending', 'expired', 'expired', 'expired', 'expired', 'sending'],
    );
  });

  withStore('backlog: the newest due messages are claimed first; retries count from when they fell due', async (s) => {
    for (let i = 0; i < 5; i++)
      await s.createVerification(verification({ phone: `b${i}`, createdAt: T0 + i * 1000 }), LIMITS);
    const first = await s.claimMessages(T0 + 10_000, 30_000, 2);
    assert.deepEqual(
      first.map((m) => m.createdAt).sort((x, y) => y - x),
      [T0 + 4000, T0 + 3000],
    );
    const rest = await s.claimMessages(T0 + 10_000, 30_000, 10);
    assert.deepEqual(
      rest.map((m) => m.createdAt).sort((x, y) => y - x),
      [T0 + 2000, T0 + 1000, T0],
    );
  });

  withStore('noteWaiting marks the due queued messages with why they wait, and no others', async (s) => {
    const [a] = await queued(s, ['note-1']); // claimed: leased, not queued
    await s.createVerification(verification({ phone: 'note-2', createdAt: T0 + 500 }), LIMITS);
    await s.createVerification(verification({ phone: 'note-3', createdAt: T0 + 5000 }), LIMITS);
    const why = 'no gateway can send now: smsc: link down (bind refused: ESME_RINVPASWD)';
    assert.equal(await s.noteWaiting(T0 + 1000, why), 1, 'only the one due and queued');
    assert.equal(await s.noteWaiting(T0 + 1000, why), 0, 'already says so');
    const errors = new Map((await s.listMessages({ limit: 10 })).map((m) => [m.id, m.lastError]));
    assert.equal(errors.get(a!.id), null);
    assert.deepEqual([...errors.values()].filter((e) => e === why).length, 1);
  });

  withStore('queueDepth counts the messages waiting for delivery, queued or leased, and no others', async (s) => {
    assert.equal(await s.queueDepth(), 0);
    const [a, b] = await queued(s, ['depth-1', 'depth-2', 'depth-3']);
    assert.equal(await s.queueDepth(), 3, 'leased ones wait too');
    await s.completeAttempts([
      sent(a!.id, 1, 'p-depth-1'),
      { ...sent(b!.id, 1, 'x'), outcome: 'permanent', error: 'no' },
    ]);
    assert.equal(await s.queueDepth(), 1);
  });

  withStore('backlog: oldestDue is when the longest-waiting due message fell due, or null', async (s) => {
    assert.equal(await s.oldestDue(T0), null, 'an empty outbox');
    await s.createVerification(verification({ phone: 'o1', createdAt: T0 }), LIMITS);
    await s.createVerification(verification({ phone: 'o2', createdAt: T0 + 500 }), LIMITS);
    assert.equal(await s.oldestDue(T0 - 1), null, 'nothing is due yet');
    assert.equal(await s.oldestDue(T0 + 1000), T0);
    const [newest] = await s.claimMessages(T0 + 1000, 30_000, 1);
    assert.equal(newest!.createdAt, T0 + 500);
    assert.equal(await s.oldestDue(T0 + 1000), T0, 'the unclaimed one still waits');
    const [oldest] = await s.claimMessages(T0 + 1000, 30_000, 1);
    assert.equal(await s.oldestDue(T0 + 1000), null, 'leased messages are not waiting');
    assert.equal(await s.oldestDue(T0 + 31_000), T0 + 31_000, 'until their lease lapses');
    await s.completeAttempts([
      { ...sent(newest!.id, 1, 'p-new'), startedAt: T0 + 1001, finishedAt: T0 + 1002 },
      {
        messageId: oldest!.id,
        attempt: 1,
        gateway: 'g1',
        startedAt: T0 + 1001,
        finishedAt: T0 + 1003,
        outcome: 'transient',
        error: 'busy',
        retryAt: T0 + 5000,
      },
    ]);
    assert.equal(await s.oldestDue(T0 + 4999), null);
    assert.equal(await s.oldestDue(T0 + 6000), T0 + 5000, 'a retry waits from its retry time');
  });

  withStore('outbox: a claimed message carries when its code expires', async (s) => {
    const [m] = await queued(s, ['x1']);
    // queued() gives the i-th verification createdAt T0 + i and the helper's expiry, T0 + 5 min.
    assert.equal(m!.expiresAt, T0 + 5 * MIN);
  });

  withStore('a deferral is no attempt: the claim is given back, no attempt row, queued until retryAt', async (s) => {
    const [m] = await queued(s, ['d1']);
    assert.equal(m!.attempt, 1);
    const why = 'no gateway can send now: g1: link down (bind refused: ESME_RINVPASWD)';
    await s.completeAttempts([
      {
        messageId: m!.id,
        attempt: 1,
        gateway: 'g1',
        startedAt: T0 + 200,
        finishedAt: T0 + 200,
        outcome: 'deferred',
        error: why,
        retryAt: T0 + 5000,
      },
    ]);
    const [view] = await s.listMessages({ limit: 1 });
    assert.deepEqual([view!.status, view!.attempts, view!.lastError], ['queued', 0, why]);
    assert.deepEqual(await s.listAttempts([m!.id]), [], 'no attempt row');
    assert.deepEqual(await s.claimMessages(T0 + 4999, 30_000, 10), [], 'not due before retryAt');
    const [again] = await s.claimMessages(T0 + 5000, 30_000, 10);
    assert.equal(again!.attempt, 1, 'the next claim is the first attempt again');
    await s.completeAttempts([{ ...sent(m!.id, 1, 'p-d1'), startedAt: T0 + 5001, finishedAt: T0 + 5002 }]);
    assert.deepEqual(
      (await s.listAttempts([m!.id])).map((a) => [a.attempt, a.outcome]),
      [[1, 'sent']],
    );
  });

  withStore('a message sent in parts is delivered only once every part is; one failed part fails it', async (s) => {
    const [a, b] = await queued(s, ['mp1', 'mp2'], 3);
    const receipt = (id: string, status: 'delivered' | 'failed', at: number, error?: string) =>
      s.recordReceipt({ gateway: 'g1', providerMessageId: id, status, at, ...(error ? { error } : {}) });
    // b's second part is reported before the attempt is recorded: it still counts.
    assert.equal(await receipt('b-2', 'delivered', T0 + 205), 'recorded');
    await s.completeAttempts([
      { ...sent(a!.id, 1, 'a-1'), partIds: ['a-1', 'a-2', 'a-3'] },
      { ...sent(b!.id, 1, 'b-1'), partIds: ['b-1', 'b-2', 'b-3'] },
    ]);
    await receipt('a-1', 'delivered', T0 + 300);
    await receipt('a-3', 'delivered', T0 + 301);
    assert.deepEqual((await statuses(s)).get(a!.id), ['sent', null], 'two of three parts');
    await receipt('a-2', 'delivered', T0 + 302);
    assert.deepEqual((await statuses(s)).get(a!.id), ['delivered', null]);
    assert.equal(await receipt('a-2', 'delivered', T0 + 303), 'duplicate');

    await receipt('b-1', 'delivered', T0 + 300);
    await receipt('b-3', 'failed', T0 + 301, 'stat:UNDELIV err:001');
    assert.deepEqual((await statuses(s)).get(b!.id), ['failed', 'stat:UNDELIV err:001']);
  });

  withStore('a message whose parts were all reported before its attempt is recorded is delivered', async (s) => {
    const [m] = await queued(s, ['mp3'], 2);
    await s.recordReceipt({ gateway: 'g1', providerMessageId: 'c-1', status: 'delivered', at: T0 + 150 });
    await s.recordReceipt({ gateway: 'g1', providerMessageId: 'c-2', status: 'delivered', at: T0 + 151 });
    await s.completeAttempts([{ ...sent(m!.id, 1, 'c-1'), partIds: ['c-1', 'c-2'] }]);
    assert.deepEqual((await statuses(s)).get(m!.id), ['delivered', null]);
  });

  withStore(
    'completeAttempts: one call records a round of different outcomes, each as completeAttempt would',
    async (s) => {
      const [a, b, c] = await queued(s, ['r1', 'r2', 'r3']);
      await s.recordReceipt({ gateway: 'g1', providerMessageId: 'p-c', status: 'delivered', at: T0 + 150 });
      const failed = { startedAt: T0 + 200, finishedAt: T0 + 210, gateway: 'g1' };
      await s.completeAttempts([
        sent(a!.id, 1, 'p-a'),
        { ...failed, messageId: b!.id, attempt: 1, outcome: 'permanent', error: 'refused' },
        sent(c!.id, 1, 'p-c'),
      ]);
      const st = await statuses(s);
      assert.deepEqual(st.get(a!.id), ['sent', null]);
      assert.deepEqual(st.get(b!.id), ['failed', 'refused']);
      assert.deepEqual(st.get(c!.id), ['delivered', null], 'a receipt that came first applies');
      const attempts = await s.listAttempts([a!.id, b!.id, c!.id]);
      assert.deepEqual(
        attempts.map((x) => [x.messageId, x.outcome]),
        [
          [a!.id, 'sent'],
          [b!.id, 'permanent'],
          [c!.id, 'sent'],
        ],
      );
      await s.completeAttempts([sent(a!.id, 1, 'p-a')]);
      assert.equal((await s.listAttempts([a!.id])).length, 1, 'idempotent per attempt');
      await s.completeAttempts([]);
    },
  );

  const withPair = pairTest(name, h);

  withPair(
    'stale codes: parallel claimers (over two handles) take each live message once and expire every stale one',
    async (a, b) => {
      const live: string[] = [];
      for (let i = 0; i < 20; i++) {
        await a.createVerification(verification({ phone: `par-${i}`, createdAt: T0 + 2 * i }), LIMITS);
        const v = verification({ phone: `par-${i}`, createdAt: T0 + 2 * i + 1 });
        await a.createVerification(v, LIMITS);
        live.push(v.id);
      }
      const batches = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).claimMessages(T0 + 100, 30_000, 3)),
      );
      const claimed = batches.flat();
      assert.equal(new Set(claimed.map((m) => m.id)).size, claimed.length, 'no message is claimed twice');
      assert.deepEqual(claimed.map((m) => m.verificationId).sort(), [...live].sort());
      const views = await a.listMessages({ limit: 100 });
      assert.equal(views.filter((v) => v.status === 'expired').length, 20);
    },
  );

  withPair(
    'parts: receipts racing each other and the completion (over two handles) deliver the message',
    async (a, b) => {
      const claimed = await queued(
        a,
        Array.from({ length: 10 }, (_, i) => `parts-${i}`),
        3,
      );
      await Promise.all(
        claimed.flatMap((m, i) => {
          const ids = [1, 2, 3].map((k) => `p-parts-${i}-${k}`);
          return [
            (i % 2 ? a : b).completeAttempt({ ...sent(m.id, 1, ids[0]!), partIds: ids }),
            ...ids.map((id, k) =>
              ((i + k) % 2 ? a : b).recordReceipt({
                gateway: 'g1',
                providerMessageId: id,
                status: 'delivered',
                at: T0 + 300,
              }),
            ),
          ];
        }),
      );
      const st = await statuses(a);
      assert.deepEqual(
        claimed.map((m) => st.get(m.id)![0]),
        Array(10).fill('delivered'),
      );
    },
  );

  withPair('receipts: one racing the sent completion (over two handles) is always applied', async (a, b) => {
    const claimed = await queued(
      a,
      Array.from({ length: 30 }, (_, i) => `race-${i}`),
    );
    assert.equal(claimed.length, 30);
    const outcomes = await Promise.all(
      claimed.map((m, i) =>
        Promise.all([
          (i % 2 ? a : b).recordReceipt({
            gateway: 'g1',
            providerMessageId: `p-race-${i}`,
            status: 'delivered',
            at: T0 + 300,
          }),
          (i % 2 ? b : a).completeAttempt(sent(m.id, 1, `p-race-${i}`)),
        ]),
      ),
    );
    assert.deepEqual(new Set(outcomes.map(([r]) => r)), new Set(['recorded']));
    const views = await a.listMessages({ limit: 100 });
    assert.deepEqual(
      views.filter((v) => v.status !== 'delivered').map((v) => [v.id, v.status]),
      [],
      'every receipt was applied',
    );
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

  withStore("listing by client: only that client's messages and texts, filtered before the limit", async (s) => {
    // One message of client-a, then newer ones of client-b: a filter applied after the limit would
    // find nothing of client-a's in the newest row.
    const mine = await queued(s, ['a']);
    for (const [i, p] of ['b', 'c', 'd'].entries()) {
      const message = { channel: 'sms' as const, recipient: '+34629259999', body: Buffer.from('x'), segments: 1 };
      await s.createVerification(
        verification({ clientId: 'client-b', phone: p, createdAt: T0 + 10 + i, message }),
        LIMITS,
      );
    }
    const theirs = await s.claimMessages(T0 + 100, 30_000, 100);
    assert.equal(theirs.length, 3);
    const ids = (f: Parameters<Store['listMessages']>[0]) => s.listMessages(f).then((v) => v.map((m) => m.id));
    assert.deepEqual(await ids({ clientId: 'client-a', limit: 1 }), [mine[0]!.id]);
    assert.deepEqual(await ids({ clientId: 'client-a', recipient: '+34629259999', limit: 10 }), []);
    assert.equal((await ids({ clientId: 'client-b', limit: 10 })).length, 3);
    assert.deepEqual(await ids({ clientId: 'client-c', limit: 10 }), []);
    assert.equal((await ids({ limit: 10 })).length, 4);

    await s.appendDevMessages([{ messageId: mine[0]!.id, to: mine[0]!.recipient, text: 'mine', at: T0 + 200 }]);
    for (const m of theirs)
      await s.appendDevMessages([{ messageId: m.id, to: m.recipient, text: 'theirs', at: T0 + 201 }]);
    const texts = (to: string | undefined, clientId?: string) =>
      s.listDevMessages(to, 1, clientId).then((v) => v.map((m) => m.text));
    assert.deepEqual(await texts(undefined, 'client-a'), ['mine']);
    assert.deepEqual(await texts('+34629259999', 'client-a'), []);
    assert.deepEqual(await texts(undefined, 'client-b'), ['theirs']);
    assert.deepEqual(await texts(undefined), ['theirs']);
  });
}
