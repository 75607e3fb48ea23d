import { readFileSync } from 'node:fs';
import smpp from 'smpp';
import type { Static } from 'typebox';
import type { Clock } from '../../core/clock.ts';
import type {
  ConnectionReceipts,
  Gateway,
  HealthReporting,
  LinkHealth,
  OutboundMessage,
  ReceiptInput,
  SendResult,
} from '../../core/ports/gateway.ts';
import type { SmppConfig } from '../../config/gateways.ts';
import { ABORTED, untilAborted } from './abort.ts';
import { encodeText, withHeaders, type ShortMessage, type TextEncoding } from './codec.ts';
import type { SlotLeases } from '../../core/ports/leases.ts';
import type { RateLimiter, RateRule } from '../../core/ports/rate-limiter.ts';
import { BindSlots } from './bind-slots.ts';
import { fixedParams, NPI_E164, relativeValidity, sourceAddress, tlvParams, TON_INTERNATIONAL } from './params.ts';
import { SmppLink, type LinkLog } from './link.ts';
import { parseDeliver } from './receipt.ts';
import { submitFailure, type SendFailure } from './status.ts';
import { SubmitGate } from './submit-gate.ts';

export type SmppGatewayConfig = Static<typeof SmppConfig>;

export interface SmppGatewayDeps {
  /** Stamps delivery receipts. Protocol timers run on real time: they govern real sockets. */
  readonly clock: Clock;
  /** Never given message text, codes or full phone numbers. */
  readonly log?: LinkLog;
  /** Jitter of reconnect delays and the first concatenation reference; Math.random by default. */
  readonly random01?: () => number;
  /**
   * Where `accountPerSecond` is spent, and how to wait for it (a timer by default; tests move an
   * injected clock instead).
   */
  /** Where `accountBinds` are held (see BindSlots); without it each process opens `binds`. */
  readonly leases?: SlotLeases;
  readonly account?: {
    readonly limiter: Pick<RateLimiter, 'takeMs'>;
    readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  };
}

const silent: LinkLog = { warn() {}, info() {} };

/**
 * SMS over SMPP 3.4: `binds` transceiver binds, or with `bindMode: separate` that many transmitters
 * and one receiver for the receipts. Binds are opened by the constructor and kept up until close(),
 * so receipts flow even when nothing is being sent. A message goes whole over one bind, the binds
 * taking turns; the gateway is up while any bind that submits is. While a bind is being
 * (re)established a send waits for the outcome; while every bind is down the dispatcher defers
 * instead of calling (see HealthReporting).
 */
export class SmppGateway implements Gateway, ConnectionReceipts, HealthReporting {
  readonly id: string;
  readonly channel = 'sms' as const;
  /** The binds that submit (transceivers or transmitters). */
  readonly #tx: readonly SmppLink[];
  /** The receiver, with bindMode: separate. */
  readonly #rx: SmppLink | undefined;
  #turn = 0;
  readonly #slots: BindSlots | undefined;
  readonly #account: { readonly key: string; readonly rule: RateRule } | undefined;
  readonly #budget: SmppGatewayDeps['account'];
  #reportedUp = true;
  readonly #gate: SubmitGate;
  readonly #clock: Clock;
  readonly #log: LinkLog;
  readonly #source: { readonly addr: string; readonly ton: number; readonly npi: number };
  readonly #encoding: TextEncoding;
  /** What every submit_sm of this gateway carries besides the message: options and TLVs. */
  readonly #fixed: smpp.Params;
  readonly #listeners: ((r: ReceiptInput) => void)[] = [];
  readonly #healthListeners: ((h: LinkHealth) => void)[] = [];
  #ref: number;

  constructor(config: SmppGatewayConfig, deps: SmppGatewayDeps) {
    this.id = config.id;
    this.#clock = deps.clock;
    this.#log = deps.log ?? silent;
    const random01 = deps.random01 ?? Math.random;
    this.#source = sourceAddress(config);
    this.#fixed = fixedParams(config);
    this.#encoding = config.textEncoding;
    this.#ref = Math.floor(random01() * 256);
    this.#budget = deps.account;
    this.#account =
      config.accountPerSecond === undefined
        ? undefined
        : {
            // One budget per account on one SMSC, whatever the gateway is called on each replica.
            key: `smpp:${config.systemId}@${config.host}:${config.port}`,
            rule: { ratePerSecond: config.accountPerSecond, burst: 1 },
          };
    // The window is per bind; the send rate is the gateway's (the account's), whatever the binds.
    this.#gate = new SubmitGate(config.window * config.binds, config.throughputPerSecond);
    // Read once at boot: a missing or unreadable CA file stops otpd with the path in the error.
    const ca = config.tlsCaFile ? readFileSync(config.tlsCaFile, 'utf8') : undefined;
    const link = (bindAs: 'transceiver' | 'transmitter' | 'receiver') =>
      new SmppLink(
        { ...config, ca, bindAs },
        {
          log: this.#log,
          random01,
          onDeliver: (pdu) => this.#onDeliver(pdu),
          onHealth: () => this.#reportHealth(),
        },
      );
    const separate = config.bindMode === 'separate';
    this.#tx = Array.from({ length: config.binds }, () => link(separate ? 'transmitter' : 'transceiver'));
    this.#rx = separate ? link('receiver') : undefined;
    const all = [...this.#tx.slice(0, 1), ...(this.#rx ? [this.#rx] : []), ...this.#tx.slice(1)];
    if (config.accountBinds !== undefined && deps.leases) {
      this.#slots = new BindSlots(all, {
        leases: deps.leases,
        key: `smpp-binds:${config.systemId}@${config.host}:${config.port}`,
        slots: config.accountBinds,
        retryMs: config.reconnectMaxMs,
        log: this.#log,
        gateway: config.id,
      });
      this.#slots.start();
    } else for (const l of all) l.start();
  }

  /** Submits awaiting their response and callers waiting for a window slot (for metrics and tests). */
  get load(): { readonly inFlight: number; readonly waiting: number } {
    return this.#gate.load;
  }

  onReceipt(listener: (r: ReceiptInput) => void): void {
    this.#listeners.push(listener);
  }

  /** Up while any bind that submits is; down, the first one's error says why. */
  health(): LinkHealth {
    const slots = this.#slots;
    if (slots && !this.#tx.some((l) => slots.holds(l)))
      return { up: false, error: 'every bind of this SMPP account is held by other replicas (accountBinds)' };
    const all = this.#tx.filter((l) => !slots || slots.holds(l)).map((l) => l.health());
    return all.find((h) => h.up) ?? all[0]!;
  }

  #reportHealth(): void {
    const h = this.health();
    if (h.up === this.#reportedUp) return;
    this.#reportedUp = h.up;
    for (const l of this.#healthListeners) l(h);
  }

  /** The next bind that is up, in turn; the first one when none is (its readiness says why). */
  #pick(): SmppLink {
    for (let i = 0; i < this.#tx.length; i++) {
      const l = this.#tx[(this.#turn + i) % this.#tx.length]!;
      if (l.health().up) {
        this.#turn = (this.#turn + i + 1) % this.#tx.length;
        return l;
      }
    }
    return this.#tx[0]!;
  }

  onHealthChange(listener: (h: LinkHealth) => void): void {
    this.#healthListeners.push(listener);
  }

  /**
   * Sends every part in order and returns every part's message_id (the first is the message's id;
   * each part's receipt counts, see #params). Should a later part fail, the message is failed as a
   * whole and a retry sends all parts again under a new reference, so the handset never has to join
   * parts of two attempts.
   */
  async send(m: OutboundMessage, signal: AbortSignal): Promise<SendResult> {
    if (signal.aborted)
      return { ok: false, kind: 'transient', timeout: true, error: 'deadline passed before the SMPP submit' };
    let parts: ShortMessage[];
    let dataCoding: number;
    try {
      const encoded = encodeText(m.text, this.#encoding);
      dataCoding = encoded.dataCoding;
      parts = withHeaders(encoded.parts, this.#nextRef(encoded.parts.length));
    } catch (err) {
      return { ok: false, kind: 'permanent', error: (err as Error).message };
    }
    const ids: string[] = [];
    const link = this.#pick();
    // Computed once: every part of one message carries the same deadline.
    const validity = m.validUntil === undefined ? undefined : relativeValidity(m.validUntil - this.#clock.now());
    for (const [i, part] of parts.entries()) {
      const what = parts.length === 1 ? 'submit_sm' : `submit_sm (part ${i + 1} of ${parts.length})`;
      // The route's TLVs on top of the gateway's: a route names what differs for its messages.
      const params = { ...this.#params(m.to, part, dataCoding), ...(m.tlvs ? tlvParams(m.tlvs) : {}) };
      if (validity) params.validity_period = validity;
      const r = await this.#submit(link, params, what, signal);
      if (!r.ok) return r;
      ids.push(r.messageId);
    }
    return {
      ok: true,
      providerMessageId: ids[0] ?? '',
      segments: parts.length,
      ...(ids.length > 1 ? { partIds: ids } : {}),
    };
  }

  /** Turns away callers waiting for the window, then unbinds and closes the link. */
  async close(): Promise<void> {
    this.#gate.close();
    await Promise.all([...this.#tx, ...(this.#rx ? [this.#rx] : [])].map((l) => l.close()));
    await this.#slots?.close();
  }

  async #submit(
    link: SmppLink,
    params: smpp.Params,
    what: string,
    signal: AbortSignal,
  ): Promise<{ ok: true; messageId: string } | SendFailure> {
    if (!(await this.#paceAccount(signal)))
      return {
        ok: false,
        kind: 'transient',
        timeout: true,
        error: "no room in the SMPP account's shared send rate before the deadline",
      };
    const ready = await link.ready(signal);
    if (!ready.ok)
      return { ok: false, kind: 'transient', error: ready.error, ...(ready.aborted ? { timeout: true } : {}) };
    const release = await this.#gate.acquire(signal);
    if (!release) {
      return signal.aborted
        ? {
            ok: false,
            kind: 'transient',
            timeout: true,
            error: 'no room in the SMPP submit window before the deadline',
          }
        : { ok: false, kind: 'transient', error: 'SMPP gateway closed' };
    }
    const reply = link.request('submit_sm', params);
    // The slot is held until the SMSC answers, not until this caller gives up: the SMSC still
    // counts an unanswered submit against the window.
    void reply.then(release);
    const r = await untilAborted(reply, signal);
    if (r === ABORTED)
      return {
        ok: false,
        kind: 'transient',
        timeout: true,
        error: `no ${what} response before the deadline; outcome unknown`,
      };
    if (!r.ok)
      return { ok: false, kind: 'transient', error: `${what}: ${r.error}`, ...(r.timeout ? { timeout: true } : {}) };
    if (r.pdu.command_status !== smpp.ESME_ROK) return submitFailure(r.pdu.command_status, what);
    if (!r.pdu.message_id)
      this.#log.warn(
        { gateway: this.id },
        'SMSC accepted a submit_sm without a message_id; its receipt cannot be matched',
      );
    return { ok: true, messageId: r.pdu.message_id ?? '' };
  }

  /**
   * Every part asks for a delivery receipt: a long message is delivered only when all its parts
   * are (the store tracks each part's id), since a handset shows nothing until it has them all.
   */
  #params(to: string, part: ShortMessage, dataCoding: number): smpp.Params {
    return {
      ...this.#fixed,
      source_addr_ton: this.#source.ton,
      source_addr_npi: this.#source.npi,
      source_addr: this.#source.addr,
      dest_addr_ton: TON_INTERNATIONAL,
      dest_addr_npi: NPI_E164,
      destination_addr: to.replace(/^\+/, ''),
      esm_class: part.esmClass,
      registered_delivery: 1,
      data_coding: dataCoding,
      short_message: part.bytes,
    };
  }

  /** Waits for the account's shared budget, if it has one; false when `signal` aborts first. */
  async #paceAccount(signal: AbortSignal): Promise<boolean> {
    if (!this.#account || !this.#budget) return true;
    const sleep = this.#budget.sleep ?? abortableSleep;
    for (;;) {
      const wait = await this.#budget.limiter.takeMs(this.#account.key, this.#account.rule);
      if (wait === 0) return true;
      if (signal.aborted) return false;
      await sleep(wait, signal);
    }
  }

  /** Concatenation references cycle through 0–255; a single-part message needs none. */
  #nextRef(parts: number): number {
    if (parts === 1) return 0;
    this.#ref = (this.#ref + 1) & 0xff;
    return this.#ref;
  }

  #onDeliver(pdu: smpp.PDU): void {
    const out = parseDeliver(pdu, this.#clock.now());
    if (out.kind === 'malformed')
      this.#log.warn({ gateway: this.id, reason: out.reason }, 'unreadable SMPP delivery receipt dropped');
    if (out.kind !== 'receipt') return;
    for (const listener of this.#listeners) {
      try {
        listener(out.receipt);
      } catch (err) {
        this.#log.warn({ gateway: this.id, error: (err as Error).message }, 'delivery receipt listener failed');
      }
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
