/** Time source for everything that expires; tests pass a manual clock instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock the caller moves by hand; used by tests and never by the server. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  advance(ms: number): void {
    this.#t += ms;
  }
  set(ms: number): void {
    this.#t = ms;
  }
}

/** The UTC day of an instant, `YYYY-MM-DD`: the unit of daily quotas and budgets. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** An instant given as ISO 8601 or epoch milliseconds (operator filters); undefined when it is neither. */
export function parseInstant(s: string): number | undefined {
  const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}
