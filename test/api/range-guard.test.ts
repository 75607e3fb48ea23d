// The range guard through the CAMARA API of a running otpd: its fraud-signal headers, a decision
// taken from real sends, the refusal in CAMARA's format, who gets through anyway (a trusted user, a
// number that validated before, another tenant), and what operators see.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, startTestServer, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';

const MSG = 'Your code is {{code}}';
const NOT_ALLOWED = {
  status: 403,
  code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED',
  message: "Phone_number can't receive an SMS due to business reasons in the operator.",
};
const RANGE = '+447451';
const KNOWN = `${RANGE}000042`;
const number = (i: number) => `${RANGE}${String((i * 104_729 + 13) % 1_000_000).padStart(6, '0')}`;

let s: TestServer;
before(async () => {
  s = await startTestServer({ OTPD_TRUSTED_PROXIES: '127.0.0.1' });
});
after(() => s.close());

const send = (phone: string, headers: Record<string, string> = {}, key?: string) =>
  s.post(
    SEND,
    { phoneNumber: phone, message: MSG },
    { headers: { 'x-forwarded-for': '198.51.100.7', ...headers }, ...(key ? { key } : {}) },
  );

test('fraud signals: malformed headers are a CAMARA 400 and store nothing', async () => {
  const cases: [Record<string, string>, string][] = [
    [{ 'x-otpd-trusted-user': 'yes' }, 'x-otpd-trusted-user must be true or false'],
    [{ 'x-otpd-device-id': 'has spaces in it' }, 'x-otpd-device-id must be 1 to 200 visible ASCII characters'],
    [{ 'x-otpd-user-agent': 'x'.repeat(513) }, 'x-otpd-user-agent must be 1 to 512 characters'],
  ];
  for (const [headers, message] of cases) {
    assertError(await send(number(900), headers), { status: 400, code: 'INVALID_ARGUMENT', message });
  }
  assert.deepEqual(await s.server.store.recentSends(0, Number.MAX_SAFE_INTEGER, 10), []);
  const ok = await send(number(901), {
    'x-otpd-device-id': 'install-4f2a',
    'x-otpd-user-agent': 'Mozilla/5.0 (Android 15)',
    'x-otpd-trusted-user': 'false',
  });
  assert.equal(ok.status, 200);
  const [fact] = await s.server.store.recentSends(0, Number.MAX_SAFE_INTEGER, 10);
  assert.equal(fact?.block, number(901).slice(0, -2));
  assert.equal(fact?.sources.length, 3, 'end-user IP, its network and the device, as keyed tags');
  assert.ok(!fact?.sources.some((t) => t.includes('198.51') || t.includes('install')), 'never the values');
});

test('pumped sends make the guard throttle, then block, their range for this tenant, with exceptions', async () => {
  // A real user in the range: the first decision is a throttle, not a block.
  const { authenticationId, code } = await s.sendAndRead(KNOWN);
  assert.equal((await s.post(VALIDATE, { authenticationId, code })).status, 204);
  for (let i = 0; i < 10; i++) assert.equal((await send(number(i))).status, 200);
  s.clock.advance(5 * 60_000);
  const first = await s.server.rangeGuard.runOnce();
  assert.deepEqual(
    first.map((v) => [v.block.scope, v.block.action, v.block.perHour]),
    [[`t:tenant-a:range:${RANGE}`, 'throttle', 6]],
  );
  assert.equal((await send(number(50))).status, 200, 'the throttle admits its burst');
  assertError(await send(number(51)), { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Rate limit reached.' });
  assert.equal((await send(number(52), { 'x-otpd-trusted-user': 'true' })).status, 200, 'the tenant vouches');
  assert.equal((await send(KNOWN)).status, 200, 'a number that validated before');
  const other = await s.createKey({ clientId: 'tenant-c' });
  assert.equal((await send(number(53), {}, other.secret)).status, 200, 'another tenant is not touched');

  // Nothing the throttle let through was validated: a block, the range's first strike.
  s.clock.advance(5 * 60_000);
  const second = await s.server.rangeGuard.runOnce();
  assert.deepEqual(
    second.map((v) => [v.block.action, v.block.strikes]),
    [['block', 1]],
  );
  assertError(await send(number(54)), NOT_ALLOWED);

  const listed = await s.get('/admin/abuse/blocks', { key: s.operatorKey });
  const [row] = listed.body.blocks;
  assert.deepEqual([row.source, row.clientId, row.action, row.strikes], ['range_guard', 'tenant-a', 'block', 1]);
  assert.match(row.reason, /throttle let through/);
  const metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
  assert.match(metrics, /otpd_range_guard_decisions_total\{action="throttle",kind="range",shadow="false"\} 1/);
  assert.match(metrics, /otpd_range_guard_decisions_total\{action="block",kind="range",shadow="false"\} 1/);
  assert.match(metrics, /otpd_abuse_refusals_total\{reason="range_throttle",shadow="false"\} 1/);
  assert.match(metrics, /otpd_abuse_refusals_total\{reason="range_block",shadow="false"\} 1/);
});
