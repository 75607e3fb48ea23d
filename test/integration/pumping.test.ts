// An SMS-pumping attack against a real running otpd (HTTP, SQLite, dispatcher, development outbox
// as the gateway), over two simulated hours on the injected clock, with the default defences and
// a trusted proxy in front. docs/security.md explains what it asserts and what its printed figures mean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, VALIDATE, startTestServer, type TestServer } from '../helpers/server.ts';

const TICKS = 120;
const MINUTE = 60_000;

/** Deterministic pseudo-random numbers, so every run sends the same traffic. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}
const rnd = lcg(42);
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
const spoofedIp = () =>
  `${1 + Math.floor(rnd() * 220)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;

interface Tally {
  requests: number;
  accepted: number;
  byCode: Record<string, number>;
}
const tally = (): Tally => ({ requests: 0, accepted: 0, byCode: {} });

async function send(s: TestServer, t: Tally, phone: string, ip: string): Promise<string | undefined> {
  t.requests += 1;
  const r = await s.post(
    SEND,
    { phoneNumber: phone, message: 'Your code is {{code}}' },
    { headers: { 'x-forwarded-for': ip } },
  );
  if (r.status === 200) {
    t.accepted += 1;
    return r.body.authenticationId as string;
  }
  t.byCode[r.body.code] = (t.byCode[r.body.code] ?? 0) + 1;
  return undefined;
}

async function delivered(s: TestServer, prefix: string): Promise<number> {
  return (await s.server.store.listDevMessages(undefined, 100_000)).filter((m) => m.to.startsWith(prefix)).length;
}

test('SMS pumping: sequential numbers in one prefix, a premium range and many prefixes, from rotating IPs, ' +
  'while real users keep succeeding', {
  timeout: 180_000,
}, async (t) => {
  const s = await startTestServer({
    OTPD_VELOCITY_IP: '20',
    OTPD_VELOCITY_PREFIX: '20',
    OTPD_VELOCITY_COUNTRY: '1000',
    OTPD_BREAKER: 'false',
    OTPD_TRUSTED_PROXIES: '127.0.0.1',
  });
  t.after(() => s.close());
  const sequential = tally();
  const premium = tally();
  const spread = tally();
  const users = { sent: 0, validated: 0, refused: 0 };
  let seq = 0;
  for (let tick = 0; tick < TICKS; tick++) {
    for (let i = 0; i < 25; i++)
      await send(s, sequential, `+447400${String(120000 + seq++).padStart(6, '0')}`, spoofedIp());
    for (let i = 0; i < 5; i++) await send(s, premium, `+4490987${digits(5)}`, spoofedIp());
    for (let i = 0; i < 10; i++) await send(s, spread, `+4474${digits(8)}`, spoofedIp());
    for (let i = 0; i < 3; i++) {
      const phone = `+3361${digits(7)}`;
      const id = await send(s, tally(), phone, `192.0.2.${((tick * 3 + i) % 250) + 1}`);
      if (!id) {
        users.refused += 1;
        continue;
      }
      users.sent += 1;
      const code = /Your code is (\d+)/.exec((await s.lastText(phone)) ?? '')?.[1];
      if (code && (await s.post(VALIDATE, { authenticationId: id, code })).status === 204) users.validated += 1;
    }
    s.clock.advance(MINUTE);
    await s.server.dispatcher.tick();
    await s.server.dispatcher.idle();
    await s.server.breaker.runOnce();
  }
  const gb = await delivered(s, '+44');
  const fr = await delivered(s, '+33');
  const blocks = await s.server.store.listBlocks(s.clock.now());
  const figures = {
    sequential,
    premium,
    spread,
    messagesToGB: gb,
    users,
    messagesToFR: fr,
    blocks: blocks.map((b) => `${b.scope} (${b.reason})`),
  };
  t.diagnostic(JSON.stringify(figures));
  process.stdout.write(`pumping figures: ${JSON.stringify(figures)}\n`);

  assert.equal(premium.accepted, 0, 'premium-rate numbers are refused before anything is queued');
  assert.equal(premium.byCode['ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED'], premium.requests);
  assert.ok(
    sequential.accepted <= 20 + Math.ceil((TICKS * MINUTE) / (3600_000 / 20)),
    `one prefix is bounded by its velocity limit: ${sequential.accepted}`,
  );
  assert.ok(
    blocks.some((b) => b.scope === 'country:GB'),
    'the conversion breaker blocked the pumped country',
  );
  assert.ok(
    gb < (sequential.requests + spread.requests) / 20,
    `a small fraction of ${sequential.requests + spread.requests} attack requests reached the gateway: ${gb}`,
  );
  assert.deepEqual(
    users,
    { sent: TICKS * 3, validated: TICKS * 3, refused: 0 },
    'every real user got a code and validated it',
  );
  assert.equal(fr, TICKS * 3);
});

test('without a trusted proxy, spoofed X-Forwarded-For headers neither reset nor split the per-IP limit', async (t) => {
  const s = await startTestServer({
    OTPD_VELOCITY_IP: '20',
    OTPD_VELOCITY_IP_SCOPE: 'always',
    OTPD_VELOCITY_PREFIX: '0',
    OTPD_VELOCITY_COUNTRY: '0',
    OTPD_BREAKER: 'false',
  });
  t.after(() => s.close());
  const t1 = tally();
  for (let i = 0; i < 60; i++) await send(s, t1, `+3361${digits(7)}`, spoofedIp());
  assert.equal(t1.accepted, 20);
  assert.equal(t1.byCode.TOO_MANY_REQUESTS, 40);
  const r = await s.post(
    SEND,
    { phoneNumber: `+3361${digits(7)}`, message: 'code {{code}}' },
    { headers: { 'x-real-ip': '203.0.113.77' } },
  );
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
});

test(
  'through a trusted proxy, each client IP has its own limit ' +
    '(X-Forwarded-For read right to left; only the configured header)',
  async (t) => {
    const s = await startTestServer({
      OTPD_VELOCITY_IP: '2',
      OTPD_VELOCITY_PREFIX: '0',
      OTPD_VELOCITY_COUNTRY: '0',
      OTPD_BREAKER: 'false',
      OTPD_TRUSTED_PROXIES: '127.0.0.0/8,10.0.0.0/8',
    });
    t.after(() => s.close());
    const t1 = tally();
    for (let i = 0; i < 3; i++) await send(s, t1, `+3361${digits(7)}`, '198.51.100.7, 10.1.2.3');
    assert.deepEqual(
      [t1.accepted, t1.byCode.TOO_MANY_REQUESTS],
      [2, 1],
      'the client is the first untrusted hop from the right',
    );
    const t2 = tally();
    for (let i = 0; i < 2; i++) await send(s, t2, `+3361${digits(7)}`, 'forged-by-client, 198.51.100.8');
    assert.equal(t2.accepted, 2, 'a forged left-most entry does not matter');
    const t3 = tally();
    for (let i = 0; i < 3; i++) {
      t3.requests += 1;
      const r = await s.post(
        SEND,
        { phoneNumber: `+3361${digits(7)}`, message: 'code {{code}}' },
        { headers: { 'x-real-ip': '198.51.100.7', 'x-forwarded-for': `203.0.113.${i}` } },
      );
      if (r.status === 200) t3.accepted += 1;
    }
    assert.equal(t3.accepted, 3, 'X-Real-IP is ignored when the proxy is configured to set X-Forwarded-For');
    const r = await startTestServer({
      OTPD_VELOCITY_IP: '1',
      OTPD_VELOCITY_PREFIX: '0',
      OTPD_VELOCITY_COUNTRY: '0',
      OTPD_BREAKER: 'false',
      OTPD_TRUSTED_PROXIES: '127.0.0.1',
      OTPD_CLIENT_IP_HEADER: 'x-real-ip',
    });
    t.after(() => r.close());
    const viaRealIp = (n: number, ip: string) =>
      r.post(
        SEND,
        { phoneNumber: `+3361${digits(7)}`, message: 'code {{code}}' },
        { headers: { 'x-real-ip': ip, 'x-forwarded-for': `203.0.113.${n}` } },
      );
    assert.equal((await viaRealIp(1, '198.51.100.9')).status, 200);
    assert.equal(
      (await viaRealIp(2, '198.51.100.9')).status,
      429,
      'X-Real-IP decides; a client-written X-Forwarded-For does not split it',
    );
    assert.equal((await viaRealIp(3, '198.51.100.10')).status, 200);
  },
);
