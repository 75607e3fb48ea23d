// The budget on PostgreSQL, with every limit on (request rate, velocity per client, IP,
// prefix and country, daily quota): once a key is in the cache a send-code costs at most two round
// trips and a validate-code one. Round trips are counted where they happen, at pg.Client#query (a
// pool's query goes through it, as do BEGIN and COMMIT), for the queries made on behalf of one
// request: an AsyncLocalStorage follows the request from inject() into the store and no further,
// so the dispatcher, the purger and other tests are not counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { SEND, VALIDATE, mobile, startTestServer, type TestServer } from '../helpers/server.ts';

const perRequest = new AsyncLocalStorage<string[]>();
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const q = args[0] as string | { name?: string; text?: string };
  perRequest.getStore()?.push(typeof q === 'string' ? q : (q.name ?? q.text ?? '?'));
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

const LIMITS_ON = {
  OTPD_RATE_LIMIT_RPS: '100',
  OTPD_VELOCITY_CLIENT: '600',
  OTPD_VELOCITY_IP: '20',
  OTPD_VELOCITY_IP_SCOPE: 'always',
  OTPD_VELOCITY_PREFIX: '20',
  OTPD_VELOCITY_COUNTRY: '1000',
  OTPD_DAILY_MESSAGE_QUOTA: '10000',
};

/** The statements one request made, in order; its status. */
async function measure(s: TestServer, url: string, body: object, key: string) {
  const statements: string[] = [];
  // Awaited inside run(): inject() starts the request when its result is awaited.
  const res = await perRequest.run(
    statements,
    async () =>
      await s.server.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      }),
  );
  return { status: res.statusCode, statements };
}

test('PostgreSQL: a send-code is two round trips and a validate-code one, with every limit on', async () => {
  const s = await startTestServer(LIMITS_ON, { store: 'postgres' });
  try {
    const cold = await measure(s, SEND, { phoneNumber: mobile(701), message: 'code {{code}}' }, s.key);
    assert.equal(cold.status, 200);
    assert.ok(cold.statements.includes('otpd_key_by_hash'), `a cold cache looks the key up: ${cold.statements}`);

    const send = await measure(s, SEND, { phoneNumber: mobile(702), message: 'code {{code}}' }, s.key);
    assert.equal(send.status, 200);
    assert.deepEqual(send.statements, ['otpd_admission', 'otpd_send']);

    const { authenticationId, code } = await s.sendAndRead(mobile(703));
    const wrong = await measure(
      s,
      VALIDATE,
      { authenticationId, code: code === '000000' ? '111111' : '000000' },
      s.key,
    );
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.statements, ['otpd_validate_spending']);
    const right = await measure(s, VALIDATE, { authenticationId, code }, s.key);
    assert.equal(right.status, 204);
    assert.deepEqual(right.statements, ['otpd_validate_spending']);
  } finally {
    await s.close();
  }
});

test('PostgreSQL: without a request rate the validation is the plain one-statement function', async () => {
  const s = await startTestServer({ ...LIMITS_ON, OTPD_RATE_LIMIT_RPS: '0' }, { store: 'postgres' });
  try {
    const { authenticationId, code } = await s.sendAndRead(mobile(704));
    const right = await measure(s, VALIDATE, { authenticationId, code }, s.key);
    assert.equal(right.status, 204);
    assert.deepEqual(right.statements, ['otpd_validate']);
    const send = await measure(s, SEND, { phoneNumber: mobile(705), message: 'code {{code}}' }, s.key);
    assert.deepEqual([send.status, send.statements], [200, ['otpd_admission', 'otpd_send']]);
  } finally {
    await s.close();
  }
});
