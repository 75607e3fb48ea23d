import type { Admitted } from './admission.ts';
import type { Channel } from './channel.ts';
import type { CodeMac } from './keyring.ts';
import type { ChallengeSolution } from './fraud/challenge.ts';
import type { MessageTemplate, RenderedMessage } from './message.ts';
import type { Policy } from './policy.ts';
import type { PhoneInfo } from './ports/phone.ts';
import type { RateTake } from './ports/rate-limiter.ts';
import type { KeyCheck, PendingCode } from './ports/store.ts';

// What a send is asked to do, and by whom: the inputs of Verifier.send and of CAMARA's send-code.

/** Who is asking, as far as the API layer can tell. */
export interface SendContext {
  /** The client's IP, from the socket or a trusted proxy's headers. */
  readonly ip?: string | undefined;
  /** True when `ip` came from a trusted proxy's header (an end user's address, not a backend's). */
  readonly ipProxied?: boolean;
  /**
   * The API key that authorised the request. The store checks it again in the operation's own
   * transaction, so the API may have taken it from a cache: a revoked key changes nothing and is
   * UNAUTHENTICATED.
   */
  readonly key?: KeyCheck | undefined;
  /**
   * The client's per-request budget when the API left it to the operation (see api/guard.ts): the
   * operation's first statement spends it, and an exhausted one is TOO_MANY_REQUESTS.
   */
  readonly request?: RateTake | undefined;
  /** An opaque id of the end user's device or app install, from the tenant (a fraud signal). */
  readonly device?: string | undefined;
  /** The end user's browser or app user agent, from the tenant (a fraud signal). */
  readonly userAgent?: string | undefined;
  /** The tenant vouches for the end user (signed in, with history): range throttles and blocks do not apply. */
  readonly trusted?: boolean | undefined;
  /**
   * Proof of work (fraud/challenge.ts): `accepts` when the API surface can hand a challenge to its
   * client (a throttled range then answers ChallengeRequired instead of a plain 429), and the
   * client's `solution` to one it was given (a throttle then does not apply to this send).
   */
  readonly challenge?: { readonly accepts?: boolean; readonly solution?: ChallengeSolution | undefined };
}

export interface SendCodeInput {
  /** E.164 for SMS. */
  readonly to: string;
  readonly template: MessageTemplate;
}

/** A start on any surface: who gets which code by which channel, under which service's policy. */
export interface SendSpec {
  /** E.164 for SMS, an address for email; normalised here. */
  readonly to: string;
  readonly channel: Channel;
  readonly template: MessageTemplate;
  /** The service's policy (servicePolicy); the server's own when absent. */
  readonly policy?: Policy | undefined;
  readonly serviceId?: string | undefined;
  readonly locale?: string | undefined;
  /** The verification's id (the APIs' own shape, `VE…`); a UUID when absent. */
  readonly id?: string | undefined;
  /** The recipient as `recipient()` read it already (a caller that needed it first): not parsed twice. */
  readonly recipient?: Recipient | undefined;
  /**
   * Resend rather than replace: when the recipient has a pending verification of this service and
   * channel that keeps its code, that code goes out again, in the text this gives for it (the store
   * says so in the send's own operation, see NewVerification.resendPending). A verification started
   * so keeps its own code sealed while pending, for the starts after it.
   */
  readonly resendPending?: ((pending: PendingCode) => { template: MessageTemplate; locale: string }) | undefined;
}

export interface SentCode {
  /** The new verification's id, or for a resend the pending one's. */
  readonly id: string;
  /** The pending verification's code was sent again (SendSpec.resendPending). */
  readonly resent: boolean;
  readonly test: boolean;
  /** The recipient in its canonical form. */
  readonly to: string;
  readonly maskedTo: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface Recipient {
  readonly value: string;
  readonly masked: string;
  /** What libphonenumber says of a number; absent for an email address. */
  readonly info: PhoneInfo | undefined;
}

export interface SendCodeResult {
  readonly authenticationId: string;
  readonly test: boolean;
}

// The Verifier's own records of a send in progress.

export interface Refusal {
  readonly clientId: string;
  readonly serviceId: string;
  readonly channel: Channel;
  readonly maskedTo: string;
  /** The defence that refused (an abuse reason such as `velocity_prefix`). */
  readonly defence: string;
  readonly at: number;
}

/** One send as admission let it through: what its store operations (a resend's too) share. */
export interface Send {
  readonly clientId: string;
  readonly spec: SendSpec;
  readonly ctx: SendContext;
  readonly policy: Policy;
  readonly to: Recipient;
  readonly test: boolean;
  readonly phoneIndex: Buffer;
  readonly admitted: Admitted;
  readonly now: number;
}

/** What a stored row holds beyond the send's shared facts. */
export interface Row {
  readonly id: string;
  readonly mac: CodeMac;
  readonly expiresAt: number;
  readonly locale: string | undefined;
  readonly codeSealed?: Buffer | undefined;
  readonly resendOf?: string | undefined;
}

export interface Text {
  readonly rendered: RenderedMessage;
  readonly segments: number;
  readonly costMicros: number;
}
