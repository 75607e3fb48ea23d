// The error catalogue: every domain error has an HTTP status, and every error code the CAMARA
// spec lists is produced by a real request, with the status the spec gives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { HTTP_STATUS } from '../../src/api/error-map.ts';
import { SEND, VALIDATE, mobile, startTestServer, type HttpResult } from '../helpers/server.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Vendored with its licence (spec/camara/README.md), so the test runs in every clone.
const SPEC = join(repoRoot, 'spec', 'camara', 'one-time-password-sms-v1.1.1.yaml');

test('every code in ERROR_CODES has an HTTP error status in HTTP_STATUS, and nothing else is there', () => {
  assert.ok(ERROR_CODES.length > 0);
  for (const code of ERROR_CODES) {
    const status = HTTP_STATUS[code];
    assert.equal(typeof status, 'number', `${code} has no HTTP status`);
    assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code} → ${status}`);
  }
  assert.deepEqual(Object.keys(HTTP_STATUS).sort(), [...ERROR_CODES].sort());
});

/** code → status for every `code` enum in the spec's error responses. */
function specErrorCodes(spec: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const props = o.properties as Record<string, { enum?: unknown[] }> | undefined;
    const codes = props?.code?.enum;
    const statuses = props?.status?.enum;
    if (Array.isArray(codes)) {
      assert.ok(Array.isArray(statuses) && statuses.length === 1, 'each error schema pins one status');
      for (const c of codes) out.set(String(c), Number(statuses[0]));
    }
    Object.values(o).forEach(walk);
  };
  walk(spec);
  return out;
}

test("every error code in the CAMARA spec is produced, with the spec's status", async (t) => {
  const expected = specErrorCodes(parseYaml(readFileSync(SPEC, 'utf8')));
  assert.equal(expected.size, 13, [...expected.keys()].join(', '));

  const T1 = '+15005550006',
    T2 = '+15005550007',
    T3 = '+15005550008';
  const s = await startTestServer({
    OTPD_TEST_NUMBERS: `${T1}:123456,${T2}:234567,${T3}:345678`,
    OTPD_BLOCKED_NUMBERS: '+34629259999',
    OTPD_SEND_LIMIT_15M: '2',
    OTPD_DAILY_MESSAGE_QUOTA: '2',
    OTPD_RATE_LIMIT_RPS: '1',
    OTPD_RATE_LIMIT_BURST: '5',
  });
  t.after(() => s.close());

  const observed = new Map<string, number>();
  const seen = (r: HttpResult): HttpResult => {
    if (r.status >= 400) {
      assert.deepEqual(Object.keys(r.body).sort(), ['code', 'message', 'status'], JSON.stringify(r.body));
      assert.equal(r.body.status, r.status);
      assert.equal(typeof r.body.message, 'string');
      observed.set(r.body.code, r.status);
    }
    return r;
  };
  // Each step gets its own client, so the rate limit, quota and send limits of one do not leak into another.
  const fresh = async () => (await s.createKey()).secret;
  const send = async (key: string, phoneNumber: string) =>
    seen(await s.post(SEND, { phoneNumber, message: 'Code {{code}}' }, { key }));
  const validate = async (key: string, authenticationId: string, code: string) =>
    seen(await s.post(VALIDATE, { authenticationId, code }, { key }));
  const expectCode = (r: HttpResult, code: string) => assert.equal(r.body?.code, code, JSON.stringify(r.body));

  let k = await fresh();
  expectCode(
    seen(await s.post(SEND, { phoneNumber: mobile(1), message: 'Code {{code}}', extra: 1 }, { key: k })),
    'INVALID_ARGUMENT',
  );
  expectCode(await validate(k, '6f1c2a4e-8b7d-4c3e-9a1f-0123456789ab', '12'), 'OUT_OF_RANGE');
  expectCode(await validate(k, '6f1c2a4e-8b7d-4c3e-9a1f-0123456789ab', '123456'), 'NOT_FOUND');

  k = await fresh();
  const a = (await send(k, T1)).body.authenticationId as string;
  expectCode(await validate(k, a, '999999'), 'ONE_TIME_PASSWORD_SMS.INVALID_OTP');
  await validate(k, a, '999999');
  expectCode(await validate(k, a, '999999'), 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED');

  k = await fresh();
  const b = (await send(k, T2)).body.authenticationId as string;
  assert.equal((await validate(k, b, '234567')).status, 204);
  expectCode(await validate(k, b, '234567'), 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED');

  expectCode(
    seen(await s.post(SEND, { phoneNumber: mobile(2), message: 'Code {{code}}' }, { key: null })),
    'UNAUTHENTICATED',
  );
  const adminOnly = (await s.createKey({ scopes: ['admin'] })).secret;
  expectCode(await send(adminOnly, mobile(2)), 'PERMISSION_DENIED');

  k = await fresh();
  await send(k, T3);
  await send(k, T3);
  expectCode(await send(k, T3), 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED');
  expectCode(await send(k, '+442079460000'), 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
  expectCode(await send(k, '+34629259999'), 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');

  k = await fresh();
  assert.equal((await send(k, mobile(3))).status, 200);
  assert.equal((await send(k, mobile(4))).status, 200);
  expectCode(await send(k, mobile(5)), 'QUOTA_EXCEEDED');

  k = await fresh();
  for (let i = 0; i < 5; i++)
    expectCode(await validate(k, '6f1c2a4e-8b7d-4c3e-9a1f-0123456789ab', '123456'), 'NOT_FOUND');
  expectCode(await validate(k, '6f1c2a4e-8b7d-4c3e-9a1f-0123456789ab', '123456'), 'TOO_MANY_REQUESTS');

  assert.deepEqual([...observed.keys()].sort(), [...expected.keys()].sort());
  for (const [code, status] of expected) assert.equal(observed.get(code), status, `${code} status`);
});
