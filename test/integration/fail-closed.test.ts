import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  MOBILE,
  SEND,
  VALIDATE,
  mobile,
  startTestServer,
  type HttpResult,
  type TestServer,
} from '../helpers/server.ts';
import { withPg } from '../helpers/pg.ts';

function assertClosedFailure(r: HttpResult): void {
  assert.ok(r.status >= 500, `expected a 5xx, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.code, 'INTERNAL');
  assert.match(r.body.message, /Request id: [0-9a-f-]{36}/);
  assert.ok(!JSON.stringify(r.body).includes('    at '), 'no stack trace in the body');
}

/** While `hold` keeps the store from writing, a send and a validation both fail closed; afterwards nothing was lost. */
async function failsClosedWhileLocked(
  s: TestServer,
  hold: (run: () => Promise<HttpResult[]>) => Promise<HttpResult[]>,
): Promise<void> {
  const { authenticationId, code } = await s.sendAndRead(MOBILE);
  const [send, validate] = await hold(() =>
    Promise.all([
      s.post(SEND, { phoneNumber: mobile(9), message: 'code {{code}}' }),
      s.post(VALIDATE, { authenticationId, code }),
    ]),
  );
  assertClosedFailure(send!);
  assertClosedFailure(validate!);
  assert.equal(
    (await s.server.store.listMessages({ recipient: mobile(9), limit: 5 })).length,
    0,
    'nothing queued for a refused send',
  );
  // The failed validation spent nothing: the code still validates once.
  assert.equal((await s.post(VALIDATE, { authenticationId, code })).status, 204);
}

test('sqlite: a write lock held past busy_timeout: no 200, no 204; afterwards nothing was lost', async (t) => {
  const s = await startTestServer({ OTPD_SQLITE_BUSY_TIMEOUT_MS: '300' });
  t.after(() => s.close());
  // Another process holds the write lock for longer than otpd waits for it.
  await failsClosedWhileLocked(s, async (run) => {
    const other = new Database(join(s.dataDir, 'otpd.db'));
    other.exec('BEGIN EXCLUSIVE');
    try {
      return await run();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});

test('postgres: a table locked past the statement timeout: no 200, no 204; afterwards nothing was lost', async (t) => {
  const s = await startTestServer({ OTPD_DATABASE_STATEMENT_TIMEOUT_MS: '300' }, { store: 'postgres' });
  t.after(() => s.close());
  await failsClosedWhileLocked(s, (run) =>
    withPg(async (c) => {
      await c.query('BEGIN');
      await c.query(`LOCK TABLE ${s.pgSchema}.verifications IN ACCESS EXCLUSIVE MODE`);
      try {
        return await run();
      } finally {
        await c.query('ROLLBACK');
      }
    }),
  );
});

for (const store of ['sqlite', 'postgres'] as const) {
  test(`${store}: when the store is gone, readiness says so and requests fail closed`, async (t) => {
    const s = await startTestServer({}, { store });
    t.after(() => s.close().catch(() => {}));
    const { authenticationId, code } = await s.sendAndRead(MOBILE);
    await s.server.store.close();
    assertClosedFailure(await s.post(VALIDATE, { authenticationId, code }));
    const ready = await s.get('/readyz', { key: null });
    assert.equal(ready.status, 503);
    assert.equal(ready.body.code, 'UNAVAILABLE');
  });
}
