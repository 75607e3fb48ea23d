// Inputs found in review that once reached the store or the router: each is a clear 400 in the API's error format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, startTestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';

for (const store of ['sqlite', 'postgres'] as const) {
  test(`${store}: NUL characters in a body or a URL are 400 INVALID_ARGUMENT, never 500`, async (t) => {
    const s = await startTestServer({}, { store });
    t.after(() => s.close());
    const nul = { status: 400, code: 'INVALID_ARGUMENT', message: 'NUL characters are not allowed' };
    assertError(await s.post(VALIDATE, { authenticationId: 'ab\u0000cd', code: '123456' }), nul);
    assertError(await s.post(SEND, { phoneNumber: '+34629255833', message: 'x\u0000 {{code}}' }), nul);
    assertError(await s.get('/admin/messages?gateway=%00'), nul);
    assertError(await s.get('/admin/clients/a%00b/policy'), nul);
  });
}

test('a malformed percent-escape in the path is 400 in the API error format', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const r = await s.post('/callbacks/%ZZ', 'x', { raw: true, headers: { 'content-type': 'text/plain' } });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'INVALID_ARGUMENT');
  assert.equal(r.body.status, 400);
});

test('the 400 for a malformed percent-escape, answered before routing, echoes the x-correlator', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  for (const path of ['/callbacks/%ZZ', '/admin/clients/%E0%A4%A/policy']) {
    const r = await s.get(path, { headers: { 'x-correlator': 'esc-1' } });
    assertError(r, { status: 400, code: 'INVALID_ARGUMENT', message: 'The URL holds a malformed percent-escape.' });
    assert.equal(r.headers.get('x-correlator'), 'esc-1', path);
  }
  const invalid = await s.get('/callbacks/%ZZ', { headers: { 'x-correlator': 'not valid!' } });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.headers.get('x-correlator'), null, 'a correlator outside the pattern is not echoed');
});

test('a clientId up to the 128 characters the schema allows reaches the policy routes', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  for (const id of ['c'.repeat(101), 'd'.repeat(128), 'é'.repeat(128)]) {
    // An operator sets the policy; a client key of that tenant reads its own.
    const { secret } = await s.createKey({ clientId: id });
    const path = `/admin/clients/${encodeURIComponent(id)}/policy`;
    const put = await fetch(s.url + path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${s.operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dailyMessages: 7 }),
    });
    assert.equal(put.status, 200, `PUT ${id.length} characters: ${await put.text()}`);
    const got = await s.get(path, { key: secret });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.clientId, id);
    assert.equal(got.body.dailyMessages, 7);
  }
  const tooLong = await s.get(`/admin/clients/${'e'.repeat(129)}/policy`);
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.code, 'INVALID_ARGUMENT');
  const beyondRouter = await s.get(`/admin/clients/${'f'.repeat(2000)}/policy`);
  assertError(beyondRouter, {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'A segment of the URL path is longer than any valid value.',
  });
});

test('admin routes name what is wrong too: an unknown property by its name, a missing one', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const post = (body: unknown) =>
    fetch(`${s.url}/admin/number-rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const unknown = await post({ kind: 'block', prefix: '+4479', sender: 'x' });
  assert.deepEqual(unknown, {
    status: 400,
    body: { status: 400, code: 'INVALID_ARGUMENT', message: 'body/sender is not allowed' },
  });
  const missing = await post({ kind: 'block' });
  assert.equal(missing.body.message, 'body/prefix is required');
});
