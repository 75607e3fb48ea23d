import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { EVENT_TYPES } from '../../src/core/ports/webhooks.ts';
import { startAndRead } from '../helpers/native.ts';
import { signedHeaders, startReceiver, type Receiver } from '../helpers/receiver.ts';
import { runOtpd } from '../helpers/process.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.ts';

// Delivery is stepped by the test (OTPD_WEBHOOKS=false stops the background loop), so every run
// sees the same events in the same order; the receiver is real, on loopback (which the operator
// allows here).
const BLOCKED = '+34629255899';
const ENV = {
  OTPD_BLOCKED_NUMBERS: BLOCKED,
  OTPD_WEBHOOKS: 'false',
  OTPD_WEBHOOKS_ALLOW_PRIVATE: 'true',
  OTPD_WEBHOOK_RETRY_BASE_SECONDS: '1',
};

let s: TestServer;
let receiver: Receiver;
before(async () => {
  // SQLite: the CLI test below opens the same data directory.
  s = await startTestServer(ENV, { store: 'sqlite' });
  receiver = await startReceiver();
});
after(async () => {
  await s.close();
  await receiver.close();
});

async function serviceWithWebhook(url: string, settings = {}): Promise<{ service: string; secret: string }> {
  const created = await s.post('/v1/services', { friendlyName: 'Shop', ...settings });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const hook = await s.request('PUT', `/v1/services/${created.body.id}/webhook`, { url });
  assert.equal(hook.status, 200, JSON.stringify(hook.body));
  assert.match(hook.body.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
  return { service: created.body.id, secret: hook.body.secret };
}

/** Each received event validates against its schema in /openapi.json's webhooks section. */
async function asDocumented(bodies: readonly { event: { type: string } }[]): Promise<void> {
  const doc = (await s.get('/openapi.json')).body;
  assert.deepEqual(Object.keys(doc.webhooks).sort(), [...EVENT_TYPES].sort());
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  for (const b of bodies) {
    const schema = doc.webhooks[b.event.type].post.requestBody.content['application/json'].schema;
    const valid = ajv.compile(schema);
    assert.ok(valid(b.event), `${b.event.type}: ${JSON.stringify(valid.errors)}`);
  }
}

/** Delivers messages and steps event delivery until `n` events reached the receiver. */
async function delivered(n: number, to = receiver) {
  for (let i = 0; i < 50 && to.received.length < n; i++) {
    await s.server.dispatcher.tick();
    await s.server.dispatcher.idle();
    await s.server.events.step();
  }
  assert.equal(to.received.length, n, 'events received');
  return to.received.map((r) => ({ ...r, event: JSON.parse(r.body) }));
}

test('events are signed per Standard Webhooks; the library refuses a wrong secret, tampering, replay', async () => {
  const { service, secret } = await serviceWithWebhook(receiver.url);
  const to = '+34629255801';
  const { id, code } = await startAndRead(s, to, { service });
  const check = await s.post('/v1/verifications/check', { id, code });
  assert.equal(check.body.status, 'approved');
  const got = await delivered(2);
  assert.deepEqual(
    got.map((g) => g.event.type),
    ['message.sent', 'verification.approved'],
    'in order within the verification',
  );
  const wh = new Webhook(secret);
  for (const g of got) {
    const verified = wh.verify(g.body, signedHeaders(g)) as { type: string; data: Record<string, unknown> };
    assert.equal(verified.data.verification, id);
    assert.equal(verified.data.service, service);
    assert.equal(verified.data.to, '+3462*****01');
    assert.ok(!g.body.includes(to) && !g.body.includes(code), 'no full number and no code');
    assert.match(String(g.headers['webhook-id']), /^evt_[0-9a-f]{32}$/);
  }
  assert.equal(got[1]!.event.data.checks, 1);
  await asDocumented(got);
  const first = got[0]!;
  assert.throws(() =>
    new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(first.body, signedHeaders(first)),
  );
  assert.throws(() => wh.verify(first.body.replace('message.sent', 'message.delivered'), signedHeaders(first)));
  const old = { ...signedHeaders(first), 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) };
  assert.throws(() => wh.verify(first.body, old), 'an old timestamp is refused');
  const status = await s.request('GET', `/v1/services/${service}/webhook`);
  assert.deepEqual([status.body.enabled, status.body.backlog, status.body.lastError], [true, 0, null]);
  assert.ok(status.body.lastSuccessAt);
  assert.equal(status.body.secret, undefined, 'the secret is shown once');
  receiver.received.length = 0;
});

test('a rotated secret signs beside the previous one until the next rotation', async () => {
  const { service, secret: old } = await serviceWithWebhook(receiver.url);
  const rotated = await s.post(`/v1/services/${service}/webhook/rotate`, {});
  assert.equal(rotated.status, 200);
  assert.equal(rotated.body.secrets, 2);
  const { id } = await startAndRead(s, '+34629255802', { service });
  await s.post(`/v1/verifications/${id}/cancel`, {});
  const got = await delivered(2);
  for (const g of got) {
    new Webhook(old).verify(g.body, signedHeaders(g));
    new Webhook(rotated.body.secret).verify(g.body, signedHeaders(g));
  }
  assert.deepEqual(
    got.map((g) => g.event.type),
    ['message.sent', 'verification.canceled'],
  );
  receiver.received.length = 0;
});

test('a receiver that is down gets every event once it is back; its failures are in the status', async () => {
  const later = await startReceiver();
  const port = later.port;
  await later.close();
  const { service, secret } = await serviceWithWebhook(`http://127.0.0.1:${port}/hooks/otpd`);
  const { id, code } = await startAndRead(s, '+34629255803', { service });
  await s.post('/v1/verifications/check', { id, code });
  await s.server.dispatcher.tick();
  await s.server.dispatcher.idle();
  await s.server.events.step();
  const down = await s.request('GET', `/v1/services/${service}/webhook`);
  assert.equal(down.body.backlog, 2);
  assert.match(down.body.lastError, /ECONNREFUSED/);
  assert.ok(down.body.failingSince);
  const back = await startReceiver(port);
  try {
    // Past the first retry (at most 1 s), within the 5 minutes a receiver accepts a timestamp.
    s.clock.advance(2000);
    const got = await delivered(2, back);
    assert.deepEqual(
      got.map((g) => g.event.type),
      ['message.sent', 'verification.approved'],
    );
    for (const g of got) new Webhook(secret).verify(g.body, signedHeaders(g));
    const up = await s.request('GET', `/v1/services/${service}/webhook`);
    assert.deepEqual([up.body.backlog, up.body.failingSince], [0, null]);
  } finally {
    await back.close();
  }
});

test('a send a defence refuses is a fraud.refused event naming the defence', async () => {
  const { service, secret } = await serviceWithWebhook(receiver.url);
  const refused = await s.post('/v1/verifications', { service, to: BLOCKED });
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  const [g] = await delivered(1);
  new Webhook(secret).verify(g!.body, signedHeaders(g!));
  assert.equal(g!.event.type, 'fraud.refused');
  assert.deepEqual(
    [g!.event.data.defence, g!.event.data.to, g!.event.data.service],
    ['block_list', '+3462*****99', service],
  );
  assert.ok(!g!.body.includes(BLOCKED));
  await asDocumented([g!]);
  receiver.received.length = 0;
});

test('every check wrong is verification.max_attempts; a code left unused is verification.expired', async () => {
  // Codes valid for 30 s: the expiry passes on the server's clock while the event's timestamp stays
  // within the 5 minutes a receiver accepts.
  const { service, secret } = await serviceWithWebhook(receiver.url, { ttlSeconds: 30 });
  const failed = await startAndRead(s, '+34629255805', { service });
  const wrong = failed.code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 3; i++) await s.post('/v1/verifications/check', { id: failed.id, code: wrong });
  assert.equal((await s.get(`/v1/verifications/${failed.id}`)).body.status, 'failed');
  const unused = await startAndRead(s, '+34629255806', { service });
  s.clock.advance(31_000);
  const got = await delivered(4);
  for (const g of got) new Webhook(secret).verify(g.body, signedHeaders(g));
  const types = got.map((g) => `${g.event.type} ${g.event.data.verification}`).sort();
  assert.deepEqual(
    types,
    [
      `message.sent ${failed.id}`,
      `message.sent ${unused.id}`,
      `verification.expired ${unused.id}`,
      `verification.max_attempts ${failed.id}`,
    ].sort(),
  );
  await asDocumented(got);
  receiver.received.length = 0;
});

test('webhook settings: a URL not http(s) or with credentials is 400; another tenant sees nothing', async () => {
  const created = await s.post('/v1/services', { friendlyName: 'Other' });
  const path = `/v1/services/${created.body.id}/webhook`;
  for (const url of ['ftp://example.com/x', 'not a url', 'https://user:pw@example.com/']) {
    const r = await s.request('PUT', path, { url });
    assert.equal(r.status, 400, url);
    assert.equal(r.body.code, 'INVALID_ARGUMENT');
  }
  assert.equal((await s.request('GET', path)).status, 404);
  const other = await s.createKey({ clientId: 'tenant-b' });
  const put = await s.request('PUT', path, { url: receiver.url }, { key: other.secret });
  assert.equal(put.status, 404, "another tenant's service");
});

test('otpd events replay posts past events again; otpd webhooks list shows each endpoint', async () => {
  const { service } = await serviceWithWebhook(receiver.url);
  const { id } = await startAndRead(s, '+34629255804', { service });
  await s.post(`/v1/verifications/${id}/cancel`, {});
  const first = await delivered(2);
  receiver.received.length = 0;
  const env = { OTPD_DATA_DIR: s.dataDir, OTPD_SECRET: TEST_SECRET };
  const since = new Date(s.clock.now() - 60_000).toISOString();
  const replay = await runOtpd(['events', 'replay', '--since', since, '--service', service], env);
  assert.equal(replay.code, 0, replay.stderr);
  assert.equal(replay.stdout, 'replayed 2 events\n');
  s.clock.advance(60_000);
  const again = await delivered(2);
  assert.deepEqual(
    again.map((g) => g.headers['webhook-id']),
    first.map((g) => g.headers['webhook-id']),
    'the same events, by id, in order',
  );
  const list = await runOtpd(['webhooks', 'list', '--client', 'tenant-a', '--json'], env);
  assert.equal(list.code, 0, list.stderr);
  const endpoints = JSON.parse(list.stdout) as { serviceId: string; secrets?: unknown }[];
  assert.ok(endpoints.some((e) => e.serviceId === service));
  assert.ok(
    endpoints.every((e) => e.secrets === undefined),
    'no secret printed',
  );
  const bad = await runOtpd(['events', 'replay', '--since', 'yesterday'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--since yesterday: give a date and time/);
  receiver.received.length = 0;
});
