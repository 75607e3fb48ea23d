// The native /v1 API's refusals: RFC 9457 problem details for bad input, keys and scopes, unknown
// or foreign ids, channels a service does not allow, and send limits (also under a burst); after
// each refusal nothing was stored or sent and the server still serves.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mobile, startTestServer, type HttpResult, type TestServer } from '../helpers/server.ts';
import {
  assertProblem,
  codeIn,
  codesFor,
  deliveredTexts,
  nothingQueued,
  startAndRead,
  wrongOf,
} from '../helpers/native.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const START = '/v1/verifications';
const CHECK = '/v1/verifications/check';
const UNKNOWN_ID = 'VE0123456789abcdef0123456789abcdef';
const NO_VERIFICATION = { status: 404, code: 'NOT_FOUND', detail: 'No such verification.' };

/** Asserts that nothing was sent to `to`, and that the server still answers a good start for it. */
async function nothingSentAndStillServing(to: string): Promise<void> {
  await nothingQueued(s, to);
  const ok = await s.post(START, { to });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal((await deliveredTexts(s, to)).length, 1);
}

test('an unknown property is 400 INVALID_ARGUMENT naming it, and nothing is sent', async () => {
  const to = mobile(201);
  assertProblem(await s.post(START, { to, foo: 1 }), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    detail: 'body/foo is not allowed',
  });
  assertProblem(await s.post(CHECK, { to, code: '123456', extra: true }), { status: 400, code: 'INVALID_ARGUMENT' });
  await nothingSentAndStillServing(to);
});

test('a missing or unknown key is 401 UNAUTHENTICATED with a Bearer challenge', async () => {
  const to = mobile(202);
  for (const key of [null, 'otpd_000000000000_notakey']) {
    const r = await s.post(START, { to }, { key });
    assertProblem(r, {
      status: 401,
      code: 'UNAUTHENTICATED',
      detail: 'Request not authenticated due to missing, invalid, or expired credentials.',
    });
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  }
  assertProblem(await s.get(`/v1/verifications/${UNKNOWN_ID}`, { key: null }), {
    status: 401,
    code: 'UNAUTHENTICATED',
  });
  assertProblem(await s.get('/v1/services', { key: null }), { status: 401, code: 'UNAUTHENTICATED' });
  await nothingSentAndStillServing(to);
});

test('scopes: admin alone cannot verify; CAMARA send-validate implies verify; admin implies services', async () => {
  const to = mobile(203);
  const admin = await s.createKey({ scopes: ['admin'], clientId: 'tenant-a' });
  const denied = { status: 403, code: 'PERMISSION_DENIED' };
  assertProblem(await s.post(START, { to }, { key: admin.secret }), denied);
  assertProblem(await s.post(CHECK, { to, code: '123456' }, { key: admin.secret }), denied);
  assertProblem(await s.get(`/v1/verifications/${UNKNOWN_ID}`, { key: admin.secret }), denied);
  await nothingQueued(s, to);
  assert.equal((await s.get('/v1/services', { key: admin.secret })).status, 200);

  const camara = await s.createKey({ scopes: ['one-time-password-sms:send-validate'], clientId: 'tenant-a' });
  assertProblem(await s.get('/v1/services', { key: camara.secret }), denied);
  assertProblem(await s.post('/v1/services', { friendlyName: 'Nope' }, { key: camara.secret }), denied);
  const { id, code } = await startAndRead(s, to, {}, camara.secret);
  const ok = await s.post(CHECK, { id, code }, { key: camara.secret });
  assert.deepEqual([ok.status, ok.body.status, ok.body.valid], [200, 'approved', true]);
});

test("an unknown id and another tenant's id get identical 404 bodies, and spend nothing", async () => {
  const { id, code } = await startAndRead(s, mobile(204));
  const stranger = (await s.createKey({ clientId: 'tenant-b' })).secret;
  const pairs: Array<[string, (vid: string, key?: string) => Promise<HttpResult>]> = [
    ['get', (vid, key) => s.get(`/v1/verifications/${vid}`, { key })],
    ['check', (vid, key) => s.post(CHECK, { id: vid, code: wrongOf(code) }, { key })],
    ['check right', (vid, key) => s.post(CHECK, { id: vid, code }, { key })],
    ['cancel', (vid, key) => s.post(`/v1/verifications/${vid}/cancel`, undefined, { key })],
  ];
  for (const [name, call] of pairs) {
    const unknown = await call(UNKNOWN_ID);
    assertProblem(unknown, NO_VERIFICATION);
    const foreign = await call(id, stranger);
    assertProblem(foreign, NO_VERIFICATION);
    assert.deepEqual(foreign.body, unknown.body, name);
  }
  // By recipient, the stranger finds nothing either.
  assertProblem(await s.post(CHECK, { to: mobile(204), code }, { key: stranger }), NO_VERIFICATION);
  // None of it touched the owner's verification.
  const mine = await s.get(`/v1/verifications/${id}`);
  assert.deepEqual([mine.body.status, mine.body.checks.used], ['pending', 0]);
  const ok = await s.post(CHECK, { id, code });
  assert.deepEqual([ok.body.status, ok.body.valid], ['approved', true]);
});

test('check with both id and to, with neither, or with id and service is 400', async () => {
  const { id, code } = await startAndRead(s, mobile(205));
  const either = {
    status: 400,
    code: 'INVALID_ARGUMENT',
    detail: 'send either id, or to (with service, else the default service)',
  };
  assertProblem(await s.post(CHECK, { id, to: mobile(205), code }), either);
  assertProblem(await s.post(CHECK, { code }), either);
  assertProblem(await s.post(CHECK, { id, service: 'VA0123456789abcdef0123456789abcdef', code }), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    detail: 'service goes with to, not with id',
  });
  // None of them compared the code.
  const ok = await s.post(CHECK, { id, code });
  assert.deepEqual([ok.body.status, ok.body.valid, ok.body.checks.used], ['approved', true, 1]);
});

test('an invalid phone number or email address is 400 INVALID_ARGUMENT and sends nothing', async () => {
  for (const bad of ['+3490212345', '629255833']) {
    assertProblem(await s.post(START, { to: bad }), { status: 400, code: 'INVALID_ARGUMENT' });
  }
  for (const bad of ['alice@@example.com', 'alice@example', 'alice smith@example.com']) {
    assertProblem(await s.post(START, { to: bad }), {
      status: 400,
      code: 'INVALID_ARGUMENT',
      detail: 'to is not a valid email address',
    });
  }
  // A number sent by email, or an address by SMS.
  assertProblem(await s.post(START, { to: mobile(206), channel: 'email' }), { status: 400, code: 'INVALID_ARGUMENT' });
  assertProblem(await s.post(START, { to: 'carol@example.com', channel: 'sms' }), {
    status: 400,
    code: 'INVALID_ARGUMENT',
  });
  assertProblem(await s.post(START, { to: mobile(206), locale: 'not a locale' }), {
    status: 400,
    code: 'INVALID_ARGUMENT',
  });
  await nothingQueued(s, 'carol@example.com');
  await nothingSentAndStillServing(mobile(206));
});

test('a channel the service does not allow is 400 CHANNEL_NOT_ALLOWED', async () => {
  const svc = await s.post('/v1/services', { friendlyName: 'Texts only', channels: ['sms'] });
  assert.equal(svc.status, 201);
  const r = await s.post(START, { to: 'dave@example.com', service: svc.body.id });
  assertProblem(r, {
    status: 400,
    code: 'CHANNEL_NOT_ALLOWED',
    detail: 'channel email is not allowed for this service',
  });
  await nothingQueued(s, 'dave@example.com');
  const sms = await s.post(START, { to: mobile(207), service: svc.body.id });
  assert.equal(sms.status, 201);
  assert.equal(sms.body.service, svc.body.id);
});

test("a service's text that needs more SMS segments than allowed is refused before anything is stored", async () => {
  // 200 GSM-7 characters and a code: two segments at most are allowed by default, this needs two;
  // in Cyrillic (UCS-2, 67 characters a part) the same length needs four.
  const long = `${'x'.repeat(200)} {code}`;
  const cyrillic = `${'Ж'.repeat(200)} {code}`;
  const svc = await s.post('/v1/services', {
    friendlyName: 'Long',
    templates: { en: { sms: long }, ru: { sms: cyrillic } },
  });
  assert.equal(svc.status, 201, JSON.stringify(svc.body));
  assert.equal((await s.post(START, { to: mobile(290), service: svc.body.id })).status, 201);
  const r = await s.post(START, { to: mobile(291), service: svc.body.id, locale: 'ru' });
  assertProblem(r, { status: 400, code: 'INVALID_ARGUMENT' });
  assert.match(r.body.detail, /needs 4 SMS segments \(UCS-2\); at most 2 are allowed/);
  await nothingQueued(s, mobile(291));
});

test('a code no otpd code could be is 400 and spends no attempt', async () => {
  const { id, code } = await startAndRead(s, mobile(212));
  for (let i = 0; i < 3; i++) {
    assertProblem(await s.post(CHECK, { id, code: '12' }), {
      status: 400,
      code: 'OUT_OF_RANGE',
      detail: 'code must be at least 4 characters',
    });
    assertProblem(await s.post(CHECK, { id, code: '12345!' }), {
      status: 400,
      code: 'INVALID_ARGUMENT',
      detail: 'code must contain only letters and digits',
    });
  }
  assertProblem(await s.post(CHECK, { id, code: '' }), { status: 400, code: 'INVALID_ARGUMENT' });
  const ok = await s.post(CHECK, { id, code });
  assert.deepEqual([ok.body.status, ok.body.valid, ok.body.checks.used], ['approved', true, 1]);
});

test('an unknown path under /v1 is a 404 problem, a wrong method a 405 problem', async () => {
  assertProblem(await s.get('/v1/nothing-here'), { status: 404, code: 'NOT_FOUND' });
  assertProblem(await s.request('DELETE', `/v1/verifications/${UNKNOWN_ID}`), {
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
  });
  assertProblem(await s.get(`/v1/verifications/${'x'.repeat(65)}`), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    detail: 'params/id must be at most 64 characters',
  });
});

test('malformed JSON is 400 and a body that is not JSON is 415; nothing is sent', async () => {
  const to = mobile(208);
  assertProblem(await s.post(START, `{"to":"${to}"`, { raw: true }), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    detail: 'Client specified an invalid argument: the request body could not be parsed.',
  });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
    assertProblem(
      await s.post(START, `to=${encodeURIComponent(to)}`, { raw: true, headers: { 'content-type': type } }),
      {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
    );
  }
  await nothingSentAndStillServing(to);
});

test('send limit: a resend counts, and the send past the limit is 429 with Retry-After', async (t) => {
  const lim = await startTestServer({ OTPD_SEND_LIMIT_15M: '2' });
  t.after(() => lim.close());
  const to = mobile(209);
  const first = await startAndRead(lim, to);
  assert.equal((await lim.post(START, { to })).status, 200);
  const third = await lim.post(START, { to });
  assertProblem(third, {
    status: 429,
    code: 'SEND_LIMIT_EXCEEDED',
    detail: 'Too many codes were sent to this recipient. Try later.',
  });
  assert.equal(third.headers.get('retry-after'), '900');
  assert.deepEqual(await codesFor(lim, to), [first.code, first.code], 'the refused send sent nothing');
  // The limit is per recipient, and the pending verification still works.
  assert.equal((await lim.post(START, { to: mobile(210) })).status, 201);
  const got = await lim.get(`/v1/verifications/${first.id}`);
  assert.equal(got.body.sendAttempts.length, 2);
  const ok = await lim.post(CHECK, { id: first.id, code: first.code });
  assert.deepEqual([ok.body.status, ok.body.valid], ['approved', true]);
  // After the window a new code may be sent.
  lim.clock.advance(15 * 60_000);
  assert.equal((await lim.post(START, { to })).status, 201);
});

test('20 parallel starts for one recipient never send more than the limit (5)', async (t) => {
  const lim = await startTestServer({ OTPD_SEND_LIMIT_15M: '5' });
  t.after(() => lim.close());
  const to = mobile(211);
  const all = await Promise.all(Array.from({ length: 20 }, () => lim.post(START, { to })));
  const ok = all.filter((r) => r.status === 200 || r.status === 201);
  assert.equal(ok.length, 5, 'the window holds 5 sends');
  // One verification: the first start creates it, the others resend its code.
  assert.deepEqual(ok.map((r) => r.status).sort(), [200, 200, 200, 200, 201]);
  assert.equal(new Set(ok.map((r) => r.body.id)).size, 1);
  for (const r of all.filter((x) => x.status !== 200 && x.status !== 201))
    assertProblem(r, { status: 429, code: 'SEND_LIMIT_EXCEEDED' });
  const texts = await deliveredTexts(lim, to);
  assert.ok(texts.length >= 1 && texts.length <= ok.length, `texts delivered: ${texts.length}`);
  // One verification is left pending for the recipient, and the code last delivered approves it.
  const ids = [...new Set(ok.map((r) => r.body.id as string))];
  const statuses = await Promise.all(ids.map(async (id) => (await lim.get(`/v1/verifications/${id}`)).body.status));
  assert.equal(statuses.filter((x) => x === 'pending').length, 1, statuses.join());
  const approved = await lim.post(CHECK, { to, code: codeIn(texts[0]) });
  assert.deepEqual([approved.body.status, approved.body.valid], ['approved', true]);
  assert.equal(approved.body.id, ids[statuses.indexOf('pending')]);
});
