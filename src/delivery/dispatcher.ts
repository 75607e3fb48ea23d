import type { Clock } from '../core/clock.ts';
import type { KeyRing } from '../core/keyring.ts';
import type { Gateway, SendResult } from '../core/ports/gateway.ts';
import type { ClaimedMessage, OutboxStore } from '../core/ports/store.ts';
import { backoffDelay } from './backoff.ts';

export interface DispatcherOptions {
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly sendTimeoutMs: number;
  readonly concurrency: number;
}

export interface DispatcherEvents {
  /** One per attempt: 'sent' | 'transient' | 'permanent'. */
  attempt(gateway: string, outcome: 'sent' | 'transient' | 'permanent', seconds: number): void;
  /** Background-loop failures are reported, never swallowed. */
  error(err: unknown): void;
}

/**
 * Drains the durable outbox through one gateway. Messages are claimed with a lease, so a dispatcher
 * that dies mid-send loses nothing: the message is claimed again when its lease lapses (delivery is
 * at least once). Every attempt is recorded; transient failures retry with backoff, permanent ones
 * stop at once.
 */
export class Dispatcher {
  readonly #store: OutboxStore;
  readonly #gateway: Gateway;
  readonly #keys: KeyRing;
  readonly #clock: Clock;
  readonly #o: DispatcherOptions;
  readonly #events: DispatcherEvents;
  readonly #random01: () => number;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  #inFlight = new Set<Promise<void>>();

  constructor(deps: {
    store: OutboxStore; gateway: Gateway; keys: KeyRing; clock: Clock;
    options: DispatcherOptions; events: DispatcherEvents; random01?: () => number;
  }) {
    this.#store = deps.store;
    this.#gateway = deps.gateway;
    this.#keys = deps.keys;
    this.#clock = deps.clock;
    this.#o = deps.options;
    this.#events = deps.events;
    this.#random01 = deps.random01 ?? Math.random;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Signals that a message was committed; the loop claims it without waiting for the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Stops claiming and waits for the messages in flight to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Claims and sends what is due once; returns how many were claimed. Used by the loop and tests. */
  async tick(): Promise<number> {
    const room = this.#o.concurrency - this.#inFlight.size;
    if (room <= 0) return 0;
    const claimed = await this.#store.claimMessages(this.#clock.now(), this.#o.leaseMs, room);
    for (const m of claimed) {
      const p = this.#deliver(m).catch((err: unknown) => this.#events.error(err));
      this.#inFlight.add(p);
      void p.finally(() => {
        this.#inFlight.delete(p);
        this.wake();
      });
    }
    return claimed.length;
  }

  /** Waits until nothing is in flight; for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let claimed = 0;
      try {
        claimed = await this.tick();
      } catch (err) {
        this.#events.error(err);
      }
      if (claimed === 0 && this.#running) await this.#sleep();
    }
  }

  #sleep(): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#o.pollMs);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        self.#woken = false;
        resolve();
      }
      this.#wake = done;
    });
  }

  async #deliver(m: ClaimedMessage): Promise<void> {
    const startedAt = this.#clock.now();
    const t0 = performance.now();
    const result = await this.#send(m);
    const finishedAt = this.#clock.now();
    this.#events.attempt(this.#gateway.id, result.ok ? 'sent' : result.kind, (performance.now() - t0) / 1000);
    const base = { messageId: m.id, attempt: m.attempt, gateway: this.#gateway.id, startedAt, finishedAt };
    if (result.ok) {
      await this.#store.completeAttempt({ ...base, outcome: 'sent', providerMessageId: result.providerMessageId });
      return;
    }
    const retryAt = result.kind === 'transient' && m.attempt < this.#o.maxAttempts
      ? finishedAt + backoffDelay(m.attempt, this.#o.backoffBaseMs, this.#o.backoffMaxMs, this.#random01)
      : undefined;
    await this.#store.completeAttempt({ ...base, outcome: result.kind, error: result.error, retryAt });
  }

  async #send(m: ClaimedMessage): Promise<SendResult> {
    let text: string;
    try {
      text = this.#keys.decrypt(m.verificationId, m.body);
    } catch (err) {
      return { ok: false, kind: 'permanent', error: `cannot decrypt message body: ${(err as Error).message}` };
    }
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.#o.sendTimeoutMs);
    try {
      return await Promise.race([
        this.#gateway.send({ id: m.id, to: m.recipient, text }, ac.signal),
        new Promise<SendResult>((resolve) => ac.signal.addEventListener('abort', () => resolve({ ok: false, kind: 'transient', error: 'gateway timeout' }))),
      ]);
    } catch (err) {
      return { ok: false, kind: 'transient', error: (err as Error).message ?? String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
