import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MOBILE, SEND, VALIDATE, mobile, startTestServer, type HttpResult } from '../helpers/server.ts';

function assertClosedFailure(r: HttpResult): void {
  assert.ok(r.status >= 500, `expected a 5xx, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.code, 'INTERNAL');
  assert.match(r.body.message, /Request id: [0-9a-f-]{36}/);
  assert.ok(!JSON.stringify(r.body).includes('    at '), 'no stack trace in the body');
}

test('when the store cannot write (locked past busy_timeout), no 200 and no 204; afterwards nothing was lost', async (t) => {
  const s = await startTestServer({ OTPD_SQLITE_BUSY_TIMEOUT_MS: '300' });
  t.after(() => s.close());
  const { authenticationId, code } = await s.sendAndRead(MOBILE);

  // Another process holds the write lock for longer than otpd waits for it.
  const other = new Database(join(s.dataDir, 'otpd.db'));
  other.exec('BEGIN EXCLUSIVE');
  const [send, validate] = await Promise.all([
    s.post(SEND, { phoneNumber: mobile(9), message: 'code {{code}}' }),
    s.post(VALIDATE, { authenticationId, code }),
  ]);
  other.exec('ROLLBACK');
  other.close();
  assertClosedFailure(send);
  assertClosedFailure(validate);
  assert.equal((await s.server.store.listMessages({ recipient: mobile(9), limit: 5 })).length, 0, 'nothing queued for a refused send');

  // The failed validation spent nothing: the code still validates once.
  assert.equal((await s.post(VALIDATE, { authenticationId, code })).status, 204);
});

test('when the store is gone, readiness says so and requests fail closed', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close().catch(() => {}));
  const { authenticationId, code } = await s.sendAndRead(MOBILE);
  await s.server.store.close();
  assertClosedFailure(await s.post(VALIDATE, { authenticationId, code }));
  const ready = await s.get('/readyz', { key: null });
  assert.equal(ready.status, 503);
  assert.equal(ready.body.code, 'UNAVAILABLE');
});
