import type { Clock } from '../core/clock.ts';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures (transient errors and timeouts) that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit refuses calls before it lets one trial through. */
  readonly cooldownMs: number;
}

/**
 * One gateway's circuit, per process: after `failureThreshold` consecutive failures it opens and
 * routing skips the gateway (failover) instead of spending every message's attempts on a broken
 * route; after the cool-down one call is let through (half-open) and its outcome closes or re-opens
 * it. Permanent errors do not count: they are about a number, not the gateway's health.
 */
export class CircuitBreaker {
  readonly #o: BreakerOptions;
  readonly #clock: Clock;
  readonly #onChange: (s: CircuitState) => void;
  #failures = 0;
  #state: CircuitState = 'closed';
  #openedAt = 0;
  #trialInFlight = false;

  constructor(o: BreakerOptions, clock: Clock, onChange: (s: CircuitState) => void = () => {}) {
    this.#o = o;
    this.#clock = clock;
    this.#onChange = onChange;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** When an open circuit lets its trial call through; now for a closed or half-open one. */
  openUntil(): number {
    return this.#state === 'open' ? this.#openedAt + this.#o.cooldownMs : this.#clock.now();
  }

  /** Whether a call may go through now; in half-open only the first caller gets the trial. */
  allow(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#clock.now() - this.#openedAt < this.#o.cooldownMs) return false;
      this.#set('half-open');
    }
    if (this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    if (this.#state !== 'closed') this.#set('closed');
  }

  failure(): void {
    this.#failures += 1;
    this.#trialInFlight = false;
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#o.failureThreshold)) {
      this.#openedAt = this.#clock.now();
      this.#set('open');
    }
  }

  /** A call that ended without a verdict on the gateway (a permanent error): frees a half-open trial. */
  neutral(): void {
    this.#trialInFlight = false;
  }

  #set(s: CircuitState): void {
    this.#state = s;
    this.#onChange(s);
  }
}
