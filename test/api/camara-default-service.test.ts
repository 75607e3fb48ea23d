// CAMARA calls are made within the client's default service: its settings apply to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, mobile, startTestServer } from '../helpers/server.ts';

test("CAMARA send-code uses the client's default service: its code length, validity and checks", async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const list = await s.get('/v1/services');
  assert.equal(list.status, 200);
  const before = await s.post(SEND, { phoneNumber: mobile(1), message: 'Code {{code}}' });
  assert.equal(before.status, 200);
  assert.match((await s.lastText(mobile(1))) ?? '', /^Code \d{6}$/, 'the server default: 6 digits');

  const { body: services } = await s.get('/v1/services');
  const def = services.services.find((x: { default: boolean }) => x.default);
  assert.ok(def, 'the first CAMARA call created the default service');
  const patched = await s.request('PATCH', `/v1/services/${def.id}`, { codeLength: 8, ttlSeconds: 60, maxChecks: 1 });
  assert.equal(patched.status, 200);

  const r = await s.post(SEND, { phoneNumber: mobile(2), message: 'Code {{code}}' });
  assert.equal(r.status, 200);
  const code = /^Code (\d{8})$/.exec((await s.lastText(mobile(2))) ?? '')?.[1];
  assert.ok(code, 'the default service says 8 digits');
  const id = r.body.authenticationId as string;
  const v = await s.get(`/v1/verifications/${id}`);
  assert.equal(v.body.service, def.id, 'the verification is in the default service');
  assert.equal(Date.parse(v.body.expiresAt) - Date.parse(v.body.createdAt), 60_000);
  const wrong = code === '00000000' ? '11111111' : '00000000';
  const first = await s.post(VALIDATE, { authenticationId: id, code: wrong });
  assert.equal(
    first.body.code,
    'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED',
    'one check allowed: the first wrong fails it',
  );
});

test("a default service with letters in its codes: CAMARA's validate-code takes them in either case", async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  // The first call creates the client's default service.
  assert.equal((await s.post(SEND, { phoneNumber: mobile(2), message: 'Code {{code}}' })).status, 200);
  const { body } = await s.get('/v1/services');
  const id = body.services.find((x: { default: boolean }) => x.default).id as string;
  assert.equal((await s.request('PATCH', `/v1/services/${id}`, { alphabet: 'alphanumeric' })).status, 200);
  const r = await s.post(SEND, { phoneNumber: mobile(3), message: 'Code {{code}}' });
  const code = /^Code ([A-Z0-9]{6})$/.exec((await s.lastText(mobile(3))) ?? '')?.[1];
  assert.ok(code, 'an alphanumeric code');
  const ok = await s.post(VALIDATE, { authenticationId: r.body.authenticationId, code: code.toLowerCase() });
  assert.equal(ok.status, 204);
});
