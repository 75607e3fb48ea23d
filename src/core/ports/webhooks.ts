/**
 * Webhook endpoints and the event outbox (see store/events-schema.ts). Events are written by the
 * store itself, in the transaction of the change that causes them, for services with an endpoint;
 * this port configures endpoints, hands due events to the delivery job under a lease, and records
 * what each attempt did.
 */

export const EVENT_TYPES = [
  'verification.approved',
  'verification.expired',
  'verification.canceled',
  'verification.max_attempts',
  'message.sent',
  'message.delivered',
  'message.failed',
  'fraud.refused',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface WebhookEndpoint {
  readonly serviceId: string;
  readonly clientId: string;
  readonly url: string;
  /** The signing secrets, sealed by the key ring (the service id as associated data), current first. */
  readonly secrets: Buffer;
  readonly enabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastSuccessAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  /** Since when every attempt failed (null after a success). */
  readonly failingSince: number | null;
  readonly disabledAt: number | null;
}

export interface EndpointStatus extends WebhookEndpoint {
  /** Events waiting for delivery. */
  readonly backlog: number;
}

/** What every event is: its id (the `webhook-id`), whose it is, and its data. */
export interface EventFields {
  readonly id: string;
  readonly clientId: string;
  readonly serviceId: string;
  readonly verificationId: string | null;
  readonly type: EventType;
  /** The event's data as the store wrote it (JSON). */
  readonly payload: string;
}

/** An event handed to the delivery job, with where it goes. */
export interface ClaimedEvent extends EventFields {
  readonly seq: number;
  readonly createdAt: number;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  readonly url: string;
  readonly secrets: Buffer;
}

export type EventOutcome =
  | { readonly ok: true; readonly at: number }
  | {
      readonly ok: false;
      readonly at: number;
      readonly error: string;
      /** When to try again; null: never (given up). */
      readonly retryAt: number | null;
    };

export interface NewEvent extends EventFields {
  readonly at: number;
}

export interface ReplayFilter {
  readonly since: number;
  readonly clientId?: string | undefined;
  readonly serviceId?: string | undefined;
}

export interface WebhookStore {
  /** Creates or replaces the service's endpoint (enabled, its failure record cleared). */
  putEndpoint(e: { serviceId: string; clientId: string; url: string; secrets: Buffer; now: number }): Promise<void>;
  /** The client's endpoint of the service with its backlog; null when none (or another client's). */
  getEndpoint(clientId: string, serviceId: string): Promise<EndpointStatus | null>;
  /** Every endpoint (the operator's view), or one client's. */
  listEndpoints(clientId?: string): Promise<EndpointStatus[]>;
  deleteEndpoint(clientId: string, serviceId: string): Promise<boolean>;
  /** Re-enables a disabled endpoint and forgets its failures; false when there is none. */
  enableEndpoint(clientId: string, serviceId: string, now: number): Promise<boolean>;
  /**
   * Up to `limit` due events of enabled endpoints, oldest due first, each leased until now +
   * leaseMs (another claim skips it until then) and its attempt counted. Of one verification's
   * pending events only the oldest is handed out, so they arrive in order.
   */
  claimEvents(now: number, leaseMs: number, limit: number): Promise<ClaimedEvent[]>;
  /**
   * Records a batch's attempts in one operation; an attempt whose lease lapsed (the event claimed
   * again) changes nothing. An endpoint with a failure in the batch is failing since its first
   * failure, disabled once that is `disableAfterMs` ago; one with only successes is well again.
   */
  completeEvents(done: readonly { e: ClaimedEvent; outcome: EventOutcome }[], disableAfterMs: number): Promise<void>;
  /** An event no state change causes (a refusal), written only when the service has an endpoint. */
  recordEvent(e: NewEvent): Promise<boolean>;
  /**
   * verification.expired for every verification of a service with an endpoint that expired
   * pending after the cursor and by `now`; moves the cursor. Serialised across processes.
   */
  announceExpired(now: number): Promise<number>;
  /** Delivered and abandoned events since `since` go out again, now; returns how many. */
  replayEvents(f: ReplayFilter, now: number): Promise<number>;
}

/** One signed POST of an event to its endpoint (webhooks/poster.ts). */
export interface EventPoster {
  post(r: {
    url: string;
    id: string;
    timestamp: Date;
    body: string;
    secrets: readonly string[];
  }): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Closes its connections once nothing more will be posted. */
  close?(): Promise<void>;
}
