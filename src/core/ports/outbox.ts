import type { Channel } from '../channel.ts';
/**
 * The durable outbox part of the storage port: messages, their delivery attempts and the delivery
 * receipts that gateways report. See store.ts for how adapters prove it.
 */

/**
 * queued → sending → sent → delivered | failed | expired, or abandoned when the attempts are used
 * up; `failed` also ends a message that every gateway of its route refused, and `expired` one whose
 * code could no longer be used when it was due (it is then never sent).
 */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'expired' | 'abandoned';

export interface ClaimedMessage {
  /** Assigned by the store; unique, and increasing in the order messages were queued. */
  readonly id: string;
  /** The associated data the body was sealed with. */
  readonly verificationId: string;
  readonly channel: Channel;
  readonly recipient: string;
  readonly body: Buffer;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Index into the message's route: which gateway to try (failover moves it on). */
  readonly routeStep: number;
  readonly segments: number;
  /** When the message was accepted (epoch ms). */
  readonly createdAt: number;
  /** When its code stops being usable (epoch ms): gateways send the time left as the validity. */
  readonly expiresAt?: number | undefined;
}

/** The messages a claim took, and how many due messages it expired instead (their codes were stale). */
export type ClaimBatch = ClaimedMessage[] & { readonly expired?: number };

export interface AttemptRecord {
  readonly messageId: string;
  readonly attempt: number;
  readonly gateway: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  /**
   * `deferred`: no gateway of the route could be called (every link down or circuit open). Not an
   * attempt: the store gives the claim's attempt back, keeps no attempt row, and queues the message
   * again at `retryAt` (required) with `error` as its last error.
   */
  readonly outcome: 'sent' | 'transient' | 'permanent' | 'deferred';
  readonly providerMessageId?: string | undefined;
  readonly error?: string | undefined;
  /** Segments the gateway reported (or otpd counted) for this attempt. */
  readonly segments?: number | undefined;
  /** Sent as parts with receipts of their own: every part's provider id (see SendResult). */
  readonly partIds?: readonly string[] | undefined;
  /** Set when the message will be tried again at that time; absent means this outcome is final. */
  readonly retryAt?: number | undefined;
  /** With retryAt: the route step of the next try (failover to the next gateway). */
  readonly nextRouteStep?: number | undefined;
}

export interface MessageView {
  readonly id: string;
  readonly channel: Channel;
  readonly recipient: string;
  readonly status: MessageStatus;
  readonly attempts: number;
  readonly segments: number;
  readonly gateway: string | null;
  readonly providerMessageId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastError: string | null;
}

export interface AttemptView {
  readonly messageId: string;
  readonly attempt: number;
  readonly gateway: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcome: 'sent' | 'transient' | 'permanent';
  readonly providerMessageId: string | null;
  readonly error: string | null;
  readonly segments: number | null;
}

export interface MessageFilter {
  /** Only this client's (tenant's) messages; every client's when absent. */
  readonly clientId?: string | undefined;
  readonly recipient?: string | undefined;
  readonly status?: MessageStatus | undefined;
  readonly gateway?: string | undefined;
  /** Created at or after (epoch ms). */
  readonly since?: number | undefined;
  /** Created before (epoch ms). */
  readonly until?: number | undefined;
  /** Page cursor: only messages with an id below this one. */
  readonly before?: string | undefined;
  readonly limit: number;
}

/** What a gateway learned about a message after accepting it. */
export interface DeliveryReceipt {
  readonly gateway: string;
  readonly providerMessageId: string;
  readonly status: 'delivered' | 'failed' | 'expired';
  readonly error?: string | undefined;
  readonly at: number;
}

export interface OutboxStore {
  /**
   * Moves up to `limit` due messages (queued and due, or sending with a lapsed lease) whose code can
   * still be used to `sending` with a lease until `now + leaseMs`, the most recently due first (under
   * a backlog the newest codes go out first: their users are still waiting), and returns
   * them with their attempt number. A due message whose verification is no longer pending (superseded,
   * verified, failed) or has expired at `now` is never sent: in the same transaction it moves to the
   * final status `expired`, its body dropped, and it does not count against `limit`. (A message with
   * no verification row is claimed as any other.) Concurrency: a message is handed to one caller at
   * a time; a caller that dies loses it when its lease lapses. A code consumed or superseded while a
   * claim runs may still be sent once.
   */
  claimMessages(now: number, leaseMs: number, limit: number): Promise<ClaimBatch>;

  /**
   * Records one attempt and moves the message on: `sent` (or straight to the receipt's status when
   * a receipt for it arrived first), back to `queued` at `retryAt` (at `nextRouteStep`), or
   * `failed` / `abandoned` when final. A final state drops the sealed body. Idempotent per
   * (message, attempt); a completion whose lease was overtaken by a newer claim (or whose message
   * was expired meanwhile) changes nothing. Concurrency: a `sent` completion and the receipt for
   * its (gateway, provider message id) never miss each other, whichever commits first.
   */
  completeAttempt(r: AttemptRecord): Promise<void>;

  /**
   * completeAttempt for many attempts (of different messages) at once, as one store operation: the
   * dispatcher's way of recording what a round of sends did. Each record behaves exactly as
   * completeAttempt alone would.
   */
  completeAttempts(records: readonly AttemptRecord[]): Promise<void>;

  /**
   * The time since which the longest-waiting due message has waited (the smallest `next_attempt_at`
   * of queued or leased messages, when it is at or before `now`), or null when nothing is due: how
   * far delivery is behind, for admission's backpressure. One index lookup, whatever the backlog.
   */
  oldestDue(now: number): Promise<number | null>;

  /** Messages waiting for delivery (queued, or leased to a dispatcher): the queue's depth. */
  queueDepth(): Promise<number>;

  /**
   * Sets `error` as the last error of every queued message due at `now` that does not say it yet:
   * why they wait while no gateway at all can send (the dispatcher then claims none). Returns how
   * many it marked.
   */
  noteWaiting(now: number, error: string): Promise<number>;

  /**
   * Records a delivery receipt once per (gateway, provider message id) and moves a `sent` message
   * to its status. Returns 'duplicate' for a receipt already recorded (a no-op). A receipt that
   * arrives before the attempt that caused it is recorded is kept and applied by completeAttempt,
   * also when the two run at once.
   */
  recordReceipt(r: DeliveryReceipt): Promise<'recorded' | 'duplicate'>;

  /**
   * Messages matching the filter, newest first, for operators and for a client's own view; never the
   * body. Every condition, the client's included, applies before the limit.
   */
  listMessages(filter: MessageFilter): Promise<MessageView[]>;

  /** Every recorded attempt of these messages, oldest first. */
  listAttempts(messageIds: readonly string[]): Promise<AttemptView[]>;
}
