// Delivery through real provider wire formats: routing and failover, message status and attempts
// (GET /admin/messages), signed delivery-status callbacks, and SMS segments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, mobile, startTestServer, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';
import {
  TWILIO,
  VONAGE,
  WEBHOOK_SECRET,
  startVendor,
  twilioSpec,
  vonageSpec,
  webhookSpec,
  type FakeVendor,
} from '../helpers/fake-vendors.ts';
import { signStandardWebhook } from '../../src/gateways/http/signatures.ts';

const PUBLIC = 'https://otpd.example.test';
let s: TestServer;
let tw: FakeVendor;
let vo: FakeVendor;
let hook: FakeVendor;

before(async () => {
  tw = await startVendor(twilioSpec(`${PUBLIC}/callbacks/twilio`));
  vo = await startVendor(vonageSpec(`${PUBLIC}/callbacks/vonage`));
  hook = await startVendor(webhookSpec());
  s = await startTestServer(
    {},
    {
      configYaml: `
delivery:
  publicUrl: ${PUBLIC}
  gateways:
    - { id: twilio, type: http, preset: twilio, accountSid: ${TWILIO.accountSid}, authToken: ${TWILIO.authToken},
        from: '${TWILIO.from}', baseUrl: '${tw.url}' }
    - { id: vonage, type: http, preset: vonage, apiKey: ${VONAGE.apiKey}, apiSecret: ${VONAGE.apiSecret},
        from: ${VONAGE.from}, signatureSecret: ${VONAGE.signatureSecret}, baseUrl: '${vo.url}' }
    - { id: hook, type: http, preset: webhook, url: '${hook.url}/otp', secret: '${WEBHOOK_SECRET}',
        allowPrivateNetwork: true }
  routes:
    - { prefixes: ['+44'], gateways: [hook] }
  defaultRoute: [twilio, vonage]
`,
    },
  );
});
after(async () => {
  await s.close();
  await Promise.all([tw.stop(), vo.stop(), hook.stop()]);
});

/** Sends a code through the CAMARA API and lets the dispatcher run until the message is final. */
async function sendAndDispatch(phone: string, message = 'Your code is {{code}}') {
  const r = await s.post(SEND, { phoneNumber: phone, message });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (let i = 0; i < 200; i++) {
    await s.server.dispatcher.tick();
    await s.server.dispatcher.idle();
    const [m] = await s.server.store.listMessages({ recipient: phone, limit: 1 });
    if (m && m.status !== 'queued' && m.status !== 'sending') return m;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error('message not dispatched');
}

const callback = (gateway: string, req: { url: string; headers: Record<string, string | undefined>; body: string }) =>
  fetch(`${s.url}${new URL(req.url).pathname}${new URL(req.url).search}`, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => e[1] !== undefined)),
    body: req.body,
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any, headers: res.headers, gateway }));

test(
  'a code goes out through the first gateway of its route; ' +
    'its status and attempt are visible to operators, never its text',
  async () => {
    tw.mode('ok');
    const m = await sendAndDispatch(mobile(401));
    assert.equal(m.status, 'sent');
    assert.equal(tw.received().at(-1)!.to, mobile(401));
    const r = await s.get(`/admin/messages?to=${encodeURIComponent(mobile(401))}`);
    assert.equal(r.status, 200);
    const [view] = r.body.messages;
    assert.deepEqual(
      [view.status, view.gateway, view.segments, view.attempts.length, view.attempts[0].outcome],
      ['sent', 'twilio', 1, 1, 'sent'],
    );
    assert.match(view.providerMessageId, /^SM/);
    const code = /Your code is (\d+)/.exec(tw.received().at(-1)!.text)![1]!;
    assert.ok(!JSON.stringify(r.body).includes(code), 'the code never appears in the listing');
  },
);

test('failover: a permanent refusal by the first gateway sends the message through the next one', async () => {
  tw.mode('permanent');
  const m = await sendAndDispatch(mobile(402));
  tw.mode('ok');
  assert.deepEqual([m.status, m.gateway, m.attempts], ['sent', 'vonage', 2]);
  const r = await s.get(`/admin/messages?to=${encodeURIComponent(mobile(402))}`);
  assert.deepEqual(
    r.body.messages[0].attempts.map((a: any) => [a.gateway, a.outcome]),
    [
      ['twilio', 'permanent'],
      ['vonage', 'sent'],
    ],
  );
  assert.match(r.body.messages[0].attempts[0].error, /21610/);
});

test('a signed delivery report moves the message to delivered; a duplicate is a no-op', async () => {
  tw.mode('ok');
  const m = await sendAndDispatch(mobile(403));
  const report = tw.spec.report(`${PUBLIC}/callbacks/twilio`, m.providerMessageId!, 'delivered', Date.now());
  const first = await callback('twilio', report);
  assert.deepEqual([first.status, first.body], [200, { received: 1, recorded: 1 }]);
  const again = await callback('twilio', report);
  assert.deepEqual([again.status, again.body], [200, { received: 1, recorded: 0 }]);
  const r = await s.get('/admin/messages?status=delivered');
  assert.ok(r.body.messages.some((x: any) => x.id === m.id));
});

test('callbacks with a bad, malformed or missing signature are 401 in the API error format, never 500', async () => {
  const good = tw.spec.report(`${PUBLIC}/callbacks/twilio`, 'SMdoesnotmatter', 'delivered', Date.now());
  for (const sig of ['AAAAAAAAAAAAAAAAAAAAAAAAAAA=', 'not base64 at all %%%', 'x'.repeat(5000), undefined]) {
    const r = await callback('twilio', { ...good, headers: { ...good.headers, 'x-twilio-signature': sig } });
    assertError(r, { status: 401, code: 'UNAUTHENTICATED', message: 'invalid or missing signature' });
  }
  const stale = { ...vo.spec.report(`${PUBLIC}/callbacks/vonage`, 'ABC', 'delivered', Date.now() - 3_600_000) };
  assert.equal((await callback('vonage', stale)).status, 401, 'a signed report outside the replay window');
  const notJson = await callback('vonage', { ...stale, body: '{{{', headers: { 'content-type': 'application/json' } });
  assert.equal(notJson.status, 401);
  assert.equal((await callback('nope', { ...good, url: `${PUBLIC}/callbacks/nope` })).status, 404);
});

test('a well-signed callback that is not a delivery report is 400, and changes nothing', async () => {
  const body = '{"type":"message.status","data":{"status":"teleported"}}';
  const r = await callback('hook', {
    url: `${PUBLIC}/callbacks/hook`,
    headers: { 'content-type': 'application/json', ...signStandardWebhook(WEBHOOK_SECRET, 'evt_1', Date.now(), body) },
    body,
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'INVALID_ARGUMENT');
});

test('routes by prefix: +44 goes to the webhook channel, signed per Standard Webhooks', async () => {
  const m = await sendAndDispatch('+447911123456');
  assert.deepEqual([m.status, m.gateway], ['sent', 'hook']);
  assert.equal(hook.received().at(-1)!.to, '+447911123456');
  const report = hook.spec.report(`${PUBLIC}/callbacks/hook`, m.providerMessageId!, 'failed', Date.now());
  assert.equal((await callback('hook', report)).status, 200);
  const [after] = await s.server.store.listMessages({ recipient: '+447911123456', limit: 1 });
  assert.deepEqual([after!.status, after!.lastError], ['failed', 'handset unreachable']);
});

test('segments: counted per message and in metrics; a CAMARA text needing over 2 is refused with 400', async () => {
  const m = await sendAndDispatch(mobile(404), `Код {{code}} ${'д'.repeat(60)}`);
  assert.equal(m.segments, 2);
  const metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
  assert.match(metrics, /otpd_sms_segments_total\{gateway="twilio"\} \d+/);
  const refused = await s.post(SEND, { phoneNumber: mobile(405), message: `Код {{code}} ${'д'.repeat(140)}` });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.code, 'INVALID_ARGUMENT');
  assert.match(refused.body.message, /3 SMS segments \(UCS-2\); at most 2/);
});

test('GET /admin/messages needs the admin scope and validates its filters', async () => {
  const { secret } = await s.createKey({ scopes: ['one-time-password-sms:send-validate'] });
  assert.equal((await s.get('/admin/messages', { key: secret })).status, 403);
  assert.equal((await s.get('/admin/messages?status=lost')).status, 400);
  assert.equal((await s.get('/admin/messages?since=yesterday')).status, 400);
  const page = await s.get('/admin/messages?limit=1');
  assert.equal(page.body.messages.length, 1);
  const next = await s.get(`/admin/messages?limit=1&before=${page.body.next}`);
  assert.ok(Number(next.body.messages[0].id) < Number(page.body.messages[0].id));
});
