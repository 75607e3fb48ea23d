import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startVendor, TWILIO, twilioSpec, type FakeVendor } from '../helpers/fake-vendors.ts';
import { mobile, SEND, startTestServer, type TestServer } from '../helpers/server.ts';

// A provider that stalls: at most two calls in flight (its own limit), held unanswered until the
// test releases them. Codes accepted meanwhile queue in the store.
let tw: FakeVendor;
let s: TestServer;

before(async () => {
  tw = await startVendor(twilioSpec('http://otpd.test/callbacks/twilio'));
  s = await startTestServer(
    { OTPD_DISPATCH_MAX_QUEUE_AGE_SECONDS: '5', OTPD_DISPATCH_TIMEOUT_MS: '25000' },
    {
      configYaml: `
delivery:
  publicUrl: http://otpd.test
  gateways:
    - { id: twilio, type: http, preset: twilio, accountSid: ${TWILIO.accountSid}, authToken: ${TWILIO.authToken},
        from: '${TWILIO.from}', baseUrl: '${tw.url}', maxInFlight: 2 }
`,
    },
  );
});
after(async () => {
  tw?.release();
  await s?.close();
  await tw?.stop();
});

/** Lets the dispatcher run until `done` holds (it is event-driven: no clock needs to move). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) {
    await s.server.dispatcher.tick();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(done(), what);
}

const metric = async (name: string): Promise<number> => {
  const text = (await s.get('/metrics', { key: s.operatorKey })).body as string;
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');
};

const send = (n: number) => s.post(SEND, { phoneNumber: mobile(n), message: '{{code}} is your code' });

test('a stalled gateway: new codes get 503 and Retry-After once delivery is behind; newest first after', async () => {
  tw.mode('hold');
  for (const n of [1, 2]) assert.equal((await send(n)).status, 200);
  await until(() => tw.held() === 2, 'both calls reach the provider and stall there');
  // Queued behind the stalled calls, one second apart.
  for (const n of [3, 4, 5, 6, 7]) {
    s.clock.advance(1000);
    assert.equal((await send(n)).status, 200, 'delivery is behind by less than the limit');
  }
  await s.server.backlog.refresh();
  assert.equal(s.server.backlog.ageMs(), 4000, 'the oldest queued code has waited 4 s');
  s.clock.advance(1001);
  await s.server.backlog.refresh();

  const before503 = (await s.server.store.listMessages({ limit: 100 })).length;
  const refused = await send(8);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '5');
  assert.equal(refused.body.status, 503);
  assert.equal(refused.body.code, 'UNAVAILABLE');
  assert.match(refused.body.message, /delivery has fallen behind/);
  assert.equal((await s.server.store.listMessages({ limit: 100 })).length, before503, 'nothing was queued');
  const malformed = await s.post(SEND, { phoneNumber: mobile(8), message: `{{code}} ${'ж'.repeat(150)}` });
  assert.equal(malformed.status, 400, 'a malformed request is still told what is wrong with it');
  assert.equal(await metric('otpd_backpressure_refusals_total'), 1);
  assert.equal(await metric('otpd_delivery_queue_age_seconds'), 5.001);

  // The provider recovers: two calls at a time, the newest queued codes first.
  tw.mode('ok');
  tw.release();
  await until(() => tw.received().length === 7, 'every accepted code reaches the provider');
  const order = tw.received().map((m) => m.to);
  const rounds = [order.slice(2, 4), order.slice(4, 6), order.slice(6)].map((r) => r.sort());
  assert.deepEqual(rounds, [[mobile(6), mobile(7)].sort(), [mobile(4), mobile(5)].sort(), [mobile(3)]]);

  await s.server.dispatcher.idle();
  await s.server.backlog.refresh();
  assert.equal(s.server.backlog.ageMs(), 0);
  assert.equal((await send(9)).status, 200, 'caught up: codes are accepted again');
  const statuses = (await s.server.store.listMessages({ limit: 100 })).map((m) => m.status);
  assert.ok(!statuses.includes('expired') && !statuses.includes('abandoned'), statuses.join());
});
