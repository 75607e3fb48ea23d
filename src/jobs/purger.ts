import type { Clock } from '../core/clock.ts';
import type { PurgeResult, RetentionStore } from '../core/ports/store.ts';

export interface PurgerOptions {
  readonly retentionMs: number;
  readonly intervalMs: number;
  readonly batchSize: number;
}

export interface PurgerEvents {
  purged(r: PurgeResult): void;
  /** Background-loop failures are reported, never swallowed. */
  error(err: unknown): void;
}

/**
 * Runs the retention purge on a timer. Every replica may run one: the store guarantees that each
 * row is deleted, and counted in the daily aggregates, exactly once.
 */
export class Purger {
  readonly #store: RetentionStore;
  readonly #clock: Clock;
  readonly #o: PurgerOptions;
  readonly #events: PurgerEvents;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PurgeResult | undefined> | undefined;

  constructor(d: { store: RetentionStore; clock: Clock; options: PurgerOptions; events: PurgerEvents }) {
    this.#store = d.store;
    this.#clock = d.clock;
    this.#o = d.options;
    this.#events = d.events;
  }

  /** The cutoff for `now`: anything that ended before it is past retention. */
  cutoff(now: number): number {
    return now - this.#o.retentionMs;
  }

  /** One purge now; a call while one runs joins it. */
  runOnce(): Promise<PurgeResult | undefined> {
    this.#running ??= this.#store.purge(this.cutoff(this.#clock.now()), this.#o.batchSize).then(
      (r) => {
        this.#events.purged(r);
        return r;
      },
      (err: unknown) => {
        this.#events.error(err);
        return undefined;
      },
    ).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Starts the timer; the first run comes after a random part of one interval, so replicas started together spread out. */
  start(random01: () => number = Math.random): void {
    if (this.#timer) return;
    const schedule = (ms: number) => {
      this.#timer = setTimeout(() => void this.runOnce().finally(() => this.#timer && schedule(this.#o.intervalMs)), ms);
      this.#timer.unref();
    };
    schedule(Math.floor(random01() * this.#o.intervalMs));
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
