// Run-time management of the abuse defences over the admin API: number rules, client policies and
// breaker blocks. Every change is shown to act on the very next send-code through the real endpoint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, mobile, startTestServer, type HttpResult, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';
import { liftedByOperator } from '../../src/core/ports/abuse.ts';

/** How a row of the global breaker reads beside the range guard's. */
const BREAKER_ROW = { source: 'conversion_breaker', clientId: null, action: 'block', perHour: 0, strikes: 0 };

const BLOCKED = {
  status: 403,
  code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED',
  message: 'Phone_number is blocked to receive SMS due to any blocking business reason in the operator.',
};
const NOT_ALLOWED = {
  status: 403,
  code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED',
  message: "Phone_number can't receive an SMS due to business reasons in the operator.",
};
const UK = '+447911123456';
const FR = '+33612345678';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

/** Any method, JSON body, the operator key unless another is given (tenant checks: tenants.test.ts). */
async function call(
  method: string,
  path: string,
  body?: unknown,
  key: string | null = s.operatorKey,
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
const send = (phoneNumber: string, key?: string) =>
  s.post(SEND, { phoneNumber, message: 'Your code is {{code}}' }, { key });
const rulePath = (kind: string, prefix: string) =>
  `/admin/number-rules?kind=${kind}&prefix=${encodeURIComponent(prefix)}`;
const expectInvalid = (r: HttpResult, what: string) => {
  assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.code, 'INVALID_ARGUMENT', what);
};

test(
  'a block rule refuses its prefix at once; a safe rule for one number inside it wins; ' +
    'removing them restores sends',
  async () => {
    assert.equal((await send(UK)).status, 200);
    const added = await call('POST', '/admin/number-rules', {
      kind: 'block',
      prefix: '+4479111',
      note: 'pumping wave',
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual(
      { ...added.body, createdAt: undefined },
      { kind: 'block', prefix: '+4479111', note: 'pumping wave', createdAt: undefined },
    );
    assert.equal(added.body.createdAt, new Date(s.clock.now()).toISOString());
    assertError(await send(UK), BLOCKED);
    assertError(await send('+447911123457'), BLOCKED);

    assert.equal((await call('POST', '/admin/number-rules', { kind: 'safe', prefix: UK })).status, 201);
    assert.equal((await send(UK)).status, 200, 'the exact safe number is more specific than the blocked prefix');
    assertError(await send('+447911123457'), BLOCKED);

    // Posting the same rule again replaces its note: still one rule.
    assert.equal(
      (await call('POST', '/admin/number-rules', { kind: 'block', prefix: '+4479111', note: 'wave 2' })).status,
      201,
    );
    const blocks = await call('GET', '/admin/number-rules?kind=block');
    assert.deepEqual(
      blocks.body.rules.map((r: any) => [r.prefix, r.note]),
      [['+4479111', 'wave 2']],
    );
    const all = await call('GET', '/admin/number-rules');
    assert.deepEqual(all.body.rules.map((r: any) => r.kind).sort(), ['block', 'safe']);
    assert.deepEqual(
      (await call('GET', '/admin/number-rules?kind=safe')).body.rules.map((r: any) => [r.prefix, r.note]),
      [[UK, null]],
    );

    assert.equal((await call('DELETE', rulePath('safe', UK))).status, 204);
    assertError(await send(UK), BLOCKED);
    assert.equal((await call('DELETE', rulePath('block', '+4479111'))).status, 204);
    assert.equal((await send('+447911123457')).status, 200);
    assertError(await call('DELETE', rulePath('block', '+4479111')), {
      status: 404,
      code: 'NOT_FOUND',
      message: 'no block rule for that prefix',
    });
  },
);

test('an FR-only client policy refuses a Spanish number for that client alone; null restores the default', async () => {
  const other = (await s.createKey({ clientId: 'shop-fr' })).secret;
  const none = await call('GET', '/admin/clients/shop-fr/policy');
  assert.deepEqual(none.body, {
    clientId: 'shop-fr',
    countries: null,
    dailyMessages: null,
    dailyBudget: null,
    updatedAt: null,
    stored: false,
  });

  const put = await call('PUT', '/admin/clients/shop-fr/policy', { countries: { mode: 'allow', list: ['FR', 'FR'] } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual(
    { ...put.body, updatedAt: undefined },
    {
      clientId: 'shop-fr',
      countries: { mode: 'allow', list: ['FR'] },
      dailyMessages: null,
      dailyBudget: null,
      updatedAt: undefined,
      stored: true,
    },
  );
  assertError(await send(mobile(501), other), NOT_ALLOWED);
  assert.equal((await send(FR, other)).status, 200);
  assert.equal((await send(mobile(501))).status, 200, 'another client is unaffected');

  assert.deepEqual((await call('GET', '/admin/clients/shop-fr/policy')).body, put.body);
  assert.ok((await call('GET', '/admin/clients')).body.clients.some((c: any) => c.clientId === 'shop-fr' && c.stored));

  const deny = await call('PUT', '/admin/clients/shop-fr/policy', { countries: { mode: 'deny', list: ['FR'] } });
  assert.deepEqual(deny.body.countries, { mode: 'deny', list: ['FR'] });
  assertError(await send(FR, other), NOT_ALLOWED);
  assert.equal((await send(mobile(502), other)).status, 200);

  assert.equal((await call('PUT', '/admin/clients/shop-fr/policy', { countries: null })).body.countries, null);
  assert.equal((await send(FR, other)).status, 200, 'null: back to the configured countries (all)');
});

test(
  'dailyMessages 1: the second send of the day is QUOTA_EXCEEDED; ' +
    'fields not given are kept; budget is in currency units',
  async () => {
    const key = (await s.createKey({ clientId: 'tiny' })).secret;
    await call('PUT', '/admin/clients/tiny/policy', { countries: { mode: 'deny', list: ['GB'] } });
    const put = await call('PUT', '/admin/clients/tiny/policy', { dailyMessages: 1, dailyBudget: 12.345678 });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(
      [put.body.countries, put.body.dailyMessages, put.body.dailyBudget],
      [{ mode: 'deny', list: ['GB'] }, 1, 12.345678],
    );
    assert.equal((await s.server.store.getClientPolicy('tiny'))!.dailyBudgetMicros, 12_345_678);

    assert.equal((await send(mobile(511), key)).status, 200);
    const second = await send(mobile(512), key);
    assert.deepEqual([second.status, second.body.code], [429, 'QUOTA_EXCEEDED']);
    assert.ok(Number(second.headers.get('retry-after')) > 0);
    assert.equal((await send(mobile(512))).status, 200, 'another client is unaffected');

    const reset = await call('PUT', '/admin/clients/tiny/policy', { dailyMessages: null, dailyBudget: 0 });
    assert.deepEqual([reset.body.dailyMessages, reset.body.dailyBudget, reset.body.countries.mode], [null, 0, 'deny']);
    assert.equal((await send(mobile(512), key)).status, 200, 'the configured default quota applies again');
  },
);

test('breaker blocks: listed while in force, refuse the scope, and an operator can lift one early', async () => {
  const now = s.clock.now();
  await s.server.store.putBlocks([
    { scope: 'country:ES', until: now + 3_600_000, shadow: false, reason: 'conversion 2% < 20%', createdAt: now },
    {
      scope: 'prefix:+3361234',
      until: now + 3_600_000,
      shadow: true,
      reason: 'conversion 5% < 20%',
      createdAt: now - 1,
    },
    { scope: 'country:DE', until: now + 1000, shadow: false, reason: 'soon over', createdAt: now - 2 },
  ]);
  s.clock.advance(2000);
  const listed = await call('GET', '/admin/abuse/blocks');
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.blocks, [
    {
      scope: 'country:ES',
      ...BREAKER_ROW,
      until: new Date(now + 3_600_000).toISOString(),
      shadow: false,
      reason: 'conversion 2% < 20%',
      createdAt: new Date(now).toISOString(),
    },
    {
      scope: 'prefix:+3361234',
      ...BREAKER_ROW,
      until: new Date(now + 3_600_000).toISOString(),
      shadow: true,
      reason: 'conversion 5% < 20%',
      createdAt: new Date(now - 1).toISOString(),
    },
  ]);
  assertError(await send(mobile(521)), NOT_ALLOWED);
  assert.equal((await send(FR)).status, 200, 'a shadow block only reports');
  const metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
  assert.match(
    metrics,
    /otpd_abuse_refusals_total\{reason="conversion_breaker",shadow="true"\} [1-9]/,
    'and is counted as such',
  );

  assert.equal((await call('DELETE', '/admin/abuse/blocks/country%3AES')).status, 204);
  assert.equal((await send(mobile(521))).status, 200);
  const lifted = (await s.server.store.listBlocks(now)).find((b) => b.scope === 'country:ES');
  assert.deepEqual(
    [lifted?.until, liftedByOperator(lifted!)],
    [s.clock.now(), true],
    'remembered as lifted at that moment, for the breaker',
  );
  assertError(await call('DELETE', '/admin/abuse/blocks/country%3AES'), {
    status: 404,
    code: 'NOT_FOUND',
    message: 'no block in force for that scope',
  });
  assert.equal((await call('DELETE', `/admin/abuse/blocks/${encodeURIComponent('prefix:+3361234')}`)).status, 204);
  assert.deepEqual((await call('GET', '/admin/abuse/blocks')).body, { blocks: [] });
});

test('every endpoint needs the admin scope: no key is 401, a send-only key is 403', async () => {
  const sendOnly = (await s.createKey({ scopes: ['one-time-password-sms:send-validate'] })).secret;
  const calls: [string, string, unknown?][] = [
    ['GET', '/admin/number-rules'],
    ['POST', '/admin/number-rules', { kind: 'block', prefix: '+1' }],
    ['DELETE', rulePath('block', '+1')],
    ['GET', '/admin/clients'],
    ['GET', '/admin/clients/x/policy'],
    ['PUT', '/admin/clients/x/policy', { dailyMessages: 0 }],
    ['GET', '/admin/abuse/blocks'],
    ['DELETE', '/admin/abuse/blocks/country%3AES'],
  ];
  for (const [method, path, body] of calls) {
    assertError(await call(method, path, body, sendOnly), {
      status: 403,
      code: 'PERMISSION_DENIED',
      message: 'Client does not have sufficient permissions to perform this action.',
    });
    assert.equal((await call(method, path, body, null)).status, 401, `${method} ${path}`);
  }
  assert.deepEqual((await call('GET', '/admin/number-rules?kind=block')).body, { rules: [] }, 'nothing was changed');
  assert.equal((await call('GET', '/admin/clients/x/policy')).body.stored, false);
});

test('bad input is a 400 INVALID_ARGUMENT (never a 500) and changes nothing', async () => {
  const rules: unknown[] = [
    { kind: 'block', prefix: '4479' },
    { kind: 'block', prefix: '+abc' },
    { kind: 'block', prefix: '+0123' },
    { kind: 'block', prefix: '+1234567890123456' },
    { kind: 'allow', prefix: '+44' },
    { kind: 'block' },
    { kind: 'block', prefix: '+44', extra: 1 },
    { kind: 'block', prefix: '+44', note: 'x'.repeat(201) },
    { kind: 'block', prefix: '+44', note: 7 },
    null,
    [],
    'block',
  ];
  for (const body of rules)
    expectInvalid(await call('POST', '/admin/number-rules', body), `rule ${JSON.stringify(body)}`);

  const policies: unknown[] = [
    { countries: { mode: 'allow', list: ['Spain'] } },
    { countries: { mode: 'allow', list: ['es'] } },
    { countries: { mode: 'only', list: ['ES'] } },
    { countries: { mode: 'allow' } },
    { countries: { mode: 'allow', list: ['ES'], x: 1 } },
    { countries: 'ES' },
    { dailyMessages: -1 },
    { dailyMessages: 1.5 },
    { dailyMessages: '10' },
    { dailyBudget: -0.01 },
    { dailyBudget: 'ten' },
    { dailyBudget: 1e10 },
    { quota: 5 },
    null,
    [],
  ];
  for (const body of policies)
    expectInvalid(await call('PUT', '/admin/clients/bad/policy', body), `policy ${JSON.stringify(body)}`);

  for (const path of ['/admin/number-rules?kind=other', '/admin/number-rules?kind=block&x=1'])
    expectInvalid(await call('GET', path), path);
  for (const path of [
    '/admin/number-rules?kind=block',
    '/admin/number-rules?kind=block&prefix=+44',
    '/admin/number-rules?prefix=%2B44',
  ]) {
    expectInvalid(await call('DELETE', path), path);
  }
  for (const scope of ['planet%3AMars', 'country%3Aes', 'GB', 'prefix%3A44'])
    expectInvalid(await call('DELETE', `/admin/abuse/blocks/${scope}`), scope);

  const text = await fetch(`${s.url}/admin/number-rules`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.operatorKey}`, 'content-type': 'text/plain' },
    body: 'x',
  });
  assert.equal(text.status, 415);
  const broken = await fetch(`${s.url}/admin/clients/bad/policy`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${s.operatorKey}`, 'content-type': 'application/json' },
    body: '{"dailyMessages":',
  });
  assert.equal(broken.status, 400);

  assert.equal((await call('GET', '/admin/clients/bad/policy')).body.stored, false);
  assert.ok(!(await call('GET', '/admin/number-rules')).body.rules.some((r: any) => r.prefix === '+44'));
});
