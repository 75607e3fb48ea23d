import type { Clock } from '../core/clock.ts';
import type { ClaimedEvent, EventOutcome, EventPoster, WebhookStore } from '../core/ports/webhooks.ts';
import { JobLoop } from './loop.ts';

export interface EventDispatcherOptions {
  readonly intervalMs: number;
  /** How long a claimed event is kept from other claims: longer than a POST may take. */
  readonly leaseMs: number;
  readonly batch: number;
  /** The first retry's mean delay; each further one doubles it, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** An event still failing this long after it happened is given up. */
  readonly giveUpAfterMs: number;
  /** An endpoint failing this long is disabled (re-enabled by its owner or the operator). */
  readonly disableAfterMs: number;
  /** How often verifications that expired unused are looked for. */
  readonly expiryEveryMs: number;
}

export interface EventDispatcherEvents {
  delivered(e: ClaimedEvent): void;
  failed(e: ClaimedEvent, error: string, givenUp: boolean): void;
  error(err: unknown): void;
}

export interface EventDispatcherDeps {
  readonly store: WebhookStore;
  readonly clock: Clock;
  readonly poster: EventPoster;
  /** The endpoint's signing secrets from their sealed form, current first. */
  readonly secrets: (serviceId: string, sealed: Buffer) => string[];
  readonly options: EventDispatcherOptions;
  readonly events: EventDispatcherEvents;
  readonly random01?: () => number;
}

/** The event's body: Standard Webhooks' `{type, timestamp, data}`, times as ISO 8601. */
export function envelope(e: ClaimedEvent): string {
  const data = JSON.parse(e.payload) as Record<string, unknown>;
  for (const k of ['createdAt', 'expiresAt', 'at'])
    if (typeof data[k] === 'number') data[k] = new Date(data[k]).toISOString();
  if (typeof data.message === 'number') data.message = String(data.message);
  return JSON.stringify({
    type: e.type,
    timestamp: new Date(e.createdAt).toISOString(),
    data: { service: e.serviceId, ...data },
  });
}

/**
 * Delivers the event outbox: claims due events under a lease (so replicas and a restart after a
 * crash deliver each at least once, and no two processes post one at the same time), posts each
 * signed, and records the outcome. A failure is retried with exponential backoff and jitter until
 * it is a day old; an endpoint failing for a day is disabled by the store.
 */
export class EventDispatcher {
  readonly #d: EventDispatcherDeps;
  readonly #loop: JobLoop;
  #nextSweep = 0;

  constructor(d: EventDispatcherDeps) {
    this.#d = d;
    this.#loop = new JobLoop({
      step: () => this.step(),
      intervalMs: d.options.intervalMs,
      firstDelay: 'random',
      onError: (err) => d.events.error(err),
    });
  }

  start(): void {
    this.#loop.start();
  }

  wake(): void {
    this.#loop.wake();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.#d.poster.close?.();
  }

  /** One run: announce what expired, then post one batch; true when a full batch suggests more. */
  async step(): Promise<boolean> {
    const { store, clock, options: o } = this.#d;
    const now = clock.now();
    if (now >= this.#nextSweep) {
      await store.announceExpired(now);
      this.#nextSweep = now + o.expiryEveryMs;
    }
    const batch = await store.claimEvents(now, o.leaseMs, o.batch);
    if (batch.length === 0) return false;
    // Posted side by side, their outcomes recorded in one store operation.
    const done = await Promise.all(batch.map(async (e) => ({ e, outcome: await this.#post(e) })));
    await store.completeEvents(done, o.disableAfterMs);
    for (const { e, outcome } of done) {
      if (outcome.ok) this.#d.events.delivered(e);
      else this.#d.events.failed(e, outcome.error, outcome.retryAt === null);
    }
    return batch.length === o.batch;
  }

  async #post(e: ClaimedEvent): Promise<EventOutcome> {
    const { clock, poster } = this.#d;
    let result: { ok: true } | { ok: false; error: string };
    try {
      const secrets = this.#d.secrets(e.serviceId, e.secrets);
      result = await poster.post({
        url: e.url,
        id: e.id,
        timestamp: new Date(clock.now()),
        body: envelope(e),
        secrets,
      });
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    const at = clock.now();
    if (result.ok) return { ok: true, at };
    return { ok: false, at, error: result.error.slice(0, 300), retryAt: this.retryAt(e, at) };
  }

  /** Exponential backoff with equal jitter (half fixed, half random); null once the event is a day old. */
  retryAt(e: ClaimedEvent, at: number): number | null {
    const o = this.#d.options;
    const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.min(30, e.attempt - 1));
    const delay = cap / 2 + (this.#d.random01 ?? Math.random)() * (cap / 2);
    const next = Math.round(at + delay);
    return next - e.createdAt > o.giveUpAfterMs ? null : next;
  }
}
