// The proof of work a throttled range may ask for instead of refusing: bound to the tenant and the
// number, signed, expiring; solving it lets one send through the throttle, never through a block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { KeyRing } from '../../src/core/keyring.ts';
import { ChallengeRequired, ProofOfWork, leadingZeroBits, solve } from '../../src/core/fraud/challenge.ts';
import { OtpdError } from '../../src/core/errors.ts';
import { coreFixture, smsText } from '../helpers/core.ts';
import type { SendContext } from '../../src/core/verification.ts';

const pow = (clock: ManualClock, keys: KeyRing, difficultyBits = 10) =>
  new ProofOfWork({ difficultyBits, ttlMs: 300_000, mac: (d) => keys.phoneIndex(d), clock });

test('leading zero bits are counted across bytes', () => {
  assert.equal(leadingZeroBits(Buffer.from([0, 0, 0x80])), 16);
  assert.equal(leadingZeroBits(Buffer.from([0, 0x01])), 15);
  assert.equal(leadingZeroBits(Buffer.from([0xff])), 0);
});

test('a solution counts only for its tenant and number, unaltered, before it expires', () => {
  const clock = new ManualClock();
  const p = pow(clock, new KeyRing('challenge-secret-0123456789-0123456789'));
  const c = p.issue('shop', '+447911123456');
  const s = solve(c);
  assert.equal(p.verify(s, 'shop', '+447911123456'), true);
  assert.equal(p.verify(s, 'other', '+447911123456'), false, 'another tenant');
  assert.equal(p.verify(s, 'shop', '+447911123457'), false, 'another number');
  assert.equal(p.verify({ ...s, nonce: `${s.nonce}x` }, 'shop', '+447911123456'), false, 'not a solution');
  const [payload, mac] = c.token.split('.');
  const easier = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), d: 0 }),
  ).toString('base64url');
  assert.equal(p.verify({ token: `${easier}.${mac}`, nonce: '0' }, 'shop', '+447911123456'), false, 'tampered');
  assert.equal(p.verify({ token: 'x', nonce: '0' }, 'shop', '+447911123456'), false, 'garbage');
  const forged = pow(clock, new KeyRing('another-secret-0123456789-0123456789')).issue('shop', '+447911123456');
  assert.equal(p.verify(solve(forged), 'shop', '+447911123456'), false, "another server key's challenge");
  clock.advance(300_000);
  assert.equal(p.verify(s, 'shop', '+447911123456'), false, 'expired');
});

test('a throttled range answers a surface that accepts challenges with one; its solution passes', async () => {
  const f = coreFixture({ OTPD_RANGE_GUARD: 'true' }, { challenges: (clock, keys) => pow(clock, keys) });
  const now = f.clock.now();
  const row = { until: now + 900_000, shadow: false, reason: 'mixed', createdAt: now, strikes: 0, perHour: 6 };
  await f.store.putBlocks([{ scope: 't:shop:range:+447911', action: 'throttle', ...row }]);
  const send = (phone: string, challenge?: SendContext['challenge']) =>
    f.verifier.sendCode('shop', { to: phone, template: smsText('Your code is {{code}}') }, { challenge });
  await send('+447911000001');
  await assert.rejects(send('+447911000002'), (e) => e instanceof OtpdError && !(e instanceof ChallengeRequired));
  const refused = await send('+447911000003', { accepts: true }).catch((e: unknown) => e);
  assert.ok(refused instanceof ChallengeRequired, String(refused));
  assert.equal(refused.code, 'TOO_MANY_REQUESTS', 'a plain 429 to a surface that does not know challenges');
  const solution = solve(refused.challenge);
  await send('+447911000003', { accepts: true, solution });
  await assert.rejects(send('+447911000004', { solution }), 'bound to its number');

  await f.store.putBlocks([{ scope: 't:shop:range:+447912', action: 'block', ...row, strikes: 1 }]);
  const c = pow(f.clock, f.keys).issue('shop', '+447912000001');
  await assert.rejects(
    send('+447912000001', { solution: solve(c) }),
    (e) => e instanceof OtpdError && e.code === 'RECIPIENT_NOT_ALLOWED',
    'a block is not ambiguous: no work gets through it',
  );
  await f.store.close();
});
