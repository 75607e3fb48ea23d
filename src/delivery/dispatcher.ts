import type { Clock } from '../core/clock.ts';
import type { KeyRing } from '../core/keyring.ts';
import { unpackMessage, type RenderedMessage } from '../core/message.ts';
import type { MessageTlv, SendResult } from '../core/ports/gateway.ts';
import type { AttemptRecord, ClaimedMessage, OutboxStore } from '../core/ports/outbox.ts';
import { Batcher } from '../jobs/batcher.ts';
import { JobLoop } from '../jobs/loop.ts';
import { decide } from './decide.ts';
import type { GatewayPool } from './gateway-pool.ts';

export interface DispatcherOptions {
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly sendTimeoutMs: number;
  /**
   * Messages this process holds at once (claimed, not yet recorded), across gateways: a memory
   * bound. What each gateway is sent at once is its own limit (GatewayPool's slots).
   */
  readonly concurrency: number;
}

/** The most messages one claim takes: one store call per this many. */
export const CLAIM_BATCH = 500;

export interface DispatcherEvents {
  /** One per gateway call: 'sent' | 'transient' | 'permanent'. */
  attempt(gateway: string, outcome: 'sent' | 'transient' | 'permanent', seconds: number): void;
  /** One per message a gateway accepted, with its SMS segments. */
  sent?(gateway: string, segments: number): void;
  /** How long a message waited from acceptance until its first hand-over to a gateway. */
  waited?(gateway: string, seconds: number): void;
  /** Messages whose code could no longer be used when they came due: `expired`, never sent. */
  expired?(messages: number): void;
  /** A message went back to the queue, no attempt spent: no gateway of its route could take it. */
  deferred?(firstGateway: string): void;
  /** Background-loop failures are reported, never swallowed. */
  error(err: unknown): void;
}

/** The attempt record of a message whose route names no gateway at all. */
const NO_GATEWAY = 'none';

/**
 * A message deferred while a link is down is looked at again after about this long (a link that
 * re-binds wakes the dispatcher, but deferred messages are not due before their time), spread by
 * up to DEFER_JITTER_MS so that a recovering gateway is not handed the whole backlog at one instant.
 */
export const DEFER_RECHECK_MS = 2000;
export const DEFER_JITTER_MS = 1000;
/** While nothing can send, the waiting messages' last error is refreshed this often (and on a change). */
export const NOTE_EVERY_MS = 5000;

/**
 * Drains the durable outbox through the gateway pool. Messages are claimed with a lease, so a
 * dispatcher that dies mid-send loses nothing: the message is claimed again when its lease lapses
 * (delivery is at least once). Each claim is one gateway call, recorded as one attempt; routing
 * picks the gateway (route step, skipping open circuits), and `decide` picks what follows.
 *
 * It keeps up with acceptance by doing its store work in rounds: one claim takes as many messages
 * as the gateways have free call slots (up to CLAIM_BATCH), and the outcomes of every call that
 * finished meanwhile are recorded together (completeAttempts). Claims take the most recently due
 * first, so under a backlog the newest codes go out first.
 */
export class Dispatcher {
  readonly #store: OutboxStore;
  readonly #pool: GatewayPool;
  readonly #keys: KeyRing;
  readonly #clock: Clock;
  readonly #o: DispatcherOptions;
  readonly #events: DispatcherEvents;
  readonly #random01: () => number;
  readonly #loop: JobLoop;
  readonly #completions: Batcher<AttemptRecord>;
  #inFlight = new Set<Promise<void>>();
  /** Claimed messages not yet handed to a gateway, by id: since when each has waited. */
  readonly #waiting = new Map<string, number>();
  /** The last claim was cut short by the free slots: a finished call should claim again at once. */
  #starved = false;
  /** What #noteWaiting last wrote, and when. */
  #noted = { cause: '', at: 0 };

  constructor(deps: {
    store: OutboxStore;
    pool: GatewayPool;
    keys: KeyRing;
    clock: Clock;
    options: DispatcherOptions;
    events: DispatcherEvents;
    random01?: () => number;
  }) {
    this.#store = deps.store;
    this.#pool = deps.pool;
    this.#keys = deps.keys;
    this.#clock = deps.clock;
    this.#o = deps.options;
    this.#events = deps.events;
    this.#random01 = deps.random01 ?? Math.random;
    this.#completions = new Batcher((records) => this.#store.completeAttempts(records));
    // A tick that claimed something is followed by another at once: more may be due. Unlike the
    // chores' timers, the poll timer holds the process open, as it always has.
    this.#loop = new JobLoop({
      step: async () => (await this.tick()) > 0,
      intervalMs: this.#o.pollMs,
      keepAlive: true,
      onError: (err) => this.#events.error(err),
    });
    this.#pool.onHealthChange((_, h) => {
      if (h.up) this.wake();
    });
  }

  start(): void {
    this.#loop.start();
  }

  /** Signals that a message was committed; the loop claims it without waiting for the next poll. */
  wake(): void {
    this.#loop.wake();
  }

  /** Stops claiming, waits for the messages in flight, and closes the gateways. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await Promise.allSettled([...this.#inFlight]);
    await this.#pool.close();
  }

  /**
   * Claims and starts sending what is due, once; returns how many were claimed when more may be
   * due (the claim was full), otherwise 0. Used by the loop and tests.
   */
  async tick(): Promise<number> {
    const room = Math.min(this.#o.concurrency - this.#inFlight.size, this.#pool.freeSlots(), CLAIM_BATCH);
    this.#starved = room <= 0;
    if (room <= 0) return 0;
    // While no gateway can take a call, messages stay queued: claiming them would only defer them
    // again. Their last error says why; a link coming back up wakes the loop, a circuit's trial
    // time comes with the next poll.
    if (!this.#pool.anyUsable()) {
      await this.#noteWaiting();
      return 0;
    }
    const now = this.#clock.now();
    const claimed = await this.#store.claimMessages(now, this.#o.leaseMs, room);
    if (claimed.expired) this.#events.expired?.(claimed.expired);
    for (const m of claimed) {
      this.#waiting.set(m.id, m.attempt === 1 ? m.createdAt : now);
      const p = this.#deliver(m).catch((err: unknown) => this.#events.error(err));
      this.#inFlight.add(p);
      void p.finally(() => {
        this.#inFlight.delete(p);
        this.#waiting.delete(m.id);
        if (this.#starved) this.wake();
      });
    }
    this.#starved = claimed.length === room;
    return this.#starved ? claimed.length : 0;
  }

  /** Writes why the due messages wait, when that changed or NOTE_EVERY_MS after the last time. */
  async #noteWaiting(): Promise<void> {
    const now = this.#clock.now();
    const cause = this.#pool.whyNone(this.#pool.all().map((g) => g.id));
    if (cause === this.#noted.cause && now - this.#noted.at < NOTE_EVERY_MS) return;
    await this.#store.noteWaiting(now, cause);
    this.#noted = { cause, at: now };
  }

  /** Since when the longest-waiting message this process claimed but has not handed over has waited. */
  oldestWaiting(): number | undefined {
    let oldest: number | undefined;
    for (const t of this.#waiting.values()) if (oldest === undefined || t < oldest) oldest = t;
    return oldest;
  }

  /** Waits until nothing is in flight; for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * The route step to use: the stored one (clamped, as a configuration change may have shortened
   * the route), moved past gateways whose link is down or whose circuit is open.
   */
  #choose(plan: readonly string[], from: number): number {
    for (let i = Math.min(from, plan.length - 1); i < plan.length; i++) {
      const id = plan[i]!;
      if (this.#pool.usable(id) && this.#pool.breaker(id).allow()) return i;
    }
    return -1;
  }

  /**
   * No gateway of the route can take the message now: it goes back to the queue without spending
   * an attempt, until the first circuit's trial time or, for a link that is down, a short recheck;
   * its last error says why, gateway by gateway (the root cause: a refused bind, an HTTP status).
   */
  async #defer(m: ClaimedMessage, plan: readonly string[], now: number): Promise<void> {
    const known = plan.map((id) => this.#pool.availableAt(id) ?? now + DEFER_RECHECK_MS);
    const at = Math.max(now, Math.min(...known)) + Math.floor(this.#random01() * DEFER_JITTER_MS);
    await this.#completions.add({
      messageId: m.id,
      attempt: m.attempt,
      gateway: plan[0]!,
      startedAt: now,
      finishedAt: now,
      outcome: 'deferred',
      error: this.#pool.whyNone(plan),
      retryAt: at,
      nextRouteStep: 0,
    });
    this.#events.deferred?.(plan[0]!);
  }

  async #deliver(m: ClaimedMessage): Promise<void> {
    const route = this.#pool.route(m.channel, m.recipient);
    const plan = route.gateways;
    const step = this.#choose(plan, m.routeStep);
    const startedAt = this.#clock.now();
    if (step < 0 && plan.length > 0) return this.#defer(m, plan, startedAt);
    const gatewayId = step >= 0 ? plan[step]! : NO_GATEWAY;
    const t0 = performance.now();
    const result: SendResult & { queued?: true } =
      step >= 0
        ? await this.#send(m, gatewayId, route.smppTlvs)
        : { ok: false, kind: 'permanent', error: 'no route for this message' };
    const finishedAt = this.#clock.now();
    if (step >= 0) this.#record(gatewayId, result, (performance.now() - t0) / 1000);
    const base = { messageId: m.id, attempt: m.attempt, gateway: gatewayId, startedAt, finishedAt };
    if (result.ok) {
      const segments = result.segments ?? m.segments;
      this.#events.sent?.(gatewayId, segments);
      await this.#completions.add({
        ...base,
        outcome: 'sent',
        providerMessageId: result.providerMessageId,
        segments,
        ...(result.partIds && result.partIds.length > 1 ? { partIds: result.partIds } : {}),
      });
      return;
    }
    const next = decide(
      result,
      {
        attempt: m.attempt,
        step: Math.max(step, 0),
        routeLength: plan.length,
        now: finishedAt,
        validUntil: m.expiresAt,
      },
      this.#o,
      this.#random01,
    );
    await this.#completions.add({
      ...base,
      outcome: result.kind,
      error: result.error,
      ...(next.kind === 'retry' ? { retryAt: next.retryAt, nextRouteStep: next.routeStep } : {}),
    });
  }

  #record(gatewayId: string, r: SendResult & { queued?: true }, seconds: number): void {
    const breaker = this.#pool.breaker(gatewayId);
    if (r.ok) breaker.success();
    else if (r.kind === 'transient' && !r.queued) breaker.failure(r.error);
    else breaker.neutral();
    this.#events.attempt(gatewayId, r.ok ? 'sent' : r.kind, seconds);
  }

  async #send(
    m: ClaimedMessage,
    gatewayId: string,
    tlvs: readonly MessageTlv[] | undefined,
  ): Promise<SendResult & { queued?: true }> {
    let text: RenderedMessage;
    try {
      text = unpackMessage(this.#keys.decrypt(m.verificationId, m.body));
    } catch (err) {
      return { ok: false, kind: 'permanent', error: `cannot decrypt message body: ${(err as Error).message}` };
    }
    // Waiting for one of the gateway's call slots, or for a slot of its send rate, is otpd's own
    // queue, not the gateway's slowness: it is bounded by half the lease (so no other claimer takes
    // the message meanwhile) and does not count against the send timeout or the gateway's circuit.
    const slots = this.#pool.slots(gatewayId);
    const throttle = this.#pool.throttle(gatewayId);
    // The timer exists only for a message that has to queue: most find a free slot at once.
    let queue: AbortSignal | undefined;
    const queueSignal = () => (queue ??= AbortSignal.timeout(Math.max(1, Math.floor(this.#o.leaseMs / 2))));
    if (!slots.tryAcquire() && !(await slots.acquire(queueSignal())))
      return { ok: false, kind: 'transient', error: `${gatewayId} has no free call slot`, queued: true };
    try {
      if (throttle) {
        await throttle.acquire(queueSignal());
        if (queueSignal().aborted)
          return { ok: false, kind: 'transient', error: `${gatewayId} send-rate queue is full`, queued: true };
      }
      this.#handedOver(m, gatewayId);
      return await this.#call(m, gatewayId, text, tlvs);
    } finally {
      slots.release();
    }
  }

  #handedOver(m: ClaimedMessage, gatewayId: string): void {
    this.#waiting.delete(m.id);
    if (m.attempt === 1) this.#events.waited?.(gatewayId, Math.max(0, this.#clock.now() - m.createdAt) / 1000);
  }

  async #call(
    m: ClaimedMessage,
    gatewayId: string,
    parts: RenderedMessage,
    tlvs: readonly MessageTlv[] | undefined,
  ): Promise<SendResult> {
    const gateway = this.#pool.gateway(gatewayId);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.#o.sendTimeoutMs);
    const timedOut = new Promise<SendResult>((resolve) =>
      ac.signal.addEventListener('abort', () =>
        resolve({
          ok: false,
          kind: 'transient',
          timeout: true,
          error: `no answer from ${gatewayId} within ${this.#o.sendTimeoutMs} ms`,
        }),
      ),
    );
    try {
      return await Promise.race([
        gateway.send(
          {
            id: m.id,
            channel: m.channel,
            to: m.recipient,
            ...parts,
            validUntil: m.expiresAt,
            ...(tlvs ? { tlvs } : {}),
          },
          ac.signal,
        ),
        timedOut,
      ]);
    } catch (err) {
      return { ok: false, kind: 'transient', error: (err as Error).message ?? String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
