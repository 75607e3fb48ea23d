// A running otpd configured with an SMPP gateway: the code reaches the SMSC through the whole
// server (config → gateway → dispatcher), and a receipt on the bind marks the message delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, mobile, startTestServer } from '../helpers/server.ts';
import { TestSmsc } from '../helpers/smsc.ts';

/** otpd with one SMPP gateway on the test SMSC, binding with `password`. */
const otpdOn = (smsc: TestSmsc, password: string) =>
  startTestServer(
    {},
    {
      configYaml: `
delivery:
  gateways:
    - { id: smsc, type: smpp, host: 127.0.0.1, port: ${smsc.port}, systemId: otpd, password: ${password},
        sourceAddr: OTPD, requestTimeoutMs: 2000, reconnectBaseMs: 20, reconnectMaxMs: 100 }
`,
    },
  );

test('otpd on an SMPP route: send-code → submit_sm → deliver_sm receipt → delivered; the code validates', async (t) => {
  const smsc = await TestSmsc.start({ systemId: 'otpd', password: 'secret' });
  t.after(() => smsc.stop());
  const s = await otpdOn(smsc, 'secret');
  t.after(() => s.close());
  const phone = mobile(501);
  const r = await s.post(SEND, { phoneNumber: phone, message: 'Tu código es {{code}}' });
  assert.equal(r.status, 200);
  await smsc.waitFor('the message at the SMSC', () => smsc.messages.length === 1, 5000);
  const at = smsc.messages[0]!;
  assert.deepEqual([at.to, at.dataCoding], [phone.slice(1), 8], 'UCS-2: ó is outside the GSM-7 alphabet (ò is in it)');
  const code = /Tu código es (\d{6})/.exec(at.text)![1]!;

  let m = (await s.server.store.listMessages({ recipient: phone, limit: 1 }))[0];
  for (let i = 0; i < 200 && m?.status !== 'sent'; i++) {
    await new Promise((res) => setTimeout(res, 10));
    m = (await s.server.store.listMessages({ recipient: phone, limit: 1 }))[0];
  }
  assert.deepEqual([m!.status, m!.gateway, m!.providerMessageId], ['sent', 'smsc', at.messageId]);
  await smsc.receipt(at.messageId, 'DELIVRD');
  for (let i = 0; i < 200 && m?.status !== 'delivered'; i++) {
    await new Promise((res) => setTimeout(res, 10));
    m = (await s.server.store.listMessages({ recipient: phone, limit: 1 }))[0];
  }
  assert.equal(m!.status, 'delivered');
  assert.equal((await s.post(VALIDATE, { authenticationId: r.body.authenticationId, code })).status, 204);
  const metrics = await fetch(`${s.url}/metrics`).then((x) => x.text());
  assert.match(metrics, /otpd_delivery_receipts_total\{gateway="smsc",status="delivered"\} 1/);
});

test('a refused bind is visible: /readyz says delivery is degraded and why, the link metric is 0', async (t) => {
  const smsc = await TestSmsc.start({ systemId: 'otpd', password: 'secret' });
  t.after(() => smsc.stop());
  const s = await otpdOn(smsc, 'wrong');
  t.after(() => s.close());
  let ready = await s.get('/readyz', { key: null });
  for (let i = 0; i < 200 && ready.body.delivery !== 'degraded'; i++) {
    await new Promise((res) => setTimeout(res, 10));
    ready = await s.get('/readyz', { key: null });
  }
  assert.equal(ready.status, 200, 'degraded delivery does not fail readiness');
  assert.equal(ready.body.delivery, 'degraded');
  const [gw] = ready.body.gateways;
  assert.deepEqual([gw.id, gw.link], ['smsc', 'down']);
  assert.match(gw.cause, /link down \(bind refused: ESME_RINVPASWD/);
  const metrics = await fetch(`${s.url}/metrics`).then((x) => x.text());
  assert.match(metrics, /otpd_gateway_link_up\{gateway="smsc"\} 0/);
});
