import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  safeEqual,
  standardWebhookSignature,
  twilioSignature,
  twilioUrlVariants,
  verifyStandardWebhook,
  vonageSignature,
} from '../../src/gateways/http/signatures.ts';

// Published test vectors: the providers' own examples, so a mistake in our reading of a spec fails here.
test('Twilio: the documented example signature', () => {
  const params = new URLSearchParams({
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  });
  assert.equal(
    twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params),
    '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
  );
  assert.deepEqual(twilioUrlVariants('https://a.example/x?y=1'), [
    'https://a.example/x?y=1',
    'https://a.example:443/x?y=1',
  ]);
  assert.deepEqual(twilioUrlVariants('http://a.example:80/x'), ['http://a.example:80/x', 'http://a.example/x']);
  assert.deepEqual(twilioUrlVariants('http://127.0.0.1:8080/x'), ['http://127.0.0.1:8080/x']);
});

test('Vonage: signature over sorted parameters, MD5 hash and HMAC-SHA256', () => {
  const dlr = {
    msisdn: '447700900000',
    to: 'AcmeInc',
    'network-code': '23410',
    messageId: '0A0000001234567B',
    price: '0.03330000',
    status: 'delivered',
    scts: '2001011400',
    'err-code': '0',
    'api-key': 'abcd1234',
    'message-timestamp': '2020-01-01 12:00:00',
    timestamp: '1577880000',
    nonce: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  };
  assert.equal(
    vonageSignature('test_signature_secret', 'sha256', dlr),
    'e557e209888c0828f5e9df09f9397019383fc93475710e07c456106976a9e5e5',
  );
  assert.equal(vonageSignature('test_signature_secret', 'md5hash', dlr), 'ea1ab8dba0571aaec722b335ff60e577');
  assert.equal(
    vonageSignature('test_signature_secret', 'sha256', { ...dlr, sig: 'ignored' }),
    vonageSignature('test_signature_secret', 'sha256', dlr),
  );
});

test('Standard Webhooks: the reference vector, the 5-minute window, rotation lists', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = '{"test": 2432232314}';
  const sig = standardWebhookSignature(secret, id, '1614265330', body);
  assert.equal(sig, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  const headers = { 'webhook-id': id, 'webhook-timestamp': '1614265330', 'webhook-signature': `v1,bm90IGl0 ${sig}` };
  assert.equal(verifyStandardWebhook(secret, headers, body, 1614265330_000 + 299_000), true);
  assert.equal(verifyStandardWebhook(secret, headers, body, 1614265330_000 + 301_000), false, 'too old');
  assert.equal(verifyStandardWebhook(secret, headers, `${body} `, 1614265330_000), false, 'body changed');
  assert.equal(
    verifyStandardWebhook(secret, { ...headers, 'webhook-timestamp': 'x' }, body, 1614265330_000),
    false,
    'malformed',
  );
  assert.equal(safeEqual('abc', 'abcd'), false);
});
