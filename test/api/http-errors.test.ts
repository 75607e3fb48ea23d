// HTTP-level behaviour of the CAMARA surface: x-correlator, credentials, scopes, methods,
// content negotiation, body limits and strict body validation. Every refusal must be a CAMARA
// error body (never a 500, never a stack trace), and must leave stored verifications intact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, mobile, startTestServer, type HttpResult, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';

const MSG = 'Your code is {{code}}';
const E = {
  invalid: (message: string) => ({ status: 400, code: 'INVALID_ARGUMENT', message }),
  unparsable: {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'Client specified an invalid argument: the request body could not be parsed.',
  },
  unauthenticated: {
    status: 401,
    code: 'UNAUTHENTICATED',
    message: 'Request not authenticated due to missing, invalid, or expired credentials.',
  },
  denied: {
    status: 403,
    code: 'PERMISSION_DENIED',
    message: 'Client does not have sufficient permissions to perform this action.',
  },
  notFound: { status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' },
  method: {
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    message: 'The requested method is not allowed/supported on the target resource.',
  },
  notAcceptable: {
    status: 406,
    code: 'NOT_ACCEPTABLE',
    message:
      'The server cannot produce a response matching the content requested by the client through Accept-* headers.',
  },
  tooLarge: {
    status: 413,
    code: 'CONTENT_TOO_LARGE',
    message: 'The request body is larger than the server is willing to process.',
  },
  mediaType: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'The server refuses to accept the request because the payload format is in an unsupported format.',
  },
};

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

let next = 200;
/** A fresh verification; call the returned function after the bad requests to prove it survived. */
async function pending(): Promise<{ id: string; code: string; intact: () => Promise<void> }> {
  const { authenticationId, code } = await s.sendAndRead(mobile(next++));
  return {
    id: authenticationId,
    code,
    intact: async () =>
      assert.equal(
        (await s.post(VALIDATE, { authenticationId, code })).status,
        204,
        'the verification still validates',
      ),
  };
}

/** fetch with full control over method, headers and body (the helper always sends JSON). */
async function raw(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  const res = await fetch(s.url + path, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}

const auth = () => ({ authorization: `Bearer ${s.key}` });

test('x-correlator is echoed on successes and on errors', async () => {
  const h = { 'x-correlator': 'b4333c46-49c0-4f62-80d7-f0ef930f1c46' };
  const sent = await s.post(SEND, { phoneNumber: mobile(next++), message: MSG }, { headers: h });
  assert.equal(sent.status, 200);
  assert.equal(sent.headers.get('x-correlator'), h['x-correlator']);
  const v = await pending();
  const wrong = await s.post(VALIDATE, { authenticationId: v.id, code: '0000000' }, { headers: h });
  assertError(wrong, {
    status: 400,
    code: 'ONE_TIME_PASSWORD_SMS.INVALID_OTP',
    message: 'The provided OTP is not valid for this authenticationId',
  });
  assert.equal(wrong.headers.get('x-correlator'), h['x-correlator']);
  const ok = await s.post(VALIDATE, { authenticationId: v.id, code: v.code }, { headers: h });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('x-correlator'), h['x-correlator']);
  const errors: [HttpResult, { status: number; code: string; message: string }][] = [
    [await s.post(SEND, { phoneNumber: mobile(next), message: MSG }, { key: null, headers: h }), E.unauthenticated],
    [await s.get('/no/such/route', { headers: h }), E.notFound],
    [await s.get(SEND, { headers: h }), E.method],
    [
      await s.post(SEND, { phoneNumber: mobile(next), message: MSG }, { headers: { ...h, accept: 'text/html' } }),
      E.notAcceptable,
    ],
    [await s.post(SEND, '{', { raw: true, headers: h }), E.unparsable],
    [await s.post(SEND, 'x', { raw: true, headers: { ...h, 'content-type': 'application/xml' } }), E.mediaType],
  ];
  for (const [r, expected] of errors) {
    assertError(r, expected);
    assert.equal(r.headers.get('x-correlator'), h['x-correlator'], `echoed on ${expected.code}`);
  }
  const longest = 'a-Z_0:9;.x/<>{}'.padEnd(256, 'z');
  const edge = await s.get('/healthz', { headers: { 'x-correlator': longest } });
  assert.equal(edge.status, 200);
  assert.equal(edge.headers.get('x-correlator'), longest);
});

test('an x-correlator that breaks the pattern is 400 INVALID_ARGUMENT', async () => {
  const v = await pending();
  for (const bad of ['has space', 'a'.repeat(257), 'x'.repeat(300), 'quote"d', 'semi,comma', 'per%41cent']) {
    const r = await raw('POST', VALIDATE, {
      headers: { ...auth(), 'content-type': 'application/json', 'x-correlator': bad },
      body: JSON.stringify({ authenticationId: v.id, code: v.code }),
    });
    assertError(r, E.invalid('x-correlator header does not match the required pattern'));
    assert.equal(r.headers.get('x-correlator'), null);
  }
  await v.intact();
});

test('401 UNAUTHENTICATED without Authorization, with a wrong key, or with the key only in the URL', async () => {
  const v = await pending();
  const body = JSON.stringify({ authenticationId: v.id, code: v.code });
  const json = { 'content-type': 'application/json' };
  const cases: HttpResult[] = [
    await raw('POST', VALIDATE, { headers: json, body }),
    await raw('POST', VALIDATE, { headers: { ...json, authorization: 'Bearer otpd_0123456789ab_wrong-secret' }, body }),
    await raw('POST', VALIDATE, { headers: { ...json, authorization: `Bearer ${s.key}x` }, body }),
    await raw('POST', VALIDATE, { headers: { ...json, authorization: s.key }, body }),
    await raw('POST', VALIDATE, { headers: { ...json, authorization: 'Bearer' }, body }),
    await raw('POST', `${VALIDATE}?api_key=${encodeURIComponent(s.key)}`, { headers: json, body }),
    await raw('POST', `${VALIDATE}?access_token=${encodeURIComponent(s.key)}`, { headers: json, body }),
    await raw('POST', SEND, { headers: json, body: JSON.stringify({ phoneNumber: mobile(next), message: MSG }) }),
  ];
  for (const r of cases) {
    assertError(r, E.unauthenticated);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  }
  await v.intact();
});

test('403 PERMISSION_DENIED for a key without the needed scope', async () => {
  const v = await pending();
  const adminOnly = await s.createKey({ scopes: ['admin'], clientId: 'tenant-a' });
  assertError(await s.post(SEND, { phoneNumber: mobile(next), message: MSG }, { key: adminOnly.secret }), E.denied);
  assertError(await s.post(VALIDATE, { authenticationId: v.id, code: v.code }, { key: adminOnly.secret }), E.denied);
  const apiOnly = await s.createKey({ scopes: ['one-time-password-sms:send-validate'] });
  assertError(await s.get(`/dev/messages?to=${encodeURIComponent(mobile(next))}`, { key: apiOnly.secret }), E.denied);
  await v.intact();
});

test('405 METHOD_NOT_ALLOWED with Allow: POST for GET, PUT and DELETE on both CAMARA paths', async () => {
  const v = await pending();
  for (const path of [SEND, VALIDATE]) {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const body = method === 'GET' ? undefined : JSON.stringify({ authenticationId: v.id, code: v.code });
      const r = await raw(method, path, {
        headers: { ...auth(), ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
      });
      assertError(r, E.method);
      assert.equal(r.headers.get('allow'), 'POST', `${method} ${path}`);
    }
  }
  await v.intact();
});

test('406 NOT_ACCEPTABLE when Accept excludes JSON', async () => {
  const v = await pending();
  assertError(
    await s.post(VALIDATE, { authenticationId: v.id, code: v.code }, { headers: { accept: 'text/html' } }),
    E.notAcceptable,
  );
  assertError(
    await s.post(
      SEND,
      { phoneNumber: mobile(next), message: MSG },
      { headers: { accept: 'text/html, application/xml' } },
    ),
    E.notAcceptable,
  );
  assert.equal(
    (
      await s.post(
        SEND,
        { phoneNumber: mobile(next++), message: MSG },
        { headers: { accept: 'text/html, application/json;q=0.9' } },
      )
    ).status,
    200,
  );
  await v.intact();
});

test('415 UNSUPPORTED_MEDIA_TYPE for a text/plain body', async () => {
  const v = await pending();
  const body = JSON.stringify({ authenticationId: v.id, code: v.code });
  assertError(await s.post(VALIDATE, body, { raw: true, headers: { 'content-type': 'text/plain' } }), E.mediaType);
  await v.intact();
});

test('415 UNSUPPORTED_MEDIA_TYPE for other non-JSON content types', async () => {
  const v = await pending();
  for (const type of ['application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
    assertError(
      await s.post(VALIDATE, JSON.stringify({ authenticationId: v.id, code: v.code }), {
        raw: true,
        headers: { 'content-type': type },
      }),
      E.mediaType,
    );
  }
  await v.intact();
});

test('415 UNSUPPORTED_MEDIA_TYPE for a form-encoded body on the CAMARA paths', async () => {
  const to = mobile(next++);
  const form = new URLSearchParams({ phoneNumber: to, message: MSG }).toString();
  assertError(
    await s.post(SEND, form, { raw: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    E.mediaType,
  );
  assert.deepEqual(await s.server.store.listMessages({ recipient: to, limit: 5 }), []);
});

test('413 CONTENT_TOO_LARGE for a 1 MB body', async () => {
  const v = await pending();
  const big = JSON.stringify({ authenticationId: v.id, code: v.code, padding: 'x'.repeat(1024 * 1024) });
  assertError(await s.post(VALIDATE, big, { raw: true }), E.tooLarge);
  assertError(
    await s.post(SEND, JSON.stringify({ phoneNumber: mobile(next), message: `${'x'.repeat(1024 * 1024)}{{code}}` }), {
      raw: true,
    }),
    E.tooLarge,
  );
  await v.intact();
});

test('malformed JSON is 400 INVALID_ARGUMENT', async () => {
  const v = await pending();
  for (const text of [
    '{',
    '{"authenticationId": }',
    `{"authenticationId":"${v.id}","code":"${v.code}"`,
    "{'code': 1}",
    'nul',
    '{"a":1}}',
  ]) {
    assertError(await s.post(VALIDATE, text, { raw: true }), E.unparsable);
  }
  await v.intact();
});

test('wrong property types are 400 INVALID_ARGUMENT and spend no attempt', async () => {
  const v = await pending();
  assertError(
    await s.post(SEND, { phoneNumber: 34629255833, message: MSG }),
    E.invalid(
      'phoneNumber must be in E.164 format: a + then the country code and number, no spaces (e.g. +34612345678)',
    ),
  );
  assertError(
    await s.post(SEND, { phoneNumber: mobile(next), message: ['{{code}}'] }),
    E.invalid('body/message must be a string'),
  );
  for (const code of [{}, 123456, null, [v.code], true]) {
    assertError(await s.post(VALIDATE, { authenticationId: v.id, code }), E.invalid('body/code must be a string'));
  }
  assertError(
    await s.post(VALIDATE, { authenticationId: 42, code: v.code }),
    E.invalid('body/authenticationId must be a string'),
  );
  await v.intact();
});

test('deeply nested bodies are 400 INVALID_ARGUMENT', async () => {
  const v = await pending();
  const arrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assertError(await s.post(VALIDATE, arrays(5000), { raw: true }), E.invalid('body must be an object'));
  assertError(
    await s.post(VALIDATE, `{"authenticationId":"${v.id}","code":${arrays(5000)}}`, { raw: true }),
    E.invalid('body/code must be a string'),
  );
  const objects = `{"authenticationId":"${v.id}","code":"${v.code}","x":${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}}`;
  assert.ok(objects.length < 16_384);
  assertError(await s.post(VALIDATE, objects, { raw: true }), E.invalid('body/x is not allowed'));
  assertError(
    await s.post(VALIDATE, `{"code":${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}}`, { raw: true }),
    E.invalid('body/authenticationId is required'),
  );
  await v.intact();
});

test('an unknown property is 400 INVALID_ARGUMENT', async () => {
  const v = await pending();
  assertError(
    await s.post(VALIDATE, { authenticationId: v.id, code: v.code, extra: true }),
    E.invalid('body/extra is not allowed'),
  );
  const to = mobile(next++);
  assertError(
    await s.post(SEND, { phoneNumber: to, message: MSG, sender: 'Cool App' }),
    E.invalid('body/sender is not allowed'),
  );
  assert.deepEqual(await s.server.store.listMessages({ recipient: to, limit: 5 }), []);
  // Prototype-poisoning keys are refused outright.
  assertError(
    await s.post(VALIDATE, `{"authenticationId":"${v.id}","code":"${v.code}","__proto__":{"x":1}}`, { raw: true }),
    E.unparsable,
  );
  await v.intact();
});

test('an empty body is 400 INVALID_ARGUMENT', async () => {
  const v = await pending();
  assertError(
    await s.post(VALIDATE, '', { raw: true }),
    E.invalid('Client specified an invalid argument, request body or query param.'),
  );
  assertError(await raw('POST', VALIDATE, { headers: auth() }), E.invalid('body must be an object'));
  assertError(await s.post(VALIDATE, {}), E.invalid('body/authenticationId is required'));
  assertError(await s.post(SEND, {}), E.invalid('body/phoneNumber is required'));
  await v.intact();
});

test('an unknown route is 404 NOT_FOUND', async () => {
  const v = await pending();
  assertError(await s.get('/nope'), E.notFound);
  assertError(
    await s.post('/one-time-password-sms/v2/send-code', { phoneNumber: mobile(next), message: MSG }),
    E.notFound,
  );
  assertError(
    await s.post('/one-time-password-sms/v1/send-codes', { phoneNumber: mobile(next), message: MSG }),
    E.notFound,
  );
  assertError(await s.get('/one-time-password-sms/v1/validate-code/../../etc/passwd'), E.notFound);
  assertError(await raw('DELETE', '/no/such/path', { headers: auth() }), E.notFound);
  await v.intact();
});
