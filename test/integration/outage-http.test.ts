// The same outage rules for an HTTP provider (a local server speaking Twilio's API) that refuses
// every message for a while: the circuit opens, waiting messages spend no attempts, trials probe
// the provider on a growing cool-down, and once it answers again every code still valid goes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DevInbox } from '../../src/core/ports/store.ts';
import { GatewayPool } from '../../src/delivery/gateway-pool.ts';
import { callbackUrl, createGateway } from '../../src/gateways/from-config.ts';
import { LibPhoneNumberInspector } from '../../src/phone/libphonenumber.ts';
import { coreFixture, smsText } from '../helpers/core.ts';
import { TEST_DISPATCH, testDispatcher } from '../helpers/dispatch.ts';
import { TWILIO, startVendor, twilioSpec } from '../helpers/fake-vendors.ts';

const MIN = 60_000;
const PUBLIC = 'https://otpd.example.test';
const phone = (i: number) => `+346292${String(60_000 + i).padStart(5, '0')}`;

for (const outageMs of [10_000, 60_000, 4 * MIN]) {
  test(`an HTTP provider refusing all for ${outageMs / 1000} s: nothing abandoned, all sent after`, async (t) => {
    const f = coreFixture();
    const config = { type: 'http', preset: 'twilio', id: 'twilio', ...TWILIO, baseUrl: 'http://x' } as const;
    const vendor = await startVendor(twilioSpec(callbackUrl(config, PUBLIC)!));
    const gateway = createGateway(
      { ...config, baseUrl: vendor.url },
      { inbox: {} as DevInbox, clock: f.clock, publicUrl: PUBLIC },
    );
    const pool = new GatewayPool({
      gateways: [gateway],
      clock: f.clock,
      phones: new LibPhoneNumberInspector(),
      routes: { rules: [], defaultSms: ['twilio'], email: [] },
      breaker: { failureThreshold: 5, cooldownMs: 30_000 },
    });
    const { d, run } = testDispatcher(f, pool, { ...TEST_DISPATCH, sendTimeoutMs: 5000 });
    t.after(async () => {
      await d.stop();
      await vendor.stop();
      await f.store.close();
    });
    vendor.mode('transient'); // Twilio's 429 (20429) with Retry-After, as its API throttles
    for (let i = 0; i < 30; i++) {
      await f.verifier.sendCode('c', { to: phone(i), template: smsText('code {{code}}') });
      await run(outageMs / 30);
    }
    const during = await f.store.listMessages({ limit: 100 });
    assert.deepEqual([...new Set(during.map((m) => m.status))], ['queued'], 'nothing abandoned during the outage');
    const calls = vendor.received().length;
    assert.ok(calls < 30 + outageMs / 1000, `the provider is probed, not hammered: ${calls} calls`);
    vendor.mode('ok');
    // The next trial comes within the cool-down, at most 30 s.
    await run(35_000);
    const after = await f.store.listMessages({ limit: 100 });
    assert.deepEqual([...new Set(after.map((m) => m.status))], ['sent']);
    const sent = vendor.received().slice(calls);
    assert.deepEqual([sent.length, new Set(sent.map((r) => r.to)).size], [30, 30], 'each number once after');
  });
}
