import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mobile } from '../helpers/server.ts';
import { call, eventually, startCluster, type Cluster } from '../helpers/replicas.ts';
import { runOtpd } from '../helpers/process.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SEND = '/one-time-password-sms/v1/send-code';
const VALIDATE = '/one-time-password-sms/v1/validate-code';

/** Reads the newest code texted to `phone` through the shared development outbox of `url`. */
function readCode(url: string, phone: string, not?: string): Promise<string> {
  return eventually(async () => {
    const r = await call(url, 'GET', `/dev/messages?to=${encodeURIComponent(phone)}`);
    const code = /code (\w+)/.exec(r.body.messages[0]?.text ?? '')?.[1];
    return code !== undefined && code !== not ? code : undefined;
  }, `a text to ${phone}`);
}

describe('two otpd replicas on one PostgreSQL', () => {
  let c: Cluster;
  let a: string;
  let b: string;
  before(async () => {
    c = await startCluster(2);
    [a, b] = c.replicas.map((r) => r.url) as [string, string];
  });
  after(() => c.close());
  const pick = (i: number) => (i % 2 ? b : a);

  test('a code sent through one replica validates through the other, once', async () => {
    const phone = mobile(101);
    const sent = await call(a, 'POST', SEND, { phoneNumber: phone, message: 'code {{code}}' });
    assert.equal(sent.status, 200);
    const code = await readCode(b, phone);
    assert.equal((await call(b, 'POST', VALIDATE, { authenticationId: sent.body.authenticationId, code })).status, 204);
    const again = await call(a, 'POST', VALIDATE, { authenticationId: sent.body.authenticationId, code });
    assert.equal(again.body.code, 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED');
  });

  test('parallel validations with the right code over both replicas: exactly one 204', async () => {
    const phone = mobile(102);
    const sent = await call(b, 'POST', SEND, { phoneNumber: phone, message: 'code {{code}}' });
    const code = await readCode(a, phone);
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(pick(i), 'POST', VALIDATE, { authenticationId: sent.body.authenticationId, code }),
      ),
    );
    assert.equal(replies.filter((r) => r.status === 204).length, 1);
    assert.ok(replies.every((r) => r.status === 204 || r.body.code === 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED'));
  });

  test('parallel wrong codes over both replicas are evaluated at most maxAttempts times', async () => {
    const phone = mobile(103);
    const sent = await call(a, 'POST', SEND, { phoneNumber: phone, message: 'code {{code}}' });
    const code = await readCode(b, phone);
    const bad = code === '000000' ? '111111' : '000000';
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(pick(i), 'POST', VALIDATE, { authenticationId: sent.body.authenticationId, code: bad }),
      ),
    );
    const codes = replies.map((r) => r.body.code);
    assert.equal(codes.filter((x) => x === 'ONE_TIME_PASSWORD_SMS.INVALID_OTP').length, 2);
    assert.equal(codes.filter((x) => x === 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED').length, 58);
    const [row] = await c.sql<{ attempts: number; wrong: number }>(
      'SELECT attempts, wrong FROM verifications WHERE id = $1',
      [sent.body.authenticationId],
    );
    assert.deepEqual(row, { attempts: 3, wrong: 3 }, 'exactly maxAttempts guesses were counted and compared');
    const right = await call(b, 'POST', VALIDATE, { authenticationId: sent.body.authenticationId, code });
    assert.equal(right.body.code, 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED');
  });

  test('parallel send-codes to one number over both replicas never exceed the send limit', async () => {
    const phone = mobile(104);
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(pick(i), 'POST', SEND, { phoneNumber: phone, message: 'code {{code}}' }),
      ),
    );
    assert.equal(replies.filter((r) => r.status === 200).length, 5);
    assert.ok(
      replies
        .filter((r) => r.status !== 200)
        .every((r) => r.body.code === 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED'),
    );
    const [n] = await c.sql<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE recipient = $1', [phone]);
    assert.equal(n!.n, 5, 'a message was queued for each accepted send and no other');
  });

  test('every message is delivered exactly once, with both dispatchers running', async () => {
    // Only this test's numbers: earlier tests leave superseded messages that are expired, never sent.
    const phones = Array.from({ length: 30 }, (_, i) => mobile(200 + i));
    const replies = await Promise.all(
      phones.map((p, i) => call(pick(i), 'POST', SEND, { phoneNumber: p, message: 'code {{code}}' })),
    );
    assert.ok(replies.every((r) => r.status === 200));
    await eventually(async () => {
      const [row] = await c.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE recipient = ANY($1) AND status <> 'sent'`,
        [phones],
      );
      return row!.n === 0 ? true : undefined;
    }, 'every message sent');
    const rows = await c.sql<{ attempts: number; tries: number }>(
      'SELECT m.attempts, (SELECT count(*)::int FROM message_attempts a WHERE a.message_seq = m.seq) AS tries ' +
        'FROM messages m WHERE m.recipient = ANY($1)',
      [phones],
    );
    assert.equal(rows.length, 30);
    assert.ok(
      rows.every((r) => r.attempts === 1 && r.tries === 1),
      'one claim and one gateway call per message',
    );
    const [dev] = await c.sql<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT message_seq)::int AS distinct ' +
        'FROM dev_outbox WHERE recipient = ANY($1)',
      [phones],
    );
    assert.equal(dev!.n, rows.length);
    assert.equal(dev!.distinct, dev!.n);
  });
});

test('abuse lists are shared: a prefix blocked with otpd block add is refused at once by both replicas', async () => {
  const c = await startCluster(2);
  try {
    const [a, b] = c.replicas.map((r) => r.url) as [string, string];
    const phone = mobile(601);
    assert.equal((await call(a, 'POST', SEND, { phoneNumber: phone, message: 'code {{code}}' })).status, 200);
    const added = await runOtpd(['block', 'add', phone.slice(0, -3), '--note', 'replica test'], {
      ...c.env,
      OTPD_DATA_DIR: mkdtempSync(join(tmpdir(), 'otpd-cli-')),
    });
    assert.equal(added.code, 0, added.stderr);
    for (const url of [a, b]) {
      const r = await call(url, 'POST', SEND, { phoneNumber: phone, message: 'code {{code}}' });
      assert.equal(r.body.code, 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
    }
  } finally {
    await c.close();
  }
});

test("rate limits are shared: two replicas together admit one client's burst once", async () => {
  const c = await startCluster(2, { OTPD_RATE_LIMIT_RPS: '1', OTPD_RATE_LIMIT_BURST: '10' });
  try {
    const [a, b] = c.replicas.map((r) => r.url) as [string, string];
    const started = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call(i % 2 ? b : a, 'GET', '/dev/messages?limit=1')),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const ok = replies.filter((r) => r.status === 200).length;
    // One shared bucket: the burst of 10 plus at most what refilled (1/s) while the requests ran.
    // Per-process buckets would have admitted 20.
    assert.ok(ok >= 10 && ok <= 10 + Math.ceil(elapsedS), `admitted ${ok} in ${elapsedS} s`);
    assert.ok(replies.filter((r) => r.status === 429).every((r) => r.body.code === 'TOO_MANY_REQUESTS'));
  } finally {
    await c.close();
  }
});
