/**
 * The storage port. Every method is atomic on its own; the JSDoc of each says what it guarantees
 * when many callers (requests in one process, or several processes) run it at once. Adapters
 * declare `implements Store` and must pass test/contract/store.contract.ts on a real backend.
 */

export type VerificationStatus = 'pending' | 'verified' | 'failed' | 'superseded' | 'cancelled';
import type { Channel } from '../channel.ts';
import type { AbuseStore, SendSignals } from './abuse.ts';
import type { MessageView, OutboxStore } from './outbox.ts';
import type { ServiceStore } from './services.ts';
import type { WebhookStore } from './webhooks.ts';
import type { StatsStore } from './stats.ts';
import type { RateTake } from './rate-limiter.ts';

export type * from './outbox.ts';
export type * from './abuse.ts';
export type * from './services.ts';
export type * from './webhooks.ts';

export interface OutboundMessageInput {
  readonly channel: Channel;
  readonly recipient: string;
  /** Sealed by the key ring with the verification id as associated data; never plaintext here. */
  readonly body: Buffer;
  /** SMS segments the text needs (1 for email). */
  readonly segments: number;
  /** What the message is expected to cost, in millionths of the currency (0 when no price is configured). */
  readonly costMicros?: number;
}

export interface NewVerification {
  readonly id: string;
  readonly clientId: string;
  readonly phoneIndex: Buffer;
  readonly codeMac: Buffer;
  readonly keyId: string;
  readonly maxAttempts: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Absent for test numbers: nothing is sent to them. */
  readonly message: OutboundMessageInput | undefined;
  /** ISO country of the number and its prefix (the number without its last 4 digits), for conversion statistics. */
  readonly country?: string | undefined;
  readonly prefix?: string | undefined;
  /** What the range guard reads back (absent for test numbers, which send nothing). */
  readonly signals?: SendSignals | undefined;
  /** The service it was started in (absent only for rows of stores that predate services). */
  readonly serviceId?: string | undefined;
  /** The channel the code goes by (also for test recipients, which are sent nothing). */
  readonly channel?: Channel | undefined;
  /** The recipient as it may be shown back (masked number or address). */
  readonly maskedTo?: string | undefined;
  readonly locale?: string | undefined;
  /** The code sealed by the key ring, kept while pending so that a resend sends the same code. */
  readonly codeSealed?: Buffer | undefined;
  /**
   * A resend: `message` goes out for this (pending) verification instead of a new verification
   * being created. The send counts in every limit as any send does; `id` names the resend's own
   * row, and nothing is superseded.
   */
  readonly resendOf?: string | undefined;
  /**
   * A start that resends rather than replaces: when the recipient has a pending, unexpired
   * verification of this client, service and channel that keeps its code, nothing is written and
   * the answer is PENDING with it. Judged in the send's own transaction, under its lock, so
   * parallel starts (in any process) find the first one's verification.
   */
  readonly resendPending?: boolean | undefined;
}

/** A pending verification whose code a start sends again (see NewVerification.resendPending). */
export interface PendingCode {
  readonly id: string;
  readonly codeSealed: Buffer;
  readonly expiresAt: number;
  readonly locale: string | null;
}

export interface SendWindow {
  readonly windowMs: number;
  readonly max: number;
}

export interface SendLimits {
  /** Verifications per (client, number) allowed in each trailing window. */
  readonly windows: readonly SendWindow[];
  /** Messages per client per UTC day; 0 means unlimited. */
  readonly dailyQuota: number;
  /** Spend per client per UTC day, in millionths of the currency; 0 means unlimited. */
  readonly dailyBudgetMicros?: number;
  /**
   * Velocity budgets (GCRA, see rules.ts): each is spent by an accepted send, and none by a refused
   * one. Checked before the send windows and the quota, in this order; the first exhausted refuses.
   */
  readonly rates?: readonly RateTake[];
}

/**
 * The API key that authorised an operation, checked again in the operation's own transaction: a
 * key revoked or re-keyed by any process (the CLI, another replica) is refused on its next request,
 * whatever an API key cache still holds.
 */
export interface KeyCheck {
  readonly id: string;
  /** The secret's hash when the request carried the key itself; absent for an access token of the key. */
  readonly secretHash?: Buffer | undefined;
}

export type CreateResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'SEND_LIMIT'; readonly retryAfterMs: number }
  | { readonly ok: false; readonly reason: 'QUOTA' }
  /** `index`: which of `SendLimits.rates` refused. */
  | { readonly ok: false; readonly reason: 'RATE'; readonly index: number; readonly retryAfterSeconds: number }
  /** The key is revoked, re-keyed or gone (or belongs to another client): nothing was written. */
  | { readonly ok: false; readonly reason: 'KEY_REVOKED' }
  /** A resend of a verification that is no longer pending (or has expired): nothing was written. */
  | { readonly ok: false; readonly reason: 'CLOSED' }
  /** See NewVerification.resendPending: nothing was written. */
  | { readonly ok: false; readonly reason: 'PENDING'; readonly pending: PendingCode };

export interface GuessBudget {
  readonly windowMs: number;
  readonly max: number;
}

/** The request budget an operation was given to spend first refused it: nothing else was done. */
export interface RequestLimited {
  readonly retryAfterSeconds: number;
}

/** KEY_REVOKED: see {@link KeyCheck}; nothing was read or changed. */
export type ValidationOutcome = 'VERIFIED' | 'INVALID' | 'FAILED' | 'EXPIRED' | 'NOT_FOUND' | 'KEY_REVOKED';

export interface VerificationStore {
  /**
   * In one transaction: with `key`, refuses unless it is still the live key of `v.clientId`; takes
   * every velocity budget or refuses; counts the (client, number) verifications in each send window
   * and refuses past any limit; takes one message from the client's daily quota; marks the number's
   * pending verifications superseded; inserts the verification and its outbound message. A refusal
   * writes nothing. Concurrency: the checks and the writes are serialised per (client, number) and
   * per budget across every process, so N parallel calls never accept more than the windows, the
   * quota or any velocity budget allow, and a message exists if and only if its verification does.
   */
  createVerification(v: NewVerification, limits: SendLimits, key?: KeyCheck): Promise<CreateResult>;

  /**
   * With `request` (the API's per-client request budget, see api/guard.ts), first spends one
   * request from it (unless the key is refused), kept whatever follows; exhausted: RequestLimited.
   * Then, in one transaction: with `key`, answers KEY_REVOKED and changes nothing unless it is still
   * the live key of `clientId`; finds the client's verification; refuses when it is not pending or has
   * expired, or when the number's wrong guesses in the budget window reach the budget; otherwise
   * counts the attempt first, then compares the stored MAC with each candidate in constant time
   * (`anyMacMatches`; one candidate per active server key, computed by the caller from the
   * submitted code), and either consumes the verification or records the wrong guess (failing it
   * when that was the last attempt). Concurrency: calls on one id are serialised, so of N parallel
   * calls with the right code exactly one returns VERIFIED, and no more than the remaining
   * attempts are ever compared.
   */
  attemptValidation(
    clientId: string,
    id: string,
    now: number,
    budget: GuessBudget,
    candidates: readonly Buffer[],
    key?: KeyCheck,
    request?: RateTake,
  ): Promise<ValidationOutcome | RequestLimited>;
}

/** A verification as the native and Twilio-compatible APIs show it. */
export interface VerificationRecord {
  readonly id: string;
  readonly clientId: string;
  readonly serviceId: string | null;
  readonly channel: Channel | null;
  readonly maskedTo: string | null;
  readonly locale: string | null;
  readonly status: VerificationStatus;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly finishedAt: number | null;
  /** Present only while pending (see NewVerification.codeSealed). */
  readonly codeSealed: Buffer | null;
}

export interface AttemptRead {
  readonly outcome: ValidationOutcome;
  readonly record: VerificationRecord | null;
}

/**
 * The reads and the one extra transition the native and Twilio-compatible APIs need. A client
 * sees only its own verifications: another client's id answers null, like a missing one.
 */
export interface VerificationLookup {
  getVerification(clientId: string, id: string): Promise<VerificationRecord | null>;
  /** The client's newest verification of this number in this service, whatever its status (resends aside). */
  findLatestVerification(clientId: string, serviceId: string, phoneIndex: Buffer): Promise<VerificationRecord | null>;
  /**
   * A number's verifications, of one tenant or of every tenant, newest first, at most `limit`
   * (resends' rows aside): the console's search, by the keyed index alone.
   */
  findVerificationsByNumber(phoneIndex: Buffer, limit: number, clientId?: string): Promise<VerificationRecord[]>;
  /** The messages sent for the verification (its first send and its resends), oldest first. */
  listVerificationMessages(clientId: string, id: string): Promise<MessageView[]>;
  /**
   * attemptValidation, then the verification as that attempt left it, read in the same operation
   * (null when the outcome is NOT_FOUND or KEY_REVOKED): what the native API answers a check with,
   * without a read of its own before or after. The attempt's guarantees are attemptValidation's.
   */
  attemptAndRead(
    clientId: string,
    id: string,
    now: number,
    budget: GuessBudget,
    candidates: readonly Buffer[],
    key?: KeyCheck,
    request?: RateTake,
  ): Promise<AttemptRead | RequestLimited>;
  /**
   * pending → `to` (cancelled, or verified without a code: Twilio's `Status=approved`), one guarded
   * statement: false when the verification is not the client's, not pending, or has expired.
   * Concurrency: of a close and a validation racing, exactly one changes the row.
   */
  closeVerification(clientId: string, id: string, to: 'cancelled' | 'verified', now: number): Promise<boolean>;
}

/**
 * How far a key reaches: a client key its own tenant only, an operator key every tenant and the
 * global rules. Anything a store cannot read as `operator` is `client` (fail closed).
 */
export type KeyKind = 'client' | 'operator';

export interface ApiKeyRecord {
  readonly id: string;
  /** The tenant the key acts for. */
  readonly clientId: string;
  readonly name: string;
  readonly kind: KeyKind;
  readonly scopes: readonly string[];
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface KeyStore {
  /** Inserts a key; fails if the id or the secret hash already exists. */
  createApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void>;
  /**
   * Inserts or replaces the key with this id (bootstrap keys set from configuration). Concurrency:
   * replicas upserting one key at once, on an empty table too, all succeed and leave one row.
   */
  upsertApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void>;
  /**
   * Reads the current row on every call. The API may cache what it returns for the verification
   * routes only, because their operations re-check the key themselves (see {@link KeyCheck}).
   */
  findApiKeyBySecretHash(secretHash: Buffer): Promise<ApiKeyRecord | null>;
  findApiKeyById(id: string): Promise<ApiKeyRecord | null>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Sets revoked_at once; returns false when the key does not exist. */
  revokeApiKey(id: string, now: number): Promise<boolean>;
}

export interface DevMessageInput {
  readonly messageId: string;
  readonly to: string;
  readonly text: string;
  readonly at: number;
}

export interface DevInbox {
  /** Keeps delivered texts; idempotent per message id, so a redelivery shows once. */
  appendDevMessages(list: readonly DevMessageInput[]): Promise<void>;
  /**
   * Newest first. With `clientId`, only texts of that client's messages (the filter applies before
   * the limit); a text whose message was already purged is then no longer shown.
   */
  listDevMessages(
    to: string | undefined,
    limit: number,
    clientId?: string,
  ): Promise<{ to: string; text: string; createdAt: number }[]>;
}

export interface PurgeResult {
  readonly verifications: number;
  readonly messages: number;
  readonly devMessages: number;
}

/** One per-day aggregate: `metric` is `verifications.<status>` or `messages.<status>`. */
export interface DailyStat {
  readonly day: string;
  readonly clientId: string;
  readonly metric: string;
  readonly count: number;
}

export interface RetentionStore {
  /**
   * Deletes, in batches of at most `batch` rows per table, verifications that expired before
   * `cutoff`, messages in a final state created before it (with their attempts) and development
   * outbox texts older than it; each deleted row is first added to the per-day aggregates, in the
   * same statement or transaction as its delete. Concurrency: several purgers (replicas) may run at
   * once; a row is deleted, and so counted, by exactly one of them.
   */
  purge(cutoff: number, batch: number): Promise<PurgeResult>;

  /**
   * Per-day counts by client, for verifications and messages created on days in [fromDay, toDay]
   * (`YYYY-MM-DD`, UTC): purged rows from the aggregates plus live rows counted on the fly, so a
   * purge never changes the figures. A pending verification past its expiry counts as `expired`.
   */
  dailyStats(fromDay: string, toDay: string, now: number): Promise<DailyStat[]>;
}

export interface Store
  extends VerificationStore,
    OutboxStore,
    KeyStore,
    DevInbox,
    RetentionStore,
    AbuseStore,
    ServiceStore,
    VerificationLookup,
    WebhookStore,
    StatsStore {
  /** Cheap round trip used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
