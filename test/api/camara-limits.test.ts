// CAMARA send-code refusals: send limits, number checks (validity, line type, block list),
// message template rules, the daily message quota and the per-client request rate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, mobile, startTestServer, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';

const MAX_CODES = {
  status: 403,
  code: 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED',
  message: 'Too many OTPs have been requested for this MSISDN. Try later.',
};
const NOT_ALLOWED = {
  status: 403,
  code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED',
  message: "Phone_number can't receive an SMS due to business reasons in the operator.",
};
const BLOCKED = {
  status: 403,
  code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED',
  message: 'Phone_number is blocked to receive SMS due to any blocking business reason in the operator.',
};
const MSG = 'Your code is {{code}}';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const send = (phoneNumber: string, message = MSG, key?: string) => s.post(SEND, { phoneNumber, message }, { key });

test('send limits: 5 per number per 15 minutes, then 10 per 24 hours, with Retry-After', async () => {
  const to = mobile(101);
  const start = s.clock.now();
  let last = { authenticationId: '', code: '' };
  for (let i = 0; i < 5; i++) last = await s.sendAndRead(to); // throws unless 200
  const sixth = await send(to);
  assertError(sixth, MAX_CODES);
  assert.equal(sixth.headers.get('retry-after'), '900');
  // The refused send did not supersede the pending verification.
  assert.equal((await s.post(VALIDATE, last)).status, 204);
  // The limit is per number and per client.
  assert.equal((await send(mobile(102))).status, 200);
  assert.equal((await send(to, MSG, (await s.createKey()).secret)).status, 200);

  s.clock.advance(15 * 60_000);
  for (let i = 0; i < 5; i++) assert.equal((await send(to)).status, 200, `send ${i + 6}`);
  assertError(await send(to), MAX_CODES);

  // Another 15 minutes: the 15-minute window is free again but the 24-hour limit (10) holds.
  s.clock.advance(15 * 60_000);
  const daily = await send(to);
  assertError(daily, MAX_CODES);
  assert.equal(daily.headers.get('retry-after'), String(24 * 3600 - 30 * 60));

  s.clock.set(start + 24 * 3600_000);
  assert.equal((await send(to)).status, 200);
});

test('a number that is not a valid phone number is 400 INVALID_ARGUMENT', async () => {
  assertError(await send('+3490212345'), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'the phone number is not a valid number',
  });
});

test('a number not written in E.164 is 400 INVALID_ARGUMENT saying how to write it, and sends nothing', async () => {
  const E164 = {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'phoneNumber must be in E.164 format: a + then the country code and number, no spaces (e.g. +34612345678)',
  };
  for (const number of ['629255833', '+34 629 25 58 33', '34629255833', '0034629255833', '+34-629-255-833', '+0629']) {
    assertError(await send(number), E164);
  }
  assertError(await s.post(SEND, { phoneNumber: 34629255833, message: MSG }), E164);
  assert.deepEqual(await s.server.store.listMessages({ recipient: '+34629255833', limit: 1 }), []);
});

for (const [kind, number] of [
  ['fixed-line', '+442079460000'],
  ['premium-rate (US 900)', '+19005550100'],
  ['premium-rate (ES 803)', '+34803123456'],
  ['shared-cost (ES 901)', '+34901123456'],
  ['toll-free (ES 800)', '+34800123456'],
] as const) {
  test(`a ${kind} number is 403 PHONE_NUMBER_NOT_ALLOWED`, async () => {
    assertError(await send(number), NOT_ALLOWED);
    assert.deepEqual(await s.server.store.listMessages({ recipient: number, limit: 5 }), []);
  });
}

test('numbers on the block list (exact or prefix) are 403 PHONE_NUMBER_BLOCKED', async (t) => {
  const b = await startTestServer({ OTPD_BLOCKED_NUMBERS: '+34629250201,+3462926' });
  t.after(() => b.close());
  assertError(await b.post(SEND, { phoneNumber: '+34629250201', message: MSG }), BLOCKED);
  assertError(await b.post(SEND, { phoneNumber: '+34629260000', message: MSG }), BLOCKED);
  assert.deepEqual(await b.server.store.listMessages({ limit: 5 }), []);
  assert.equal((await b.post(SEND, { phoneNumber: '+34629250202', message: MSG })).status, 200);
});

test('a message without {{code}} is 400 INVALID_ARGUMENT', async () => {
  for (const message of ['Your code is', 'Your code is {code}', 'Your code is {{ code }}']) {
    assertError(await send(mobile(103), message), {
      status: 400,
      code: 'INVALID_ARGUMENT',
      message:
        'message must contain the {{code}} placeholder, which is replaced by the code (e.g. "{{code}} is your code")',
    });
  }
});

test('a message template over 160 characters is 400 INVALID_ARGUMENT; exactly 160 is accepted', async () => {
  const over = `{{code}} ${'x'.repeat(152)}`;
  assert.equal(over.length, 161);
  assertError(await send(mobile(104), over), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'body/message must be at most 160 characters',
  });
  assert.equal((await send(mobile(104), over.slice(0, 160))).status, 200);
});

test('a template of at most 160 characters that exceeds 160 once the code is inserted is 400', async (t) => {
  const l = await startTestServer({ OTPD_CODE_LENGTH: '10' });
  t.after(() => l.close());
  const template = `Your code is {{code}} ${'x'.repeat(137)}`;
  assert.equal(template.length, 159); // 161 with a 10-character code
  assertError(await l.post(SEND, { phoneNumber: mobile(105), message: template }), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'message with the code inserted must be at most 160 characters',
  });
  assert.deepEqual(await l.server.store.listMessages({ recipient: mobile(105), limit: 5 }), []);
  const fits = template.slice(0, 158); // exactly 160 once rendered
  const ok = await l.post(SEND, { phoneNumber: mobile(105), message: fits });
  assert.equal(ok.status, 200);
  const text = await l.lastText(mobile(105));
  assert.equal(text?.length, 160);
  assert.match(text ?? '', /^Your code is \d{10} x+$/);
});

test('the daily message quota is 429 QUOTA_EXCEEDED with Retry-After until the next UTC day', async (t) => {
  const q = await startTestServer({ OTPD_DAILY_MESSAGE_QUOTA: '2' });
  t.after(() => q.close());
  assert.equal((await q.post(SEND, { phoneNumber: mobile(106), message: MSG })).status, 200);
  assert.equal((await q.post(SEND, { phoneNumber: mobile(107), message: MSG })).status, 200);
  const refused = await q.post(SEND, { phoneNumber: mobile(108), message: MSG });
  assertError(refused, { status: 429, code: 'QUOTA_EXCEEDED', message: 'Out of resource quota.' });
  const now = q.clock.now();
  const d = new Date(now);
  const nextDay = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  assert.equal(refused.headers.get('retry-after'), String(Math.max(1, Math.ceil((nextDay - now) / 1000))));
  assert.deepEqual(await q.server.store.listMessages({ recipient: mobile(108), limit: 5 }), []);
  // The quota is per client...
  assert.equal(
    (await q.post(SEND, { phoneNumber: mobile(108), message: MSG }, { key: (await q.createKey()).secret })).status,
    200,
  );
  // ...and per UTC day.
  q.clock.set(nextDay + 1000);
  assert.equal((await q.post(SEND, { phoneNumber: mobile(109), message: MSG })).status, 200);
});

test('exceeding the request rate is 429 TOO_MANY_REQUESTS with Retry-After', async (t) => {
  const r = await startTestServer({ OTPD_RATE_LIMIT_RPS: '1', OTPD_RATE_LIMIT_BURST: '2' });
  t.after(() => r.close());
  assert.equal((await r.post(SEND, { phoneNumber: mobile(110), message: MSG })).status, 200);
  assert.equal((await r.post(SEND, { phoneNumber: mobile(111), message: MSG })).status, 200);
  for (const path of [SEND, VALIDATE]) {
    const body = path === SEND ? { phoneNumber: mobile(112), message: MSG } : { authenticationId: 'x', code: '123456' };
    const limited = await r.post(path, body);
    assertError(limited, { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Rate limit reached.' });
    assert.equal(limited.headers.get('retry-after'), '1');
  }
  // The bucket is per client: another key still has its burst.
  assert.equal(
    (await r.post(SEND, { phoneNumber: mobile(113), message: MSG }, { key: (await r.createKey()).secret })).status,
    200,
  );
  // One second later one more request is allowed.
  r.clock.advance(1000);
  assert.equal((await r.post(SEND, { phoneNumber: mobile(114), message: MSG })).status, 200);
  assert.equal((await r.post(SEND, { phoneNumber: mobile(115), message: MSG })).status, 429);
});

test('send limits hold under parallel requests', async () => {
  const to = mobile(116);
  const results = await Promise.all(Array.from({ length: 12 }, () => send(to)));
  assert.equal(results.filter((r) => r.status === 200).length, 5);
  for (const r of results.filter((x) => x.status !== 200)) assertError(r, MAX_CODES);
});
