import type { Clock } from '../core/clock.ts';
import { learnBaselines, type BaselineOptions } from '../core/fraud/baselines.ts';
import { judgeSendsPaced, type GuardOptions, type Verdict } from '../core/fraud/judge.ts';
import { parseGuardScope } from '../core/fraud/ranges.ts';
import type { AbuseStore, RangeBaseline, ScopeBlock, SendFact } from '../core/ports/abuse.ts';
import { JobLoop } from './loop.ts';

const HOUR = 3_600_000;
/** Sends per read of the window (about 5 ms of a synchronous SQLite read). */
const PAGE = 5000;
/** Lets requests waiting on the event loop run between two chunks of a judgement. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A timed run waits this many times its own duration before the next (5 % of a core at most). */
const PACING = 20;

export interface RangeGuardOptions extends GuardOptions {
  readonly intervalMs: number;
  /** Most sends read per run (the newest): bounds the job's memory and time under any load. */
  readonly maxRows: number;
  readonly baselines: BaselineOptions;
}

/**
 * The window's sends, newest first, at most `maxRows`, a page at a time with a turn of the event
 * loop between pages: one read of the whole window held the process (SQLite reads synchronously).
 * A full page leaves out its oldest millisecond, which the next page reads whole (unless one
 * millisecond alone fills a page: its rows beyond the page are then skipped).
 */
export async function readWindow(
  store: Pick<AbuseStore, 'recentSends'>,
  from: number,
  to: number,
  o: { readonly maxRows: number; readonly page: number },
): Promise<SendFact[]> {
  const out: SendFact[] = [];
  let end = to;
  for (;;) {
    const want = Math.min(o.page, o.maxRows - out.length);
    const page = await store.recentSends(from, end, want);
    if (page.length < want || out.length + page.length >= o.maxRows) return out.concat(page);
    const last = page[page.length - 1]!.createdAt;
    const newer = page.filter((f) => f.createdAt > last);
    out.push(...(newer.length > 0 ? newer : page));
    end = newer.length > 0 ? last + 1 : last;
    await turn();
  }
}

export interface RangeGuardEvents {
  /** A throttle or block was recorded (or, in shadow mode, only reported), with its evidence. */
  decided(v: Verdict): void;
  /** The baselines were learned again from one more settled hour. */
  learned(count: number): void;
  error(err: unknown): void;
}

/**
 * The range guard: every few seconds, judges each tenant's recent sends over nested number ranges
 * (core/fraud/judge.ts) and records throttles and blocks in the store, where every replica's
 * admission reads them on the next send; once an hour it learns the tenants' baselines from the
 * settled hour. State lives only in the store, so a restart or another replica carries on.
 *
 * Every replica may run it: a decision is an idempotent upsert (the later end and the higher
 * strike count win). Baselines are learned by whichever replica first finds them an hour old;
 * two replicas doing it in the same run would apply that hour twice (weight 2α instead of α).
 */
export class RangeGuard {
  readonly #store: AbuseStore;
  readonly #clock: Clock;
  readonly #o: RangeGuardOptions;
  readonly #events: RangeGuardEvents;
  readonly #loop: JobLoop;
  /** When this process last learned (an empty set of baselines carries no time of its own). */
  #learnedAt = Number.NEGATIVE_INFINITY;
  /** performance.now() before which a timed run is skipped (see #paced). */
  #nextAt = 0;

  constructor(d: { store: AbuseStore; clock: Clock; options: RangeGuardOptions; events: RangeGuardEvents }) {
    this.#store = d.store;
    this.#clock = d.clock;
    this.#o = d.options;
    this.#events = d.events;
    this.#loop = new JobLoop({
      step: () => this.#paced(),
      intervalMs: this.#o.intervalMs,
      firstDelay: 'interval',
      onError: (err) => this.#events.error(err),
    });
  }

  /**
   * A timed run, skipped while the last one's cost is not paid back: at most 1/PACING of a core
   * goes to judging, however many sends the window holds (the interval stretches instead).
   */
  async #paced(): Promise<boolean> {
    const started = performance.now();
    if (started < this.#nextAt) return false;
    await this.runOnce();
    this.#nextAt = started + PACING * (performance.now() - started);
    return false;
  }

  /** One judgement (and, when due, one baseline update); returns the verdicts recorded. */
  async runOnce(): Promise<Verdict[]> {
    const o = this.#o;
    const now = this.#clock.now();
    const settledFrom = now - o.maxProvisionalMs - HOUR;
    const [facts, rows, baselines] = await Promise.all([
      readWindow(this.#store, Math.min(now - o.windowMs, settledFrom), now, { maxRows: o.maxRows, page: PAGE }),
      this.#store.listBlocks(now - o.memoryMs),
      this.#store.listBaselines(),
    ]);
    const decisions = rows.filter((b) => parseGuardScope(b.scope) !== undefined);
    const recent = facts.filter((f) => f.createdAt >= now - o.windowMs);
    const verdicts = await judgeSendsPaced({ facts: recent, decisions, baselines, now, options: o }, turn);
    if (verdicts.length) await this.#store.putBlocks(verdicts.map((v) => v.block));
    for (const v of verdicts) this.#events.decided(v);
    await this.#learn(baselines, facts, decisions, settledFrom, now);
    return verdicts;
  }

  async #learn(
    prev: readonly RangeBaseline[],
    facts: Parameters<typeof learnBaselines>[0]['facts'],
    decisions: readonly ScopeBlock[],
    from: number,
    now: number,
  ): Promise<void> {
    const last = prev.reduce((m, b) => Math.max(m, b.updatedAt), this.#learnedAt);
    if (now - last < HOUR) return;
    this.#learnedAt = now;
    const next = learnBaselines({
      prev,
      facts,
      decisions: new Map(decisions.map((d) => [d.scope, d])),
      memoryMs: this.#o.memoryMs,
      from,
      now,
      options: this.#o.baselines,
    });
    await this.#store.replaceBaselines(next);
    this.#events.learned(next.length);
  }

  start(): void {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }
}
