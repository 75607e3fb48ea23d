/** Gives back a window slot; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  readonly grant: (r: Release | undefined) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

/**
 * The submit window and throughput limit of one bind. The smpp package writes whatever it is
 * given (it ignores TCP backpressure), and an SMSC answers a burst over its window or contracted
 * rate with ESME_RTHROTTLED or a dropped bind, so callers queue here, first come first served, for
 * a slot: at most `window` submit_sm awaiting their response, and starts spaced 1/throughput apart.
 * Timing uses the monotonic clock: these are real sockets, not domain time.
 */
export class SubmitGate {
  readonly #window: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #waiters: Waiter[] = [];
  #inFlight = 0;
  #nextAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(window: number, perSecond: number, now: () => number = () => performance.now()) {
    this.#window = window;
    this.#intervalMs = 1000 / perSecond;
    this.#now = now;
  }

  /** Submits holding a slot, and callers waiting for one. */
  get load(): { readonly inFlight: number; readonly waiting: number } {
    return { inFlight: this.#inFlight, waiting: this.#waiters.length };
  }

  /** A slot, or undefined when `signal` aborts first or the gate closes. */
  acquire(signal: AbortSignal): Promise<Release | undefined> {
    if (this.#closed || signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        signal,
        grant: resolve,
        onAbort: () => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve(undefined);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  /** Turns every waiter away; slots already granted are released as their submits end. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const w of this.#waiters.splice(0)) this.#hand(w, undefined);
  }

  #pump(): void {
    while (this.#waiters.length > 0 && this.#inFlight < this.#window && !this.#timer) {
      const now = this.#now();
      if (now < this.#nextAt) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, this.#nextAt - now);
        return;
      }
      this.#nextAt = now + this.#intervalMs;
      this.#inFlight += 1;
      this.#hand(this.#waiters.shift()!, this.#release());
    }
  }

  #release(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#inFlight -= 1;
      this.#pump();
    };
  }

  #hand(w: Waiter, r: Release | undefined): void {
    w.signal.removeEventListener('abort', w.onAbort);
    w.grant(r);
  }
}
