// Each HTTP preset tells its provider how long the code has left, in that provider's own field and
// unit, so a message stuck in the provider's queue is dropped rather than delivered stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutboundMessage } from '../../src/core/ports/gateway.ts';
import { infobip } from '../../src/gateways/http/presets/infobip.ts';
import { twilio } from '../../src/gateways/http/presets/twilio.ts';
import { vonage } from '../../src/gateways/http/presets/vonage.ts';
import { INFOBIP, TWILIO, VONAGE } from '../helpers/fake-vendors.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
const ctx = { callbackUrl: undefined, now: NOW };
const msg = (leftMs?: number): OutboundMessage => ({
  id: '7',
  channel: 'sms',
  to: '+34629255833',
  text: 'code 123456',
  validUntil: leftMs === undefined ? undefined : NOW + leftMs,
});
const base = 'http://vendor.test';

test('twilio: ValidityPeriod in whole seconds, at most 36,000', () => {
  const c = { type: 'http', preset: 'twilio', id: 't', ...TWILIO, baseUrl: base } as never;
  const field = (leftMs?: number) =>
    new URLSearchParams(twilio.request(c, msg(leftMs), ctx).body).get('ValidityPeriod');
  assert.equal(field(299_400), '299');
  assert.equal(field(20 * 3_600_000), '36000');
  assert.equal(field(-1000), '1', 'at least one second');
  assert.equal(field(undefined), null, 'no expiry, no field');
});

test('vonage: ttl in milliseconds, from 20,000', () => {
  const c = { type: 'http', preset: 'vonage', id: 'v', ...VONAGE, baseUrl: base } as never;
  const field = (leftMs?: number) => new URLSearchParams(vonage.request(c, msg(leftMs), ctx).body).get('ttl');
  assert.equal(field(180_000), '180000');
  assert.equal(field(5_000), '20000', "Vonage's minimum");
  assert.equal(field(undefined), null);
});

test('infobip: validityPeriod in whole minutes, at least 1', () => {
  const c = { type: 'http', preset: 'infobip', id: 'i', ...INFOBIP, baseUrl: base } as never;
  const field = (leftMs?: number) => JSON.parse(infobip.request(c, msg(leftMs), ctx).body).messages[0].validityPeriod;
  assert.equal(field(299_000), 4, 'rounded down: never past the code');
  assert.equal(field(30_000), 1);
  assert.equal(field(undefined), undefined);
});
