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
}

/** SMPP 3.4 §5.2.5/§5.2.6: international number, E.164 numbering plan. */
const TON_INTERNATIONAL = 1;
const NPI_E164 = 1;
const TON_ALPHANUMERIC = 5;
/** Short codes (up to 8 digits, no '+'): numbers that exist only inside one network. */
const TON_NETWORK_SPECIFIC = 3;
const NPI_UNKNOWN = 0;

const silent: LinkLog = { warn() {}, info() {} };

/**
 * SMS over one SMPP 3.4 transceiver bind. The bind is opened by the constructor and kept up until
 * close(), so delivery receipts flow even when nothing is being sent. While the link is being
 * (re)established a send waits for the outcome of that attempt; while it is down between attempts
 * a send fails at once as transient, and the dispatcher's backoff and circuit breaker take over.
 */
export class SmppGateway implements Gateway, ConnectionReceipts, HealthReporting {
  readonly id: string;
  readonly channel = 'sms' as const;
  readonly #link: SmppLink;
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
    this.#gate = new SubmitGate(config.window, config.throughputPerSecond);
    // Read once at boot: a missing or unreadable CA file stops otpd with the path in the error.
    const ca = config.tlsCaFile ? readFileSync(config.tlsCaFile, 'utf8') : undefined;
    this.#link = new SmppLink(
      { ...config, ca },
      {
        log: this.#log,
        random01,
        onDeliver: (pdu) => this.#onDeliver(pdu),
        onHealth: (h) => {
          for (const l of this.#healthListeners) l(h);
        },
      },
    );
    this.#link.start();
  }

  /** Submits awaiting their response and callers waiting for a window slot (for metrics and tests). */
  get load(): { readonly inFlight: number; readonly waiting: number } {
    return this.#gate.load;
  }

  onReceipt(listener: (r: ReceiptInput) => void): void {
    this.#listeners.push(listener);
  }

  health(): LinkHealth {
    return this.#link.health();
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
    // Computed once: every part of one message carries the same deadline.
    const validity = m.validUntil === undefined ? undefined : relativeValidity(m.validUntil - this.#clock.now());
    for (const [i, part] of parts.entries()) {
      const what = parts.length === 1 ? 'submit_sm' : `submit_sm (part ${i + 1} of ${parts.length})`;
      const params = this.#params(m.to, part, dataCoding);
      if (validity) params.validity_period = validity;
      const r = await this.#submit(params, what, signal);
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
    await this.#link.close();
  }

  async #submit(
    params: smpp.Params,
    what: string,
    signal: AbortSignal,
  ): Promise<{ ok: true; messageId: string } | SendFailure> {
    const ready = await this.#link.ready(signal);
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
    const reply = this.#link.request('submit_sm', params);
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

/**
 * The operator's options (service_type, protocol_id, priority_flag, replace_if_present_flag) and
 * vendor-specific TLVs, such as India's DLT PE_ID (0x1400) and template id (0x1401). The smpp
 * package encodes only TLVs it knows by name, so each tag is registered once, as raw bytes that
 * otpd encodes itself.
 */
function fixedParams(c: SmppGatewayConfig): smpp.Params {
  const params: smpp.Params = {
    service_type: c.serviceType,
    protocol_id: c.protocolId,
    priority_flag: c.priorityFlag,
    replace_if_present_flag: c.replaceIfPresent ? 1 : 0,
  };
  for (const t of c.tlvs) {
    const name = `otpd_tlv_${t.tag}`;
    if (!(name in smpp.tlvs)) smpp.addTLV(name, { id: t.tag, type: smpp.types.tlv.buffer });
    params[name] =
      t.encoding === 'hex'
        ? Buffer.from(t.value, 'hex')
        : Buffer.from(t.encoding === 'cstring' ? `${t.value}\0` : t.value, 'latin1');
  }
  return params;
}

/**
 * SMPP 3.4 §7.1.1, relative format "YYMMDDhhmmss000R": how long the SMSC may keep trying, so a code
 * never reaches a handset after it expired (without it the SMSC's default applies, often days).
 * Whole seconds, at least one; capped at 99 days.
 */
export function relativeValidity(ms: number): string {
  let s = Math.min(99 * 86_400, Math.max(1, Math.floor(ms / 1000)));
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const two = (n: number) => String(n).padStart(2, '0');
  return `0000${two(days)}${two(Math.floor(s / 3600))}${two(Math.floor((s % 3600) / 60))}${two(s % 60)}000R`;
}

/**
 * A name goes out as alphanumeric (TON 5, NPI 0); a number with '+' or more than 8 digits as
 * international (TON 1, NPI 1); a short code (3 to 8 digits, no '+') as network specific (TON 3,
 * NPI 0). `sourceTon`/`sourceNpi` override either, for SMSCs with their own conventions.
 */
function sourceAddress(c: SmppGatewayConfig): { addr: string; ton: number; npi: number } {
  const digits = /^\+?[0-9]+$/.test(c.sourceAddr);
  const addr = digits ? c.sourceAddr.replace(/^\+/, '') : c.sourceAddr;
  const shortCode = digits && !c.sourceAddr.startsWith('+') && addr.length <= 8;
  const ton = shortCode ? TON_NETWORK_SPECIFIC : digits ? TON_INTERNATIONAL : TON_ALPHANUMERIC;
  return { addr, ton: c.sourceTon ?? ton, npi: c.sourceNpi ?? (digits && !shortCode ? NPI_E164 : NPI_UNKNOWN) };
}
