// The native /v1 API's services: create, read, change (null clears an override), delete, pages
// with a cursor, tenant isolation, settings refused before anything is stored, and a service's
// settings (code length, name, TTL, checks) applied to its verifications.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mobile, startTestServer, type TestServer } from '../helpers/server.ts';
import {
  ISO,
  VA_ID,
  assertProblem,
  codesFor,
  deliveredTexts,
  nothingQueued,
  startAndRead,
  wrongOf,
} from '../helpers/native.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const NO_SERVICE = { status: 404, code: 'NOT_FOUND', detail: 'No such service.' };
const create = (body: Record<string, unknown>, key?: string) => s.post('/v1/services', body, { key });
const patch = (id: string, body: Record<string, unknown>, key?: string) =>
  s.request('PATCH', `/v1/services/${id}`, body, { key });

/** Every service id of the key's tenant, page after page (the default page size, following `next`). */
async function listIds(key?: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const q: string = after === null ? '' : `?after=${encodeURIComponent(after)}`;
    const r = await s.get(`/v1/services${q}`, { key });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    ids.push(...(r.body.services as Array<{ id: string }>).map((x) => x.id));
    after = r.body.next;
    if (after === null) return ids;
  }
  assert.fail('paging did not end');
}

test('create answers 201 with the service and its overrides; GET reads it back', async () => {
  const r = await create({
    friendlyName: 'Acme Shop',
    codeLength: 8,
    ttlSeconds: 120,
    maxChecks: 5,
    channels: ['sms', 'email'],
    defaultLocale: 'es',
    templates: { en: { sms: 'Acme: {code}' } },
    webOtpDomain: 'acme.example.com',
    androidAppHash: 'FA+9qCX9VSu',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.id, VA_ID);
  assert.equal(r.body.friendlyName, 'Acme Shop');
  assert.equal(r.body.default, false);
  assert.equal(r.body.codeLength, 8);
  assert.equal(r.body.ttlSeconds, 120);
  assert.equal(r.body.maxChecks, 5);
  assert.deepEqual(r.body.channels, ['sms', 'email']);
  assert.equal(r.body.defaultLocale, 'es');
  assert.deepEqual(r.body.templates, { en: { sms: 'Acme: {code}' } });
  assert.equal(r.body.webOtpDomain, 'acme.example.com');
  assert.equal(r.body.androidAppHash, 'FA+9qCX9VSu');
  assert.match(r.body.createdAt, ISO);
  assert.equal(r.body.updatedAt, r.body.createdAt);
  assert.equal(r.body.alphabet, undefined, 'a setting not overridden is absent');
  const got = await s.get(`/v1/services/${r.body.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, r.body);
});

test('PATCH replaces the fields sent, keeps the others, and null clears an override', async () => {
  const { id, createdAt } = (await create({ friendlyName: 'Before', codeLength: 8, ttlSeconds: 120, maxChecks: 5 }))
    .body;
  s.clock.advance(1_000);
  const r = await patch(id, { friendlyName: 'After', codeLength: null, ttlSeconds: 60 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.friendlyName, 'After');
  assert.equal(r.body.codeLength, undefined, 'cleared back to the server default');
  assert.equal(r.body.ttlSeconds, 60);
  assert.equal(r.body.maxChecks, 5, 'untouched');
  assert.equal(r.body.createdAt, createdAt);
  assert.equal(Date.parse(r.body.updatedAt), Date.parse(createdAt) + 1_000);
  const got = await s.get(`/v1/services/${id}`);
  assert.deepEqual(got.body, r.body);
  // The cleared length applies: the server default of 6 digits.
  const to = mobile(401);
  assert.equal((await s.post('/v1/verifications', { to, service: id })).status, 201);
  const [text] = await deliveredTexts(s, to);
  assert.match(text ?? '', /^Your After verification code is: \d{6}$/);
});

test('DELETE answers 204, then the service is 404 and out of the list', async () => {
  const { id } = (await create({ friendlyName: 'Short-lived' })).body;
  assert.ok((await listIds()).includes(id));
  const del = await s.request('DELETE', `/v1/services/${id}`);
  assert.equal(del.status, 204);
  assert.equal(del.body, null);
  assertProblem(await s.get(`/v1/services/${id}`), NO_SERVICE);
  assertProblem(await s.request('DELETE', `/v1/services/${id}`), NO_SERVICE);
  assertProblem(await patch(id, { friendlyName: 'Back' }), NO_SERVICE);
  assertProblem(await s.post('/v1/verifications', { to: mobile(402), service: id }), NO_SERVICE);
  assert.ok(!(await listIds()).includes(id));
  await nothingQueued(s, mobile(402));
});

test('a verification of a deleted service keeps working until it is checked', async () => {
  const { id: service } = (await create({ friendlyName: 'Retiring' })).body;
  const { id, code } = await startAndRead(s, mobile(403), { service });
  assert.equal((await s.request('DELETE', `/v1/services/${service}`)).status, 204);
  const r = await s.post('/v1/verifications/check', { id, code });
  assert.deepEqual([r.status, r.body.status, r.body.valid], [200, 'approved', true]);
});

test('GET /v1/services pages by 20 with a next cursor passed as after', async () => {
  const key = (await s.createKey({ clientId: 'tenant-paging' })).secret;
  const made: string[] = [];
  for (let i = 0; i < 23; i++) made.push((await create({ friendlyName: `Paged ${i}` }, key)).body.id);
  const first = await s.get('/v1/services', { key });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.services.length, 20);
  assert.equal(typeof first.body.next, 'string');
  const second = await s.get(`/v1/services?after=${encodeURIComponent(first.body.next)}`, { key });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.equal(second.body.services.length, 3);
  assert.equal(second.body.next, null);
  const seen = [...first.body.services, ...second.body.services].map((x: { id: string }) => x.id);
  assert.equal(new Set(seen).size, 23, 'no service twice');
  assert.deepEqual([...seen].sort(), [...made].sort());
  const small = await s.get('/v1/services?limit=2', { key });
  assert.equal(small.status, 200, JSON.stringify(small.body));
  assert.equal(small.body.services.length, 2);
  const next = await s.get(`/v1/services?limit=2&after=${encodeURIComponent(small.body.next)}`, { key });
  assert.deepEqual(
    next.body.services.map((x: { id: string }) => x.id),
    [...made].sort().slice(2, 4),
  );
  for (const bad of ['limit=0', 'limit=101'])
    assertProblem(await s.get(`/v1/services?${bad}`, { key }), { status: 400, code: 'INVALID_ARGUMENT' });
  for (const bad of ['limit=two', 'page=2', `after=${'x'.repeat(65)}`])
    assertProblem(await s.get(`/v1/services?${bad}`, { key }), { status: 400, code: 'INVALID_ARGUMENT' });
});

test("a tenant never sees another tenant's services: 404 like an unknown id, and absent from its list", async () => {
  const { id } = (await create({ friendlyName: 'Tenant A only', codeLength: 8 })).body;
  const other = (await s.createKey({ clientId: 'tenant-other' })).secret;
  const unknown = await s.get('/v1/services/VA0123456789abcdef0123456789abcdef', { key: other });
  assertProblem(unknown, NO_SERVICE);
  const foreign = await s.get(`/v1/services/${id}`, { key: other });
  assertProblem(foreign, NO_SERVICE);
  assert.deepEqual(foreign.body, unknown.body);
  assertProblem(await patch(id, { friendlyName: 'Taken over' }, other), NO_SERVICE);
  assertProblem(await s.request('DELETE', `/v1/services/${id}`, undefined, { key: other }), NO_SERVICE);
  assertProblem(await s.post('/v1/verifications', { to: mobile(404), service: id }, { key: other }), NO_SERVICE);
  assert.ok(!(await listIds(other)).includes(id));
  // The owner's service is untouched.
  const mine = await s.get(`/v1/services/${id}`);
  assert.deepEqual([mine.status, mine.body.friendlyName, mine.body.codeLength], [200, 'Tenant A only', 8]);
  await nothingQueued(s, mobile(404));
});

test('settings out of bounds are 400 INVALID_ARGUMENT naming the field, and nothing is stored', async () => {
  const { id } = (await create({ friendlyName: 'Stable', codeLength: 7 })).body;
  const before = await listIds();
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ codeLength: 3 }, 'body/codeLength must be >= 4'],
    [{ ttlSeconds: 9999 }, 'body/ttlSeconds must be <= 600'],
    [{ androidAppHash: 'abc' }, 'body/androidAppHash must match pattern "^[A-Za-z0-9+/]{11}$"'],
    [{ templates: { en: { sms: 'no code here' } } }, 'templates.en.sms must contain the {code} placeholder'],
    [{ templates: { EN: { sms: 'Code {code}' } } }, 'templates: "EN" is not a language tag such as pt-BR'],
    [{ webOtpDomain: 'not a host' }, 'webOtpDomain must be a host name such as example.com'],
  ];
  for (const [settings, detail] of cases) {
    assertProblem(await create({ friendlyName: 'Refused', ...settings }), {
      status: 400,
      code: 'INVALID_ARGUMENT',
      detail,
    });
    assertProblem(await patch(id, settings), { status: 400, code: 'INVALID_ARGUMENT', detail });
  }
  assertProblem(await create({ friendlyName: '' }), { status: 400, code: 'INVALID_ARGUMENT' });
  assertProblem(await create({ codeLength: 6 }), { status: 400, code: 'INVALID_ARGUMENT' });
  assertProblem(await create({ friendlyName: 'Refused', secret: 'x' }), { status: 400, code: 'INVALID_ARGUMENT' });
  assert.deepEqual(await listIds(), before);
  const still = await s.get(`/v1/services/${id}`);
  assert.deepEqual([still.body.friendlyName, still.body.codeLength, still.body.ttlSeconds], ['Stable', 7, undefined]);
});

test("a service's code length, name and TTL apply to its verifications", async () => {
  const { id: service } = (await create({ friendlyName: 'Acme Bank', codeLength: 8, ttlSeconds: 120 })).body;
  const to = mobile(405);
  const r = await s.post('/v1/verifications', { to, service });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.service, service);
  assert.equal(Date.parse(r.body.expiresAt) - Date.parse(r.body.createdAt), 120_000);
  const [text] = await deliveredTexts(s, to);
  const code = /^Your Acme Bank verification code is: (\d{8})$/.exec(text ?? '')?.[1];
  assert.ok(code, `delivered text: ${text}`);
  // The default service has no pending verification for the number: by recipient alone, nothing.
  assertProblem(await s.post('/v1/verifications/check', { to, code }), {
    status: 404,
    code: 'NOT_FOUND',
    detail: 'No such verification.',
  });
  s.clock.advance(120_000);
  const late = await s.post('/v1/verifications/check', { id: r.body.id, code });
  assert.deepEqual([late.body.status, late.body.valid], ['expired', false]);
  // Within its TTL, by service and recipient, the 8-digit code approves.
  const again = await startAndRead(s, to, { service });
  assert.notEqual(again.id, r.body.id);
  assert.match(again.code, /^\d{8}$/);
  const ok = await s.post('/v1/verifications/check', { service, to, code: again.code });
  assert.deepEqual([ok.body.id, ok.body.status, ok.body.valid], [again.id, 'approved', true]);
});

test("a service's maxChecks bounds the wrong codes", async () => {
  const { id: service } = (await create({ friendlyName: 'Strict', maxChecks: 1 })).body;
  const strict = await startAndRead(s, mobile(406), { service });
  assert.deepEqual(strict.body.checks, { used: 0, allowed: 1 });
  const wrong = await s.post('/v1/verifications/check', { id: strict.id, code: wrongOf(strict.code) });
  assert.deepEqual([wrong.status, wrong.body.status, wrong.body.valid], [200, 'failed', false]);
  assert.deepEqual(wrong.body.checks, { used: 1, allowed: 1 });
  const late = await s.post('/v1/verifications/check', { id: strict.id, code: strict.code });
  assert.deepEqual([late.body.status, late.body.valid], ['failed', false]);
  assert.equal((await codesFor(s, mobile(406))).length, 1);
});
