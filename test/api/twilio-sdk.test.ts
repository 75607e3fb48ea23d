// The Twilio Verify v2 compatible API driven by Twilio's own Node SDK (twilio 6.2.0), unchanged
// but for the origin it sends to: services, the SMS and email lifecycle, resends, cancel, approve,
// expiry, every limit and refusal with Twilio's error codes, paging with the SDK's own iterators,
// tenant isolation, and Basic auth by account SID or key id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { accountSidOf } from '../../src/core/api-keys.ts';
import { mobile, startTestServer, type TestServer } from '../helpers/server.ts';
import { codesFor, VA_ID, VE_ID, wrongOf } from '../helpers/native.ts';
import { sdk } from '../helpers/twilio.ts';

const BLOCKED = mobile(9901);
const A_SID = accountSidOf('tenant-a');
const B_SID = accountSidOf('tenant-b');
/** Twilio's timestamps: ISO 8601 in UTC, whole seconds (the SDK parses them into Dates). */
const WHOLE_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;

let s: TestServer;
/** Every HTTP status any SDK client of this file received. */
const statuses: number[] = [];
let client: twilio.Twilio;
let bKey: { id: string; secret: string };
let bClient: twilio.Twilio;
before(async () => {
  s = await startTestServer({ OTPD_BLOCKED_NUMBERS: BLOCKED });
  client = sdk(s, A_SID, s.key, statuses);
  bKey = await s.createKey({ clientId: 'tenant-b' });
  bClient = sdk(s, B_SID, bKey.secret, statuses);
});
after(() => s.close());

/** Asserts the SDK threw Twilio's RestException with this status and code (and message). */
async function refused(p: Promise<unknown>, status: number, code: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof twilio.RestException, `not a RestException: ${String(e)}`);
    assert.equal(e.status, status, e.message);
    assert.equal(e.code, code, e.message);
    assert.equal(e.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

let named = 0;
const newService = (o: { codeLength?: number; c?: twilio.Twilio } = {}) =>
  (o.c ?? client).verify.v2.services.create({
    friendlyName: `Acme ${++named}`,
    ...(o.codeLength ? { codeLength: o.codeLength } : {}),
  });

/** The newest code delivered to `to`. */
async function lastCode(to: string): Promise<string> {
  const [code] = await codesFor(s, to);
  assert.ok(code, `no code delivered to ${to}`);
  return code;
}

test('a service is created with its FriendlyName, a 6-digit code by default, and CodeLength 8 when asked', async () => {
  const svc = await client.verify.v2.services.create({ friendlyName: 'My App' });
  assert.match(svc.sid, VA_ID);
  assert.equal(svc.accountSid, A_SID);
  assert.equal(svc.friendlyName, 'My App');
  assert.equal(svc.codeLength, 6);
  assert.ok(svc.dateCreated instanceof Date && WHOLE_SECONDS.test(svc.dateCreated.toISOString()));
  assert.equal(svc.url, `${s.url}/v2/Services/${svc.sid}`);
  const fetched = await client.verify.v2.services(svc.sid).fetch();
  assert.equal(fetched.friendlyName, 'My App');
  assert.equal(fetched.codeLength, 6);

  const eight = await client.verify.v2.services.create({ friendlyName: 'Eight', codeLength: 8 });
  assert.equal(eight.codeLength, 8);
  assert.equal((await client.verify.v2.services(eight.sid).fetch()).codeLength, 8);
  const to = mobile(101);
  await client.verify.v2.services(eight.sid).verifications.create({ to, channel: 'sms' });
  const [text] = await s.texts(to);
  assert.match(text ?? '', /^Your Eight verification code is: \d{8}$/);

  await client.verify.v2.services(svc.sid).verifications.create({ to: mobile(102), channel: 'sms' });
  assert.match((await s.texts(mobile(102)))[0] ?? '', /^Your My App verification code is: \d{6}$/);
});

test('SMS: start, a second start reuses the sid and the code, wrong check, right check, then 20404', async () => {
  const svc = await newService();
  const to = mobile(111);
  const vs = client.verify.v2.services(svc.sid);
  const v1 = await vs.verifications.create({ to, channel: 'sms' });
  assert.match(v1.sid, VE_ID);
  assert.equal(v1.serviceSid, svc.sid);
  assert.equal(v1.accountSid, A_SID);
  assert.equal(v1.to, to);
  assert.equal(v1.channel, 'sms');
  assert.equal(v1.status, 'pending');
  assert.equal(v1.valid, false);
  assert.equal(v1.sendCodeAttempts.length, 1);
  const first = await lastCode(to);
  assert.match(first, /^\d{6}$/);

  const v2 = await vs.verifications.create({ to, channel: 'sms' });
  assert.equal(v2.sid, v1.sid, 'the pending verification is reused');
  assert.equal(v2.status, 'pending');
  assert.equal(v2.sendCodeAttempts.length, 2);
  const codes = await codesFor(s, to);
  assert.equal(codes.length, 2);
  assert.equal(codes[0], first, 'the resend carries the same code');

  const wrong = await vs.verificationChecks.create({ to, code: wrongOf(first) });
  assert.equal(wrong.status, 'pending');
  assert.equal(wrong.valid, false);
  assert.equal(wrong.sid, v1.sid);

  const right = await vs.verificationChecks.create({ to, code: first });
  assert.equal(right.status, 'approved');
  assert.equal(right.valid, true);
  assert.equal(right.sid, v1.sid);
  assert.equal(right.to, to);
  assert.equal(right.channel, 'sms');

  const fetched = await vs.verifications(v1.sid).fetch();
  assert.equal(fetched.status, 'approved');
  assert.equal(fetched.valid, true);
  assert.notEqual(fetched.to, to, 'read back, the number is masked');

  await refused(vs.verificationChecks.create({ to, code: first }), 404, 20404);
  await refused(vs.verificationChecks.create({ verificationSid: v1.sid, code: first }), 404, 20404);
});

test('a check by VerificationSid approves as a check by To does', async () => {
  const svc = await newService();
  const to = mobile(112);
  const vs = client.verify.v2.services(svc.sid);
  const v = await vs.verifications.create({ to, channel: 'sms' });
  const code = await lastCode(to);
  const ok = await vs.verificationChecks.create({ verificationSid: v.sid, code });
  assert.equal(ok.status, 'approved');
  assert.equal(ok.valid, true);
});

test('email: the code is read from the dev outbox and approves the verification', async () => {
  const svc = await newService();
  const to = 'a@example.com';
  const vs = client.verify.v2.services(svc.sid);
  const v = await vs.verifications.create({ to, channel: 'email' });
  assert.match(v.sid, VE_ID);
  assert.equal(v.channel, 'email');
  assert.equal(v.status, 'pending');
  assert.equal(v.to, to);
  assert.equal(v.sendCodeAttempts.length, 1);
  const code = await lastCode(to);
  assert.match(code, /^\d{6}$/);
  const bad = await vs.verificationChecks.create({ to, code: wrongOf(code) });
  assert.equal(bad.status, 'pending');
  const ok = await vs.verificationChecks.create({ to, code });
  assert.equal(ok.status, 'approved');
  assert.equal(ok.valid, true);
  assert.equal(ok.channel, 'email');
});

test('a canceled verification is canceled on read, and its code is then 20404', async () => {
  const svc = await newService();
  const to = mobile(121);
  const vs = client.verify.v2.services(svc.sid);
  const v = await vs.verifications.create({ to, channel: 'sms' });
  const code = await lastCode(to);
  const c = await vs.verifications(v.sid).update({ status: 'canceled' });
  assert.equal(c.status, 'canceled');
  assert.equal(c.valid, false);
  assert.equal((await vs.verifications(v.sid).fetch()).status, 'canceled');
  await refused(vs.verificationChecks.create({ to, code }), 404, 20404);
  await refused(vs.verificationChecks.create({ verificationSid: v.sid, code }), 404, 20404);
});

test('a code lives 10 minutes (Twilio default): after 601 s a check is 20404 and it is expired', async () => {
  const svc = await newService();
  const to = mobile(131);
  const vs = client.verify.v2.services(svc.sid);
  const v = await vs.verifications.create({ to, channel: 'sms' });
  const code = await lastCode(to);
  s.clock.advance(601_000);
  await refused(vs.verificationChecks.create({ to, code }), 404, 20404);
  await refused(vs.verificationChecks.create({ verificationSid: v.sid, code }), 404, 20404);
  assert.equal((await vs.verifications(v.sid).fetch()).status, 'expired');
});

test('5 wrong checks reach max_attempts_reached; a 6th (by VerificationSid) is 60202 (429)', async () => {
  const svc = await newService();
  const to = mobile(141);
  const vs = client.verify.v2.services(svc.sid);
  const v = await vs.verifications.create({ to, channel: 'sms' });
  const code = await lastCode(to);
  for (let i = 1; i <= 5; i++) {
    const r = await vs.verificationChecks.create({ to, code: wrongOf(code) });
    assert.equal(r.valid, false);
    assert.equal(r.status, i < 5 ? 'pending' : 'max_attempts_reached', `check ${i}`);
  }
  await refused(vs.verificationChecks.create({ verificationSid: v.sid, code }), 429, 60202);
  assert.equal((await vs.verifications(v.sid).fetch()).status, 'max_attempts_reached');
});

test('a 6th send to one number within 10 minutes is 60203 (429)', async () => {
  const svc = await newService();
  const to = mobile(151);
  const vs = client.verify.v2.services(svc.sid);
  for (let i = 1; i <= 5; i++) await vs.verifications.create({ to, channel: 'sms' });
  await refused(vs.verifications.create({ to, channel: 'sms' }), 429, 60203);
  assert.equal((await s.texts(to)).length, 5, 'the refused send sent nothing');
});

test('Status=approved approves a pending verification without a code', async () => {
  const svc = await newService();
  const to = mobile(161);
  const vs = client.verify.v2.services(svc.sid);
  const v = await vs.verifications.create({ to, channel: 'sms' });
  const a = await vs.verifications(v.sid).update({ status: 'approved' });
  assert.equal(a.status, 'approved');
  assert.equal(a.valid, true);
  assert.equal((await vs.verifications(v.sid).fetch()).status, 'approved');
  await refused(vs.verificationChecks.create({ to, code: '123456' }), 404, 20404);
});

test('wrong credentials are 20003 (401)', async () => {
  await refused(sdk(s, A_SID, 'not-the-secret', statuses).verify.v2.services.list(), 401, 20003);
  await refused(sdk(s, A_SID, `${s.key}x`, statuses).verify.v2.services.create({ friendlyName: 'X' }), 401, 20003);
  const svc = await newService();
  await refused(
    sdk(s, A_SID, 'nope', statuses)
      .verify.v2.services(svc.sid)
      .verifications.create({ to: mobile(171), channel: 'sms' }),
    401,
    20003,
  );
  assert.deepEqual(await s.texts(mobile(171)), []);
});

test('an unknown service sid is 20404 on every route', async () => {
  const nope = `VA${'0'.repeat(32)}`;
  const vs = client.verify.v2.services(nope);
  await refused(vs.fetch(), 404, 20404);
  await refused(vs.update({ friendlyName: 'Renamed' }), 404, 20404);
  await refused(vs.remove(), 404, 20404);
  await refused(vs.verifications.create({ to: mobile(181), channel: 'sms' }), 404, 20404);
  await refused(vs.verificationChecks.create({ to: mobile(181), code: '123456' }), 404, 20404);
  await refused(vs.verifications(`VE${'0'.repeat(32)}`).fetch(), 404, 20404);
  assert.deepEqual(await s.texts(mobile(181)), []);
});

test('channels otpd does not send by (call, whatsapp) are 60200 (400)', async () => {
  const vs = client.verify.v2.services((await newService()).sid);
  for (const channel of ['call', 'whatsapp', 'sna', 'rcs'])
    await refused(vs.verifications.create({ to: mobile(191), channel }), 400, 60200, new RegExp(channel));
  assert.deepEqual(await s.texts(mobile(191)), []);
});

test('an invalid number is 60200; a landline is 60205; a blocked number is 60410 (403)', async () => {
  const vs = client.verify.v2.services((await newService()).sid);
  for (const to of ['12345', '+3400000', 'not a number', '+999123456789'])
    await refused(vs.verifications.create({ to, channel: 'sms' }), 400, 60200);
  await refused(vs.verifications.create({ to: 'not-an-email', channel: 'email' }), 400, 60200);
  await refused(vs.verifications.create({ to: '+34912345678', channel: 'sms' }), 400, 60205, /landline/);
  assert.deepEqual(await s.texts('+34912345678'), []);
  await refused(vs.verifications.create({ to: BLOCKED, channel: 'sms' }), 403, 60410);
  assert.deepEqual(await s.texts(BLOCKED), []);
});

test('Twilio resources otpd does not implement are 404 20404 naming the resource', async () => {
  const svc = await newService();
  const vs = client.verify.v2.services(svc.sid);
  const v2 = client.verify.v2;
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['Entities', () => vs.entities.list()],
    ['Entities', () => vs.entities('user-1').fetch()],
    // A nested resource is named by the first unimplemented one on its path.
    ['Entities', () => vs.entities('user-1').factors.list()],
    ['Entities', () => vs.entities('user-1').challenges.list()],
    ['AccessTokens', () => vs.accessTokens.create({ identity: 'user-1', factorType: 'push' })],
    ['RateLimits', () => vs.rateLimits.list()],
    ['RateLimits', () => vs.rateLimits(`RK${'0'.repeat(32)}`).buckets.list()],
    ['MessagingConfigurations', () => vs.messagingConfigurations.list()],
    ['Webhooks', () => vs.webhooks.list()],
    ['Forms', () => v2.forms('form-push').fetch()],
    ['SafeList', () => v2.safelist('+34629255833').fetch()],
    ['Templates', () => v2.templates.list()],
    ['Attempts', () => v2.verificationAttempts.list()],
  ];
  for (const [name, call] of cases) await refused(call(), 404, 20404, new RegExp(`\\b${name}\\b`));
});

test('Twilio parameters otpd does not implement (customCode, ...) are 60200, never ignored', async () => {
  const vs = client.verify.v2.services((await newService()).sid);
  const to = mobile(201);
  await refused(vs.verifications.create({ to, channel: 'sms', customCode: '123456' }), 400, 60200, /CustomCode/);
  await refused(vs.verifications.create({ to, channel: 'sms', customMessage: 'Hi' }), 400, 60200, /CustomMessage/);
  await refused(vs.verifications.create({ to, channel: 'sms', amount: '1', payee: 'x' }), 400, 60200, /Amount/);
  await refused(vs.verificationChecks.create({ to, code: '123456', amount: '1' }), 400, 60200, /Amount/);
  await refused(client.verify.v2.services.create({ friendlyName: 'X', lookupEnabled: true }), 400, 60200, /Lookup/);
  await refused(client.verify.v2.services.create({ friendlyName: 'X', customCodeEnabled: true }), 400, 60200);
  await refused(client.verify.v2.services.create({ friendlyName: 'X', codeLength: 3 }), 400, 60200);
  await refused(client.verify.v2.services.create({ friendlyName: 'X', codeLength: 11 }), 400, 60200);
  assert.deepEqual(await s.texts(to), []);
});

test('paging: services.list and page()/nextPage() with pageSize 3 return every service once', async () => {
  const paging = await s.createKey({ clientId: 'tenant-paging' });
  const c = sdk(s, accountSidOf('tenant-paging'), paging.secret, statuses);
  const already = (await c.verify.v2.services.list()).map((x) => x.sid);
  const created: string[] = [];
  for (let i = 0; i < 7; i++) created.push((await newService({ c })).sid);
  const expected = [...new Set([...already, ...created])].sort();
  assert.equal(expected.length, already.length + 7);

  const listed = await c.verify.v2.services.list({ pageSize: 3 });
  assert.deepEqual(listed.map((x) => x.sid).sort(), expected);

  const seen: string[] = [];
  type AnyPage = { instances: Array<{ sid: string }>; nextPage(): Promise<AnyPage> | undefined };
  let page: AnyPage = await c.verify.v2.services.page({ pageSize: 3 });
  let pages = 1;
  for (;;) {
    assert.ok(page.instances.length <= 3, `page ${pages} has ${page.instances.length} services`);
    seen.push(...page.instances.map((x) => x.sid));
    const next = page.nextPage();
    if (!next) break;
    page = await next;
    pages++;
    assert.ok(pages <= 10, 'paging did not end');
  }
  assert.deepEqual([...seen].sort(), expected, 'each service exactly once');
  assert.equal(pages, Math.ceil(expected.length / 3));

  const limited = await c.verify.v2.services.list({ pageSize: 3, limit: 5 });
  assert.equal(limited.length, 5);
  const each: string[] = [];
  await c.verify.v2.services.each({ pageSize: 2 }, (x) => {
    each.push(x.sid);
  });
  assert.deepEqual(each.sort(), expected);
});

test("tenant isolation: another tenant's key never sees the first's services or verifications", async () => {
  const svc = await newService();
  const to = mobile(211);
  const v = await client.verify.v2.services(svc.sid).verifications.create({ to, channel: 'sms' });
  const code = await lastCode(to);
  const bSvc = await newService({ c: bClient });
  assert.equal(bSvc.accountSid, B_SID);

  const bList = (await bClient.verify.v2.services.list()).map((x) => x.sid);
  assert.ok(!bList.includes(svc.sid));
  assert.ok(bList.includes(bSvc.sid));
  const aList = (await client.verify.v2.services.list()).map((x) => x.sid);
  assert.ok(aList.includes(svc.sid));
  assert.ok(!aList.includes(bSvc.sid));

  const bOnA = bClient.verify.v2.services(svc.sid);
  await refused(bOnA.fetch(), 404, 20404);
  await refused(bOnA.update({ friendlyName: 'Taken' }), 404, 20404);
  await refused(bOnA.remove(), 404, 20404);
  await refused(bOnA.verifications(v.sid).fetch(), 404, 20404);
  await refused(bOnA.verifications(v.sid).update({ status: 'canceled' }), 404, 20404);
  await refused(bOnA.verificationChecks.create({ to, code }), 404, 20404);
  await refused(bOnA.verificationChecks.create({ verificationSid: v.sid, code }), 404, 20404);
  await refused(bOnA.verifications.create({ to, channel: 'sms' }), 404, 20404);
  // Through B's own service, A's verification is still not B's.
  const bOwn = bClient.verify.v2.services(bSvc.sid);
  await refused(bOwn.verifications(v.sid).fetch(), 404, 20404);
  await refused(bOwn.verificationChecks.create({ verificationSid: v.sid, code }), 404, 20404);
  await refused(bOwn.verificationChecks.create({ to, code }), 404, 20404);

  const still = await client.verify.v2.services(svc.sid).verifications(v.sid).fetch();
  assert.equal(still.status, 'pending', "B's attempts changed nothing");
  assert.equal((await client.verify.v2.services(svc.sid).fetch()).friendlyName, svc.friendlyName);
  const ok = await client.verify.v2.services(svc.sid).verificationChecks.create({ to, code });
  assert.equal(ok.status, 'approved');
});

test('Basic auth: (key id, secret) works; (an account SID not the key’s, valid secret) is 20003', async () => {
  const k = await s.createKey({ clientId: 'tenant-a' });
  const byKeyId = sdk(s, k.id, k.secret, statuses, A_SID);
  const svc = await byKeyId.verify.v2.services.create({ friendlyName: 'By key id' });
  assert.equal(svc.accountSid, A_SID);
  const fetched = await client.verify.v2.services(svc.sid).fetch();
  assert.equal(fetched.friendlyName, 'By key id', 'the same tenant as the account SID');

  await refused(sdk(s, B_SID, s.key, statuses).verify.v2.services.list(), 401, 20003);
  await refused(sdk(s, A_SID, bKey.secret, statuses).verify.v2.services(svc.sid).fetch(), 401, 20003);
  await refused(sdk(s, bKey.id, s.key, statuses, A_SID).verify.v2.services.list(), 401, 20003);
});

test('service update and delete', async () => {
  const svc = await newService();
  const vs = client.verify.v2.services(svc.sid);
  const u = await vs.update({ friendlyName: 'Renamed', codeLength: 7 });
  assert.equal(u.friendlyName, 'Renamed');
  assert.equal(u.codeLength, 7);
  assert.equal(await vs.remove(), true);
  await refused(vs.fetch(), 404, 20404);
});

test('no response any SDK call of this file received was a 5xx', () => {
  assert.ok(statuses.length > 50, `only ${statuses.length} responses recorded`);
  assert.deepEqual(
    statuses.filter((x) => x >= 500),
    [],
  );
});
