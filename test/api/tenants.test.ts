// Tenant-safe administration: every admin and development route, called with a client key of tenant
// A about tenant B's objects, answers within A alone (or refuses); an operator key reaches every
// tenant. The route list is read from the server's own OpenAPI document, so a new admin route
// without a decision here fails the first test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashSecret } from '../../src/core/keyring.ts';
import { SEND, mobile, startTestServer, type HttpResult, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';

const OPERATOR_ONLY = { status: 403, code: 'PERMISSION_DENIED', message: 'this operation needs an operator key' };
const NOT_FOUND = { status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' };
const A_PHONE = mobile(601);
const B_PHONE = mobile(602);
const MSG = 'Your code is {{code}}';

let s: TestServer;
let a: string;
let b: string;
let bKey: { id: string; secret: string };
before(async () => {
  s = await startTestServer();
  a = s.key;
  bKey = await s.createKey({ clientId: 'tenant-b' });
  b = bKey.secret;
  // A's message is the oldest: a tenant filter applied after a global LIMIT would lose it.
  await s.sendAndRead(A_PHONE, a);
  for (let i = 0; i < 3; i++) {
    await s.sendAndRead(B_PHONE, b);
    s.clock.advance(60_000);
  }
  const policy = await call('PUT', '/admin/clients/tenant-b/policy', { countries: { mode: 'deny', list: ['GB'] } });
  assert.equal(policy.status, 200, JSON.stringify(policy.body));
});
after(() => s.close());

async function call(method: string, path: string, body?: unknown, key = s.operatorKey): Promise<HttpResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
const q = (phone: string) => encodeURIComponent(phone);
const rulePath = (prefix: string) => `/admin/number-rules?kind=block&prefix=${q(prefix)}`;
const send = (phone: string, key: string) => s.post(SEND, { phoneNumber: phone, message: MSG }, { key });

/** Every route under /admin and /dev, as `METHOD /path` with OpenAPI's {param}, and what a client key gets. */
const MATRIX: Record<string, 'own tenant' | 'operator only'> = {
  'GET /admin/messages': 'own tenant',
  'GET /dev/messages': 'own tenant',
  'GET /admin/clients': 'own tenant',
  'GET /admin/clients/{clientId}/policy': 'own tenant',
  'PUT /admin/clients/{clientId}/policy': 'operator only',
  'GET /admin/number-rules': 'operator only',
  'POST /admin/number-rules': 'operator only',
  'DELETE /admin/number-rules': 'operator only',
  'GET /admin/abuse/blocks': 'own tenant',
  'DELETE /admin/abuse/blocks/{scope}': 'operator only',
  'GET /admin/keys': 'own tenant',
  'POST /admin/keys': 'own tenant',
  'POST /admin/keys/{id}/revoke': 'own tenant',
  'GET /admin/stats/series': 'own tenant',
  'GET /admin/verifications': 'own tenant',
  'GET /admin/gateways': 'operator only',
};

test('every /admin and /dev route has a tenancy decision in this file', async () => {
  const doc = (await s.get('/openapi.json', { key: null })).body as { paths: Record<string, object> };
  const routes = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/admin') || path.startsWith('/dev'))
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual(routes.sort(), Object.keys(MATRIX).sort());
});

test("GET /admin/messages: a client key lists its own tenant's messages alone, filtered before the limit", async () => {
  const own = await s.get('/admin/messages', { key: a });
  assert.equal(own.status, 200);
  assert.deepEqual(
    own.body.messages.map((m: any) => m.to),
    [A_PHONE],
  );
  const newest = await s.get('/admin/messages?limit=1', { key: a });
  assert.deepEqual(
    newest.body.messages.map((m: any) => m.to),
    [A_PHONE],
    "B's newer messages do not push A's out",
  );
  assert.deepEqual((await s.get(`/admin/messages?to=${q(B_PHONE)}`, { key: a })).body, { messages: [], next: null });
  // B's view, and the operator's, which spans both tenants.
  const theirs = await s.get('/admin/messages', { key: b });
  assert.deepEqual(new Set(theirs.body.messages.map((m: any) => m.to)), new Set([B_PHONE]));
  const all = await s.get('/admin/messages', { key: s.operatorKey });
  assert.deepEqual(new Set(all.body.messages.map((m: any) => m.to)), new Set([A_PHONE, B_PHONE]));
  assert.equal((await s.get(`/admin/messages?to=${q(B_PHONE)}`, { key: s.operatorKey })).body.messages.length, 3);
});

test("GET /dev/messages: a client key never reads another tenant's codes", async () => {
  assert.deepEqual((await s.get(`/dev/messages?to=${q(B_PHONE)}`, { key: a })).body, { messages: [] });
  const own = await s.get('/dev/messages?limit=1', { key: a });
  assert.deepEqual(
    own.body.messages.map((m: any) => m.to),
    [A_PHONE],
  );
  assert.equal((await s.get(`/dev/messages?to=${q(B_PHONE)}`, { key: b })).body.messages.length, 3);
  const op = await s.get(`/dev/messages?to=${q(B_PHONE)}`, { key: s.operatorKey });
  assert.equal(op.body.messages.length, 3);
  assert.match(op.body.messages[0].text, /^Your code is \d+$/);
});

test("policies: a client key reads its own, another's is 404 like an unknown one; writes need operators", async () => {
  const theirs = await call('GET', '/admin/clients/tenant-b/policy', undefined, a);
  assertError(theirs, NOT_FOUND);
  assert.deepEqual((await call('GET', '/admin/clients/never-seen/policy', undefined, a)).body, theirs.body);
  const own = await call('GET', '/admin/clients/tenant-a/policy', undefined, a);
  assert.deepEqual([own.status, own.body.clientId, own.body.stored], [200, 'tenant-a', false]);
  assert.deepEqual((await call('GET', '/admin/clients/tenant-b/policy', undefined, b)).body.countries, {
    mode: 'deny',
    list: ['GB'],
  });
  assert.deepEqual((await call('GET', '/admin/clients', undefined, a)).body, { clients: [] });
  assert.deepEqual(
    (await call('GET', '/admin/clients', undefined, b)).body.clients.map((c: any) => c.clientId),
    ['tenant-b'],
  );
  assert.ok((await call('GET', '/admin/clients')).body.clients.some((c: any) => c.clientId === 'tenant-b'));

  // A cannot cap B (nor lift its own limits); B's sends go on.
  assertError(await call('PUT', '/admin/clients/tenant-b/policy', { dailyMessages: 1 }, a), OPERATOR_ONLY);
  assertError(await call('PUT', '/admin/clients/tenant-a/policy', { dailyMessages: 0 }, a), OPERATOR_ONLY);
  assertError(await call('PUT', '/admin/clients/tenant-b/policy', { dailyMessages: 0 }, b), OPERATOR_ONLY);
  assert.equal((await s.server.store.getClientPolicy('tenant-b'))!.dailyMessages, null);
  assert.equal(await s.server.store.getClientPolicy('tenant-a'), null);
  assert.equal((await send(mobile(603), b)).status, 200);

  // The operator can, and B's next send is over its quota.
  const capped = await call('PUT', '/admin/clients/tenant-b/policy', { dailyMessages: 1 });
  assert.equal(capped.status, 200);
  assert.equal((await send(mobile(604), b)).body.code, 'QUOTA_EXCEEDED');
  assert.equal((await call('PUT', '/admin/clients/tenant-b/policy', { dailyMessages: null })).status, 200);
  assert.equal((await send(mobile(604), b)).status, 200);
});

test('number rules are global: a client key can neither read nor change them', async () => {
  assert.equal((await call('POST', '/admin/number-rules', { kind: 'block', prefix: B_PHONE })).status, 201);
  assertError(await call('GET', '/admin/number-rules', undefined, a), OPERATOR_ONLY);
  assertError(await call('POST', '/admin/number-rules', { kind: 'safe', prefix: B_PHONE }, a), OPERATOR_ONLY);
  assertError(await call('DELETE', rulePath(B_PHONE), undefined, a), OPERATOR_ONLY);
  const rules = await call('GET', '/admin/number-rules');
  assert.deepEqual(
    rules.body.rules.map((r: any) => [r.kind, r.prefix]),
    [['block', B_PHONE]],
    'nothing a client key sent was applied',
  );
  assert.equal((await send(B_PHONE, b)).body.code, 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
  assert.equal((await call('DELETE', rulePath(B_PHONE))).status, 204);
  assert.equal((await send(B_PHONE, b)).status, 200);
});

test("blocks: a client key lists only its own tenant's range guard decisions, and lifts none", async () => {
  const now = s.clock.now();
  const row = (scope: string) => ({ scope, until: now + 3_600_000, shadow: false, reason: 'test', createdAt: now });
  const aScope = 't:tenant-a:range:+447451';
  await s.server.store.putBlocks([row('country:FR'), row(aScope), row('t:tenant-b:range:+447451')]);
  const own = await call('GET', '/admin/abuse/blocks', undefined, a);
  assert.deepEqual(
    own.body.blocks.map((x: any) => [x.scope, x.source, x.clientId, x.action]),
    [[aScope, 'range_guard', 'tenant-a', 'block']],
  );
  assertError(await call('DELETE', '/admin/abuse/blocks/country%3AFR', undefined, a), OPERATOR_ONLY);
  const listed = await call('GET', '/admin/abuse/blocks');
  assert.deepEqual(
    listed.body.blocks.map((x: any) => x.scope).sort(),
    [aScope, 'country:FR', 't:tenant-b:range:+447451'].sort(),
    'an operator sees every tenant and the global breaker',
  );
  for (const scope of ['country:FR', aScope, 't:tenant-b:range:+447451'])
    assert.equal((await call('DELETE', `/admin/abuse/blocks/${encodeURIComponent(scope)}`)).status, 204);
  assert.deepEqual((await call('GET', '/admin/abuse/blocks')).body, { blocks: [] });
});

test("an access token has its key's reach, read from the key on every request", async () => {
  const token = async (id: string, secret: string) => {
    const res = await fetch(`${s.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const bToken = await token(bKey.id, b);
  assertError(await call('GET', '/admin/number-rules', undefined, bToken), OPERATOR_ONLY);
  assertError(await call('GET', '/admin/clients/tenant-a/policy', undefined, bToken), NOT_FOUND);
  assert.deepEqual(
    new Set((await s.get('/admin/messages', { key: bToken })).body.messages.map((m: any) => m.to)),
    new Set([B_PHONE, mobile(603), mobile(604)]),
  );

  const op = await s.createKey({ clientId: 'ops-2', kind: 'operator' });
  const opToken = await token(op.id, op.secret);
  assert.equal((await call('GET', '/admin/number-rules', undefined, opToken)).status, 200);
  // The key is made a client key: the token it issued loses the operator's reach on the next request.
  const record = (await s.server.store.findApiKeyById(op.id))!;
  await s.server.store.upsertApiKey({ ...record, kind: 'client' }, hashSecret(op.secret));
  assertError(await call('GET', '/admin/number-rules', undefined, opToken), OPERATOR_ONLY);
  assertError(await call('GET', '/admin/clients/tenant-b/policy', undefined, opToken), NOT_FOUND);
});

test("/admin/keys: a client key lists, creates, revokes its own tenant's keys alone; an operator any", async () => {
  const own = await call('GET', '/admin/keys', undefined, a);
  assert.equal(own.status, 200);
  assert.deepEqual([...new Set(own.body.keys.map((k: any) => k.clientId))], ['tenant-a']);
  assert.ok(JSON.stringify(own.body).includes('secret') === false, 'never a secret in a list');
  const all = await call('GET', '/admin/keys');
  const tenants = new Set(all.body.keys.map((k: any) => k.clientId));
  assert.ok(tenants.has('tenant-a') && tenants.has('tenant-b') && tenants.has('ops'));

  const made = await call('POST', '/admin/keys', { name: 'ci' }, a);
  assert.equal(made.status, 201);
  assert.equal(made.body.clientId, 'tenant-a', "a client key's new key acts for its own tenant");
  assert.equal(made.body.kind, 'client');
  assert.equal((await s.get('/admin/keys', { key: made.body.secret })).status, 200, 'the secret works at once');
  assertError(await call('POST', '/admin/keys', { name: 'x', kind: 'operator' }, a), {
    status: 403,
    code: 'PERMISSION_DENIED',
    message: 'A client key creates client keys of its own tenant only.',
  });
  assertError(await call('POST', '/admin/keys', { name: 'x', clientId: 'tenant-b' }, a), {
    status: 403,
    code: 'PERMISSION_DENIED',
    message: 'A client key creates client keys of its own tenant only.',
  });
  assertError(await call('POST', `/admin/keys/${bKey.id}/revoke`, undefined, a), {
    ...NOT_FOUND,
    message: 'No such key.',
  });
  assert.equal((await s.get('/admin/clients', { key: b })).status, 200, "B's key still works");
  const revoked = await call('POST', `/admin/keys/${made.body.id}/revoke`, undefined, a);
  assert.equal(revoked.status, 200);
  assert.ok(revoked.body.revokedAt);
  assert.equal((await s.get('/admin/keys', { key: made.body.secret })).status, 401, 'revoked: refused');
  const byOperator = await call('POST', '/admin/keys', { name: 'b2', clientId: 'tenant-b' });
  assert.equal(byOperator.status, 201);
  assert.equal(byOperator.body.clientId, 'tenant-b');
});

test("GET /admin/stats/series: a client key reads its own tenant's counters; an operator all tenants'", async () => {
  const sent = (r: HttpResult) =>
    r.body.series.filter((p: any) => p.metric === 'sent').reduce((n: number, p: any) => n + p.count, 0);
  const own = await call('GET', '/admin/stats/series?range=7d', undefined, a);
  assert.equal(own.status, 200);
  assert.equal(own.body.resolution, 'hour');
  const theirs = await call('GET', '/admin/stats/series?range=7d', undefined, b);
  const all = await call('GET', '/admin/stats/series?range=7d');
  assert.ok(sent(own) >= 1 && sent(theirs) >= 3, `A ${sent(own)}, B ${sent(theirs)}`);
  assert.ok(sent(own) + sent(theirs) <= sent(all), 'the operator sees both');
  const quiet = await s.createKey({ clientId: 'tenant-c' });
  const none = await call('GET', '/admin/stats/series?range=7d', undefined, quiet.secret);
  assert.deepEqual([none.body.series, none.body.totals], [[], []], "a tenant without sends sees no one else's");
  assertError(await call('GET', '/admin/stats/series?range=1y', undefined, a), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: (await call('GET', '/admin/stats/series?range=1y', undefined, a)).body.message,
  });
});

test("GET /admin/verifications: a client key finds its own tenant's verifications of a number alone", async () => {
  const shared = mobile(610);
  await s.sendAndRead(shared, a);
  await s.sendAndRead(shared, b);
  const path = `/admin/verifications?phone=${q(shared)}`;
  const tenants = async (key?: string) =>
    ((await call('GET', path, undefined, key)).body.verifications as { clientId: string }[]).map((v) => v.clientId);
  assert.deepEqual(await tenants(a), ['tenant-a']);
  assert.deepEqual(await tenants(b), ['tenant-b']);
  assert.deepEqual((await tenants()).sort(), ['tenant-a', 'tenant-b']);
  const bad = await call('GET', '/admin/verifications?phone=629255833', undefined, a);
  assert.equal(bad.status, 400);
});

test('GET /admin/gateways: gateways serve every tenant: a client key is refused, an operator reads them', async () => {
  assertError(await call('GET', '/admin/gateways', undefined, a), OPERATOR_ONLY);
  const r = await call('GET', '/admin/gateways');
  assert.equal(r.status, 200);
  const dev = r.body.gateways.find((g: any) => g.id === 'dev-outbox');
  assert.equal(dev.circuit, 'closed');
  assert.ok(dev.recent.handed >= 1, JSON.stringify(dev.recent));
  assert.deepEqual(dev.recentErrors, []);
});
