import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { codesFor } from '../helpers/native.ts';
import { freePort } from '../helpers/process.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// examples/signup runs as its own process, as a user would run it, with the SDK from the workspace
// (its source, through the package's otpd-source condition: no build needed), against a real otpd
// whose service webhook points at the example.
const MAIN = fileURLToPath(new URL('../../examples/signup/main.ts', import.meta.url));

let s: TestServer;
let example: ChildProcess;
let url: string;
before(async () => {
  s = await startTestServer({ OTPD_WEBHOOKS: 'false', OTPD_WEBHOOKS_ALLOW_PRIVATE: 'true' });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const service = (await s.post('/v1/services', { friendlyName: 'Signup' })).body.id;
  const hook = await s.request('PUT', `/v1/services/${service}/webhook`, { url: `${url}/webhooks/otpd` });
  example = spawn(process.execPath, ['--conditions=otpd-source', MAIN], {
    env: {
      ...process.env,
      SIGNUP_OTPD_URL: s.url,
      SIGNUP_API_KEY: s.key,
      SIGNUP_SERVICE: service,
      SIGNUP_WEBHOOK_SECRET: hook.body.secret,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    example.stdout!.on('data', (d: Buffer) => d.toString().includes('signup example on') && resolve());
    example.on('exit', (code) => reject(new Error(`the example exited with ${code}`)));
  });
});
after(async () => {
  example.kill();
  await s.close();
});

const post = async (path: string, body: unknown) => {
  const r = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const user = async (phone: string) =>
  (await (await fetch(`${url}/users/${encodeURIComponent(phone)}`)).json()) as Record<string, unknown>;

test('sign up: start, a wrong code, the right code, then the approved event marks the user', async () => {
  const phone = '+34629255831';
  assert.equal((await post('/signup', { phone })).status, 202);
  const [code] = await codesFor(s, phone);
  const wrong = await post('/signup/verify', { phone, code: code === '000000' ? '111111' : '000000' });
  assert.deepEqual([wrong.status, wrong.body.status], [422, 'pending']);
  const right = await post('/signup/verify', { phone, code });
  assert.deepEqual([right.status, right.body.verified], [200, true]);
  for (let i = 0; i < 50 && !(await user(phone)).confirmedByWebhook; i++) {
    await s.server.dispatcher.tick();
    await s.server.events.step();
  }
  assert.deepEqual(await user(phone), {
    phone,
    verification: (await user(phone)).verification,
    verified: true,
    confirmedByWebhook: true,
  });
});

test('sign up: otpd refusals come back as their problem code; a forged webhook is refused', async () => {
  const bad = await post('/signup', { phone: 'not a number' });
  assert.deepEqual([bad.status, bad.body.error], [400, 'INVALID_ARGUMENT']);
  const forged = await post('/webhooks/otpd', { type: 'verification.approved', data: { verification: 'VE1' } });
  assert.equal(forged.status, 400);
});
