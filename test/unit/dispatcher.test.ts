import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SendResult } from '../../src/core/ports/gateway.ts';
import { ScriptedGateway } from '../helpers/scripted-gateway.ts';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.ts';
import { DevOutboxGateway } from '../../src/gateways/dev-outbox.ts';
import { backoffDelay } from '../../src/delivery/backoff.ts';
import { coreFixture, smsText } from '../helpers/core.ts';
import { GatewayPool } from '../../src/delivery/gateway-pool.ts';
import { LibPhoneNumberInspector } from '../../src/phone/libphonenumber.ts';

const OPTIONS: DispatcherOptions = {
  pollMs: 1000,
  leaseMs: 30_000,
  maxAttempts: 3,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  sendTimeoutMs: 50,
  concurrency: 4,
};

function setup(script: (SendResult | 'hang' | 'throw')[], options = OPTIONS) {
  const f = coreFixture();
  const gateway = new ScriptedGateway(script);
  const attempts: string[] = [];
  const errors: unknown[] = [];
  const d = new Dispatcher({
    store: f.store,
    pool: GatewayPool.single(gateway, f.clock, new LibPhoneNumberInspector()),
    keys: f.keys,
    clock: f.clock,
    options,
    random01: () => 1,
    events: { attempt: (_g, outcome) => attempts.push(outcome), error: (e) => errors.push(e) },
  });
  const run = async () => {
    await d.tick();
    await d.idle();
  };
  return { f, d, gateway, attempts, errors, run };
}

const send = (f: ReturnType<typeof coreFixture>) =>
  f.verifier.sendCode('c', { to: '+34629255833', template: smsText('code {{code}}') });

test('a message is decrypted, sent once, and marked sent with its attempt recorded', async () => {
  const { f, gateway, attempts, run } = setup([]);
  await send(f);
  await run();
  assert.equal(gateway.sent.length, 1);
  assert.equal(gateway.sent[0]!.text, `code ${f.lastCode()}`);
  assert.equal(gateway.sent[0]!.to, '+34629255833');
  assert.deepEqual(attempts, ['sent']);
  const [view] = await f.store.listMessages({ limit: 1 });
  assert.equal(view!.status, 'sent');
  await run();
  assert.equal(gateway.sent.length, 1, 'a sent message is not sent again');
});

test('transient failures retry after an exponential backoff, then succeed', async () => {
  const fail: SendResult = { ok: false, kind: 'transient', error: 'throttled' };
  const { f, gateway, attempts, run } = setup([fail, fail]);
  await send(f);
  await run();
  f.clock.advance(999);
  await run();
  assert.equal(gateway.sent.length, 1, 'not before the first backoff (1 s)');
  f.clock.advance(1);
  await run();
  assert.equal(gateway.sent.length, 2);
  f.clock.advance(1999);
  await run();
  assert.equal(gateway.sent.length, 2, 'the second backoff doubles (2 s)');
  f.clock.advance(1);
  await run();
  assert.deepEqual(attempts, ['transient', 'transient', 'sent']);
  assert.equal((await f.store.listMessages({ limit: 1 }))[0]!.status, 'sent');
});

test('a permanent failure stops at once; timeouts exhaust the attempts; refusals wait for the code', async () => {
  const perm = setup([{ ok: false, kind: 'permanent', error: 'unroutable' }]);
  await send(perm.f);
  await perm.run();
  perm.f.clock.advance(3_600_000);
  await perm.run();
  assert.equal(perm.gateway.sent.length, 1);
  assert.equal((await perm.f.store.listMessages({ limit: 1 }))[0]!.status, 'failed');

  // A timeout may have sent the SMS: maxAttempts (3) of them abandon the message.
  const hung = setup(['hang', 'hang', 'hang', 'hang']);
  await send(hung.f);
  for (let i = 0; i < 5; i++) {
    await hung.run();
    hung.f.clock.advance(60_000);
  }
  assert.equal(hung.gateway.sent.length, 3);
  const [gaveUp] = await hung.f.store.listMessages({ limit: 1 });
  assert.equal(gaveUp!.status, 'abandoned');

  // A refusal proves nothing was sent: the message keeps trying past maxAttempts while its code
  // lives (5 minutes), then is expired, never sent late.
  const t: SendResult = { ok: false, kind: 'transient', error: 'down' };
  const tr = setup(Array.from({ length: 100 }, () => t));
  await send(tr.f);
  for (let i = 0; i < 8; i++) {
    await tr.run();
    tr.f.clock.advance(60_000);
  }
  assert.ok(tr.gateway.sent.length > 3, `tried ${tr.gateway.sent.length} times`);
  const [view] = await tr.f.store.listMessages({ limit: 1 });
  assert.equal(view!.status, 'expired');
});

test('a gateway that hangs or throws counts as a transient failure', async () => {
  const { f, attempts, run } = setup(['hang', 'throw']);
  await send(f);
  await run();
  f.clock.advance(60_000);
  await run();
  f.clock.advance(60_000);
  await run();
  assert.deepEqual(attempts, ['transient', 'transient', 'sent']);
});

test('the loop wakes on a new message and drains on stop', async () => {
  const { f, d, gateway } = setup([]);
  d.start();
  await send(f);
  d.wake();
  for (let i = 0; i < 100 && gateway.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  await d.stop();
  assert.equal(gateway.sent.length, 1);
});

test('the development outbox keeps the delivered text for the developer', async () => {
  const f = coreFixture();
  const d = new Dispatcher({
    store: f.store,
    pool: GatewayPool.single(new DevOutboxGateway(f.store, f.clock), f.clock, new LibPhoneNumberInspector()),
    keys: f.keys,
    clock: f.clock,
    options: OPTIONS,
    events: { attempt: () => {}, error: (e) => assert.fail(String(e)) },
  });
  await send(f);
  await d.tick();
  await d.idle();
  const [m] = await f.store.listDevMessages('+34629255833', 5);
  assert.equal(m!.text, `code ${f.lastCode()}`);
});

test('backoff doubles up to its cap, with full jitter', () => {
  assert.equal(
    backoffDelay(1, 1000, 60_000, () => 1),
    1000,
  );
  assert.equal(
    backoffDelay(3, 1000, 60_000, () => 1),
    4000,
  );
  assert.equal(
    backoffDelay(20, 1000, 60_000, () => 1),
    60_000,
  );
  assert.equal(
    backoffDelay(3, 1000, 60_000, () => 0.5),
    2000,
  );
});
