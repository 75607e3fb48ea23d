export interface JobLoopOptions {
  /** One run of the job; resolves `true` when more work is waiting, so the next run comes at once. */
  step(): Promise<boolean>;
  /** The pause after a run that found no more work, in milliseconds. */
  readonly intervalMs: number;
  /**
   * The pause before the first run: none, one interval, or a random part of one interval so that
   * replicas started together spread out.
   * @default 'none'
   */
  readonly firstDelay?: 'none' | 'interval' | 'random';
  /** @default Math.random */
  readonly random01?: () => number;
  /**
   * Whether a sleeping loop holds the process open. Background chores should not, so that a
   * forgotten `stop()` cannot keep a process from exiting.
   * @default false
   */
  readonly keepAlive?: boolean;
  /** A run that threw or rejected; the loop goes on. Background-loop errors are reported, never swallowed. */
  onError(err: unknown): void;
}

/**
 * Runs one background job over and over, one run at a time, as pg-boss's worker does: at once while
 * there is more work, otherwise after `intervalMs` or an earlier `wake()`.
 */
export class JobLoop {
  readonly #o: JobLoopOptions;
  #running = false;
  /** Whether `#run` is still going: from `start()` until it has left its last step. */
  #looping = false;
  /** Resolves once the step in flight has finished and been dealt with; never rejects. */
  #step: Promise<void> = Promise.resolve();
  #woken = false;
  #interrupt: (() => void) | undefined;

  constructor(options: JobLoopOptions) {
    this.#o = options;
  }

  /** Starts the loop; no-op if it runs. A first step with no first delay starts before this returns. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    // After a stop() still waiting for its step, the same loop goes on: a second one would overlap it.
    if (this.#looping) return;
    this.#looping = true;
    void this.#run();
  }

  /** Runs the next step now if the loop sleeps, or right after the step in flight if one runs. */
  wake(): void {
    // Remembered during a step: it may announce work committed after that step looked for some.
    if (this.#interrupt) this.#interrupt();
    else this.#woken = true;
  }

  /** Starts no further step, and resolves once the step in flight, if any, has finished. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#interrupt?.();
    await this.#step;
  }

  async #run(): Promise<void> {
    try {
      const first = this.#firstDelay();
      if (first !== undefined) await this.#sleep(first);
      while (this.#running) {
        const step = Promise.withResolvers<void>();
        this.#step = step.promise;
        let more = false;
        try {
          more = await this.#o.step();
        } catch (err) {
          this.#o.onError(err);
        } finally {
          // Only now may stop() resolve: a failed step has been reported by then.
          step.resolve();
        }
        if (more === true || !this.#running) continue;
        if (this.#woken) this.#woken = false;
        else await this.#sleep(this.#o.intervalMs);
      }
    } finally {
      this.#looping = false;
    }
  }

  #firstDelay(): number | undefined {
    const { firstDelay, intervalMs, random01 = Math.random } = this.#o;
    if (firstDelay === 'random') return Math.floor(random01() * intervalMs);
    return firstDelay === 'interval' ? intervalMs : undefined;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.#interrupt = undefined;
        resolve();
      };
      const timer = setTimeout(end, ms);
      if (!this.#o.keepAlive) timer.unref();
      this.#interrupt = end;
    });
  }
}
