import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SmtpGateway } from '../../src/gateways/smtp/smtp-gateway.ts';
import type { GatewayPeer, PeerMode } from '../contract/gateway.contract.ts';

/** A message as the SMTP peer accepted it: envelope and headers as seen on the wire, text decoded. */
export interface ReceivedMail {
  readonly to: string;
  readonly from: string;
  /** Lower-case header names, values unfolded and with encoded words decoded. */
  readonly headers: ReadonlyMap<string, string>;
  readonly subject: string;
  readonly text: string;
  /** The session was encrypted (implicit TLS or STARTTLS) when the message arrived. */
  readonly secure: boolean;
  /** The user the client authenticated as, if any. */
  readonly user: string | undefined;
}

export interface SmtpPeerOptions {
  /** Require AUTH with these credentials (allowed without TLS, so plain sessions can test it). */
  readonly auth?: { readonly user: string; readonly password: string };
  /** Offer STARTTLS, or speak TLS from the first byte; without it STARTTLS is hidden. */
  readonly tls?: { readonly mode: 'starttls' | 'implicit'; readonly key: string; readonly cert: string };
}

export interface SmtpPeer extends GatewayPeer {
  readonly port: number;
  received(): Promise<ReceivedMail[]>;
  /** Where 'transient' and 'permanent' refuse: at RCPT TO (default) or after the message data. */
  failAt(phase: 'rcpt' | 'data'): void;
  /** Connections the peer accepted so far (a pooled client reuses them). */
  connections(): number;
  stop(): Promise<void>;
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
const REFUSALS = {
  transient: smtpError(451, '4.3.0 Try again later'),
  permanent: smtpError(550, '5.1.1 Mailbox unavailable'),
};

/** otpd's SMTP gateway pointed at a test peer, over plain SMTP (id `mail`). */
export function plainSmtpGateway(peer: Pick<SmtpPeer, 'port'>): SmtpGateway {
  return new SmtpGateway({
    type: 'smtp',
    id: 'mail',
    host: '127.0.0.1',
    port: peer.port,
    secure: false,
    requireTls: false,
    from: 'otpd <no-reply@example.org>',
    subject: 'Your verification code',
  });
}

/** A real SMTP server on 127.0.0.1 whose answers a test controls. */
export async function startSmtpPeer(o: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  let mode: PeerMode = 'ok';
  let phase: 'rcpt' | 'data' = 'rcpt';
  let connections = 0;
  let queued = 0;
  const mails: ReceivedMail[] = [];
  const refusal = (): Error | undefined => (mode === 'transient' || mode === 'permanent' ? REFUSALS[mode] : undefined);
  const options: SMTPServerOptions = {
    logger: false,
    closeTimeout: 200,
    // Disabled rather than hidden: a client that insists on STARTTLS must meet a server without it.
    disabledCommands: [...(o.auth ? [] : ['AUTH']), ...(o.tls?.mode === 'starttls' ? [] : ['STARTTLS'])],
    authOptional: !o.auth,
    allowInsecureAuth: true,
    ...(o.tls ? { key: o.tls.key, cert: o.tls.cert, secure: o.tls.mode === 'implicit' } : {}),
    onConnect(_session, cb) {
      connections++;
      cb();
    },
    onAuth(auth, _session, cb) {
      const ok = auth.username === o.auth?.user && auth.password === o.auth?.password;
      cb(
        ok ? null : smtpError(535, '5.7.8 Authentication credentials invalid'),
        ok ? { user: auth.username } : undefined,
      );
    },
    onRcptTo(_address, _session, cb) {
      cb(phase === 'rcpt' ? refusal() : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // 'hang' keeps the session open without ever answering the end of DATA.
        if (mode === 'hang') return;
        if (phase === 'data' && refusal()) return cb(refusal());
        const parsed = parseMail(Buffer.concat(chunks));
        const mailFrom = session.envelope.mailFrom;
        mails.push({
          ...parsed,
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          from: mailFrom ? mailFrom.address : '',
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        cb(null, `2.0.0 Ok: queued as Q${++queued}`);
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    mode: (m) => {
      mode = m;
    },
    failAt: (p) => {
      phase = p;
    },
    connections: () => connections,
    received: async () => [...mails],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A throwaway certificate for localhost and 127.0.0.1 made with the openssl CLI (node:crypto cannot
 * issue X.509), or undefined when openssl is not installed so TLS tests can skip.
 */
export function selfSignedCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-smtp-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Just enough RFC 5322/2045/2047 for a single text part: unfolded headers with encoded words
 * decoded, and the body decoded from quoted-printable or base64 in its declared charset.
 */
export function parseMail(raw: Buffer): { headers: Map<string, string>; subject: string; text: string } {
  const source = raw.toString('latin1');
  const split = source.indexOf('\r\n\r\n');
  const head = split < 0 ? source : source.slice(0, split);
  const body = split < 0 ? '' : source.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const charset = /charset="?([^";\s]+)"?/i.exec(headers.get('content-type') ?? '')?.[1] ?? 'utf-8';
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body, 'base64')
      : encoding === 'quoted-printable'
        ? qpBytes(body.replace(/=\r\n/g, ''))
        : Buffer.from(body, 'latin1');
  // The body is CRLF on the wire; the sender's text was LF, and DATA always ends with a line break.
  const text = new TextDecoder(charset).decode(bytes).replace(/\r\n/g, '\n').replace(/\n$/, '');
  return { headers, subject: headers.get('subject') ?? '', text };
}

function qpBytes(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === '=' ? /^[0-9A-Fa-f]{2}/.exec(s.slice(i + 1, i + 3)) : null;
    if (hex) {
      out.push(parseInt(hex[0], 16));
      i += 2;
    } else {
      out.push(s.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 2047: bytes of adjacent encoded words are joined before decoding, as a character may span two. */
function decodeWords(value: string): string {
  const parts: Buffer[] = [];
  let charset = 'utf-8';
  let last = 0;
  for (const m of value.matchAll(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g)) {
    const between = value.slice(last, m.index);
    if (last === 0 || between.trim() !== '') parts.push(Buffer.from(between, 'latin1'));
    charset = m[1]!.replace(/\*.*$/, '');
    const data = m[3]!;
    parts.push(m[2]!.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : qpBytes(data.replace(/_/g, ' ')));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(value.slice(last), 'latin1'));
  return new TextDecoder(charset).decode(Buffer.concat(parts));
}
