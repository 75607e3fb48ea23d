// An email code end to end: the native API starts it, the dispatcher hands it to the SMTP gateway, a
// real SMTP server receives a multipart mail (plain text and HTML) in the service's language, and the
// code in it checks. SMS keeps going to the development outbox; email goes only to SMTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { newApiKey, SCOPES } from '../../src/core/api-keys.ts';
import { startServer, type Server } from '../../src/main.ts';
import { ABUSE_OFF, mobile, startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.ts';
import { parseMail, startSmtpPeer, type ReceivedMail, type SmtpPeer } from '../helpers/smtp-peer.ts';

const gatewaysYaml = (peer: SmtpPeer) => `
delivery:
  gateways:
    - { id: dev-outbox, type: dev-outbox }
    - { id: mail, type: smtp, host: 127.0.0.1, port: ${peer.port}, secure: false, requireTls: false,
        from: 'Shop <no-reply@example.org>' }
  emailRoute: [mail]
`;

interface Part {
  readonly type: string;
  readonly text: string;
}

/**
 * The parts of a multipart mail as the peer received it. The peer decodes a single-part body only;
 * a multipart one arrives as its raw (ASCII: every part is quoted-printable or base64) MIME body,
 * so each part is split off at the boundary and decoded by the peer's own parser.
 */
function partsOf(mail: ReceivedMail): Part[] {
  const type = mail.headers.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  assert.ok(boundary, `a multipart mail: ${type}`);
  const [, ...chunks] = mail.text.split(`--${boundary}`);
  return chunks
    .filter((c) => !c.startsWith('--'))
    .map((c) => {
      const raw = Buffer.from(c.replace(/^\n/, '').replace(/\n/g, '\r\n'), 'latin1');
      const p = parseMail(raw);
      return { type: (p.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase(), text: p.text };
    });
}

/** Runs the dispatcher until the peer holds `count` mails (or gives up after about 4 s). */
async function mailsAfterDrain(server: Server, peer: SmtpPeer, count: number): Promise<ReceivedMail[]> {
  for (let i = 0; i < 400; i++) {
    await server.dispatcher.tick();
    await server.dispatcher.idle();
    const mails = await peer.received();
    if (mails.length >= count) return mails;
    await new Promise((r) => setTimeout(r, 10));
  }
  return peer.received();
}

/** Starts a code by email, delivers it and returns the verification id, the mail and its parts. */
async function emailCode(
  post: (path: string, body: unknown) => Promise<{ status: number; body: any }>,
  server: Server,
  peer: SmtpPeer,
  start: Record<string, unknown>,
) {
  const seen = (await peer.received()).length;
  const r = await post('/v1/verifications', { channel: 'email', ...start });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const mails = await mailsAfterDrain(server, peer, seen + 1);
  assert.equal(mails.length, seen + 1, 'exactly one more mail');
  const mail = mails.at(-1)!;
  return { id: r.body.id as string, verification: r.body, mail, parts: partsOf(mail) };
}

let peer: SmtpPeer;
let s: TestServer;
let service: string;

before(async () => {
  peer = await startSmtpPeer();
  s = await startTestServer({}, { configYaml: gatewaysYaml(peer) });
  const r = await s.post('/v1/services', { friendlyName: 'Shop', defaultLocale: 'es' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  service = r.body.id;
});
after(async () => {
  await s?.close();
  await peer?.stop();
});

test("an email code: one multipart mail through SMTP in the service's default language; its code checks", async () => {
  const { id, verification, mail, parts } = await emailCode(s.post, s.server, peer, {
    service,
    to: 'Alice@Example.com',
  });
  assert.equal(verification.channel, 'email');
  assert.equal(verification.status, 'pending');
  assert.equal(verification.locale, 'es');
  assert.ok(!JSON.stringify(verification).includes('alice@example.com'), 'the API shows the address masked');

  assert.equal(mail.to, 'alice@example.com', 'the envelope recipient, normalised');
  assert.equal(mail.headers.get('to'), 'alice@example.com');
  assert.equal(mail.from, 'no-reply@example.org');
  assert.equal(mail.subject, 'Tu código de verificación de Shop');
  assert.match(mail.headers.get('content-type') ?? '', /^multipart\/alternative/i);

  assert.deepEqual(
    parts.map((p) => p.type),
    ['text/plain', 'text/html'],
  );
  const plain = parts[0]!.text;
  const html = parts[1]!.text;
  const code = /^Tu código de verificación de Shop es: (\S+)$/m.exec(plain)?.[1];
  assert.ok(code, `the Spanish text with the code: ${JSON.stringify(plain)}`);
  assert.ok(plain.includes('Si no has pedido este código, puedes ignorar este correo.'));
  assert.ok(html.includes(code), html);
  assert.match(html, /<html lang="es"/);
  assert.ok(!mail.subject.includes(code), 'the code is not in the subject');

  assert.deepEqual(await s.server.store.listDevMessages('alice@example.com', 10), [], 'nothing in the dev outbox');
  const read = await s.get(`/v1/verifications/${id}`);
  assert.equal(read.status, 200);
  assert.deepEqual(
    read.body.sendAttempts.map((a: any) => [a.channel, a.status, a.gateway]),
    [['email', 'sent', 'mail']],
  );

  const check = await s.post('/v1/verifications/check', { id, code });
  assert.equal(check.status, 200, JSON.stringify(check.body));
  assert.equal(check.body.valid, true);
  assert.equal(check.body.status, 'approved');
  assert.equal((await peer.received()).filter((m) => m.to === 'alice@example.com').length, 1, 'exactly one mail');
});

test('a locale in the request wins over the service default: French subject and text', async () => {
  const { id, verification, mail, parts } = await emailCode(s.post, s.server, peer, {
    service,
    to: 'bob@example.com',
    locale: 'fr',
  });
  assert.equal(verification.locale, 'fr');
  assert.equal(mail.to, 'bob@example.com');
  assert.equal(mail.subject, 'Votre code de vérification Shop');
  const code = /^Votre code de vérification Shop est : (\S+)$/m.exec(parts[0]!.text)?.[1];
  assert.ok(code, parts[0]!.text);
  assert.ok(parts[1]!.text.includes(code));
  assert.match(parts[1]!.text, /<html lang="fr"/);
  const check = await s.post('/v1/verifications/check', { id, code });
  assert.equal(check.body.valid, true);
});

test('SMS on the same server still goes to the development outbox, not to SMTP', async () => {
  const before = (await peer.received()).length;
  const phone = mobile(8101);
  const r = await s.post('/v1/verifications', { service, to: phone });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.channel, 'sms');
  const text = await s.lastText(phone);
  assert.match(text ?? '', /^Tu código de verificación de Shop es: \S+$/);
  assert.equal((await peer.received()).length, before, 'no mail for an SMS');
});

test('the server logs neither the address nor the code of an email verification', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logPeer = await startSmtpPeer();
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-email-logs-'));
  const file = join(dataDir, 'otpd.yaml');
  writeFileSync(file, gatewaysYaml(logPeer));
  const config = loadConfig(
    {
      ...ABUSE_OFF,
      OTPD_DATA_DIR: dataDir,
      OTPD_PORT: '0',
      OTPD_LOG_LEVEL: 'trace',
      OTPD_SECRET: TEST_SECRET,
      OTPD_RATE_LIMIT_RPS: '0',
      OTPD_SQLITE_SYNCHRONOUS: 'NORMAL',
      OTPD_DISPATCH_POLL_MS: '50',
    },
    file,
  );
  const server = await startServer(config, { logger: pino({ level: 'trace' }, sink) });
  t.after(async () => {
    await server.close();
    await logPeer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const k = newApiKey('test', 'tenant-a', [...SCOPES], Date.now());
  await server.store.createApiKey(k.record, k.secretHash);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(server.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${k.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  // A 10-character alphanumeric code: a 6-digit one could turn up by chance in a timestamp or an id.
  const svc = await post('/v1/services', {
    friendlyName: 'Shop',
    defaultLocale: 'es',
    codeLength: 10,
    alphabet: 'alphanumeric',
  });
  assert.equal(svc.status, 201, JSON.stringify(svc.body));

  const { id, parts } = await emailCode(post, server, logPeer, { service: svc.body.id, to: 'Alice@Example.com' });
  const code = /es: (\S+)$/m.exec(parts[0]!.text)?.[1];
  assert.ok(code, parts[0]!.text);
  assert.equal(code.length, 10);
  const check = await post('/v1/verifications/check', { to: 'Alice@Example.com', service: svc.body.id, code });
  assert.equal(check.body.valid, true, JSON.stringify(check.body));
  assert.equal(check.body.id, id);

  assert.ok(
    lines.some((l) => l.includes('/v1/verifications')),
    'the requests were logged (the check below is not vacuous)',
  );
  assert.ok(
    lines.some((l) => l.includes('a***@e***.com')),
    'the address appears masked',
  );
  for (const line of lines) {
    assert.ok(!/alice@example\.com/i.test(line), `no address in: ${line}`);
    assert.ok(!line.includes(code), `no code in: ${line}`);
  }
});
