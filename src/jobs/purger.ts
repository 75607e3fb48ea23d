import type { Clock } from '../core/clock.ts';
import type { PurgeResult, RetentionStore } from '../core/ports/store.ts';
import { JobLoop } from './loop.ts';

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
  readonly #loop: JobLoop;
  #random01: () => number = Math.random;
  #running: Promise<PurgeResult | undefined> | undefined;

  constructor(d: { store: RetentionStore; clock: Clock; options: PurgerOptions; events: PurgerEvents }) {
    this.#store = d.store;
    this.#clock = d.clock;
    this.#o = d.options;
    this.#events = d.events;
    this.#loop = new JobLoop({
      // A scheduled run joins one already running (a runOnce() call's), so two purges never overlap.
      step: () => this.runOnce().then(() => false),
      intervalMs: this.#o.intervalMs,
      firstDelay: 'random',
      random01: () => this.#random01(),
      onError: (err) => this.#events.error(err),
    });
  }

  /** The cutoff for `now`: anything that ended before it is past retention. */
  cutoff(now: number): number {
    return now - this.#o.retentionMs;
  }

  /** One purge now; a call while one runs joins it. */
  runOnce(): Promise<PurgeResult | undefined> {
    this.#running ??= this.#store
      .purge(this.cutoff(this.#clock.now()), this.#o.batchSize)
      .then(
        (r) => {
          this.#events.purged(r);
          return r;
        },
        (err: unknown) => {
          this.#events.error(err);
          return undefined;
        },
      )
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /**
   * Starts the timer; the first run comes after a random part of one interval, so replicas started
   * together spread out.
   */
  start(random01: () => number = Math.random): void {
    this.#random01 = random01;
    this.#loop.start();
  }

  /** Stops the timer and waits for a run in progress, scheduled or not. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.#running;
  }
}
