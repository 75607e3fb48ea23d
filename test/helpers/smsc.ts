import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import { gsm7Septets } from '../../src/core/segments.ts';
import type { SmppGatewayConfig } from '../../src/gateways/smpp/smpp-gateway.ts';

/** How the test SMSC answers submit_sm: accept, refuse (busy, throttled, bad number, any status) or say nothing. */
export type SmscMode = 'ok' | 'throttle' | 'transient' | 'permanent' | 'hang' | { readonly status: number };

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD' | 'DELETED' | 'UNKNOWN' | 'ENROUTE' | 'ACCEPTD';

/** One submit_sm as it arrived. */
export interface SubmitRecord {
  readonly to: string;
  readonly destTon: number | undefined;
  readonly destNpi: number | undefined;
  readonly source: string;
  readonly sourceTon: number | undefined;
  readonly sourceNpi: number | undefined;
  readonly dataCoding: number | undefined;
  readonly esmClass: number | undefined;
  readonly registeredDelivery: number | undefined;
  /**
   * validity_period as the smpp package decodes it: a relative period ("…R") becomes the Date it
   * ends at, counted from when the PDU was read (wall clock).
   */
  readonly validityPeriod: Date | string | undefined;
  readonly serviceType: string | undefined;
  readonly protocolId: number | undefined;
  readonly priorityFlag: number | undefined;
  readonly replaceIfPresent: number | undefined;
  /** Vendor-specific TLVs (0x1400–0x3FFF) by tag, as raw bytes. */
  readonly tlvs: Readonly<Record<number, Buffer>>;
  /** The concatenation IE (05 00 03 ref total seq) when the part has one. */
  readonly concat: { readonly ref: number; readonly total: number; readonly seq: number } | undefined;
  /** Size of the user data after the header: septets for data_coding 0, UTF-16 units for 8. */
  readonly units: number;
  readonly text: string;
  readonly at: number;
}

/** A message as the handset would show it, reassembled from its parts. */
export interface MessageRecord {
  readonly to: string;
  readonly text: string;
  readonly dataCoding: number | undefined;
  readonly parts: number;
  /** The message_id the SMSC gave the first part. */
  readonly messageId: string;
  /** Every part's message_id, in order (one for a single-part message). */
  readonly partIds: readonly string[];
}

export interface BindRecord {
  readonly as: 'transceiver' | 'transmitter' | 'receiver';
  readonly systemId: string | undefined;
  readonly systemType: string | undefined;
  readonly interfaceVersion: number | undefined;
  readonly accepted: boolean;
}

const STATES: Record<ReceiptStat, number> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

const MODE_STATUS = {
  throttle: smpp.ESME_RTHROTTLED,
  transient: smpp.ESME_RMSGQFUL,
  permanent: smpp.ESME_RINVDSTADR,
} as const;

/**
 * A controllable SMSC built on the smpp package's own server mode, listening on 127.0.0.1. It checks
 * bind credentials, answers enquire_link and unbind, records every submit (decoded by the package,
 * so a wrong data_coding shows up as a wrong text), reassembles concatenated parts, and can send
 * receipts, drop connections, and stop and start again on the same port.
 */
export class TestSmsc {
  port = 0;
  mode: SmscMode = 'ok';
  /** Refuse the next n submits with ESME_RTHROTTLED, whatever the mode. */
  throttleNext = 0;
  answerEnquireLink = true;
  enquireLinks = 0;
  /** Most submits that were awaiting an answer at once. */
  maxOutstanding = 0;
  readonly binds: BindRecord[] = [];
  readonly submits: SubmitRecord[] = [];
  readonly messages: MessageRecord[] = [];
  readonly #credentials: { readonly systemId: string; readonly password: string };
  readonly #server: smpp.Server;
  readonly #bound = new Set<smpp.Session>();
  /** What each bound session may do: receivers take no submit, transmitters get no deliver_sm. */
  readonly #kind = new Map<smpp.Session, BindRecord['as']>();
  readonly #perSession = new Map<smpp.Session, number>();
  readonly #parts = new Map<string, { id: string; texts: string[]; ids: string[] }>();
  #hung: { session: smpp.Session; pdu: smpp.PDU; record: SubmitRecord }[] = [];
  #ids = 0;

  private constructor(credentials: { systemId: string; password: string }, tls?: { key: string; cert: string }) {
    this.#credentials = credentials;
    this.#server = tls ? smpp.createServer(tls, (s) => this.#serve(s)) : smpp.createServer((s) => this.#serve(s));
  }

  /** `tls`: SMPP over TLS with this key and certificate (PEM). */
  static async start(
    credentials = { systemId: 'otpd', password: 'secret' },
    tls?: { key: string; cert: string },
  ): Promise<TestSmsc> {
    const smsc = new TestSmsc(credentials, tls);
    await smsc.listen();
    return smsc;
  }

  /** Submits received and not answered (hang mode). */
  get outstanding(): number {
    return this.#hung.length;
  }

  get boundSessions(): number {
    return this.#bound.size;
  }

  /** Submits received on each session that sent any. */
  get submitsPerSession(): number[] {
    return [...this.#perSession.values()];
  }

  get acceptedBinds(): number {
    return this.binds.filter((b) => b.accepted).length;
  }

  /** Listens on the port it had before (or a free one the first time). */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        this.port = (this.#server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Drops every connection at once, as a crashing SMSC or a broken network would. */
  dropAll(): void {
    for (const s of this.#server.sessions.slice()) s.destroy();
  }

  /** Destroys the sessions first: server.close() waits for live sessions to end. */
  async stop(): Promise<void> {
    this.dropAll();
    this.#hung = [];
    if (!this.#server.listening) return;
    await new Promise<void>((resolve, reject) => this.#server.close((err) => (err ? reject(err) : resolve())));
  }

  /** Answers the first `n` submits held in hang mode (all by default), as accepted. */
  answerHung(n = Infinity): void {
    for (const h of this.#hung.splice(0, n)) this.#accept(h.session, h.pdu, h.record);
  }

  /** An enquire_link from the SMSC to every bound session; resolves when all have answered. */
  async ping(): Promise<number[]> {
    return Promise.all([...this.#bound].map((s) => request((cb) => s.enquire_link({}, cb))));
  }

  /** The SMSC unbinds every session and waits for the unbind_resp. */
  async unbindAll(): Promise<number[]> {
    return Promise.all([...this.#bound].map((s) => request((cb) => s.unbind({}, cb))));
  }

  /** Sends a delivery receipt in the Appendix B format, with the TLVs too unless `tlvs` is false. */
  async receipt(messageId: string, stat: ReceiptStat, o: { tlvs?: boolean; err?: string } = {}): Promise<number> {
    const s = [...this.#bound].filter((b) => this.#kind.get(b) !== 'transmitter').at(-1);
    if (!s) throw new Error('no session bound to receive the receipt');
    const original = this.messages.find((m) => m.messageId === messageId);
    const start = (original?.text ?? '').replace(/[^ -~]/g, '').slice(0, 20);
    const text =
      `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2606011200 ` +
      `done date:2606011201 stat:${stat} err:${o.err ?? '000'} text:${start}`;
    const tlvs = o.tlvs === false ? {} : { receipted_message_id: messageId, message_state: STATES[stat] };
    const params = {
      source_addr: original?.to ?? '',
      destination_addr: 'OTPD',
      esm_class: 0x04,
      data_coding: 0,
      short_message: text,
      ...tlvs,
    };
    return request((cb) => s.deliver_sm(params, cb));
  }

  /** Polls `done` (bounded) until it holds: for events that happen on the sockets, never for time itself. */
  async waitFor(what: string, done: () => boolean, timeoutMs = 3000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (!done()) {
      if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  #serve(s: smpp.Session): void {
    s.socket.setNoDelay(true);
    s.on('error', () => s.destroy());
    s.on('close', () => {
      this.#bound.delete(s);
      this.#hung = this.#hung.filter((h) => h.session !== s);
    });
    for (const as of ['transceiver', 'transmitter', 'receiver'] as const)
      s.on(`bind_${as}`, (pdu) => {
        const accepted = pdu.system_id === this.#credentials.systemId && pdu.password === this.#credentials.password;
        this.binds.push({
          as,
          systemId: pdu.system_id,
          systemType: pdu.system_type,
          interfaceVersion: pdu.interface_version,
          accepted,
        });
        if (accepted) {
          this.#bound.add(s);
          this.#kind.set(s, as);
        }
        s.send(pdu.response(accepted ? { system_id: 'TESTSMSC' } : { command_status: smpp.ESME_RINVPASWD }));
      });
    s.on('enquire_link', (pdu) => {
      this.enquireLinks++;
      if (this.answerEnquireLink) s.send(pdu.response());
    });
    s.on('unbind', (pdu) => {
      this.#bound.delete(s);
      s.send(pdu.response());
      s.close();
    });
    s.on('submit_sm', (pdu) => this.#onSubmit(s, pdu));
  }

  #onSubmit(s: smpp.Session, pdu: smpp.PDU): void {
    if (!this.#bound.has(s) || this.#kind.get(s) === 'receiver')
      return void s.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
    const r = record(pdu);
    this.submits.push(r);
    this.#perSession.set(s, (this.#perSession.get(s) ?? 0) + 1);
    const throttled = this.throttleNext > 0;
    if (throttled) this.throttleNext--;
    const status = throttled ? smpp.ESME_RTHROTTLED : statusFor(this.mode);
    if (status === undefined) {
      this.#hung.push({ session: s, pdu, record: r });
      this.maxOutstanding = Math.max(this.maxOutstanding, this.#hung.length);
      return;
    }
    if (status !== smpp.ESME_ROK) return void s.send(pdu.response({ command_status: status }));
    this.#accept(s, pdu, r);
  }

  #accept(s: smpp.Session, pdu: smpp.PDU, r: SubmitRecord): void {
    const id = `m${(++this.#ids).toString(16).padStart(6, '0')}`;
    this.#reassemble(r, id);
    s.send(pdu.response({ message_id: id }));
  }

  #reassemble(r: SubmitRecord, id: string): void {
    if (!r.concat) {
      this.messages.push({ to: r.to, text: r.text, dataCoding: r.dataCoding, parts: 1, messageId: id, partIds: [id] });
      return;
    }
    const key = `${r.to}/${r.concat.ref}/${r.concat.total}`;
    const entry = this.#parts.get(key) ?? { id: '', texts: [], ids: [] };
    if (r.concat.seq === 1) entry.id = id;
    entry.texts[r.concat.seq - 1] = r.text;
    entry.ids[r.concat.seq - 1] = id;
    this.#parts.set(key, entry);
    if (entry.texts.filter((t) => t !== undefined).length < r.concat.total) return;
    this.#parts.delete(key);
    this.messages.push({
      to: r.to,
      text: entry.texts.join(''),
      dataCoding: r.dataCoding,
      parts: r.concat.total,
      messageId: entry.id,
      partIds: entry.ids,
    });
  }
}

/** A gateway configuration for the test SMSC, with timings short enough for tests. */
export function smppConfig(smsc: TestSmsc, overrides: Partial<SmppGatewayConfig> = {}): SmppGatewayConfig {
  return {
    type: 'smpp',
    id: 'smsc',
    host: '127.0.0.1',
    port: smsc.port,
    tls: false,
    systemId: 'otpd',
    password: 'secret',
    systemType: 'OTP',
    sourceAddr: 'OTPD',
    window: 10,
    throughputPerSecond: 1000,
    enquireLinkSeconds: 60,
    requestTimeoutMs: 2000,
    reconnectBaseMs: 20,
    reconnectMaxMs: 100,
    textEncoding: 'gsm7',
    binds: 1,
    bindMode: 'transceiver',
    serviceType: '',
    protocolId: 0,
    priorityFlag: 0,
    replaceIfPresent: false,
    tlvs: [],
    ...overrides,
  };
}

function statusFor(mode: SmscMode): number | undefined {
  if (mode === 'hang') return undefined;
  if (mode === 'ok') return smpp.ESME_ROK;
  return typeof mode === 'object' ? mode.status : MODE_STATUS[mode];
}

/** The vendor-specific TLVs otpd registered with the smpp package (see smpp-gateway.ts), by tag. */
function vendorTlvs(pdu: smpp.PDU): Record<number, Buffer> {
  const out: Record<number, Buffer> = {};
  for (const [k, v] of Object.entries(pdu)) {
    const m = /^otpd_tlv_(\d+)$/.exec(k);
    if (m && Buffer.isBuffer(v)) out[Number(m[1])] = v;
  }
  return out;
}

function record(pdu: smpp.PDU): SubmitRecord {
  const sm = pdu.short_message;
  const body = sm?.message ?? '';
  const text = typeof body === 'string' ? body : body.toString('hex');
  const ie = sm?.udh?.find((b) => b[0] === 0x00 && b[1] === 0x03);
  return {
    to: pdu.destination_addr ?? '',
    destTon: pdu.dest_addr_ton,
    destNpi: pdu.dest_addr_npi,
    source: pdu.source_addr ?? '',
    sourceTon: pdu.source_addr_ton,
    sourceNpi: pdu.source_addr_npi,
    dataCoding: pdu.data_coding,
    esmClass: pdu.esm_class,
    registeredDelivery: pdu.registered_delivery,
    validityPeriod: (pdu as { validity_period?: Date | string }).validity_period || undefined,
    serviceType: (pdu as { service_type?: string }).service_type,
    protocolId: (pdu as { protocol_id?: number }).protocol_id,
    priorityFlag: (pdu as { priority_flag?: number }).priority_flag,
    replaceIfPresent: (pdu as { replace_if_present_flag?: number }).replace_if_present_flag,
    tlvs: vendorTlvs(pdu),
    concat: ie ? { ref: ie[2]!, total: ie[3]!, seq: ie[4]! } : undefined,
    units: pdu.data_coding === 0 ? (gsm7Septets(text) ?? -1) : text.length,
    text,
    at: performance.now(),
  };
}

function request(send: (cb: (pdu: smpp.PDU) => void) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway did not answer the SMSC')), 2000);
    const ok = send((pdu) => {
      clearTimeout(timer);
      resolve(pdu.command_status);
    });
    if (!ok) {
      clearTimeout(timer);
      reject(new Error('session not writable'));
    }
  });
}
