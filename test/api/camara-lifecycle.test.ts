// CAMARA One Time Password SMS: the life of one authenticationId (send, validate, attempts,
// expiry, single use, superseding, tenants), test numbers and the alphanumeric alphabet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, mobile, startTestServer, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';

const INVALID_OTP = {
  status: 400,
  code: 'ONE_TIME_PASSWORD_SMS.INVALID_OTP',
  message: 'The provided OTP is not valid for this authenticationId',
};
const FAILED = {
  status: 400,
  code: 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED',
  message: 'The maximum number of attempts for this authenticationId was exceeded without providing a valid OTP',
};
const EXPIRED = {
  status: 400,
  code: 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED',
  message: 'The authenticationId is no longer valid',
};
const NOT_FOUND = { status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A code of the same shape that is certainly not `code`. */
const wrongOf = (code: string) => code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const validate = (authenticationId: string, code: string, key?: string) =>
  s.post(VALIDATE, { authenticationId, code }, { key });

test('send-code answers 200 with only an authenticationId shaped as a UUID v4', async () => {
  const r = await s.post(SEND, { phoneNumber: mobile(1), message: 'Your code is {{code}}' });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(r.body), ['authenticationId']);
  assert.match(r.body.authenticationId, UUID_V4);
  const r2 = await s.post(SEND, { phoneNumber: mobile(2), message: 'Your code is {{code}}' });
  assert.notEqual(r2.body.authenticationId, r.body.authenticationId);
});

test('validate-code with the right code answers 204 with an empty body', async () => {
  const { authenticationId, code } = await s.sendAndRead(mobile(3));
  const res = await fetch(s.url + VALIDATE, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ authenticationId, code }),
  });
  assert.equal(res.status, 204);
  assert.equal(await res.text(), '');
});

test('a wrong code before the last attempt is INVALID_OTP and the right code still works', async () => {
  const { authenticationId, code } = await s.sendAndRead(mobile(4));
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP);
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP);
  assert.equal((await validate(authenticationId, code)).status, 204);
});

test('the wrong code that uses the last attempt is VERIFICATION_FAILED, and so is every later request', async () => {
  const { authenticationId, code } = await s.sendAndRead(mobile(5));
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP);
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP);
  assertError(await validate(authenticationId, wrongOf(code)), FAILED);
  assertError(await validate(authenticationId, code), FAILED);
  assertError(await validate(authenticationId, wrongOf(code)), FAILED);
  assertError(await validate(authenticationId, code), FAILED);
});

test('past its TTL (300 s) a code is VERIFICATION_EXPIRED, even the right one', async () => {
  const { authenticationId, code } = await s.sendAndRead(mobile(6));
  s.clock.advance(299_000);
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP); // still live at 299 s
  s.clock.advance(1_000);
  assertError(await validate(authenticationId, code), EXPIRED);
  assertError(await validate(authenticationId, wrongOf(code)), EXPIRED);
});

test('a used authenticationId is VERIFICATION_EXPIRED', async () => {
  const { authenticationId, code } = await s.sendAndRead(mobile(7));
  assert.equal((await validate(authenticationId, code)).status, 204);
  assertError(await validate(authenticationId, code), EXPIRED);
  assertError(await validate(authenticationId, wrongOf(code)), EXPIRED);
});

test('a new send to the same number supersedes the pending one: the old id is EXPIRED, the new one works', async () => {
  const first = await s.sendAndRead(mobile(8));
  const second = await s.sendAndRead(mobile(8));
  assert.notEqual(second.authenticationId, first.authenticationId);
  assertError(await validate(first.authenticationId, first.code), EXPIRED);
  assert.equal((await validate(second.authenticationId, second.code)).status, 204);
});

test('a send to another number, or by another client, does not supersede', async () => {
  const other = await s.createKey();
  const mine = await s.sendAndRead(mobile(9));
  await s.sendAndRead(mobile(10));
  await s.sendAndRead(mobile(9), other.secret);
  assert.equal((await validate(mine.authenticationId, mine.code)).status, 204);
});

test('a resend does not reset the per-number budget of wrong guesses', async (t) => {
  const w = await startTestServer({ OTPD_WRONG_GUESS_LIMIT_24H: '4', OTPD_MAX_ATTEMPTS: '3' });
  t.after(() => w.close());
  const v = (id: string, code: string) => w.post(VALIDATE, { authenticationId: id, code });
  const a = await w.sendAndRead(mobile(11));
  assertError(await v(a.authenticationId, wrongOf(a.code)), INVALID_OTP);
  assertError(await v(a.authenticationId, wrongOf(a.code)), INVALID_OTP);
  assertError(await v(a.authenticationId, wrongOf(a.code)), FAILED);
  const b = await w.sendAndRead(mobile(11));
  assertError(await v(b.authenticationId, wrongOf(b.code)), INVALID_OTP); // 4th wrong guess for the number
  const c = await w.sendAndRead(mobile(11));
  assertError(await v(c.authenticationId, c.code), FAILED);
  // The budget is per number: another number is unaffected.
  const d = await w.sendAndRead(mobile(12));
  assert.equal((await v(d.authenticationId, d.code)).status, 204);
});

test("an unknown id and another tenant's id get the same 404 NOT_FOUND body", async () => {
  const unknown = await validate('6f1c2a4e-8b7d-4c3e-9a1f-0123456789ab', '123456');
  assertError(unknown, NOT_FOUND);
  const { authenticationId, code } = await s.sendAndRead(mobile(13));
  const stranger = await s.createKey();
  for (let i = 0; i < 4; i++) {
    const other = await validate(authenticationId, i === 3 ? code : wrongOf(code), stranger.secret);
    assertError(other, NOT_FOUND);
    assert.deepEqual(other.body, unknown.body);
  }
  // The stranger's requests spent none of the owner's attempts and did not consume the id.
  assert.equal((await validate(authenticationId, code)).status, 204);
});

test('every {{code}} in the message is replaced by the code in the delivered text', async () => {
  const to = mobile(14);
  const r = await s.post(SEND, { phoneNumber: to, message: 'Code {{code}} for Cool App. Again: {{code}}.' });
  assert.equal(r.status, 200);
  const text = await s.lastText(to);
  const m = /^Code (\d{6}) for Cool App\. Again: (\d{6})\.$/.exec(text ?? '');
  assert.ok(m, `delivered text: ${text}`);
  assert.equal(m[1], m[2]);
  assert.ok(!text!.includes('{{'));
  assert.equal((await validate(r.body.authenticationId, m[1]!)).status, 204);
});

test('a code shorter than 4 characters is OUT_OF_RANGE and does not spend an attempt', async () => {
  const { authenticationId, code } = await s.sendAndRead(mobile(15));
  const outOfRange = { status: 400, code: 'OUT_OF_RANGE', message: 'code must be at least 4 characters' };
  for (const short of ['', '1', '12', '123', code.slice(0, 3)])
    assertError(await validate(authenticationId, short), outOfRange);
  // Max attempts is 3: had any short code counted, the second wrong guess would already fail.
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP);
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP);
  assert.equal((await validate(authenticationId, code)).status, 204);
});

test('spaces and dashes around and inside a code are ignored; the right code still validates', async () => {
  for (const [i, spell] of [
    (c: string) => ` ${c}`,
    (c: string) => `${c.slice(0, 3)}-${c.slice(3)}`,
    (c: string) => `${c.slice(0, 3)} ${c.slice(3)} `,
    (c: string) => `\u00a0${c}\t`,
  ].entries()) {
    const { authenticationId, code } = await s.sendAndRead(mobile(30 + i));
    assert.equal((await validate(authenticationId, spell(code))).status, 204, JSON.stringify(spell(code)));
  }
});

test('a code that is still malformed once spaces and dashes are gone spends no attempt', async () => {
  const { authenticationId, code } = await s.sendAndRead(mobile(35));
  for (const [bad, error] of [
    [' 12 3 ', { status: 400, code: 'OUT_OF_RANGE', message: 'code must be at least 4 characters' }],
    ['--------', { status: 400, code: 'OUT_OF_RANGE', message: 'code must be at least 4 characters' }],
    ['12345!', { status: 400, code: 'INVALID_ARGUMENT', message: 'code must contain only letters and digits' }],
    ['123.456', { status: 400, code: 'INVALID_ARGUMENT', message: 'code must contain only letters and digits' }],
  ] as const) {
    for (let i = 0; i < 3; i++) assertError(await validate(authenticationId, bad), error);
  }
  // Max attempts is 3: had any of those counted, the first wrong guess would already fail.
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP);
  assertError(await validate(authenticationId, wrongOf(code)), INVALID_OTP);
  assert.equal((await validate(authenticationId, code)).status, 204);
});

test('test numbers get their fixed code and no message, and limits, attempts and expiry still apply', async (t) => {
  const T1 = '+15005550006',
    T2 = '+15005550007',
    T3 = '+15005550008',
    FIXED = '+442079460001';
  const ts = await startTestServer({ OTPD_TEST_NUMBERS: `${T1}:123456,${T2}:234567,${T3}:345678,${FIXED}:456789` });
  t.after(() => ts.close());
  const send = (to: string) => ts.post(SEND, { phoneNumber: to, message: 'Your code is {{code}}' });
  const v = (id: string, code: string) => ts.post(VALIDATE, { authenticationId: id, code });

  const a = await send(T1);
  assert.equal(a.status, 200);
  assert.equal((await v(a.body.authenticationId, '123456')).status, 204);
  await ts.server.dispatcher.tick();
  await ts.server.dispatcher.idle();
  assert.deepEqual(await ts.server.store.listDevMessages(T1, 10), []);
  assert.deepEqual(await ts.server.store.listMessages({ recipient: T1, limit: 10 }), []);

  // Test numbers skip the line-type checks (this one is a UK fixed line).
  const f = await send(FIXED);
  assert.equal(f.status, 200);
  assert.equal((await v(f.body.authenticationId, '456789')).status, 204);

  // Attempts: three wrong codes fail the id; the fixed code no longer helps.
  const b = await send(T2);
  assertError(await v(b.body.authenticationId, '999999'), INVALID_OTP);
  assertError(await v(b.body.authenticationId, '999998'), INVALID_OTP);
  assertError(await v(b.body.authenticationId, '999997'), FAILED);
  assertError(await v(b.body.authenticationId, '234567'), FAILED);

  // Expiry.
  const c = await send(T3);
  ts.clock.advance(300_000);
  assertError(await v(c.body.authenticationId, '345678'), EXPIRED);

  // Send limits (5 per 15 minutes): T1 already had one send.
  for (let i = 0; i < 4; i++) assert.equal((await send(T1)).status, 200);
  assertError(await send(T1), {
    status: 403,
    code: 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED',
    message: 'Too many OTPs have been requested for this MSISDN. Try later.',
  });
  assert.deepEqual(await ts.server.store.listDevMessages(undefined, 10), []);
});

test('alphanumeric codes use the unambiguous alphabet and validate case-insensitively', async (t) => {
  const an = await startTestServer({ OTPD_CODE_ALPHABET: 'alphanumeric' });
  t.after(() => an.close());
  const one = await an.sendAndRead(mobile(16));
  assert.match(one.code, /^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$/);
  assert.equal(
    (await an.post(VALIDATE, { authenticationId: one.authenticationId, code: one.code.toLowerCase() })).status,
    204,
  );
  const two = await an.sendAndRead(mobile(17));
  const mixed = [...two.code].map((ch, i) => (i % 2 ? ch.toLowerCase() : ch)).join('');
  assert.equal((await an.post(VALIDATE, { authenticationId: two.authenticationId, code: mixed })).status, 204);
});

test('parallel requests: one right code wins once, and wrong guesses never exceed the attempts', async () => {
  const one = await s.sendAndRead(mobile(18));
  const right = await Promise.all(Array.from({ length: 10 }, () => validate(one.authenticationId, one.code)));
  assert.equal(right.filter((r) => r.status === 204).length, 1);
  for (const r of right.filter((x) => x.status !== 204)) assertError(r, EXPIRED);

  const two = await s.sendAndRead(mobile(19));
  const wrong = await Promise.all(Array.from({ length: 10 }, () => validate(two.authenticationId, wrongOf(two.code))));
  assert.equal(wrong.filter((r) => r.body?.code === INVALID_OTP.code).length, 2);
  assert.equal(wrong.filter((r) => r.body?.code === FAILED.code).length, 8);
  assertError(await validate(two.authenticationId, two.code), FAILED);
});
