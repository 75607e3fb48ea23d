import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Static } from 'typebox';
import type { SmtpConfig } from '../../src/config/gateways.ts';
import type { OutboundMessage, SendResult } from '../../src/core/ports/gateway.ts';
import { SmtpGateway, type SmtpGatewayDeps } from '../../src/gateways/smtp/smtp-gateway.ts';
import { selfSignedCert, startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../helpers/smtp-peer.ts';

type Config = Static<typeof SmtpConfig>;
const base: Omit<Config, 'port'> = {
  type: 'smtp',
  id: 'mail',
  host: '127.0.0.1',
  secure: false,
  requireTls: false,
  from: 'otpd <no-reply@example.org>',
  subject: 'Your verification code',
};
const message = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: '4711',
  channel: 'email',
  to: 'user@example.com',
  text: 'Your code is 482913',
  ...over,
});
const soon = () => AbortSignal.timeout(5_000);
const cert = selfSignedCert();
const noTls = cert ? false : 'openssl is not installed: no way to make a test certificate without new packages';

/** Starts a peer and a gateway pointed at it, and always stops both. */
async function withPeer(
  peerOptions: SmtpPeerOptions,
  config: Partial<Config>,
  deps: SmtpGatewayDeps,
  fn: (g: SmtpGateway, p: SmtpPeer) => Promise<void>,
): Promise<void> {
  const peer = await startSmtpPeer(peerOptions);
  const gateway = new SmtpGateway({ ...base, port: peer.port, ...config }, deps);
  try {
    await fn(gateway, peer);
  } finally {
    await gateway.close();
    await peer.stop();
  }
}

function failed(r: SendResult): Exclude<SendResult, { ok: true }> {
  assert.equal(r.ok, false, JSON.stringify(r));
  return r as Exclude<SendResult, { ok: true }>;
}

const auth = { user: 'otpd', password: 's3cret pass' };

test('AUTH: the right credentials send, authenticated as that user', async () => {
  await withPeer({ auth }, { user: auth.user, password: auth.password }, {}, async (g, p) => {
    const r = await g.send(message(), soon());
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal((await p.received())[0]?.user, auth.user);
  });
});

test('AUTH: a wrong password is permanent (credentials do not fix themselves), with the 535 reply', async () => {
  await withPeer({ auth }, { user: auth.user, password: 'wrong' }, {}, async (g, p) => {
    const r = failed(await g.send(message(), soon()));
    assert.equal(r.kind, 'permanent');
    assert.match(r.error, /535/);
    assert.doesNotMatch(r.error, /wrong|482913/, 'neither the password nor the text in the error');
    assert.equal((await p.received()).length, 0);
  });
});

test('STARTTLS with requireTls: the message travels encrypted, the certificate checked against its CA', {
  skip: noTls,
}, async () => {
  await withPeer(
    { tls: { mode: 'starttls', ...cert! } },
    { requireTls: true },
    { tls: { ca: cert!.cert } },
    async (g, p) => {
      const r = await g.send(message(), soon());
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal((await p.received())[0]?.secure, true);
    },
  );
});

test('implicit TLS (secure): the message travels encrypted', { skip: noTls }, async () => {
  await withPeer(
    { tls: { mode: 'implicit', ...cert! } },
    { secure: true },
    { tls: { ca: cert!.cert } },
    async (g, p) => {
      assert.ok((await g.send(message(), soon())).ok);
      assert.equal((await p.received())[0]?.secure, true);
    },
  );
});

test('an untrusted certificate is refused by default, as a permanent error of this gateway', {
  skip: noTls,
}, async () => {
  await withPeer({ tls: { mode: 'starttls', ...cert! } }, {}, {}, async (g, p) => {
    const r = failed(await g.send(message(), soon()));
    assert.equal(r.kind, 'permanent');
    assert.match(r.error, /SELF_SIGNED/);
    assert.equal((await p.received()).length, 0);
  });
});

test('requireTls against a server without STARTTLS: permanent, and nothing goes out in clear', async () => {
  await withPeer({}, { requireTls: true }, {}, async (g, p) => {
    const r = failed(await g.send(message(), soon()));
    assert.equal(r.kind, 'permanent');
    assert.match(r.error, /STARTTLS/);
    assert.equal((await p.received()).length, 0);
  });
});

test('the server is down: ECONNREFUSED is transient', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const g = new SmtpGateway({ ...base, port });
  try {
    const r = failed(await g.send(message(), soon()));
    assert.equal(r.kind, 'transient');
    assert.match(r.error, /ECONNREFUSED/);
  } finally {
    await g.close();
  }
});

test('a server that never greets: the greeting timeout gives a transient timeout before the signal', async () => {
  const sockets = new Set<Socket>();
  const mute = createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  const g = new SmtpGateway({ ...base, port: (mute.address() as AddressInfo).port }, { greetingTimeoutMs: 200 });
  try {
    const r = failed(await g.send(message(), soon()));
    assert.deepEqual([r.kind, r.timeout], ['transient', true]);
    assert.match(r.error, /ETIMEDOUT.*Greeting/);
  } finally {
    await g.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => mute.close(() => resolve()));
  }
});

test('headers: From, Subject, a Message-ID equal to providerMessageId, and X-Otpd-Message-Id', async () => {
  await withPeer({}, {}, {}, async (g, p) => {
    const r = await g.send(message({ id: '4711' }), soon());
    assert.ok(r.ok, JSON.stringify(r));
    const mail = (await p.received())[0]!;
    assert.equal(mail.headers.get('from'), 'otpd <no-reply@example.org>');
    assert.equal(mail.from, 'no-reply@example.org', 'envelope sender');
    assert.equal(mail.subject, 'Your verification code');
    assert.equal(mail.headers.get('to'), 'user@example.com');
    assert.equal(mail.headers.get('x-otpd-message-id'), '4711');
    assert.equal(mail.headers.get('message-id'), r.ok ? r.providerMessageId : '');
    assert.match(mail.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/i);
  });
});

test('UTF-8: a non-ASCII subject and body arrive intact, in quoted-printable and in base64', async () => {
  const subject = 'Ваш код подтверждения ✓ — für Ihr Konto, ein recht langer Betreff über mehrere Wörter';
  const texts = {
    // Mostly ASCII with a line past 76 characters: quoted-printable with soft line breaks.
    'quoted-printable':
      'Your code is 482913 ✓\n' +
      'It expires in five minutes; if you did not ask for it = ignore this message, nobody can use it.',
    base64: `Код 482913 ✓\nΚωδικός: 482913 — 認証コード\n${'长'.repeat(60)}`,
  };
  await withPeer({}, { subject }, {}, async (g, p) => {
    for (const text of Object.values(texts)) assert.ok((await g.send(message({ text }), soon())).ok);
    const mails = await p.received();
    assert.deepEqual(
      mails.map((m) => m.headers.get('content-transfer-encoding')),
      Object.keys(texts),
      'both body encodings exercised',
    );
    assert.deepEqual(
      mails.map((m) => [m.subject, m.text]),
      Object.values(texts).map((t) => [subject, t]),
    );
  });
});

test('after a send gives up on a silent server, the next one goes out on a fresh connection', async () => {
  await withPeer({}, {}, {}, async (g, p) => {
    p.mode('hang');
    assert.equal(failed(await g.send(message(), AbortSignal.timeout(200))).timeout, true);
    p.mode('ok');
    assert.ok((await g.send(message(), soon())).ok);
    assert.equal(p.connections(), 2);
  });
});

test('refusals after DATA: 4xx transient, 5xx permanent, the reply in the error and never the body', async () => {
  await withPeer({}, {}, {}, async (g, p) => {
    p.failAt('data');
    p.mode('transient');
    const t = failed(await g.send(message(), soon()));
    assert.equal(t.kind, 'transient');
    assert.match(t.error, /451.*Try again later/);
    p.mode('permanent');
    const f = failed(await g.send(message(), soon()));
    assert.equal(f.kind, 'permanent');
    assert.match(f.error, /550.*Mailbox unavailable/);
    assert.doesNotMatch(t.error + f.error, /482913/);
  });
});

test('a recipient list is refused before anything is sent (one verification, one mailbox)', async () => {
  await withPeer({}, {}, {}, async (g, p) => {
    const r = failed(await g.send(message({ to: 'user@example.com, other@example.net' }), soon()));
    assert.equal(r.kind, 'permanent');
    assert.equal(p.connections(), 0);
  });
});

test('an already aborted signal: a transient timeout at once, nothing sent', async () => {
  await withPeer({}, {}, {}, async (g, p) => {
    const r = failed(await g.send(message(), AbortSignal.abort()));
    assert.deepEqual([r.kind, r.timeout], ['transient', true]);
    assert.equal(p.connections(), 0);
  });
});

test('pool: sends reuse one connection; after close() a send fails transient instead of throwing', async () => {
  await withPeer({}, {}, {}, async (g, p) => {
    for (let i = 0; i < 3; i++) assert.ok((await g.send(message(), soon())).ok);
    assert.equal(p.connections(), 1);
    await g.close();
    assert.equal(failed(await g.send(message(), soon())).kind, 'transient');
    assert.equal((await p.received()).length, 3);
  });
});
