import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, mobile, startTestServer } from '../helpers/server.ts';

// Node's fetch opens a socket per concurrent request to one origin (no per-origin cap), so these
// requests really are in flight together.

test('races over real HTTP: 100 parallel validations with the right code give exactly one 204', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const { authenticationId, code } = await s.sendAndRead(mobile(1));
  const results = await Promise.all(Array.from({ length: 100 }, () => s.post(VALIDATE, { authenticationId, code })));
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((x) => x === 204).length, 1);
  for (const r of results.filter((x) => x.status !== 204)) {
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED');
  }
});

test('races over real HTTP: 100 parallel wrong codes are evaluated at most maxAttempts times', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const { authenticationId, code } = await s.sendAndRead(mobile(2));
  const wrong = code === '000000' ? '111111' : '000000';
  const results = await Promise.all(
    Array.from({ length: 100 }, () => s.post(VALIDATE, { authenticationId, code: wrong })),
  );
  const codes = results.map((r) => r.body.code as string);
  // Each evaluated guess answers CODE_INVALID, except the one that spends the last attempt.
  assert.equal(codes.filter((c) => c === 'ONE_TIME_PASSWORD_SMS.INVALID_OTP').length, 2);
  assert.equal(codes.filter((c) => c === 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED').length, 98);
  const after = await s.post(VALIDATE, { authenticationId, code });
  assert.equal(
    after.body.code,
    'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED',
    'the right code cannot win after the budget is spent',
  );
});

test('races over real HTTP: 60 parallel send-codes to one number accept exactly the limit', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const results = await Promise.all(
    Array.from({ length: 60 }, () => s.post(SEND, { phoneNumber: mobile(3), message: 'code {{code}}' })),
  );
  assert.equal(results.filter((r) => r.status === 200).length, 5);
  const refused = results.filter((r) => r.status !== 200);
  assert.ok(refused.every((r) => r.status === 403 && r.body.code === 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED'));
  // The accepted ones supersede each other: exactly one is still pending.
  const ids = results.filter((r) => r.status === 200).map((r) => r.body.authenticationId as string);
  const probes = await Promise.all(ids.map((authenticationId) => s.post(VALIDATE, { authenticationId, code: '0000' })));
  assert.equal(probes.filter((p) => p.body.code === 'ONE_TIME_PASSWORD_SMS.INVALID_OTP').length, 1);
});
