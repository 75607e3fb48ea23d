import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.ts';
import type { CallbackRequest } from '../../src/core/ports/gateway.ts';
import type { HttpGatewayConfig } from '../../src/config/gateways.ts';
import { callbackUrl, createGateway } from '../../src/gateways/from-config.ts';
import type { DevInbox } from '../../src/core/ports/store.ts';
import {
  INFOBIP,
  MSG91,
  TWILIO,
  VONAGE,
  WEBHOOK_SECRET,
  infobipSpec,
  msg91Spec,
  startVendor,
  twilioSpec,
  vonageSpec,
  webhookSpec,
  type VendorSpec,
} from '../helpers/fake-vendors.ts';
import { gatewayContract } from './gateway.contract.ts';

const PUBLIC = 'https://otpd.example.test';
const noInbox = {} as DevInbox;

/**
 * Each preset against a local server speaking that vendor's wire format (URL, auth, encoding, answers,
 * signed reports).
 */
function presetContract(
  config: (baseUrl: string) => HttpGatewayConfig,
  spec: (cb: string) => VendorSpec,
  o: { signsBody: boolean; forge: (r: CallbackRequest) => CallbackRequest },
): void {
  const probe = config('http://x');
  gatewayContract(`http/${probe.preset}`, {
    supports: { failures: true, timeout: true, receipts: 'callback' },
    recipient: '+34629255833',
    signsBody: o.signsBody,
    forge: o.forge,
    async start() {
      const cb = callbackUrl(probe, PUBLIC)!;
      const vendor = await startVendor(spec(cb));
      const c = config(vendor.url);
      const gateway = createGateway(c, { inbox: noInbox, clock: systemClock, publicUrl: PUBLIC });
      return {
        gateway,
        peer: {
          mode: (m) => vendor.mode(m),
          received: async () => {
            if (vendor.refused().length)
              throw new Error(`the vendor refused otpd's request: ${JSON.stringify(vendor.refused())}`);
            return vendor.received();
          },
          report: async (id, status) => vendor.spec.report(cb, id, status, Date.now()),
        },
        stop: () => vendor.stop(),
      };
    },
  });
}

const withHeader = (r: CallbackRequest, name: string, value: string) => ({
  ...r,
  headers: { ...r.headers, [name]: value },
});
const withToken = (r: CallbackRequest) => ({ ...r, url: r.url.replace(/token=[^&]*/, 'token=wrong-token-0123456789') });

presetContract((baseUrl) => ({ type: 'http', preset: 'twilio', id: 'twilio', ...TWILIO, baseUrl }), twilioSpec, {
  signsBody: true,
  forge: (r) => withHeader(r, 'x-twilio-signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='),
});
presetContract(
  (baseUrl) => ({ type: 'http', preset: 'vonage', id: 'vonage', ...VONAGE, signatureMethod: 'sha256', baseUrl }),
  vonageSpec,
  {
    signsBody: true,
    forge: (r) => ({ ...r, body: JSON.stringify({ ...JSON.parse(r.body), sig: '0'.repeat(64) }) }),
  },
);
presetContract((baseUrl) => ({ type: 'http', preset: 'infobip', id: 'infobip', ...INFOBIP, baseUrl }), infobipSpec, {
  signsBody: false,
  forge: withToken,
});
presetContract(
  (baseUrl) => ({ type: 'http', preset: 'msg91', id: 'msg91', ...MSG91, route: '4', baseUrl }),
  () => msg91Spec(),
  { signsBody: false, forge: withToken },
);
presetContract(
  (baseUrl) => ({
    type: 'http',
    preset: 'webhook',
    id: 'hook',
    url: `${baseUrl}/otp`,
    secret: WEBHOOK_SECRET,
    allowPrivateNetwork: true,
  }),
  () => webhookSpec(),
  {
    signsBody: true,
    forge: (r) => withHeader(r, 'webhook-signature', 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='),
  },
);

// The transport's own failures name their cause (issue "Delivery through faults": the cause is visible).
test('an HTTP provider that refuses the connection is a transient failure naming ECONNREFUSED', async () => {
  const vendor = await startVendor(
    twilioSpec(callbackUrl({ type: 'http', preset: 'twilio', id: 't', ...TWILIO, baseUrl: 'http://x' }, PUBLIC)!),
  );
  const baseUrl = vendor.url;
  await vendor.stop();
  const gateway = createGateway(
    { type: 'http', preset: 'twilio', id: 'twilio', ...TWILIO, baseUrl },
    { inbox: noInbox, clock: systemClock, publicUrl: PUBLIC },
  );
  const r = await gateway.send({ id: '1', channel: 'sms', to: '+34629255833', text: 'x' }, AbortSignal.timeout(5000));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.kind === 'transient' && !r.timeout, JSON.stringify(r));
  assert.match(!r.ok ? r.error : '', /ECONNREFUSED/);
});
