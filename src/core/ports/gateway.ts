import type { DeliveryReceipt } from './outbox.ts';

export type { Channel } from '../channel.ts';
import type { Channel } from '../channel.ts';

/** One message for one recipient, as a gateway sees it. */
export interface OutboundMessage {
  /** otpd's message id: stable across retries, so a gateway can use it for idempotency. */
  readonly id: string;
  readonly channel: Channel;
  /** E.164 for SMS, an address for email. */
  readonly to: string;
  /** The SMS text, or an email's plain-text part. */
  readonly text: string;
  /** Email only: the subject line (absent: the gateway's configured one). */
  readonly subject?: string | undefined;
  /** Email only: the HTML part. */
  readonly html?: string | undefined;
  /**
   * When the code in `text` stops working (epoch ms): a gateway that can tell its network how long
   * to keep trying (SMPP validity_period, a provider's validity or TTL) sends the time left, so a
   * code is never delivered after it expired.
   */
  readonly validUntil?: number | undefined;
  /**
   * Optional parameters the message's route adds (SMPP TLVs, such as India's DLT template id);
   * a gateway with no such thing ignores them.
   */
  readonly tlvs?: readonly MessageTlv[] | undefined;
}

export interface MessageTlv {
  readonly tag: number;
  readonly value: string;
  readonly encoding: 'cstring' | 'string' | 'hex';
}

export type SendResult =
  | {
      readonly ok: true;
      readonly providerMessageId: string;
      readonly segments?: number;
      /**
       * A message sent as several parts, each with its own id and its own delivery receipt (SMPP):
       * every part's id in order, the first being `providerMessageId`. The message is `delivered`
       * only once every part is.
       */
      readonly partIds?: readonly string[];
    }
  /**
   * Transient: worth retrying later (throttling, 5xx, a dropped connection). Permanent: retrying
   * this message on this gateway cannot help (a refused number, bad credentials). `timeout` marks a
   * call that got no answer in time, which routing treats like a permanent error of the gateway
   * (fail over) while the message itself stays retryable.
   */
  | {
      readonly ok: false;
      readonly kind: 'transient' | 'permanent';
      readonly error: string;
      readonly timeout?: boolean;
      /** The provider asked us to wait this long (Retry-After, throttling). */
      readonly retryAfterMs?: number;
    };

/**
 * The channel port: send one message and classify the result. Implementations never throw for a
 * delivery failure, and give up with `{ kind: 'transient', timeout: true }` when `signal` aborts;
 * a throw is treated as transient by the dispatcher. Every gateway passes
 * test/contract/gateway.contract.ts against a real peer.
 */
export interface Gateway {
  readonly id: string;
  readonly channel: Channel;
  send(message: OutboundMessage, signal: AbortSignal): Promise<SendResult>;
  /** Releases connections (SMPP binds, SMTP pools); the dispatcher calls it on shutdown. */
  close?(): Promise<void>;
}

/** Whether a gateway's own connection can carry messages now, and if not, why. */
export interface LinkHealth {
  readonly up: boolean;
  /** Why it is down (e.g. "bind refused: ESME_RINVPASWD"); empty when up. */
  readonly error: string;
}

/**
 * Capability: a gateway that holds a connection (an SMPP bind) says whether it is up. While it is
 * down the dispatcher does not call it (waiting is not an attempt), and when it comes back up the
 * gateway's circuit closes at once.
 */
export interface HealthReporting {
  health(): LinkHealth;
  onHealthChange(listener: (h: LinkHealth) => void): void;
}

export function hasHealth(g: Gateway): g is Gateway & HealthReporting {
  return typeof (g as Partial<HealthReporting>).health === 'function';
}

export type ReceiptInput = Omit<DeliveryReceipt, 'gateway'>;

/** Capability: delivery receipts arriving over the gateway's own connection (SMPP deliver_sm). */
export interface ConnectionReceipts {
  onReceipt(listener: (r: ReceiptInput) => void): void;
}

export interface CallbackRequest {
  /** The URL the provider called, as it saw it (public base URL + path + query). */
  readonly url: string;
  readonly method: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body, exactly as received: signatures are computed over it. */
  readonly body: string;
}

export type CallbackResult =
  | { readonly ok: true; readonly receipts: readonly ReceiptInput[] }
  | { readonly ok: false; readonly reason: 'signature' | 'malformed'; readonly detail: string };

/**
 * Capability: delivery-status callbacks that the provider POSTs to otpd. The gateway verifies the
 * provider's signature (in constant time) before it parses anything.
 */
export interface CallbackReceipts {
  handleCallback(req: CallbackRequest, now: number): CallbackResult;
}

export function hasConnectionReceipts(g: Gateway): g is Gateway & ConnectionReceipts {
  return typeof (g as Partial<ConnectionReceipts>).onReceipt === 'function';
}

export function hasCallbackReceipts(g: Gateway): g is Gateway & CallbackReceipts {
  return typeof (g as Partial<CallbackReceipts>).handleCallback === 'function';
}
