/**
 * How many calls one gateway may have in flight at once (its own limit: an SMPP window, an HTTP
 * provider's concurrency). A caller over the limit waits for a slot; waiters are served newest
 * first, since under a backlog the newest codes are the ones whose users are still waiting.
 */
export class Slots {
  readonly max: number;
  #used = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.max = max;
  }

  /** Slots no caller holds or waits for. */
  get free(): number {
    return Math.max(0, this.max - this.#used - this.#waiting.length);
  }

  /** Takes a free slot if there is one; never waits. */
  tryAcquire(): boolean {
    if (this.#used >= this.max) return false;
    this.#used++;
    return true;
  }

  /**
   * Takes a slot (at once when one is free: the count changes before this returns) or waits for
   * one; resolves false, holding nothing, when `signal` aborts first.
   */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', giveUp);
        resolve(true);
      };
      const giveUp = () => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        resolve(false);
      };
      this.#waiting.push(grant);
      signal.addEventListener('abort', giveUp, { once: true });
    });
  }

  /** Hands the slot to the newest waiter, or frees it. */
  release(): void {
    const next = this.#waiting.pop();
    if (next) next();
    else this.#used--;
  }
}
