import type { Clock } from '../core/clock.ts';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * A gateway's send rate (messages per second, per process): callers queue for a slot instead of
 * failing, since providers answer a burst over their contracted rate with throttling errors.
 */
export class Throttle {
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  #next = 0;

  constructor(ratePerSecond: number, clock: Clock, sleep: Sleep = realSleep) {
    this.#intervalMs = 1000 / ratePerSecond;
    this.#clock = clock;
    this.#sleep = sleep;
  }

  /**
   * Resolves when this caller's slot comes, or at once when `signal` aborts; an aborted caller
   * gives its slot back when it was the last one taken, so the queue does not drift ahead.
   */
  async acquire(signal: AbortSignal): Promise<void> {
    const now = this.#clock.now();
    const slot = Math.max(now, this.#next);
    this.#next = slot + this.#intervalMs;
    if (slot <= now) return;
    await this.#sleep(slot - now, signal);
    if (signal.aborted && this.#next === slot + this.#intervalMs) this.#next = slot;
  }
}
