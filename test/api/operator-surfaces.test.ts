// /metrics, /docs and /openapi.json describe every route and every client's traffic. In production
// they need an operator key with the admin scope (one listener, nothing new to firewall; Prometheus
// sends a bearer token); in development they stay open, and `/` leads to the documentation. The probes stay open
// for load balancers in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';
import { WEBHOOK_SECRET } from '../helpers/fake-vendors.ts';

const UNAUTHENTICATED = {
  status: 401,
  code: 'UNAUTHENTICATED',
  message: 'Request not authenticated due to missing, invalid, or expired credentials.',
};
const PERMISSION_DENIED = {
  status: 403,
  code: 'PERMISSION_DENIED',
  message: 'Client does not have sufficient permissions to perform this action.',
};
const NOT_FOUND = { status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' };
const SURFACES = ['/metrics', '/openapi.json', '/docs', '/docs/json'];

/** A production server: a real (never called) gateway instead of the refused development outbox. */
function production(): Promise<TestServer> {
  return startTestServer(
    { OTPD_ENV: 'production', OTPD_DISPATCHER: 'false', OTPD_PUBLIC_URL: 'https://otpd.example.com' },
    {
      configYaml: `
delivery:
  gateways:
    - { id: hook, type: http, preset: webhook, url: 'https://hooks.example.com/otp', secret: '${WEBHOOK_SECRET}' }
`,
    },
  );
}

test('production: the operator surfaces need an operator key; the probes stay open', async (t) => {
  const s = await production();
  t.after(() => s.close());
  const app = await s.createKey({ scopes: ['one-time-password-sms:send-validate'] });
  for (const path of SURFACES) {
    const anonymous = await s.get(path, { key: null, headers: { 'x-correlator': 'ops-1' } });
    assertError(anonymous, UNAUTHENTICATED);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer', path);
    assert.equal(anonymous.headers.get('x-correlator'), 'ops-1', path);
    assertError(await s.get(path, { key: app.secret }), PERMISSION_DENIED);
    // A client key, even with the admin scope, must not read every tenant's traffic.
    assertError(await s.get(path), { ...PERMISSION_DENIED, message: 'this operation needs an operator key' });
    const operator = await s.get(path, { key: s.operatorKey });
    assert.equal(operator.status, 200, `${path} with an operator key: ${JSON.stringify(operator.body)}`);
  }
  assert.match((await s.get('/metrics', { key: s.operatorKey })).body, /otpd_http_requests_total/);
  assert.deepEqual((await s.get('/healthz', { key: null })).body, { status: 'ok' });
  assert.deepEqual(
    (await s.get('/readyz', { key: null })).body,
    { status: 'ready', delivery: 'ok' },
    'no gateway named',
  );
  // No redirect to documentation an anonymous browser cannot open.
  assertError(await s.get('/', { key: null }), NOT_FOUND);
});

test('development: the operator surfaces are open and / redirects to /docs', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  for (const path of SURFACES) {
    assert.equal((await s.get(path, { key: null })).status, 200, path);
  }
  const root = await fetch(`${s.url}/`, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/docs');
  const followed = await fetch(`${s.url}/`);
  assert.match(followed.headers.get('content-type') ?? '', /^text\/html/);
});
