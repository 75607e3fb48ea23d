import type { Static } from 'typebox';
import { createTransport, type NodemailerError, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { SmtpConfig } from '../../config/gateways.ts';
import type { Gateway, OutboundMessage, SendResult } from '../../core/ports/gateway.ts';

export interface SmtpGatewayDeps {
  readonly tls?: {
    /** Set false only in tests; a relay with a bad certificate is refused by default. @default true */
    readonly rejectUnauthorized?: boolean;
    /** Trust anchors to use instead of the system store (a private relay, or a test certificate). */
    readonly ca?: string | Buffer;
  };
  /**
   * nodemailer's own limits (this one and the next two) stay below the dispatcher's send timeout
   * (10 s by default), so a dead relay is reported with its cause, not as a generic timeout.
   * @default 5000
   */
  readonly connectionTimeoutMs?: number;
  /** @default 5000 */
  readonly greetingTimeoutMs?: number;
  /** @default 8000 */
  readonly socketTimeoutMs?: number;
  /**
   * Submission servers cap concurrent sessions per account (Microsoft 365 allows 3); more
   * connections would be refused with 4xx and show up as spurious transient failures.
   * @default 3
   */
  readonly maxConnections?: number;
}

/** Certificate checks that a retry cannot fix: the relay is misconfigured or not who it claims. */
const TLS_TRUST_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME|HOSTNAME_MISMATCH/;
/** Failures without an SMTP reply that still say the message or this configuration is wrong. */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'EREQUIRETLS']);

/**
 * Sends the message text as a plain-text email through one pooled SMTP connection set.
 * providerMessageId is the RFC 5322 Message-ID (angle brackets included): the id the recipient's
 * copy and any bounce carry. When the relay rewrites it and says so in its 250 reply (Microsoft
 * 365, Amazon SES), nodemailer reports the relay's id and that one is used. Free-text queue ids
 * ("queued as …") are not standardised and are left out.
 */
export class SmtpGateway implements Gateway {
  readonly id: string;
  readonly channel = 'email' as const;
  readonly #config: Static<typeof SmtpConfig>;
  readonly #transport: Transporter<SMTPSentMessageInfo>;
  #closed = false;

  constructor(config: Static<typeof SmtpConfig>, deps: SmtpGatewayDeps = {}) {
    this.id = config.id;
    this.#config = config;
    this.#transport = createTransport({
      pool: true,
      maxConnections: deps.maxConnections ?? 3,
      // One requeue covers a relay that dropped an idle pooled session just as it was reused;
      // anything more is otpd's own retry and backoff, which records every attempt.
      maxRequeues: 1,
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTls,
      tls: {
        rejectUnauthorized: deps.tls?.rejectUnauthorized ?? true,
        minVersion: 'TLSv1.2',
        ...(deps.tls?.ca ? { ca: deps.tls.ca } : {}),
      },
      ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
      connectionTimeout: deps.connectionTimeoutMs ?? 5_000,
      greetingTimeout: deps.greetingTimeoutMs ?? 5_000,
      socketTimeout: deps.socketTimeoutMs ?? 8_000,
      // The message carries a code: never hand SMTP traffic to a logger.
      logger: false,
      debug: false,
    });
  }

  async send(message: OutboundMessage, signal: AbortSignal): Promise<SendResult> {
    if (signal.aborted) return aborted();
    if (this.#closed) return { ok: false, kind: 'transient', error: `SMTP gateway ${this.id} is closed` };
    // A list ("a@x, b@y") would fan one verification out to many mailboxes: email pumping.
    const rcpt = addressparser(message.to, { flatten: true });
    if (rcpt.length !== 1 || !rcpt[0]!.address.includes('@')) {
      return { ok: false, kind: 'permanent', error: 'recipient is not exactly one email address' };
    }
    try {
      const info = await this.#transport.sendMail({
        from: this.#config.from,
        to: rcpt[0]!.address,
        subject: message.subject ?? this.#config.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        // The Message-ID stays unique per attempt (otpd's ids restart with each database, and a
        // reused Message-ID gets mail silently deduplicated); this header ties attempts together.
        headers: { 'X-Otpd-Message-Id': message.id },
        xMailer: false,
        signal,
      });
      return { ok: true, providerMessageId: info.serverMessageId || info.messageId };
    } catch (err) {
      if (signal.aborted) return aborted();
      return redact(classify(err as NodemailerError), message.text);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#transport.close();
  }
}

const aborted = (): SendResult => ({
  ok: false,
  kind: 'transient',
  timeout: true,
  error: 'SMTP send aborted: no answer in time',
});

/**
 * RFC 5321 4.2.1: 4yz is a transient, 5yz a permanent negative completion. 503 (bad sequence of
 * commands) is about the session, not the message, so it stays transient. Authentication
 * failures (535, or no usable mechanism) are permanent: the credentials will not fix themselves,
 * and routing fails over to the next gateway.
 */
function classify(err: NodemailerError): Exclude<SendResult, { ok: true }> {
  const code = err.responseCode ?? err.rejectedErrors?.[0]?.responseCode;
  const reply = (err.response ?? err.rejectedErrors?.[0]?.response)?.replace(/\s+/g, ' ').trim();
  if (code !== undefined && code >= 400) {
    const error = `SMTP ${code}${err.command ? ` at ${err.command.split(' ')[0]}` : ''}: ${reply ?? err.message}`;
    return { ok: false, kind: code >= 500 && code !== 503 ? 'permanent' : 'transient', error };
  }
  const cause = [err.code, err.originalCode].filter(Boolean).join('/');
  const error = `SMTP ${cause || 'error'}: ${String(err.message ?? err).replace(/\s+/g, ' ')}`;
  if (err.code === 'ETIMEDOUT' || err.originalCode === 'ETIMEDOUT')
    return { ok: false, kind: 'transient', timeout: true, error };
  if (PERMANENT_CODES.has(err.code ?? '') || TLS_TRUST_ERRORS.test(err.originalCode ?? '')) {
    return { ok: false, kind: 'permanent', error };
  }
  return { ok: false, kind: 'transient', error };
}

/** A relay may quote what it refused; the text holds the code, so it never reaches an error string. */
function redact(r: Exclude<SendResult, { ok: true }>, text: string): SendResult {
  return text && r.error.includes(text) ? { ...r, error: r.error.split(text).join('[message text]') } : r;
}
