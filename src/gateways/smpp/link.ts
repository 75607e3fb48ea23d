import smpp from 'smpp';
import type { LinkHealth } from '../../core/ports/gateway.ts';
import { PendingRequests, type Reply } from './pending.ts';
import { statusName } from './status.ts';

export interface LinkOptions {
  /** The gateway id, for logs. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** The bind's kind: a transceiver (the default) both submits and receives. */
  readonly bindAs?: 'transceiver' | 'transmitter' | 'receiver' | undefined;
  /** PEM of a private CA to trust for the SMSC's certificate (the system's CAs otherwise). */
  readonly ca?: string | undefined;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly enquireLinkSeconds: number;
  readonly requestTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
}

export interface LinkLog {
  warn(o: object, msg: string): void;
  info(o: object, msg: string): void;
}

export interface LinkDeps {
  readonly log: LinkLog;
  readonly random01: () => number;
  /** Every deliver_sm; the link answers it with deliver_sm_resp once this returns. */
  readonly onDeliver: (pdu: smpp.PDU) => void;
  /** The link was bound, or was lost or refused (called on each, not only on changes). */
  readonly onHealth?: (h: LinkHealth) => void;
}

type LinkState = 'connecting' | 'bound' | 'down' | 'closed';

export type Readiness =
  | { readonly ok: true }
  | { readonly ok: false; readonly aborted: boolean; readonly error: string };

/** SMPP 3.4: otherwise the package binds as 5.0 (0x50), which 3.4 SMSCs may refuse or misread. */
const INTERFACE_VERSION = 0x34;
const LOST = 'connection lost, outcome unknown';

/**
 * One transceiver bind that keeps itself up: it connects at start, re-binds with exponential
 * backoff whenever the link is down, probes it with enquire_link, and answers what the SMSC asks
 * (enquire_link, unbind, deliver_sm). Sessions are replaced, never reused: handlers of a session
 * that is no longer current ignore what it still emits.
 */
export class SmppLink {
  readonly #o: LinkOptions;
  readonly #d: LinkDeps;
  readonly #pending = new PendingRequests();
  readonly #waiters = new Set<(r: Readiness) => void>();
  #state: LinkState = 'down';
  #session: smpp.Session | undefined;
  #failures = 0;
  #lastError = 'not connected yet';
  #reconnectTimer: NodeJS.Timeout | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #enquiring = false;

  constructor(o: LinkOptions, d: LinkDeps) {
    this.#o = o;
    this.#d = d;
  }

  start(): void {
    if (this.#state === 'down' && !this.#reconnectTimer) this.#connect();
  }

  /**
   * Up while bound, and during the very first connect (a send then waits for its outcome, see
   * ready); down from the first failure until a bind succeeds again.
   */
  health(): LinkHealth {
    const up = this.#state === 'bound' || (this.#state === 'connecting' && this.#failures === 0);
    return { up, error: up ? '' : this.#lastError };
  }

  /** On every bind and every loss; the gateway, which sums up its binds, reports changes only. */
  #reportHealth(): void {
    if (this.#state !== 'closed') this.#d.onHealth?.(this.health());
  }

  /**
   * Whether requests can go out. While a connect or bind is under way the caller waits for its
   * outcome (or its own signal); while the link is down between attempts it is told so at once,
   * so a dead SMSC costs a message one quick transient failure, not its whole send timeout.
   */
  ready(signal: AbortSignal): Promise<Readiness> {
    if (this.#state === 'bound') return Promise.resolve({ ok: true });
    if (this.#state === 'closed') return Promise.resolve({ ok: false, aborted: false, error: 'SMPP gateway closed' });
    if (this.#state === 'down') return Promise.resolve(this.#downReason());
    if (signal.aborted) return Promise.resolve({ ok: false, aborted: true, error: 'no SMPP bind before the deadline' });
    return new Promise((resolve) => {
      const done = (r: Readiness) => {
        this.#waiters.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => done({ ok: false, aborted: true, error: 'no SMPP bind before the deadline' });
      this.#waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Writes a request on the bound session; ends with its response, a timeout, or the loss of the link. */
  request(command: string, params: smpp.Params): Promise<Reply> {
    const s = this.#session;
    if (this.#state !== 'bound' || !s)
      return Promise.resolve({ ok: false, timeout: false, error: `SMPP link down (${this.#lastError}); not sent` });
    return this.#write(s, command, params);
  }

  /**
   * Unbinds, then closes the socket. Requests still pending after unbind_resp (an SMSC normally
   * answers the submits it holds first) end as "outcome unknown"; nothing is left hanging.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasBound = this.#state === 'bound';
    this.#state = 'closed';
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#keepAlive);
    this.#notify({ ok: false, aborted: false, error: 'SMPP gateway closed' });
    const s = this.#session;
    if (!s) return;
    if (wasBound) {
      const r = await this.#write(s, 'unbind', {});
      if (!r.ok) this.#d.log.warn({ gateway: this.#o.id, error: r.error }, 'SMPP unbind not answered; closing anyway');
    }
    this.#pending.failAll('SMPP gateway closed, outcome unknown');
    await endSession(s, wasBound, this.#o.requestTimeoutMs);
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    this.#state = 'connecting';
    // noDelay: SMPP is small request/response PDUs, which Nagle's algorithm would hold back.
    const s = smpp.connect({
      host: this.#o.host,
      port: this.#o.port,
      tls: this.#o.tls,
      noDelay: true,
      ...(this.#o.ca ? { ca: this.#o.ca } : {}),
    });
    this.#session = s;
    // Without an 'error' listener the package's EventEmitter would crash the process.
    s.on('error', (err) => this.#onError(s, err));
    s.on('close', () => this.#onClose(s));
    s.on('pdu', (pdu) => this.#onPdu(s, pdu));
    // Written before the TCP handshake ends, the bind waits in the socket's buffer; its timeout
    // therefore covers connect and bind together.
    const bind = this.#write(s, `bind_${this.#o.bindAs ?? 'transceiver'}`, {
      system_id: this.#o.systemId,
      password: this.#o.password,
      system_type: this.#o.systemType,
      interface_version: INTERFACE_VERSION,
    });
    void bind.then((r) => this.#onBindReply(s, r));
  }

  #onBindReply(s: smpp.Session, r: Reply): void {
    if (s !== this.#session || this.#state !== 'connecting') return;
    if (!r.ok || r.pdu.command_status !== smpp.ESME_ROK) {
      // Logged and retried with backoff: credentials may be fixed on the SMSC side without a restart.
      this.#lastError = r.ok
        ? `bind refused: ${statusName(r.pdu.command_status)}`
        : `bind_${this.#o.bindAs ?? 'transceiver'}: ${r.error}`;
      this.#d.log.warn({ gateway: this.#o.id, error: this.#lastError }, 'SMPP bind failed');
      s.destroy();
      return;
    }
    this.#state = 'bound';
    this.#failures = 0;
    this.#lastError = '';
    this.#d.log.info(
      { gateway: this.#o.id, smsc: r.pdu.system_id ?? '', as: this.#o.bindAs ?? 'transceiver' },
      'SMPP bound',
    );
    this.#keepAlive = setInterval(() => void this.#enquire(s), this.#o.enquireLinkSeconds * 1000);
    this.#notify({ ok: true });
    this.#reportHealth();
  }

  #onError(s: smpp.Session, err: Error & { code?: string }): void {
    const error = `connection error: ${err.code ?? err.message}`;
    if (s === this.#session) this.#lastError = error;
    this.#d.log.warn({ gateway: this.#o.id, error }, 'SMPP link error');
    // A parse error leaves the package's session stuck (it stops reading); only a new one recovers.
    s.destroy();
  }

  #onClose(s: smpp.Session): void {
    if (s !== this.#session) return;
    this.#session = undefined;
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    this.#pending.failAll(LOST);
    if (this.#state === 'closed') return;
    if (this.#state === 'bound') {
      this.#lastError ||= 'connection closed by the SMSC';
      this.#d.log.warn({ gateway: this.#o.id, error: this.#lastError }, 'SMPP link lost; reconnecting');
    }
    this.#state = 'down';
    this.#notify(this.#downReason());
    this.#scheduleReconnect();
    this.#reportHealth();
  }

  /**
   * base·2^(n−1), stretched by up to half at random and capped at max: processes that lost the
   * same SMSC spread their re-binds out instead of arriving together.
   */
  #scheduleReconnect(): void {
    this.#failures += 1;
    const { reconnectBaseMs: base, reconnectMaxMs: max } = this.#o;
    const backoff = base * 2 ** Math.min(this.#failures - 1, 30);
    const delay = Math.round(Math.min(max, backoff * (1 + this.#d.random01() / 2)));
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #onPdu(s: smpp.Session, pdu: smpp.PDU): void {
    if (s !== this.#session) return;
    if (pdu.isResponse()) {
      this.#pending.settle(pdu);
      return;
    }
    switch (pdu.command) {
      case 'enquire_link':
        reply(s, pdu.response());
        break;
      case 'deliver_sm':
        this.#deliver(pdu);
        reply(s, pdu.response());
        break;
      case 'unbind':
        this.#lastError = 'the SMSC unbound';
        reply(s, pdu.response());
        s.close();
        break;
      default:
        refuse(s, pdu);
    }
  }

  #deliver(pdu: smpp.PDU): void {
    try {
      this.#d.onDeliver(pdu);
    } catch (err) {
      this.#d.log.warn({ gateway: this.#o.id, error: (err as Error).message }, 'deliver_sm handler failed');
    }
  }

  /** A missing enquire_link_resp means a dead link that TCP has not noticed yet: drop it and re-bind. */
  async #enquire(s: smpp.Session): Promise<void> {
    if (this.#enquiring || s !== this.#session) return;
    this.#enquiring = true;
    const r = await this.#write(s, 'enquire_link', {});
    this.#enquiring = false;
    if (r.ok || !r.timeout || s !== this.#session || this.#state !== 'bound') return;
    this.#lastError = 'enquire_link unanswered';
    this.#d.log.warn({ gateway: this.#o.id, error: r.error }, 'SMPP enquire_link unanswered; dropping the link');
    s.destroy();
  }

  #write(s: smpp.Session, command: string, params: smpp.Params): Promise<Reply> {
    const pdu = new smpp.PDU(command, params);
    try {
      if (!s.send(pdu)) return Promise.resolve({ ok: false, timeout: false, error: 'socket not writable; not sent' });
    } catch (err) {
      return Promise.resolve({
        ok: false,
        timeout: false,
        error: `${command} could not be encoded: ${(err as Error).message}`,
      });
    }
    return this.#pending.add(pdu.sequence_number, command, this.#o.requestTimeoutMs);
  }

  #downReason(): Readiness {
    return { ok: false, aborted: false, error: `SMPP link down (${this.#lastError}); reconnecting` };
  }

  #notify(r: Readiness): void {
    for (const w of [...this.#waiters]) w(r);
  }
}

function reply(s: smpp.Session, pdu: smpp.PDU): void {
  // false on a socket already closing: the SMSC then re-sends its request on the next bind.
  s.send(pdu);
}

/** Requests otpd does not serve get an error response when the command has one (alert_notification has none). */
function refuse(s: smpp.Session, pdu: smpp.PDU): void {
  if (pdu.command === 'unknown' || `${pdu.command}_resp` in smpp.commands)
    reply(s, pdu.response({ command_status: smpp.ESME_RINVCMDID }));
}

function endSession(s: smpp.Session, graceful: boolean, timeoutMs: number): Promise<void> {
  if (s.socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    // An SMSC that never closes its side would keep a graceful close waiting forever.
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (graceful) s.close();
    else s.destroy();
  });
}
