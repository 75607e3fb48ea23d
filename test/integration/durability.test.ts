import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnOtpd } from '../helpers/process.ts';
import { mobile } from '../helpers/server.ts';

const KEY = 'durability-bootstrap-key-0123456789';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

async function send(url: string, phone: string): Promise<string | undefined> {
  try {
    const r = await fetch(`${url}/one-time-password-sms/v1/send-code`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ phoneNumber: phone, message: 'code {{code}}' }),
    });
    return r.status === 200 ? ((await r.json()) as { authenticationId: string }).authenticationId : undefined;
  } catch {
    return undefined; // the process died under this request: it was never accepted
  }
}

async function readCode(url: string, phone: string): Promise<string | undefined> {
  for (let i = 0; i < 400; i++) {
    const r = await fetch(`${url}/dev/messages?to=${encodeURIComponent(phone)}`, { headers: auth });
    const body = (await r.json()) as { messages: { text: string }[] };
    const code = /code (\d+)/.exec(body.messages[0]?.text ?? '')?.[1];
    if (code) return code;
    await new Promise((res) => setTimeout(res, 25));
  }
  return undefined;
}

test('kill -9 loses no accepted verification: each still validates and its message is delivered', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-durable-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = {
    OTPD_DATA_DIR: dataDir,
    OTPD_SECRET: 'durability-secret-0123456789-0123456789',
    OTPD_BOOTSTRAP_KEY: KEY,
    OTPD_RATE_LIMIT_RPS: '0',
  };

  // First life: the dispatcher is off, so every accepted message is still only in the outbox.
  const first = await spawnOtpd({ ...env, OTPD_DISPATCHER: 'false' });
  const accepted = new Map<string, string>();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < 120; i++) {
    const phone = mobile(5000 + i);
    inFlight.push(send(first.url, phone).then((id) => void (id && accepted.set(phone, id))));
    // Kill mid-stream, with requests still in flight, once a good number has been accepted.
    if (i === 80) {
      // Bounded: if sends stop being accepted, fail with what was seen instead of hanging.
      for (let w = 0; w < 5000 && accepted.size < 40; w++) await new Promise((r) => setTimeout(r, 2));
      assert.ok(
        accepted.size >= 40,
        `only ${accepted.size} of 80 sends accepted before the kill:\n${first.output().slice(-2000)}`,
      );
      const delivered = (await fetch(`${first.url}/dev/messages?limit=5`, { headers: auth }).then((r) => r.json())) as {
        messages: unknown[];
      };
      assert.deepEqual(delivered.messages, [], 'at the kill, accepted messages exist only in the outbox');
      await first.kill9();
    }
  }
  await Promise.all(inFlight);
  assert.ok(accepted.size >= 40, `only ${accepted.size} accepted before the kill`);

  // Second life: the same data directory, dispatcher on.
  const second = await spawnOtpd(env);
  t.after(() => second.stop());
  for (const [phone, authenticationId] of accepted) {
    const code = await readCode(second.url, phone);
    assert.ok(code, `message for an accepted verification (${authenticationId}) was never delivered`);
    const r = await fetch(`${second.url}/one-time-password-sms/v1/validate-code`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ authenticationId, code }),
    });
    assert.equal(r.status, 204, `accepted verification ${authenticationId} did not validate after restart`);
  }
});

test('SIGTERM shuts down gracefully: exit code 0', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-term-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const p = await spawnOtpd({ OTPD_DATA_DIR: dataDir });
  assert.equal((await fetch(`${p.url}/readyz`)).status, 200);
  assert.equal(await p.stop(), 0);
  assert.match(p.output(), /shutting down/);
});
