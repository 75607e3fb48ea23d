import assert from 'node:assert/strict';
import type { NewVerification, Store } from '../../src/core/ports/store.ts';
import type { ClaimedEvent, EventOutcome } from '../../src/core/ports/webhooks.ts';
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

const SERVICE = `VA${'c'.repeat(32)}`;
const QUIET = `VA${'d'.repeat(32)}`;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// After the migration that made the expiry cursor (it starts at the time the store was created).
const T = Date.now() + HOUR;

const v = (o: Partial<NewVerification> & { phone?: string } = {}) =>
  verification({
    serviceId: SERVICE,
    channel: 'sms',
    maskedTo: '+3462*****33',
    createdAt: T,
    expiresAt: T + 5 * MIN,
    ...o,
  });

const endpoint = (s: Store, serviceId = SERVICE, clientId = 'client-a') =>
  s.putEndpoint({ serviceId, clientId, url: 'https://hooks.example.com/otpd', secrets: Buffer.from('sealed'), now: T });

const claimAll = (s: Store, at: number) => s.claimEvents(at, 30_000, 100);
const types = (events: readonly ClaimedEvent[]) => events.map((e) => e.type);
const ok = (_e: ClaimedEvent, at: number) => ({ ok: true as const, at });
const complete = (s: Store, e: ClaimedEvent, outcome: EventOutcome) => s.completeEvents([{ e, outcome }], DAY);

/** The webhook endpoints and the event outbox: events written by the state changes themselves. */
export function webhooksContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);
  const withPair = pairTest(name, h);

  withStore('events: each closing transition of a service with an endpoint is one event', async (s) => {
    await endpoint(s);
    const approved = v({ phone: 'p1' });
    const failed = v({ phone: 'p2', maxAttempts: 1 });
    const canceled = v({ phone: 'p3' });
    const byApi = v({ phone: 'p4' });
    const quiet = v({ phone: 'p5', serviceId: QUIET });
    for (const x of [approved, failed, canceled, byApi, quiet]) await s.createVerification(x, LIMITS);
    assert.equal(await s.attemptValidation('client-a', approved.id, T + 1, BUDGET, right), 'VERIFIED');
    assert.equal(await s.attemptValidation('client-a', failed.id, T + 2, BUDGET, wrong), 'FAILED');
    assert.equal(await s.closeVerification('client-a', canceled.id, 'cancelled', T + 3), true);
    assert.equal(await s.closeVerification('client-a', byApi.id, 'verified', T + 4), true);
    assert.equal(await s.attemptValidation('client-a', quiet.id, T + 5, BUDGET, right), 'VERIFIED');
    const events = await claimAll(s, T + 10);
    assert.deepEqual(types(events), [
      'verification.approved',
      'verification.max_attempts',
      'verification.canceled',
      'verification.approved',
    ]);
    assert.deepEqual(
      events.map((e) => e.verificationId),
      [approved.id, failed.id, canceled.id, byApi.id],
      'nothing for the service without an endpoint',
    );
    const data = JSON.parse(events[0]!.payload);
    assert.deepEqual(
      [data.verification, data.to, data.channel, data.checks, data.at],
      [approved.id, '+3462*****33', 'sms', 1, T + 1],
    );
    for (const e of events) {
      assert.equal(e.url, 'https://hooks.example.com/otpd');
      assert.ok(!e.payload.includes('+34629255833'), 'no full number');
      assert.match(e.id, /^evt_[0-9a-f]{32}$/);
    }
  });

  withStore('events: a message sent, delivered or failed is an event with the gateway and reason', async (s) => {
    await endpoint(s);
    const one = v({ phone: 'p1' });
    const two = v({ phone: 'p2' });
    await s.createVerification(one, LIMITS);
    await s.createVerification(two, LIMITS);
    const [m1, m2] = (await s.claimMessages(T + 1, 30_000, 10)).sort((a, b) => Number(a.id) - Number(b.id));
    const done = { attempt: 1, gateway: 'gw', startedAt: T + 1, finishedAt: T + 2 };
    await s.completeAttempt({ ...done, messageId: m1!.id, outcome: 'sent', providerMessageId: 'x1' });
    await s.completeAttempt({ ...done, messageId: m2!.id, outcome: 'permanent', error: 'unknown subscriber' });
    await s.recordReceipt({ gateway: 'gw', providerMessageId: 'x1', status: 'delivered', at: T + 3 });
    const events = await claimAll(s, T + 10);
    assert.deepEqual(types(events), ['message.sent', 'message.failed']);
    const failed = JSON.parse(events[1]!.payload);
    assert.deepEqual([failed.error, failed.gateway, failed.verification], ['unknown subscriber', 'gw', two.id]);
    await complete(s, events[0]!, ok(events[0]!, T + 11));
    const next = await claimAll(s, T + 12);
    assert.deepEqual(types(next), ['message.delivered'], "a verification's next event once the first is delivered");
  });

  withStore('events: one verification at a time, in order; a lease keeps a claimed event from others', async (s) => {
    await endpoint(s);
    const x = v();
    await s.createVerification(x, LIMITS);
    const [m] = await s.claimMessages(T + 1, 30_000, 10);
    await s.closeVerification('client-a', x.id, 'cancelled', T + 1);
    await s.completeAttempt({
      messageId: m!.id,
      attempt: 1,
      gateway: 'gw',
      startedAt: T + 2,
      finishedAt: T + 2,
      outcome: 'permanent',
      error: 'no route',
    });
    const first = await claimAll(s, T + 10);
    assert.deepEqual(types(first), ['verification.canceled'], 'only the oldest of the verification');
    assert.deepEqual(await claimAll(s, T + 11), [], 'leased');
    const again = await claimAll(s, T + 10 + 30_000);
    assert.deepEqual([again[0]?.id, again[0]?.attempt], [first[0]!.id, 2], 'claimed again once the lease lapsed');
    await complete(s, first[0]!, ok(first[0]!, T + 40_000));
    assert.deepEqual(await claimAll(s, T + 40_001), [], "a lapsed lease's completion changes nothing");
    await complete(s, again[0]!, ok(again[0]!, T + 40_002));
    assert.deepEqual(types(await claimAll(s, T + 40_003)), ['message.failed']);
  });

  withStore('endpoints: failures back off, give up, and disable the endpoint after a day', async (s) => {
    await endpoint(s);
    const x = v();
    await s.createVerification(x, LIMITS);
    await s.closeVerification('client-a', x.id, 'cancelled', T + 1);
    const [e] = await claimAll(s, T + 1);
    await complete(s, e!, { ok: false, at: T + 2, error: 'HTTP 500', retryAt: T + MIN });
    assert.deepEqual(await claimAll(s, T + MIN - 1), [], 'not before its retry');
    let status = await s.getEndpoint('client-a', SERVICE);
    assert.deepEqual(
      [status?.failingSince, status?.lastError, status?.enabled, status?.backlog],
      [T + 2, 'HTTP 500', true, 1],
    );
    const [e2] = await claimAll(s, T + MIN);
    await complete(s, e2!, { ok: false, at: T + DAY + 2, error: 'timeout', retryAt: null });
    status = await s.getEndpoint('client-a', SERVICE);
    assert.deepEqual(
      [status?.enabled, status?.disabledAt, status?.backlog],
      [false, T + DAY + 2, 0],
      'disabled; the event given up',
    );
    const y = v({ phone: 'p2', createdAt: T + DAY, expiresAt: T + DAY + 5 * MIN });
    await s.createVerification(y, LIMITS);
    await s.closeVerification('client-a', y.id, 'cancelled', T + DAY + 3);
    assert.deepEqual(await claimAll(s, T + DAY + 4), [], 'a disabled endpoint gets nothing');
    assert.equal(await s.enableEndpoint('client-b', SERVICE, T + DAY + 5), false, "another client's");
    assert.equal(await s.enableEndpoint('client-a', SERVICE, T + DAY + 5), true);
    const [e3] = await claimAll(s, T + DAY + 6);
    assert.equal(e3?.verificationId, y.id, 'enabled again: its backlog flows');
    await complete(s, e3!, ok(e3!, T + DAY + 7));
    status = await s.getEndpoint('client-a', SERVICE);
    assert.deepEqual([status?.lastSuccessAt, status?.failingSince], [T + DAY + 7, null]);
    const replayed = await s.replayEvents({ since: T, clientId: 'client-a' }, T + DAY + 8);
    assert.equal(replayed, 2, 'the given-up and the delivered event go out again');
    assert.equal(await s.replayEvents({ since: T, clientId: 'client-b' }, T + DAY + 8), 0);
    assert.equal((await claimAll(s, T + DAY + 9)).length, 2);
  });

  withStore('endpoints: one per service, the client its only reader; events recorded only with one', async (s) => {
    const event = { id: 'evt_1', clientId: 'client-a', serviceId: SERVICE, verificationId: null, at: T };
    const refused = { ...event, type: 'fraud.refused' as const, payload: '{"defence":"velocity_prefix"}' };
    assert.equal(await s.recordEvent(refused), false, 'no endpoint: nothing written');
    await endpoint(s);
    await endpoint(s, SERVICE, 'client-b');
    assert.equal(
      (await s.getEndpoint('client-a', SERVICE))?.clientId,
      'client-a',
      "another client's put changed nothing",
    );
    assert.equal(await s.getEndpoint('client-b', SERVICE), null);
    assert.equal(await s.recordEvent({ ...refused, clientId: 'client-b', id: 'evt_2' }), false);
    assert.equal(await s.recordEvent(refused), true);
    assert.deepEqual(types(await claimAll(s, T + 1)), ['fraud.refused']);
    assert.equal((await s.listEndpoints()).length, 1);
    assert.equal((await s.listEndpoints('client-b')).length, 0);
    assert.equal(await s.deleteEndpoint('client-b', SERVICE), false);
    assert.equal(await s.deleteEndpoint('client-a', SERVICE), true);
    assert.equal(await s.getEndpoint('client-a', SERVICE), null);
  });

  withStore('expiry: a verification that expired pending is announced once, as its expiry passes', async (s) => {
    await endpoint(s);
    const unused = v({ phone: 'p1' });
    const used = v({ phone: 'p2' });
    const later = v({ phone: 'p3', expiresAt: T + 20 * MIN });
    for (const x of [unused, used, later]) await s.createVerification(x, LIMITS);
    await s.attemptValidation('client-a', used.id, T + 1, BUDGET, right);
    await claimAll(s, T + 2).then((es) =>
      s.completeEvents(
        es.map((e) => ({ e, outcome: ok(e, T + 3) })),
        DAY,
      ),
    );
    assert.equal(await s.announceExpired(T + 10 * MIN), 1);
    assert.equal(await s.announceExpired(T + 10 * MIN), 0, 'once');
    const [e] = await claimAll(s, T + 10 * MIN);
    assert.deepEqual([e?.type, e?.verificationId], ['verification.expired', unused.id]);
    assert.equal(await s.announceExpired(T + 30 * MIN), 1, 'the later one when its time comes');
  });

  withStore(
    "outcomes of a batch in one operation: each event's row, and its endpoint's success and failure",
    async (s) => {
      await endpoint(s);
      for (const phone of ['p1', 'p2']) {
        const x = v({ phone });
        await s.createVerification(x, LIMITS);
        await s.closeVerification('client-a', x.id, 'cancelled', T + 1);
      }
      const [a, b] = await claimAll(s, T + 2);
      const failure = { ok: false as const, at: T + 4, error: 'HTTP 502', retryAt: T + MIN };
      await s.completeEvents(
        [
          { e: a!, outcome: ok(a!, T + 3) },
          { e: b!, outcome: failure },
        ],
        DAY,
      );
      const status = await s.getEndpoint('client-a', SERVICE);
      assert.deepEqual(
        [status?.lastSuccessAt, status?.lastError, status?.failingSince, status?.backlog],
        [T + 3, 'HTTP 502', T + 4, 1],
      );
      const [again] = await claimAll(s, T + MIN);
      assert.equal(again?.id, b!.id, 'the failed one comes back at its retry');
    },
  );

  withStore('retention: settled events past the cutoff are purged; pending ones are kept', async (s) => {
    await endpoint(s);
    for (const phone of ['p1', 'p2']) {
      const x = v({ phone });
      await s.createVerification(x, LIMITS);
      await s.closeVerification('client-a', x.id, 'cancelled', T + 1);
    }
    const [first] = await claimAll(s, T + 2);
    await complete(s, first!, ok(first!, T + 3));
    await s.purge(T + DAY, 10);
    assert.equal(await s.replayEvents({ since: T }, T + DAY), 0, 'the delivered event is gone');
    const left = await claimAll(s, T + DAY + 30_000);
    assert.equal(left.length, 1, 'the pending one is still owed');
    assert.notEqual(left[0]!.id, first!.id);
  });

  withPair('events: claims on two handles never hand out one event twice', async (a, b) => {
    await endpoint(a);
    for (let i = 0; i < 12; i++) {
      const x = v({ phone: `p${i}` });
      await a.createVerification(x, LIMITS);
      await a.closeVerification('client-a', x.id, 'cancelled', T + 1);
    }
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? b : a).claimEvents(T + 2, 30_000, 3)),
    );
    const ids = claims.flat().map((e) => e.id);
    assert.equal(ids.length, 12);
    assert.equal(new Set(ids).size, 12);
  });
}
