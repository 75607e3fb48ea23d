import type { Clock } from '../core/clock.ts';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures (transient errors and timeouts) that open the circuit. */
  readonly failureThreshold: number;
  /** The longest an open circuit refuses calls before it lets one trial through. */
  readonly cooldownMs: number;
}

/**
 * The first cool-down after a circuit opens; each failed trial doubles it, up to `cooldownMs`. A
 * short outage then costs seconds, not a whole fixed cool-down, while a long one is probed rarely.
 */
export const FIRST_COOLDOWN_MS = 1000;

/**
 * One gateway's circuit, per process: after `failureThreshold` consecutive failures it opens and
 * routing skips the gateway (failover) instead of spending every message's attempts on a broken
 * route; after the cool-down one call is let through (half-open) and its outcome closes or re-opens
 * it. Permanent errors do not count: they are about a number, not the gateway's health. A gateway
 * that knows its own link (SMPP) closes it as soon as the link is up again (`reset`).
 */
export class CircuitBreaker {
  readonly #o: BreakerOptions;
  readonly #clock: Clock;
  readonly #onChange: (s: CircuitState) => void;
  #failures = 0;
  #state: CircuitState = 'closed';
  #openedAt = 0;
  /** Openings since the circuit was last closed: how far the cool-down has grown. */
  #opens = 0;
  #trialInFlight = false;
  #lastError = '';

  constructor(o: BreakerOptions, clock: Clock, onChange: (s: CircuitState) => void = () => {}) {
    this.#o = o;
    this.#clock = clock;
    this.#onChange = onChange;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** The error of the failure that last counted against the gateway ('' if none since it closed). */
  get lastError(): string {
    return this.#lastError;
  }

  #cooldown(): number {
    return Math.min(this.#o.cooldownMs, FIRST_COOLDOWN_MS * 2 ** Math.max(0, this.#opens - 1));
  }

  /** When an open circuit lets its trial call through; now for a closed or half-open one. */
  openUntil(): number {
    return this.#state === 'open' ? this.#openedAt + this.#cooldown() : this.#clock.now();
  }

  /** Whether `allow()` would let a call through now, without taking the half-open trial. */
  canTry(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') return this.#clock.now() >= this.openUntil();
    return !this.#trialInFlight;
  }

  /** Whether a call may go through now; in half-open only the first caller gets the trial. */
  allow(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#clock.now() < this.openUntil()) return false;
      this.#set('half-open');
    }
    if (this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    if (this.#state !== 'closed') this.#close();
  }

  failure(error = ''): void {
    this.#failures += 1;
    this.#trialInFlight = false;
    if (error) this.#lastError = error;
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#o.failureThreshold)) {
      this.#openedAt = this.#clock.now();
      this.#opens += 1;
      this.#set('open');
    }
  }

  /** A call that ended without a verdict on the gateway (a permanent error): frees a half-open trial. */
  neutral(): void {
    this.#trialInFlight = false;
  }

  /** The gateway says it is healthy again (its link re-bound): closed at once, no cool-down left. */
  reset(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    if (this.#state !== 'closed') this.#close();
  }

  #close(): void {
    this.#opens = 0;
    this.#lastError = '';
    this.#set('closed');
  }

  #set(s: CircuitState): void {
    this.#state = s;
    this.#onChange(s);
  }
}
