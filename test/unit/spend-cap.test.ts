// The spend cap: with prices configured, each tenant's spend per destination country and hour is
// capped at a multiple of its learnt baseline (and a floor), whatever the range guard has decided.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreFixture, smsText } from '../helpers/core.ts';
import { OtpdError } from '../../src/core/errors.ts';

const MSG = 'Your code is {{code}}';
// 0.10 per message: the default floor of 2.00 an hour is 20 messages, a burst of 5.
const PRICED = (_to: string, segments: number) => 100_000 * segments;
const gb = (i: number) => `+4479${String(11_000_000 + i * 7).padStart(8, '0')}`;

async function sendAll(f: ReturnType<typeof coreFixture>, client: string, count: number, from = 0) {
  let accepted = 0;
  for (let i = from; i < from + count; i++) {
    try {
      await f.verifier.sendCode(client, { to: gb(i), template: smsText(MSG) });
      accepted += 1;
    } catch (e) {
      assert.ok(e instanceof OtpdError && e.code === 'TOO_MANY_REQUESTS', String(e));
    }
  }
  return accepted;
}

test('a country new to a tenant gets the floor; a learnt baseline raises it; no prices, no cap', async () => {
  const f = coreFixture({ OTPD_VELOCITY_CLIENT: '0', OTPD_RANGE_GUARD: 'true' }, { pricing: PRICED });
  assert.equal(await sendAll(f, 'shop', 10), 5, 'the floor: 2.00 an hour at 0.10, a quarter of it at once');
  assert.ok(f.abuse.some((e) => e.reason === 'spend_cap'));
  f.clock.advance(3 * 60_000);
  assert.equal(await sendAll(f, 'shop', 10, 10), 1, 'then 20 an hour');
  assert.equal(await sendAll(f, 'other', 5), 5, 'per tenant');

  await f.store.replaceBaselines([
    { clientId: 'shop', scope: 't:shop:country:GB', sentPerHour: 100, validatedPerHour: 90, updatedAt: f.clock.now() },
  ]);
  f.clock.advance(3_600_000);
  assert.equal(await sendAll(f, 'shop', 100, 100), 75, '3 × 100 an hour: a quarter of it at once');

  const free = coreFixture({ OTPD_VELOCITY_CLIENT: '0', OTPD_RANGE_GUARD: 'true' });
  assert.equal(await sendAll(free, 'shop', 30), 30);
  await Promise.all([f.store.close(), free.store.close()]);
});
