// Rotating addresses inside one network: a new IPv6 /64 of the same /48 each time (or a new IPv4 of
// the same /24) spends the network's budget, where the per-IP limit alone sees fresh addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreFixture, smsText } from '../helpers/core.ts';
import { OtpdError } from '../../src/core/errors.ts';

const send = (f: ReturnType<typeof coreFixture>, i: number, ip: string) =>
  f.verifier
    .sendCode(
      'shop',
      { to: `+3462925${String(1000 + i)}`, template: smsText('Your code is {{code}}') },
      {
        ip,
        ipProxied: true,
      },
    )
    .then(
      () => 'ok',
      (e: unknown) => (e instanceof OtpdError ? e.code : String(e)),
    );

test('a new /64 inside one /48 each time is one network; another /48 has its own budget', async () => {
  const f = coreFixture({ OTPD_VELOCITY_IP: '20', OTPD_VELOCITY_NET: '5' });
  const outcomes = [];
  for (let i = 0; i < 7; i++) outcomes.push(await send(f, i, `2001:db8:7:${i.toString(16)}::1`));
  assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok', 'ok', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
  assert.ok(f.abuse.every((e) => e.reason === 'velocity_ip'));
  assert.equal(await send(f, 8, '2001:db8:8::1'), 'ok');
  for (let i = 0; i < 5; i++) assert.equal(await send(f, 10 + i, `203.0.113.${i + 1}`), 'ok');
  assert.equal(await send(f, 20, '203.0.113.99'), 'TOO_MANY_REQUESTS', 'an IPv4 /24 likewise');
  await f.store.close();
});
