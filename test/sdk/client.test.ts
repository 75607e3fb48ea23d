import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { generateSchema, SCHEMA_FILE } from '../../scripts/client-schema.ts';
import { codesFor } from '../helpers/native.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Sdk = typeof import('../../packages/client/src/index.ts');
type WebhookSdk = typeof import('../../packages/client/src/webhooks.ts');

const PACKAGE = fileURLToPath(new URL('../../packages/client/', import.meta.url));

// The package as a user gets it: built by its own build script (ESM and .d.ts) and imported from dist.
let sdk: Sdk;
let hooks: WebhookSdk;
let s: TestServer;
before(async () => {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'],
    {
      cwd: PACKAGE,
    },
  );
  sdk = (await import(new URL('dist/index.js', `file://${PACKAGE}`).href)) as Sdk;
  hooks = (await import(new URL('dist/webhooks.js', `file://${PACKAGE}`).href)) as WebhookSdk;
  s = await startTestServer();
});
after(() => s.close());

test('the generated types are current: a fresh generation from the OpenAPI document equals the file', async () => {
  assert.equal(
    await generateSchema(),
    readFileSync(SCHEMA_FILE, 'utf8'),
    'packages/client/src/schema.ts is stale: run node scripts/generate-client.ts',
  );
});

test('the build writes ESM with declarations for both entry points', () => {
  for (const f of ['index.js', 'index.d.ts', 'webhooks.js', 'webhooks.d.ts', 'schema.d.ts'])
    assert.ok(existsSync(`${PACKAGE}dist/${f}`), f);
  assert.match(readFileSync(`${PACKAGE}dist/index.js`, 'utf8'), /^import createClient from 'openapi-fetch';/m);
  assert.match(readFileSync(`${PACKAGE}dist/index.d.ts`, 'utf8'), /export declare function createOtpdClient/);
});

test('every native operation against a real otpd', async () => {
  const otpd = sdk.createOtpdClient({ baseUrl: s.url, apiKey: s.key });
  const service = await otpd.createService({ friendlyName: 'Shop', codeLength: 6 });
  assert.match(service.id, /^VA[0-9a-f]{32}$/);
  assert.equal((await otpd.getService(service.id)).friendlyName, 'Shop');
  assert.equal((await otpd.updateService(service.id, { friendlyName: 'Shop 2' })).friendlyName, 'Shop 2');
  assert.ok((await otpd.listServices({ limit: 10 })).services.some((x) => x.id === service.id));

  const to = '+34629255821';
  const started = await otpd.startVerification({ service: service.id, to });
  assert.equal(started.status, 'pending');
  assert.equal((await otpd.getVerification(started.id)).sendAttempts.length, 1);
  const [code] = await codesFor(s, to);
  const checked = await otpd.checkVerification({ service: service.id, to, code: code! });
  assert.deepEqual([checked.status, checked.valid], ['approved', true]);

  const other = await otpd.startVerification({ service: service.id, to: '+34629255822' });
  assert.equal((await otpd.cancelVerification(other.id)).status, 'canceled');

  const hook = await otpd.setWebhook(service.id, 'https://hooks.example.com/otpd');
  assert.match(hook.secret ?? '', /^whsec_/);
  assert.equal((await otpd.getWebhook(service.id)).url, 'https://hooks.example.com/otpd');
  assert.equal((await otpd.rotateWebhookSecret(service.id)).secrets, 2);
  assert.equal((await otpd.enableWebhook(service.id)).enabled, true);
  assert.equal(typeof (await otpd.replayEvents({ since: new Date(0).toISOString() })).replayed, 'number');
  await otpd.deleteWebhook(service.id);
  await otpd.deleteService(service.id);
});

test('errors are typed exceptions carrying the problem code', async () => {
  const otpd = sdk.createOtpdClient({ baseUrl: s.url, apiKey: s.key });
  await assert.rejects(otpd.getVerification(`VE${'0'.repeat(32)}`), (e: unknown) => {
    assert.ok(e instanceof sdk.OtpdApiError);
    assert.deepEqual([e.status, e.code], [404, 'NOT_FOUND']);
    return true;
  });
  await assert.rejects(otpd.startVerification({ to: 'not a number' }), (e: unknown) => {
    assert.ok(e instanceof sdk.OtpdApiError);
    assert.deepEqual([e.status, e.code], [400, 'INVALID_ARGUMENT']);
    return true;
  });
  const wrongKey = sdk.createOtpdClient({ baseUrl: s.url, apiKey: 'otpd_wrong' });
  await assert.rejects(wrongKey.listServices(), (e: unknown) => e instanceof sdk.OtpdApiError && e.status === 401);
});

test('an AbortSignal cancels a call', async () => {
  const otpd = sdk.createOtpdClient({ baseUrl: s.url, apiKey: s.key });
  await assert.rejects(otpd.listServices({}, { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('retries only where a repeat is safe: GET after a 503, never a POST', async () => {
  let calls = 0;
  const flaky = createServer((req, res) => {
    calls++;
    if (calls <= 2) return void res.writeHead(503, { 'retry-after': '0' }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ services: [], nextCursor: null }));
    void req;
  });
  await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    const otpd = sdk.createOtpdClient({ baseUrl: url, apiKey: 'k', retryDelayMs: 1 });
    assert.deepEqual((await otpd.listServices()).services, []);
    assert.equal(calls, 3, 'two retries');
    calls = 0;
    await assert.rejects(otpd.startVerification({ to: '+34629255823' }), (e: unknown) => {
      return e instanceof sdk.OtpdApiError && e.status === 503;
    });
    assert.equal(calls, 1, 'a start is never sent twice');
  } finally {
    flaky.close();
  }
});

test('verifyWebhook accepts an event signed with the secret and refuses anything else', () => {
  const secret = `whsec_${Buffer.alloc(24, 3).toString('base64')}`;
  const body = JSON.stringify({ type: 'verification.approved', timestamp: new Date().toISOString(), data: {} });
  const now = new Date();
  const headers = {
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign('evt_1', now, body),
  };
  assert.equal(hooks.verifyWebhook(body, headers, secret).type, 'verification.approved');
  assert.equal(hooks.verifyWebhook(Buffer.from(body), new Headers(headers), secret).type, 'verification.approved');
  assert.throws(
    () => hooks.verifyWebhook(body, headers, `whsec_${Buffer.alloc(24, 4).toString('base64')}`),
    hooks.WebhookVerificationError,
  );
  assert.throws(
    () => hooks.verifyWebhook(body.replace('approved', 'canceled'), headers, secret),
    hooks.WebhookVerificationError,
  );
});
