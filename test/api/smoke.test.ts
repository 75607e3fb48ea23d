import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, SEND, VALIDATE, startTestServer } from '../helpers/server.ts';

test('send a code, read it from the development outbox, validate it once', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const { authenticationId, code } = await s.sendAndRead(MOBILE);
  assert.match(code, /^\d{6}$/);
  const ok = await s.post(VALIDATE, { authenticationId, code });
  assert.equal(ok.status, 204);
  const again = await s.post(VALIDATE, { authenticationId, code });
  assert.equal(again.status, 400);
  assert.deepEqual(again.body, {
    status: 400,
    code: 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED',
    message: 'The authenticationId is no longer valid',
  });
  const unknown = await s.post(SEND, { phoneNumber: MOBILE, message: 'x {{code}}' }, { key: 'nope' });
  assert.equal(unknown.status, 401);
});
