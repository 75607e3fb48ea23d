// Operations endpoints: health, readiness, Prometheus metrics (no numbers, no codes), the
// OpenAPI document, the docs UI and the development outbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, mobile, startTestServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
before(async () => {
  // Long alphanumeric codes: a code cannot pass for one of the many numbers in the metrics text by chance.
  s = await startTestServer({ OTPD_CODE_ALPHABET: 'alphanumeric', OTPD_CODE_LENGTH: '10' });
});
after(() => s.close());

test('/healthz and /readyz answer 200 without credentials', async () => {
  const h = await s.get('/healthz', { key: null });
  assert.equal(h.status, 200);
  assert.deepEqual(h.body, { status: 'ok' });
  const r = await s.get('/readyz', { key: null });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, {
    status: 'ready',
    delivery: 'ok',
    gateways: [{ id: 'dev-outbox', link: 'none', circuit: 'closed' }],
  });
});

test('/metrics exposes request and verification counters and never a phone number or a code', async () => {
  const to = mobile(401);
  const { authenticationId, code } = await s.sendAndRead(to);
  assert.equal((await s.post(VALIDATE, { authenticationId, code: 'ZZZZZZZZZZ' })).status, 400);
  assert.equal((await s.post(VALIDATE, { authenticationId, code })).status, 204);
  // Numbers in places a careless label would pick up: an unknown path and a query string.
  assert.equal((await s.get(`/${encodeURIComponent(to)}`)).status, 404);
  await s.get(`/dev/messages?to=${encodeURIComponent(to)}`);
  assert.equal((await s.post(SEND, { phoneNumber: '+442079460000', message: 'x {{code}}' })).status, 403);

  const res = await fetch(`${s.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  assert.match(text, /^# TYPE otpd_http_requests_total counter$/m);
  assert.match(text, /^# TYPE otpd_verifications_total counter$/m);
  for (const name of [
    'otpd_messages_expired_unsent_total',
    'otpd_dispatch_deferrals_total',
    'otpd_delivery_queue_depth',
  ])
    assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'), name);
  const series = (name: string, labels: Record<string, string>) =>
    text
      .split('\n')
      .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  assert.match(series('otpd_http_requests_total', { route: SEND, method: 'POST', status: '200' }) ?? '', / 1$/);
  assert.match(series('otpd_http_requests_total', { route: VALIDATE, method: 'POST', status: '204' }) ?? '', / 1$/);
  assert.match(series('otpd_verifications_total', { operation: 'send', outcome: 'queued' }) ?? '', / 1$/);
  assert.match(series('otpd_verifications_total', { operation: 'validate', outcome: 'verified' }) ?? '', / 1$/);
  assert.match(series('otpd_verifications_total', { operation: 'validate', outcome: 'CODE_INVALID' }) ?? '', / 1$/);
  for (const secret of [
    to,
    to.slice(1),
    encodeURIComponent(to),
    to.slice(-9),
    '442079460000',
    code,
    code.toLowerCase(),
  ]) {
    assert.ok(!text.includes(secret), `metrics contain ${secret}`);
  }
});

test('/openapi.json is an OpenAPI document with the CAMARA operations', async () => {
  const res = await fetch(`${s.url}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const doc = JSON.parse(await res.text()) as {
    openapi: string;
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  assert.match(doc.openapi, /^3\./);
  assert.equal(doc.paths[SEND]?.post?.operationId, 'sendCode');
  assert.equal(doc.paths[VALIDATE]?.post?.operationId, 'validateCode');
});

test('/docs serves the HTML documentation', async () => {
  const res = await fetch(`${s.url}/docs`, { redirect: 'follow' });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await res.text(), /<html/i);
});

test('GET /dev/messages lists delivered texts for a number, newest first', async () => {
  const to = mobile(402);
  const first = await s.sendAndRead(to);
  s.clock.advance(1000);
  const second = await s.sendAndRead(to);
  await s.sendAndRead(mobile(403));
  const r = await s.get(`/dev/messages?to=${encodeURIComponent(to)}`);
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body), ['messages']);
  const msgs = r.body.messages as { to: string; text: string; createdAt: string }[];
  assert.equal(msgs.length, 2);
  assert.deepEqual(
    msgs.map((m) => Object.keys(m).sort()),
    [
      ['createdAt', 'text', 'to'],
      ['createdAt', 'text', 'to'],
    ],
  );
  assert.deepEqual(
    msgs.map((m) => m.to),
    [to, to],
  );
  assert.deepEqual(
    msgs.map((m) => m.text),
    [`Your code is ${second.code}`, `Your code is ${first.code}`],
  );
  assert.match(msgs[0]!.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Date.parse(msgs[0]!.createdAt) > Date.parse(msgs[1]!.createdAt));
  const limited = await s.get(`/dev/messages?to=${encodeURIComponent(to)}&limit=1`);
  assert.deepEqual(limited.body.messages, [msgs[0]]);
  const all = await s.get('/dev/messages');
  assert.equal(all.body.messages[0].to, mobile(403));
  // The outbox is an admin view.
  assert.equal((await s.get('/dev/messages', { key: null })).status, 401);
  const bad = await s.get('/dev/messages?to=12345');
  assert.deepEqual(bad.body, {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'to must be an E.164 number (+34629255833) or an email address',
  });
});
