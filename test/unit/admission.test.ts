import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtpdError } from '../../src/core/errors.ts';
import { ipKey, logScope, numberPrefix } from '../../src/core/admission.ts';
import { ConversionBreaker, judge } from '../../src/jobs/conversion-breaker.ts';
import { coreFixture, smsText } from '../helpers/core.ts';

const MSG = 'code {{code}}';
const HOUR = 3_600_000;

async function refused(p: Promise<unknown>, code: string, retryAfter?: (s: number) => boolean): Promise<void> {
  await assert.rejects(
    p,
    (e: unknown) => e instanceof OtpdError && e.code === code && (!retryAfter || retryAfter(e.retryAfterSeconds ?? 0)),
  );
}

test('helpers: the prefix drops the last 4 digits; IPv6 keys by /64; log scopes keep only the first digits', () => {
  assert.equal(numberPrefix('+447400123456'), '+44740012');
  assert.equal(ipKey('203.0.113.9'), '203.0.113.9');
  assert.equal(ipKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(ipKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(ipKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(ipKey('2001:db8::5:6:7:8:9'), '2001:db8:0:5::/64', 'the :: stands for as many groups as are missing');
  assert.equal(ipKey('::ffff:203.0.113.9'), '203.0.113.9', 'IPv4-mapped addresses are their IPv4 address');
  assert.equal(logScope('prefix:+44791112'), 'prefix:+4479…');
  assert.equal(logScope('country:GB'), 'country:GB');
});

test('block and safe lists: configured prefixes, run-time rules, and the most specific rule wins', async () => {
  const f = coreFixture({ OTPD_BLOCKED_NUMBERS: '+4474' });
  await refused(f.verifier.sendCode('c', { to: '+447400123456', template: smsText(MSG) }), 'RECIPIENT_BLOCKED');
  await f.store.putNumberRule({ kind: 'safe', prefix: '+447400123456', note: null, createdAt: 0 });
  await f.verifier.sendCode('c', { to: '+447400123456', template: smsText(MSG) });
  await f.store.putNumberRule({ kind: 'block', prefix: '+3462925', note: 'pumped', createdAt: 0 });
  await refused(f.verifier.sendCode('c', { to: '+34629255833', template: smsText(MSG) }), 'RECIPIENT_BLOCKED');
  assert.deepEqual(
    f.abuse.map((e) => e.reason),
    ['block_list', 'block_list'],
  );
});

test("country permissions: the configured default, and a client's own allow list", async () => {
  const f = coreFixture();
  await f.store.putClientPolicy({
    clientId: 'fr-only',
    countries: { mode: 'allow', list: ['FR'] },
    dailyMessages: null,
    dailyBudgetMicros: null,
    updatedAt: 0,
  });
  await refused(
    f.verifier.sendCode('fr-only', { to: '+34629255833', template: smsText(MSG) }),
    'RECIPIENT_NOT_ALLOWED',
  );
  await f.verifier.sendCode('fr-only', { to: '+33612345678', template: smsText(MSG) });
  await f.verifier.sendCode('other', { to: '+34629255833', template: smsText(MSG) });
});

test('prefix velocity: sequential numbers in a 10 000 block run out, not other prefixes or safe numbers', async () => {
  const f = coreFixture({ OTPD_VELOCITY_PREFIX: '3' });
  for (let i = 0; i < 3; i++)
    await f.verifier.sendCode('c', { to: `+4474001234${String(i).padStart(2, '0')}`, template: smsText(MSG) });
  await refused(
    f.verifier.sendCode('c', { to: '+447400123499', template: smsText(MSG) }),
    'TOO_MANY_REQUESTS',
    (s) => s > 1000 && s <= 1200,
  );
  await f.verifier.sendCode('c', { to: '+447400993456', template: smsText(MSG) });
  await f.store.putNumberRule({ kind: 'safe', prefix: '+447400123498', note: null, createdAt: 0 });
  await f.verifier.sendCode('c', { to: '+447400123498', template: smsText(MSG) });
  f.clock.advance(HOUR / 3);
  await f.verifier.sendCode('c', { to: '+447400123497', template: smsText(MSG) });
});

test('velocity per IP: each address has its own budget; an IPv6 /64 shares one', async () => {
  const f = coreFixture({ OTPD_VELOCITY_IP: '2' });
  const send = (n: number, ip: string) =>
    f.verifier.sendCode(
      'c',
      { to: `+3462925${String(n).padStart(4, '0')}`, template: smsText(MSG) },
      { ip, ipProxied: true },
    );
  await send(1, '198.51.100.1');
  await send(2, '198.51.100.1');
  await refused(send(3, '198.51.100.1'), 'TOO_MANY_REQUESTS');
  await send(4, '198.51.100.2');
  await send(5, '2001:db8:1:2::1');
  await send(6, '2001:db8:1:2:ffff::9');
  await refused(send(7, '2001:db8:1:2:1234::1'), 'TOO_MANY_REQUESTS');
  assert.ok(f.abuse.filter((e) => e.reason === 'velocity_ip').length === 2);
});

test("the conversion breaker's blocks refuse sends to their scope; in shadow mode they only report", async () => {
  const f = coreFixture();
  await f.store.putBlocks([
    { scope: 'country:GB', until: f.clock.now() + HOUR, shadow: false, reason: 'test', createdAt: 0 },
  ]);
  await refused(f.verifier.sendCode('c', { to: '+447400123456', template: smsText(MSG) }), 'RECIPIENT_NOT_ALLOWED');
  await f.verifier.sendCode('c', { to: '+34629255833', template: smsText(MSG) });
  await f.store.putBlocks([
    { scope: 'prefix:+3462925', until: f.clock.now() + HOUR, shadow: true, reason: 'test', createdAt: 0 },
  ]);
  await f.verifier.sendCode('c', { to: '+34629255834', template: smsText(MSG) });
  assert.deepEqual(
    f.abuse.map((e) => [e.reason, e.shadow]),
    [
      ['conversion_breaker', false],
      ['conversion_breaker', true],
    ],
  );
  f.clock.advance(HOUR);
  await f.verifier.sendCode('c', { to: '+447400123456', template: smsText(MSG) });
});

test("a client's own daily message limit overrides the default", async () => {
  const f = coreFixture();
  await f.store.putClientPolicy({
    clientId: 'small',
    countries: null,
    dailyMessages: 1,
    dailyBudgetMicros: null,
    updatedAt: 0,
  });
  await f.verifier.sendCode('small', { to: '+34629255833', template: smsText(MSG) });
  await refused(f.verifier.sendCode('small', { to: '+34629255834', template: smsText(MSG) }), 'QUOTA_EXCEEDED');
});

test('the breaker trips the scope that stopped converting and leaves the healthy one open', async () => {
  const f = coreFixture();
  const options = {
    windowMs: HOUR,
    minConversion: 0.2,
    minSentCountry: 5,
    minSentPrefix: 100,
    cooldownMs: HOUR,
    intervalMs: 1000,
    shadow: false,
  };
  for (let i = 0; i < 6; i++) {
    const r = await f.verifier.sendCode('c', { to: `+3462925${String(i).padStart(4, '0')}`, template: smsText(MSG) });
    await f.verifier.validateCode('c', r.authenticationId, f.lastCode());
    await f.verifier.sendCode('c', { to: `+4474001${String(i).padStart(5, '0')}`, template: smsText(MSG) });
  }
  const trips: string[] = [];
  const breaker = new ConversionBreaker({
    store: f.store,
    clock: f.clock,
    options,
    events: { tripped: (b) => trips.push(b.scope), error: (e) => assert.fail(String(e)) },
  });
  assert.deepEqual(await breaker.runOnce(), [], 'nothing has settled yet');
  f.clock.advance(300_001);
  const blocks = await breaker.runOnce();
  assert.deepEqual(
    blocks.map((b) => b.scope),
    ['country:GB'],
  );
  assert.match(blocks[0]!.reason, /0 of 6 codes validated/);
  await refused(f.verifier.sendCode('c', { to: '+447400999999', template: smsText(MSG) }), 'RECIPIENT_NOT_ALLOWED');
  assert.equal(judge([{ scope: 'country:ES', sent: 6, verified: 6 }], options, 0).length, 0);
  assert.equal(
    judge([{ scope: 'country:XX', sent: 4, verified: 0 }], options, 0).length,
    0,
    'below the minimum volume',
  );
});

test('one number, one spelling: a trunk 0 after the country code shares the canonical lists and limits', async () => {
  const f = coreFixture({ OTPD_BLOCKED_NUMBERS: '+447400' });
  await refused(f.verifier.sendCode('c', { to: '+4407400123456', template: smsText(MSG) }), 'RECIPIENT_BLOCKED');
  const g = coreFixture();
  for (let i = 0; i < 5; i++)
    await g.verifier.sendCode('c', { to: i % 2 ? '+4915112345678' : '+49015112345678', template: smsText(MSG) });
  await refused(g.verifier.sendCode('c', { to: '+49015112345678', template: smsText(MSG) }), 'SEND_LIMIT_EXCEEDED');
  const [m] = await g.store.claimMessages(g.clock.now(), 1000, 1);
  assert.equal(m!.recipient, '+4915112345678', 'the message goes to the canonical number');
});

test('numbers outside any country (satellite) are refused by default as country 001, and can be allowed', async () => {
  const f = coreFixture();
  await refused(f.verifier.sendCode('c', { to: '+881631234567', template: smsText(MSG) }), 'RECIPIENT_NOT_ALLOWED');
  await f.store.putClientPolicy({
    clientId: 'sat',
    countries: { mode: 'deny', list: [] },
    dailyMessages: null,
    dailyBudgetMicros: null,
    updatedAt: 0,
  });
  await f.verifier.sendCode('sat', { to: '+881631234567', template: smsText(MSG) });
});

test('velocity is per client: one tenant exhausting a prefix does not lock it for another', async () => {
  const f = coreFixture({ OTPD_VELOCITY_PREFIX: '2', OTPD_VELOCITY_COUNTRY: '3' });
  await f.verifier.sendCode('a', { to: '+447400123401', template: smsText(MSG) });
  await f.verifier.sendCode('a', { to: '+447400123402', template: smsText(MSG) });
  await refused(f.verifier.sendCode('a', { to: '+447400123403', template: smsText(MSG) }), 'TOO_MANY_REQUESTS');
  await f.verifier.sendCode('b', { to: '+447400123404', template: smsText(MSG) });
});

test('the per-IP limit applies to end-user IPs from a trusted proxy, or to any address with scope always', async () => {
  const f = coreFixture({ OTPD_VELOCITY_IP: '1' });
  const send = (n: number, ctx: { ip: string; ipProxied: boolean }) =>
    f.verifier.sendCode('c', { to: `+3462925${String(n).padStart(4, '0')}`, template: smsText(MSG) }, ctx);
  for (let i = 0; i < 3; i++) await send(i, { ip: '192.0.2.1', ipProxied: false });
  await send(10, { ip: '198.51.100.1', ipProxied: true });
  await refused(send(11, { ip: '198.51.100.1', ipProxied: true }), 'TOO_MANY_REQUESTS');
  const g = coreFixture({ OTPD_VELOCITY_IP: '1', OTPD_VELOCITY_IP_SCOPE: 'always' });
  await g.verifier.sendCode('c', { to: '+34629250001', template: smsText(MSG) }, { ip: '192.0.2.1' });
  await refused(
    g.verifier.sendCode('c', { to: '+34629250002', template: smsText(MSG) }, { ip: '192.0.2.1' }),
    'TOO_MANY_REQUESTS',
  );
});

test('a broad safe prefix cannot lift a specific configured block', async () => {
  const f = coreFixture({ OTPD_BLOCKED_NUMBERS: '+447400123456' });
  await f.store.putNumberRule({ kind: 'safe', prefix: '+4474', note: null, createdAt: 0 });
  await refused(f.verifier.sendCode('c', { to: '+447400123456', template: smsText(MSG) }), 'RECIPIENT_BLOCKED');
  await f.verifier.sendCode('c', { to: '+447400123457', template: smsText(MSG) });
});
