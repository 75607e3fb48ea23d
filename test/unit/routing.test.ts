import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SendResult } from '../../src/core/ports/gateway.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { CircuitBreaker } from '../../src/delivery/circuit-breaker.ts';
import { decide } from '../../src/delivery/decide.ts';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { GatewayPool, type RouteTable } from '../../src/delivery/gateway-pool.ts';
import { Throttle } from '../../src/delivery/throttle.ts';
import { LibPhoneNumberInspector } from '../../src/phone/libphonenumber.ts';
import { coreFixture, smsText } from '../helpers/core.ts';
import { ScriptedGateway } from '../helpers/scripted-gateway.ts';

const phones = new LibPhoneNumberInspector();
const PERM: SendResult = { ok: false, kind: 'permanent', error: 'refused' };
const DOWN: SendResult = { ok: false, kind: 'transient', error: 'HTTP 503' };
const MSG = 'code {{code}}';
const POLICY = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 };

function rig(scripts: Record<string, (SendResult | 'hang')[]>, routes?: Partial<RouteTable>) {
  const f = coreFixture();
  const gateways = Object.entries(scripts).map(([id, s]) => new ScriptedGateway(s, id));
  const ids = gateways.map((g) => g.id);
  const circuit: string[] = [];
  const pool = new GatewayPool({
    gateways,
    clock: f.clock,
    phones,
    breaker: { failureThreshold: 2, cooldownMs: 30_000 },
    routes: { rules: [], defaultSms: ids, email: [], ...routes },
    onCircuit: (g, s) => circuit.push(`${g}:${s}`),
  });
  const attempts: string[] = [];
  const d = new Dispatcher({
    store: f.store,
    pool,
    keys: f.keys,
    clock: f.clock,
    random01: () => 1,
    options: { pollMs: 1000, leaseMs: 30_000, sendTimeoutMs: 50, concurrency: 4, ...POLICY },
    events: { attempt: (g, o) => attempts.push(`${g}:${o}`), error: (e) => assert.fail(String(e)) },
  });
  const run = async () => {
    for (let i = 0; i < 5; i++) {
      await d.tick();
      await d.idle();
    }
  };
  const send = (phone = '+34629255833') => f.verifier.sendCode('c', { to: phone, template: smsText('code {{code}}') });
  const g = (id: string) => gateways.find((x) => x.id === id)!;
  return { f, d, pool, attempts, circuit, run, send, g };
}

test('the route table: prefix and country rules in order, a default for SMS, its own list for email', () => {
  const { pool } = rig(
    { a: [], b: [], c: [] },
    {
      rules: [
        { prefixes: ['+3491'], gateways: ['c'] },
        { countries: ['ES'], gateways: ['b', 'a'] },
      ],
      defaultSms: ['a'],
      email: ['c'],
    },
  );
  assert.deepEqual(pool.plan('sms', '+34912345678'), ['c']);
  assert.deepEqual(pool.plan('sms', '+34629255833'), ['b', 'a']);
  assert.deepEqual(pool.plan('sms', '+447911123456'), ['a']);
  assert.deepEqual(pool.plan('email', 'a@example.com'), ['c']);
});

test('failover: a permanent error moves the message to the next gateway at once; each call is an attempt', async () => {
  const { f, attempts, run, send } = rig({ a: [PERM], b: [] });
  await send();
  await run();
  assert.deepEqual(attempts, ['a:permanent', 'b:sent']);
  const [m] = await f.store.listMessages({ limit: 1 });
  assert.deepEqual([m!.status, m!.gateway, m!.attempts], ['sent', 'b', 2]);
  const tries = await f.store.listAttempts([m!.id]);
  assert.deepEqual(
    tries.map((t) => [t.gateway, t.outcome, t.error]),
    [
      ['a', 'permanent', 'refused'],
      ['b', 'sent', null],
    ],
  );
});

test('failover on a timeout; a permanent error on the last gateway fails the message', async () => {
  const t = rig({ a: ['hang'], b: [] });
  await t.send();
  await t.run();
  assert.deepEqual(t.attempts, ['a:transient', 'b:sent']);

  const p = rig({ a: [PERM], b: [PERM] });
  await p.send();
  await p.run();
  p.f.clock.advance(3_600_000);
  await p.run();
  assert.deepEqual(p.attempts, ['a:permanent', 'b:permanent']);
  assert.equal((await p.f.store.listMessages({ limit: 1 }))[0]!.status, 'failed');
});

test('a transient error retries the same gateway after a backoff instead of failing over', async () => {
  const { f, attempts, run, send } = rig({ a: [DOWN], b: [] });
  await send();
  await run();
  assert.deepEqual(attempts, ['a:transient']);
  f.clock.advance(1000);
  await run();
  assert.deepEqual(attempts, ['a:transient', 'a:sent']);
});

test('an open circuit is skipped, no call; its cool-down starts at 1 s and doubles after a failed trial', async () => {
  const { f, pool, attempts, circuit, run, send } = rig({ a: [DOWN, DOWN, DOWN], b: [] });
  await send('+34629250001');
  await send('+34629250002');
  await run();
  assert.deepEqual(attempts, ['a:transient', 'a:transient'], "two failures open a's circuit");
  assert.deepEqual(circuit, ['a:open']);
  const opened = f.clock.now();
  assert.equal(pool.breaker('a').openUntil(), opened + 1000, 'the first cool-down is 1 s');
  f.clock.advance(1000);
  await run();
  // Both retries are due as the cool-down ends: one is a's trial (it fails again), the other,
  // finding the trial taken, fails over to b.
  assert.deepEqual(attempts.slice(2).sort(), ['a:transient', 'b:sent']);
  assert.deepEqual(circuit, ['a:open', 'a:half-open', 'a:open']);
  assert.equal(pool.breaker('a').openUntil(), opened + 1000 + 2000, 'a failed trial doubles the cool-down');
  f.clock.advance(2000);
  await run();
  assert.equal(attempts.at(-1), 'a:sent', 'the next trial went to a and closed the circuit');
  assert.deepEqual(circuit.slice(-2), ['a:half-open', 'a:closed']);
  assert.equal(pool.breaker('a').lastError, '', 'a closed circuit forgets its last error');
});

test('no gateway of the route can send: deferred, no attempt spent, its last error says why', async () => {
  // b can send, so the dispatcher claims; this number's route is a alone, whose circuit is open.
  const { f, pool, attempts, run, send } = rig({ a: [], b: [] }, { rules: [{ prefixes: ['+34'], gateways: ['a'] }] });
  pool.breaker('a').failure('HTTP 503');
  pool.breaker('a').failure('HTTP 503');
  await send();
  await run();
  const [m] = await f.store.listMessages({ limit: 1 });
  assert.deepEqual([m!.status, m!.attempts], ['queued', 0]);
  assert.equal(m!.lastError, 'no gateway can send now: a: circuit open after: HTTP 503');
  assert.deepEqual(await f.store.listAttempts([m!.id]), []);
  assert.deepEqual(attempts, []);
  // The cool-down (1 s) plus at most DEFER_JITTER_MS (random01 = 1 here: all of it).
  f.clock.advance(2000);
  await run();
  const [after] = await f.store.listMessages({ limit: 1 });
  assert.deepEqual([after!.status, after!.attempts, after!.gateway], ['sent', 1, 'a']);
});

test('while no gateway at all can send, nothing is claimed; sending resumes when one can', async () => {
  const { f, pool, attempts, run, send } = rig({ a: [] });
  pool.breaker('a').failure('HTTP 503');
  pool.breaker('a').failure('HTTP 503');
  await send();
  for (let i = 0; i < 3; i++) {
    f.clock.advance(300);
    await run();
  }
  const [m] = await f.store.listMessages({ limit: 1 });
  assert.deepEqual(
    [m!.status, m!.attempts, m!.lastError],
    ['queued', 0, 'no gateway can send now: a: circuit open after: HTTP 503'],
    'nothing spent, and the message says why it waits',
  );
  f.clock.advance(100);
  await run();
  assert.deepEqual(attempts, ['a:sent']);
});

test('a transient refusal never ends a message whose code is valid; timeouts and refusals do', () => {
  const at = { attempt: 5, step: 0, routeLength: 1, now: 0 };
  const once = (r: SendResult, o: Partial<typeof at> & { validUntil?: number }) =>
    decide(r, { ...at, ...o }, POLICY, () => 1);
  assert.deepEqual(once(DOWN, {}), { kind: 'final' }, 'no expiry: out of attempts');
  assert.equal(once(DOWN, { validUntil: 60_000 }).kind, 'retry', 'waits for the gateway');
  assert.deepEqual(once(DOWN, { now: 60_000, validUntil: 60_000 }), { kind: 'final' }, 'its code has expired');
  const timeout: SendResult = { ok: false, kind: 'transient', timeout: true, error: 'no answer' };
  assert.deepEqual(once(timeout, { validUntil: 60_000 }), { kind: 'final' }, 'a timeout may have sent it');
  assert.deepEqual(once(PERM, { validUntil: 60_000 }), { kind: 'final' });
});

test('a route shortened by a configuration change: the stored step is clamped to the last gateway', async () => {
  const { f, run, send, d } = rig({ a: [] });
  await send();
  const [m] = await f.store.claimMessages(f.clock.now(), 30_000, 1);
  await f.store.completeAttempt({
    messageId: m!.id,
    attempt: 1,
    gateway: 'gone',
    startedAt: 0,
    finishedAt: 0,
    outcome: 'permanent',
    error: 'x',
    retryAt: f.clock.now(),
    nextRouteStep: 3,
  });
  await run();
  void d;
  const [after] = await f.store.listMessages({ limit: 1 });
  assert.deepEqual([after!.status, after!.gateway], ['sent', 'a']);
});

test("waiting for a slot of a gateway's send rate is not a gateway timeout and does not open its circuit", async () => {
  const f = coreFixture();
  const g = new ScriptedGateway([], 'slow-rate');
  const pool = new GatewayPool({
    gateways: [g],
    clock: f.clock,
    phones,
    breaker: { failureThreshold: 1, cooldownMs: 30_000 },
    routes: { rules: [], defaultSms: ['slow-rate'], email: [] },
    rates: { 'slow-rate': 1 },
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      }),
  });
  const outcomes: string[] = [];
  const d = new Dispatcher({
    store: f.store,
    pool,
    keys: f.keys,
    clock: f.clock,
    random01: () => 1,
    options: { pollMs: 1000, leaseMs: 40, sendTimeoutMs: 10, concurrency: 4, ...POLICY },
    events: { attempt: (_g, o) => outcomes.push(o), error: (e) => assert.fail(String(e)) },
  });
  await f.verifier.sendCode('c', { to: '+34629250001', template: smsText(MSG) });
  await f.verifier.sendCode('c', { to: '+34629250002', template: smsText(MSG) });
  await d.tick();
  await d.idle();
  assert.deepEqual(outcomes.sort(), ['sent', 'transient'], 'the second waited for a slot past half the lease');
  assert.equal(pool.breaker('slow-rate').state, 'closed');
  const views = await f.store.listMessages({ limit: 2 });
  assert.ok(views.some((v) => /send-rate queue/.test(v.lastError ?? '')));
});

test("decide: failover, backoff with the provider's Retry-After, and the attempt cap", () => {
  const at = { attempt: 1, step: 0, routeLength: 2, now: 1000 };
  assert.deepEqual(
    decide({ ok: true, providerMessageId: 'x' }, at, POLICY, () => 1),
    { kind: 'sent' },
  );
  assert.deepEqual(
    decide(PERM, at, POLICY, () => 1),
    { kind: 'retry', retryAt: 1000, routeStep: 1 },
  );
  assert.deepEqual(
    decide(PERM, { ...at, step: 1 }, POLICY, () => 1),
    { kind: 'final' },
  );
  assert.deepEqual(
    decide({ ...DOWN, retryAfterMs: 7000 }, at, POLICY, () => 1),
    { kind: 'retry', retryAt: 8000, routeStep: 0 },
  );
  assert.deepEqual(
    decide({ ...DOWN, retryAfterMs: 10 * 86_400_000 }, at, POLICY, () => 1),
    { kind: 'retry', retryAt: 61_000, routeStep: 0 },
    'Retry-After is capped',
  );
  assert.deepEqual(
    decide({ ...DOWN, timeout: true }, { ...at, step: 1 }, POLICY, () => 1),
    { kind: 'retry', retryAt: 2000, routeStep: 0 },
  );
  assert.deepEqual(
    decide(DOWN, { ...at, attempt: 5 }, POLICY, () => 1),
    { kind: 'final' },
  );
});

test('circuit breaker: half-open lets one trial through; a failed trial re-opens it', () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100 }, clock);
  b.failure();
  assert.equal(b.allow(), false);
  clock.advance(100);
  assert.equal(b.allow(), true);
  assert.equal(b.allow(), false, 'only one trial at a time');
  b.failure();
  assert.equal(b.state, 'open');
  clock.advance(100);
  assert.equal(b.allow(), true);
  b.success();
  assert.equal(b.state, 'closed');
});

test('throttle: callers queue for slots at the configured rate', async () => {
  const clock = new ManualClock(0);
  const waits: number[] = [];
  const t = new Throttle(4, clock, async (ms) => {
    waits.push(ms);
  });
  const signal = new AbortController().signal;
  for (let i = 0; i < 4; i++) await t.acquire(signal);
  assert.deepEqual(waits, [250, 500, 750]);
  clock.advance(2000);
  await t.acquire(signal);
  assert.deepEqual(waits, [250, 500, 750], 'an idle gateway has a slot at once');
});
