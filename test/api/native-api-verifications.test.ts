// The native /v1 API: the life of one verification (start, resend, check by id or by recipient,
// approved, failed, expired, canceled), its send attempts' delivery status, and email.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mobile, startTestServer, type TestServer } from '../helpers/server.ts';
import { ISO, VE_ID, assertProblem, codesFor, deliveredTexts, startAndRead, wrongOf } from '../helpers/native.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const check = (body: Record<string, unknown>) => s.post('/v1/verifications/check', body);

test('a start answers 201 with a new pending verification, the recipient masked', async () => {
  const to = mobile(1);
  const before = s.clock.now();
  const r = await s.post('/v1/verifications', { to });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  const v = r.body;
  assert.match(v.id, VE_ID);
  assert.equal(v.status, 'pending');
  assert.equal(v.channel, 'sms');
  assert.equal(v.to, '+3462*****01');
  assert.ok(!JSON.stringify(v).includes(to.slice(1)), 'the full number is never answered');
  assert.match(v.service, /^VA[0-9a-f]{32}$/);
  assert.equal(v.locale, 'en');
  assert.match(v.createdAt, ISO);
  assert.equal(Date.parse(v.createdAt), before);
  assert.equal(Date.parse(v.expiresAt), before + 300_000);
  assert.deepEqual(v.checks, { used: 0, allowed: 3 });
  assert.equal(v.sendAttempts.length, 1);
  assert.equal(v.sendAttempts[0].channel, 'sms');
  assert.ok(['queued', 'sending', 'sent'].includes(v.sendAttempts[0].status), v.sendAttempts[0].status);
  const [text] = await deliveredTexts(s, to);
  assert.match(text ?? '', /^Your Default verification code is: \d{6}$/);
  // Another number, another verification.
  const other = await s.post('/v1/verifications', { to: mobile(2), channel: 'sms' });
  assert.equal(other.status, 201);
  assert.notEqual(other.body.id, v.id);
});

test('a second start while pending answers 200 with the same id and sends the same code again', async () => {
  const to = mobile(3);
  const first = await startAndRead(s, to);
  s.clock.advance(10_000);
  const again = await s.post('/v1/verifications', { to });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.id, first.id);
  assert.equal(again.body.status, 'pending');
  assert.equal(again.body.expiresAt, first.body.expiresAt, 'a resend keeps the expiry');
  assert.equal(again.body.sendAttempts.length, 2);
  assert.deepEqual(await codesFor(s, to), [first.code, first.code]);
  const ok = await check({ id: first.id, code: first.code });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.status, 'approved');
  assert.equal(ok.body.valid, true);
});

test('check by id: the right code is approved and valid', async () => {
  const { id, code } = await startAndRead(s, mobile(4));
  const r = await check({ id, code });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.id, id);
  assert.equal(r.body.status, 'approved');
  assert.equal(r.body.valid, true);
  assert.deepEqual(r.body.checks, { used: 1, allowed: 3 });
});

test('check by recipient (default service) and by service and recipient approve the pending one', async () => {
  const a = await startAndRead(s, mobile(5));
  const byTo = await check({ to: mobile(5), code: a.code });
  assert.equal(byTo.status, 200, JSON.stringify(byTo.body));
  assert.deepEqual([byTo.body.id, byTo.body.status, byTo.body.valid], [a.id, 'approved', true]);

  const b = await startAndRead(s, mobile(6));
  const byService = await check({ service: b.body.service, to: mobile(6), code: b.code });
  assert.equal(byService.status, 200, JSON.stringify(byService.body));
  assert.deepEqual([byService.body.id, byService.body.status, byService.body.valid], [b.id, 'approved', true]);
});

test('a wrong code with attempts left stays pending, not valid; the right one then approves', async () => {
  const { id, code } = await startAndRead(s, mobile(7));
  const wrong = await check({ id, code: wrongOf(code) });
  assert.equal(wrong.status, 200);
  assert.deepEqual([wrong.body.status, wrong.body.valid], ['pending', false]);
  assert.deepEqual(wrong.body.checks, { used: 1, allowed: 3 });
  const byTo = await check({ to: mobile(7), code: wrongOf(code) });
  assert.deepEqual([byTo.status, byTo.body.status, byTo.body.valid], [200, 'pending', false]);
  const right = await check({ id, code });
  assert.deepEqual([right.body.status, right.body.valid], ['approved', true]);
});

test('the wrong code that spends the last attempt fails it; later checks compare nothing', async () => {
  const { id, code } = await startAndRead(s, mobile(8));
  for (let i = 1; i <= 2; i++) assert.equal((await check({ id, code: wrongOf(code) })).body.status, 'pending');
  const last = await check({ id, code: wrongOf(code) });
  assert.equal(last.status, 200);
  assert.deepEqual([last.body.status, last.body.valid], ['failed', false]);
  assert.deepEqual(last.body.checks, { used: 3, allowed: 3 });
  for (const c of [code, wrongOf(code)]) {
    const later = await check({ id, code: c });
    assert.equal(later.status, 200);
    assert.deepEqual([later.body.status, later.body.valid], ['failed', false]);
    assert.deepEqual(later.body.checks, { used: 3, allowed: 3 }, 'nothing was compared');
  }
  assert.equal((await s.get(`/v1/verifications/${id}`)).body.status, 'failed');
  // Nothing is pending for the number any more: a new start is a new verification with a new code.
  const next = await s.post('/v1/verifications', { to: mobile(8) });
  assert.equal(next.status, 201);
  assert.notEqual(next.body.id, id);
});

test('past its TTL (300 s) a verification is expired, even for the right code', async () => {
  const { id, code, body } = await startAndRead(s, mobile(9));
  s.clock.advance(299_000);
  assert.equal((await check({ id, code: wrongOf(code) })).body.status, 'pending');
  s.clock.advance(1_000);
  const r = await check({ id, code });
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.status, r.body.valid], ['expired', false]);
  assert.deepEqual(r.body.checks, { used: 1, allowed: 3 }, 'nothing was compared');
  const got = await s.get(`/v1/verifications/${id}`);
  assert.equal(got.body.status, 'expired');
  assert.equal(got.body.updatedAt, body.expiresAt);
  const next = await s.post('/v1/verifications', { to: mobile(9) });
  assert.equal(next.status, 201);
  assert.notEqual(next.body.id, id);
  const codes = await codesFor(s, mobile(9));
  assert.equal(codes.length, 2);
  const ok = await check({ id: next.body.id, code: codes[0] });
  assert.deepEqual([ok.body.status, ok.body.valid], ['approved', true]);
});

test('an approved verification answers approved but not valid to any later check', async () => {
  const { id, code } = await startAndRead(s, mobile(10));
  assert.equal((await check({ id, code })).body.valid, true);
  for (const c of [code, wrongOf(code)]) {
    const r = await check({ id, code: c });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.status, r.body.valid], ['approved', false]);
    assert.deepEqual(r.body.checks, { used: 1, allowed: 3 });
  }
});

test('GET shows the status and each send attempt with its delivery status', async () => {
  const to = mobile(11);
  const r = await s.post('/v1/verifications', { to });
  const queued = await s.get(`/v1/verifications/${r.body.id}`);
  assert.equal(queued.status, 200);
  const { sendAttempts: _, ...rest } = queued.body;
  const { sendAttempts: __, ...started } = r.body;
  assert.deepEqual(rest, started);
  await deliveredTexts(s, to); // drives the dispatcher until the text is out
  const sent = await s.get(`/v1/verifications/${r.body.id}`);
  assert.equal(sent.body.status, 'pending');
  assert.equal(sent.body.to, '+3462*****11');
  assert.equal(sent.body.sendAttempts.length, 1);
  const [attempt] = sent.body.sendAttempts;
  assert.equal(attempt.id, r.body.sendAttempts[0].id);
  assert.equal(attempt.channel, 'sms');
  assert.equal(attempt.status, 'sent');
  assert.equal(attempt.gateway, 'dev-outbox');
  assert.equal(attempt.error, null);
  assert.match(attempt.at, ISO);
});

test('cancel: 200 canceled, a second cancel is 409 VERIFICATION_CLOSED, and the code no longer works', async () => {
  const { id, code } = await startAndRead(s, mobile(12));
  const c = await s.post(`/v1/verifications/${id}/cancel`, undefined);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.id, id);
  assert.equal(c.body.status, 'canceled');
  assertProblem(await s.post(`/v1/verifications/${id}/cancel`, undefined), {
    status: 409,
    code: 'VERIFICATION_CLOSED',
    detail: 'The verification is canceled.',
  });
  const r = await check({ id, code });
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.status, r.body.valid], ['canceled', false]);
  assert.deepEqual(r.body.checks, { used: 0, allowed: 3 });
  // Nothing pending is left for the number: a new start is a new verification with a new code.
  const next = await s.post('/v1/verifications', { to: mobile(12) });
  assert.equal(next.status, 201);
  assert.notEqual(next.body.id, id);
});

test('cancel of an approved verification is 409 and leaves it approved', async () => {
  const { id, code } = await startAndRead(s, mobile(13));
  assert.equal((await check({ id, code })).body.valid, true);
  assertProblem(await s.post(`/v1/verifications/${id}/cancel`, undefined), {
    status: 409,
    code: 'VERIFICATION_CLOSED',
    detail: 'The verification is approved.',
  });
  assert.equal((await s.get(`/v1/verifications/${id}`)).body.status, 'approved');
});

test('email: the address is masked, normalised for delivery, and GET /dev/messages finds it', async () => {
  const r = await s.post('/v1/verifications', { to: 'Alice@Example.com' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.channel, 'email');
  assert.equal(r.body.to, 'a***@e***.com');
  assert.ok(!JSON.stringify(r.body).toLowerCase().includes('alice@'), 'the address is never answered');
  const [code] = await codesFor(s, 'alice@example.com');
  assert.match(code ?? '', /^\d{6}$/);
  const dev = await s.get('/dev/messages?to=Alice@Example.com');
  assert.equal(dev.status, 200);
  assert.equal(dev.body.messages.length, 1);
  assert.equal(dev.body.messages[0].to, 'alice@example.com');
  assert.ok(dev.body.messages[0].text.includes(code!));
  // The check by address, in any case, finds the pending one.
  const ok = await check({ to: 'ALICE@example.COM', code });
  assert.deepEqual([ok.status, ok.body.id, ok.body.status, ok.body.valid], [200, r.body.id, 'approved', true]);
});

test('parallel checks with the right code: exactly one is valid', async () => {
  const { id, code } = await startAndRead(s, mobile(14));
  const all = await Promise.all(Array.from({ length: 10 }, () => check({ id, code })));
  for (const r of all) assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(all.filter((r) => r.body.valid === true).length, 1);
  for (const r of all) assert.equal(r.body.status, 'approved');
});

test('parallel wrong checks never spend more than the allowed attempts', async () => {
  const { id, code } = await startAndRead(s, mobile(15));
  const all = await Promise.all(Array.from({ length: 10 }, () => check({ id, code: wrongOf(code) })));
  for (const r of all) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.valid, false);
    assert.ok(r.body.checks.used <= 3, `checks used: ${r.body.checks.used}`);
  }
  const after = await check({ id, code });
  assert.deepEqual([after.body.status, after.body.valid], ['failed', false]);
  assert.deepEqual(after.body.checks, { used: 3, allowed: 3 });
});
