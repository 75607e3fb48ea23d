import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, SEND, VALIDATE, mobile, startTestServer, type HttpResult } from '../helpers/server.ts';
import { withPg } from '../helpers/pg.ts';

process.env.OTPD_TEST_STORE = 'postgres';

function assertClosedFailure(r: HttpResult): void {
  assert.ok(r.status >= 500, `expected a 5xx, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.body.message, /Request id: [0-9a-f-]{36}/);
  assert.ok(!JSON.stringify(r.body).includes('    at '), 'no stack trace in the body');
}

test('PostgreSQL: when the tables stay locked past the statement timeout, no 200 and no 204; nothing is lost', async (t) => {
  const s = await startTestServer({ OTPD_DATABASE_STATEMENT_TIMEOUT_MS: '300' });
  t.after(() => s.close());
  const { authenticationId, code } = await s.sendAndRead(MOBILE);
  const [send, validate] = await withPg(async (c) => {
    await c.query('BEGIN');
    await c.query(`LOCK TABLE ${s.pgSchema}.verifications IN ACCESS EXCLUSIVE MODE`);
    try {
      return await Promise.all([
        s.post(SEND, { phoneNumber: mobile(9), message: 'code {{code}}' }),
        s.post(VALIDATE, { authenticationId, code }),
      ]);
    } finally {
      await c.query('ROLLBACK');
    }
  });
  assertClosedFailure(send);
  assertClosedFailure(validate);
  assert.equal((await s.server.store.listMessages({ recipient: mobile(9), limit: 5 })).length, 0, 'nothing queued for a refused send');
  assert.equal((await s.post(VALIDATE, { authenticationId, code })).status, 204, 'the failed validation spent nothing');
});

test('PostgreSQL: when the store is gone, readiness says so and requests fail closed', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close().catch(() => {}));
  const { authenticationId, code } = await s.sendAndRead(MOBILE);
  await s.server.store.close();
  assertClosedFailure(await s.post(VALIDATE, { authenticationId, code }));
  const ready = await s.get('/readyz', { key: null });
  assert.equal(ready.status, 503);
  assert.equal(ready.body.code, 'UNAVAILABLE');
});
