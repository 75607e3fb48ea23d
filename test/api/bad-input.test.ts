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
