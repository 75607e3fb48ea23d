import type { Clock } from '../core/clock.ts';
import type { DeliveryBacklog } from '../core/verification.ts';
import type { OutboxStore } from '../core/ports/outbox.ts';
import { JobLoop } from '../jobs/loop.ts';

/** How often the store is asked for its oldest due message: one index lookup each time. */
export const BACKLOG_POLL_MS = 250;
/** The queue's depth is a count over the due index, so it is read only every this many polls (5 s). */
export const DEPTH_EVERY = 20;

/**
 * How far delivery is behind, for admission's backpressure: the age of the longest-waiting due
 * message, in the store (shared by every replica) or claimed by this process's dispatcher and still
 * waiting for a gateway slot. The store is read in the background, so a send-code only reads memory;
 * the figure is at most BACKLOG_POLL_MS stale, far below any sensible limit.
 */
export class BacklogMonitor implements DeliveryBacklog {
  readonly maxAgeMs: number;
  readonly #store: Pick<OutboxStore, 'oldestDue' | 'queueDepth'>;
  readonly #clock: Clock;
  readonly #local: (() => number | undefined) | undefined;
  readonly #onAge: ((seconds: number) => void) | undefined;
  readonly #onDepth: ((messages: number) => void) | undefined;
  #polls = 0;
  readonly #loop: JobLoop;
  #storeOldest: number | null = null;

  constructor(o: {
    store: Pick<OutboxStore, 'oldestDue' | 'queueDepth'>;
    clock: Clock;
    maxAgeMs: number;
    /** Since when the longest-waiting message this process holds has waited (the dispatcher's). */
    local?: () => number | undefined;
    /** Each new reading, in seconds (a gauge). */
    onAge?: (seconds: number) => void;
    /** The queue's depth, every DEPTH_EVERY readings (a gauge). */
    onDepth?: (messages: number) => void;
    onError: (err: unknown) => void;
    intervalMs?: number;
  }) {
    this.maxAgeMs = o.maxAgeMs;
    this.#store = o.store;
    this.#clock = o.clock;
    this.#local = o.local;
    this.#onAge = o.onAge;
    this.#onDepth = o.onDepth;
    this.#loop = new JobLoop({
      step: async () => {
        await this.refresh();
        return false;
      },
      intervalMs: o.intervalMs ?? BACKLOG_POLL_MS,
      onError: o.onError,
    });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Reads the store's oldest due message now; the loop calls it, tests may too. */
  async refresh(): Promise<void> {
    this.#storeOldest = await this.#store.oldestDue(this.#clock.now());
    this.#onAge?.(this.ageMs() / 1000);
    if (this.#onDepth && this.#polls++ % DEPTH_EVERY === 0) this.#onDepth(await this.#store.queueDepth());
  }

  ageMs(): number {
    const local = this.#local?.();
    const oldest = Math.min(this.#storeOldest ?? Infinity, local ?? Infinity);
    return oldest === Infinity ? 0 : Math.max(0, this.#clock.now() - oldest);
  }
}
