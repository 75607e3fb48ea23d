// A replica started with another OTPD_SECRET used to run without complaint and answer CODE_INVALID to
// every right code. The database now records which secret its processes use; a process whose
// secrets do not match refuses to start, and a rotation through OTPD_PREVIOUS_SECRETS still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOtpdBounded as runOtpd } from '../helpers/bounded.ts';
import { call, eventually, startCluster } from '../helpers/replicas.ts';
import { mobile } from '../helpers/server.ts';

const NEW_SECRET = 'replica-secret-rotated-0123456789-0123456789';
const REFUSED =
  'otpd: OTPD_SECRET is not the secret this database was set up with, so every right code would be rejected: ' +
  'set the one the other replicas use (when rotating, keep the old one in OTPD_PREVIOUS_SECRETS)\n';

test('a replica with another secret refuses to start, saying so; a rotation through previous ones works', async (t) => {
  const cluster = await startCluster(1);
  t.after(() => cluster.close());
  const old = cluster.env.OTPD_SECRET!;
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-replica-secret-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const serve = (env: Record<string, string>) =>
    runOtpd(['serve'], { ...cluster.env, OTPD_DATA_DIR: dataDir, OTPD_PORT: '0', ...env });

  const wrong = await serve({ OTPD_SECRET: NEW_SECRET });
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stderr, REFUSED);

  // A code sent through the first replica, under the old secret.
  const sent = await call(cluster.replicas[0]!.url, 'POST', '/one-time-password-sms/v1/send-code', {
    phoneNumber: mobile(4242),
    message: 'code {{code}}',
  });
  assert.equal(sent.status, 200);

  // Rotation, step 2: the new secret is current and the old one previous. Accepted, and from now on
  // the database records the new secret.
  const rotated = await cluster.add({ OTPD_SECRET: NEW_SECRET, OTPD_PREVIOUS_SECRETS: old });
  const [stored] = await cluster.sql<{ value: string }>('SELECT value FROM key_check');
  assert.match(stored!.value, /^[0-9a-f]{64}$/);
  const code = await eventually(async () => {
    const texts = await call(rotated.url, 'GET', `/dev/messages?to=${encodeURIComponent(mobile(4242))}`);
    return /code (\d+)/.exec(texts.body.messages[0]?.text ?? '')?.[1];
  }, 'the message in the development outbox');
  const valid = await call(rotated.url, 'POST', '/one-time-password-sms/v1/validate-code', {
    authenticationId: sent.body.authenticationId,
    code,
  });
  assert.equal(valid.status, 204, 'a code made under the old secret validates on the rotated replica');

  // A replica still on the old secret alone would now reject the new codes: refused.
  const stale = await serve({ OTPD_SECRET: old });
  assert.equal(stale.code, 1);
  assert.equal(stale.stderr, REFUSED);
  // One that knows both (rotation step 1) is let in.
  const step1 = await cluster.add({ OTPD_SECRET: old, OTPD_PREVIOUS_SECRETS: NEW_SECRET });
  assert.match(step1.url, /^http:/);
});
