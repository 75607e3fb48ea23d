import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { isPrivateAddress } from '../../src/core/webhooks.ts';
import { startAndRead } from '../helpers/native.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// The operator has not allowed private addresses here: endpoints must be public. Host names are
// made to resolve to loopback and private addresses by entries this test adds to /etc/hosts (the
// system resolver reads it), and removes again.
const HOSTS = '/etc/hosts';
const MARK = '# otpd webhooks-ssrf test';
const LOOPBACK_NAME = 'otpd-ssrf-loopback.test';
const PRIVATE_NAME = 'otpd-ssrf-private.test';

let s: TestServer;
let receiver: Receiver;
let original: string;
before(async () => {
  original = readFileSync(HOSTS, 'utf8');
  writeFileSync(HOSTS, `${original}\n127.0.0.1 ${LOOPBACK_NAME} ${MARK}\n10.9.8.7 ${PRIVATE_NAME} ${MARK}\n`);
  s = await startTestServer({ OTPD_WEBHOOKS: 'false' });
  receiver = await startReceiver();
});
after(async () => {
  writeFileSync(HOSTS, original);
  await s.close();
  await receiver.close();
});

test('a literal private, loopback or link-local address is refused when the webhook is set', async () => {
  const service = (await s.post('/v1/services', { friendlyName: 'Shop' })).body.id;
  for (const url of [
    receiver.url,
    'http://10.1.2.3/x',
    'http://[::1]:8080/',
    'http://169.254.169.254/latest',
    'http://localhost/',
  ]) {
    const r = await s.request('PUT', `/v1/services/${service}/webhook`, { url });
    assert.equal(r.status, 400, url);
    assert.match(r.body.detail, /private, loopback or link-local/);
  }
});

test('a host name resolving to a loopback or private address is refused at delivery; nothing is posted', async () => {
  for (const [name, n] of [
    [LOOPBACK_NAME, '+34629255811'],
    [PRIVATE_NAME, '+34629255812'],
  ] as const) {
    const service = (await s.post('/v1/services', { friendlyName: 'Shop' })).body.id;
    const url = `http://${name}:${receiver.port}/hooks/otpd`;
    assert.equal((await s.request('PUT', `/v1/services/${service}/webhook`, { url })).status, 200);
    const { id } = await startAndRead(s, n, { service });
    await s.post(`/v1/verifications/${id}/cancel`, {});
    await s.server.events.step();
    const status = await s.request('GET', `/v1/services/${service}/webhook`);
    assert.match(status.body.lastError, /resolves to a private address/, name);
    assert.ok(status.body.backlog >= 1);
  }
  assert.equal(receiver.received.length, 0, 'the receiver on loopback got nothing');
});

test('the private ranges: loopback, RFC 1918, link-local, shared, unique-local, mapped; public ones pass', () => {
  for (const a of [
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '224.0.0.1',
  ])
    assert.equal(isPrivateAddress(a), true, a);
  for (const a of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '93.184.216.34'])
    assert.equal(isPrivateAddress(a), false, a);
});
