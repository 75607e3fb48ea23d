import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { mobile } from '../helpers/server.ts';
import { PG_URL } from '../helpers/pg.ts';
import { call, eventually, startCluster } from '../helpers/replicas.ts';

const SEND = '/one-time-password-sms/v1/send-code';
const LEASE_S = 18;

// The send timeout (15 s) keeps A inside its gateway call until the kill, however long replica B
// takes to start on a loaded machine (it has taken over 5 s); the lease must outlast it.
test('a message claimed by a replica killed mid-send is sent by another once its lease lapses', async () => {
  const c = await startCluster(1, { OTPD_DISPATCH_LEASE_SECONDS: String(LEASE_S), OTPD_DISPATCH_TIMEOUT_MS: '15000' });
  // Holding this lock keeps the development gateway's write waiting: replica A is then mid-send,
  // with the message claimed, for as long as the test wants.
  const blocker = new pg.Client({ connectionString: PG_URL });
  await blocker.connect();
  try {
    const a = c.replicas[0]!;
    await blocker.query('BEGIN');
    await blocker.query(`LOCK TABLE ${c.schema}.dev_outbox IN EXCLUSIVE MODE`);

    const phone = mobile(301);
    const sent = await call(a.url, 'POST', SEND, { phoneNumber: phone, message: 'code {{code}}' });
    assert.equal(sent.status, 200);
    const claimed = await eventually(async () => {
      const [m] = await c.sql<{ status: string; attempts: number; next_attempt_at: number }>(
        'SELECT status, attempts, next_attempt_at::float8 AS next_attempt_at FROM messages WHERE recipient = $1',
        [phone],
      );
      return m?.status === 'sending' ? m : undefined;
    }, 'replica A to claim the message');
    assert.equal(claimed.attempts, 1);

    // Replica B runs its dispatcher during A's lease: it must not take the message yet.
    const b = await c.add();
    await a.kill9();
    // A dead replica's connections die with it (here at once; in production on TCP keepalive).
    await blocker.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE '%dev_outbox%'`);
    await blocker.query('ROLLBACK');

    const done = await eventually(
      async () => {
        const [m] = await c.sql<{ status: string; attempts: number }>(
          'SELECT status, attempts FROM messages WHERE recipient = $1',
          [phone],
        );
        return m?.status === 'sent' ? m : undefined;
      },
      'replica B to send the message',
      2000,
    );
    const tries = await c.sql<{ attempt: number; started_at: number; outcome: string }>(
      'SELECT attempt, started_at::float8 AS started_at, outcome FROM message_attempts ORDER BY attempt',
    );
    // A's attempt 1 never finished, so it has no row; B's attempts start at 2 (on a loaded machine
    // B may need more than one, which changes nothing that matters here).
    assert.ok(
      tries.length >= 1 && tries[0]!.attempt === 2,
      `A never recorded an attempt; B's first is attempt 2: ${JSON.stringify(tries)}`,
    );
    assert.equal(tries.at(-1)!.outcome, 'sent');
    assert.equal(done.attempts, tries.at(-1)!.attempt);
    assert.ok(tries[0]!.started_at >= claimed.next_attempt_at, 'B waited for the lease to lapse');
    const texts = await call(b.url, 'GET', `/dev/messages?to=${encodeURIComponent(phone)}`);
    assert.equal(texts.body.messages.length, 1, 'the code reached the phone');
    const code = /code (\d+)/.exec(texts.body.messages[0].text)![1];
    const checked = await call(b.url, 'POST', '/one-time-password-sms/v1/validate-code', {
      authenticationId: sent.body.authenticationId,
      code,
    });
    assert.equal(checked.status, 204, 'the verification accepted by the killed replica validates on the other');
  } finally {
    await blocker.end();
    await c.close();
  }
});
