/**
 * What the store port's operations mean, written once for both SQL stores. Each store calls these
 * and adds only what its database forces: the SQL text, and how it serialises (one write
 * connection for SQLite, row and advisory locks for PostgreSQL). The guarantees are stated on the
 * port (core/ports/store.ts) and proven by test/contract/ on both stores. PostgreSQL restates the
 * send, the GCRA and the validation in its functions (postgres/functions.ts), so that each is one
 * round trip; the contract suite is what keeps the two in step.
 */
import type { Channel } from '../core/channel.ts';
import { utcDay } from '../core/clock.ts';
import { anyMacMatches } from '../core/keyring.ts';
import type { AttemptRecord, ClaimBatch, ClaimedMessage, MessageStatus } from '../core/ports/outbox.ts';
import type { RateRule } from '../core/ports/rate-limiter.ts';
import type { CreateResult, NewVerification, SendLimits, ValidationOutcome } from '../core/ports/store.ts';

// ---- send-code -----------------------------------------------------------------------------------

/** The earliest creation time a send window can count: the store reads the number's sends since then. */
export function sendsSince(v: NewVerification, limits: SendLimits): number {
  return v.createdAt - Math.max(0, ...limits.windows.map((w) => w.windowMs));
}

/** What an accepted send takes from the client's day: one message and its expected cost. */
export interface Charge {
  readonly day: string;
  /** Messages per day; 0: unlimited. */
  readonly quota: number;
  /** Spend per day in micros; 0: unlimited. */
  readonly budget: number;
  readonly cost: number;
}

export type SendAdmission =
  | { readonly ok: false; readonly refusal: CreateResult }
  | { readonly ok: true; readonly charge: Charge | null; readonly tats: readonly number[] };

/**
 * Judges a send, in the order a refusal is reported: the velocity budgets (`tats`: each budget's
 * stored theoretical arrival time, in the order of `limits.rates`, undefined when it has none),
 * then the (client, number)'s earlier sends (`sends`: their creation times since `sendsSince`, in
 * any order), then the daily quota and budget. On success the store writes, in the same
 * transaction, `tats` (each budget's new time) and `charge` (what to take from the client's day,
 * null when there is no message or no daily limit): if taking the charge fails, the send is refused
 * with QUOTA and nothing is written.
 */
export function admitSend(
  sends: readonly number[],
  v: NewVerification,
  limits: SendLimits,
  tats: readonly (number | undefined)[] = [],
): SendAdmission {
  const next: number[] = [];
  for (const [index, r] of (limits.rates ?? []).entries()) {
    const d = gcraTake(tats[index], v.createdAt, r.rule);
    if (!d.ok)
      return { ok: false, refusal: { ok: false, reason: 'RATE', index, retryAfterSeconds: d.retryAfterSeconds } };
    next.push(d.tat);
  }
  const sorted = [...sends].sort((a, b) => a - b);
  for (const w of limits.windows) {
    const inWindow = sorted.filter((t) => t > v.createdAt - w.windowMs);
    if (inWindow.length >= w.max) {
      // The send becomes possible when the oldest of the last `max` sends leaves the window.
      const oldest = inWindow[inWindow.length - w.max] ?? v.createdAt;
      const retryAfterMs = Math.max(1000, oldest + w.windowMs - v.createdAt);
      return { ok: false, refusal: { ok: false, reason: 'SEND_LIMIT', retryAfterMs } };
    }
  }
  const charge = chargeOf(v, limits);
  return charge === 'OVER_BUDGET' ? { ok: false, refusal: QUOTA } : { ok: true, charge, tats: next };
}

/** What an accepted send takes from the client's day; OVER_BUDGET when its cost alone is over the budget. */
export function chargeOf(v: NewVerification, limits: SendLimits): Charge | null | 'OVER_BUDGET' {
  const m = v.message;
  const budget = limits.dailyBudgetMicros ?? 0;
  if (!m || (limits.dailyQuota <= 0 && budget <= 0)) return null;
  const cost = m.costMicros ?? 0;
  if (budget > 0 && cost > budget) return 'OVER_BUDGET';
  return { day: utcDay(v.createdAt), quota: limits.dailyQuota, budget, cost };
}

// ---- velocity (GCRA) -----------------------------------------------------------------------------

/**
 * GCRA, the token bucket kept as one time per key (its theoretical arrival time, `tat`): a request
 * is allowed when the tat, moved to now if it lies in the past and pushed one emission interval on,
 * stays within `tolerance` (burst intervals) of now. PostgreSQL computes exactly this in SQL (the
 * rate limiter, and the send function of migration 5), in the same float8 arithmetic.
 */
export function gcra(rule: RateRule): { readonly interval: number; readonly tolerance: number } {
  const interval = 1000 / rule.ratePerSecond;
  return { interval, tolerance: interval * rule.burst };
}

/** Whole seconds until a refused budget admits one request, as Retry-After says it (at least 1). */
export const rateRetrySeconds = (waitMs: number): number => Math.max(1, Math.ceil(waitMs / 1000));

export type GcraDecision =
  | { readonly ok: true; readonly tat: number }
  | { readonly ok: false; readonly retryAfterSeconds: number };

/** One request against a budget whose stored tat is `tat` (undefined: never used, a full burst). */
export function gcraTake(tat: number | undefined, now: number, rule: RateRule): GcraDecision {
  const { interval, tolerance } = gcra(rule);
  const from = Math.max(tat ?? now, now);
  if (from + interval - now <= tolerance) return { ok: true, tat: from + interval };
  return { ok: false, retryAfterSeconds: rateRetrySeconds(from + interval - tolerance - now) };
}

export const QUOTA: CreateResult = Object.freeze({ ok: false, reason: 'QUOTA' });
export const CREATED: CreateResult = Object.freeze({ ok: true });

// ---- validate-code -------------------------------------------------------------------------------

/** The fields of a stored verification that validation reads. */
export interface StoredVerification {
  readonly clientId: string;
  readonly status: string;
  readonly expiresAt: number;
  readonly codeMac: Buffer;
}

/**
 * The writes validation asks of the store, each one guarded statement that answers whether it took
 * effect:
 * - `countAttempt`: spend one attempt, only while the verification is pending with attempts left and
 *   the number's wrong guesses in the budget window stay below the budget;
 * - `consume`: pending → verified;
 * - `recordWrong`: count a wrong guess, failing the verification if that was its last attempt;
 *   answers true when it failed.
 */
export type ValidationStep = 'countAttempt' | 'consume' | 'recordWrong';

/**
 * The validate-code state machine. The store finds the row (locking it where it must), then drives
 * this generator, running each step it yields and passing back whether the step took effect. The
 * attempt is counted before the comparison, so no guess is ever compared without being paid for.
 */
export function* validation(
  row: StoredVerification | undefined,
  clientId: string,
  now: number,
  candidates: readonly Buffer[],
): Generator<ValidationStep, ValidationOutcome, boolean> {
  // Another client's id is indistinguishable from an unknown one.
  if (!row || row.clientId !== clientId) return 'NOT_FOUND';
  if (row.status === 'failed') return 'FAILED';
  if (row.status !== 'pending' || now >= row.expiresAt) return 'EXPIRED';
  if (!(yield 'countAttempt')) return 'FAILED';
  if (anyMacMatches(row.codeMac, candidates)) return (yield 'consume') ? 'VERIFIED' : 'EXPIRED';
  return (yield 'recordWrong') ? 'FAILED' : 'INVALID';
}

/** Runs a step machine whose steps are synchronous (the SQLite writer). */
export function runSteps<S, R>(machine: Generator<S, R, boolean>, run: (step: S) => boolean): R {
  let r = machine.next();
  while (!r.done) r = machine.next(run(r.value));
  return r.value;
}

// ---- outbox --------------------------------------------------------------------------------------

/**
 * A message is due when it is in one of these states and its `next_attempt_at` has passed; for a
 * `sending` message that time is the end of its lease, so a message whose dispatcher died is taken
 * again (delivery is at least once).
 */
export const DUE_STATUSES: readonly MessageStatus[] = ['queued', 'sending'];

/**
 * A due message whose code can no longer be used (its verification is not pending, or has
 * expired) is never sent: the claim that walks past it marks it `expired` with this error.
 * A message without a verification row is not stale.
 */
export const STALE_ERROR = 'the code expired or was superseded before it was sent';

/**
 * At most this many stale messages are expired per claim, so a backlog left by an outage is worked off
 * in bounded writes.
 */
export const EXPIRE_BATCH = 1000;

/**
 * Splits due messages, in claim order, into the ones to lease (at most `limit`, code still usable)
 * and the stale ones walked past on the way (at most EXPIRE_BATCH): a claim costs what its scan
 * costs, however long the backlog behind it.
 */
export function partitionDue<T>(
  due: Iterable<T>,
  isStale: (m: T) => boolean,
  limit: number,
): { fresh: T[]; stale: T[] } {
  const fresh: T[] = [];
  const stale: T[] = [];
  if (limit <= 0) return { fresh, stale };
  for (const m of due) {
    if (isStale(m)) {
      if (stale.length < EXPIRE_BATCH) stale.push(m);
    } else if (fresh.push(m) === limit) break;
  }
  return { fresh, stale };
}

/**
 * The message's state after an attempt: `sent` (or the status of a receipt that arrived first),
 * `queued` again when a retry is planned, otherwise final: `failed` for a permanent error,
 * `abandoned` when transient errors used up the attempts. A final state drops the body.
 */
export function stateAfter(r: AttemptRecord): 'sent' | 'queued' | 'failed' | 'abandoned' {
  if (r.outcome === 'sent') return 'sent';
  if (r.outcome === 'deferred') return 'queued';
  if (r.retryAt !== undefined) return 'queued';
  return r.outcome === 'permanent' ? 'failed' : 'abandoned';
}

/** One part of a multi-part message and the receipt recorded for it, if any. */
export interface PartReceipt {
  readonly status: string | null;
  readonly error: string | null;
}

/**
 * A multi-part message's status from its parts' receipts: `failed` or `expired` as soon as one part
 * is (with that part's error), `delivered` once every part is, otherwise still `sent`.
 */
export function partsStatus(parts: readonly PartReceipt[]): { status: string; error: string | null } {
  const bad = parts.find((p) => p.status === 'failed') ?? parts.find((p) => p.status === 'expired');
  if (bad) return { status: bad.status!, error: bad.error };
  if (parts.length > 0 && parts.every((p) => p.status === 'delivered')) return { status: 'delivered', error: null };
  return { status: 'sent', error: null };
}

/**
 * A claim's messages with the count of those it expired, as a property that is not enumerable:
 * the batch compares and prints as the plain list it mostly is.
 */
export function claimBatch(list: ClaimedMessage[], expired: number): ClaimBatch {
  return Object.defineProperty(list, 'expired', { value: expired, enumerable: false });
}

/** A claimed row as both stores return it. */
export interface ClaimRow {
  seq: number;
  verification_id: string;
  channel: Channel;
  recipient: string;
  body: Buffer | null;
  attempts: number;
  route_step: number;
  segments: number;
  created_at: number | string;
  /** Null for a message without a verification row. */
  expires_at?: number | string | null;
}

// The code's expiry by scalar subquery: both dialects allow one in RETURNING, where a join is not.
export const CLAIM_RETURNING = `seq, verification_id, channel, recipient, body, attempts, route_step, segments,
  created_at,
  (SELECT v.expires_at FROM verifications v WHERE v.id = verification_id) AS expires_at`;

export function toClaimed(r: ClaimRow): ClaimedMessage {
  // A due row always has its body (only final states drop it); if one ever did not, the dispatcher
  // fails to decrypt it and records a permanent failure, rather than it being leased forever.
  return {
    id: String(r.seq),
    verificationId: r.verification_id,
    channel: r.channel,
    recipient: r.recipient,
    body: r.body ?? Buffer.alloc(0),
    attempt: r.attempts,
    routeStep: r.route_step,
    segments: r.segments,
    createdAt: Number(r.created_at),
    expiresAt: r.expires_at === null || r.expires_at === undefined ? undefined : Number(r.expires_at),
  };
}

// ---- retention -----------------------------------------------------------------------------------

/** The epoch-ms range [from, to) of the UTC days fromDay..toDay (`YYYY-MM-DD`). */
export function dayRange(fromDay: string, toDay: string): { from: number; to: number } {
  return { from: Date.parse(`${fromDay}T00:00:00Z`), to: Date.parse(`${toDay}T00:00:00Z`) + 86_400_000 };
}

/** A purge repeats a batch until one comes back short, so no single write holds locks for long. */
export async function drainBatches(batch: number, run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await run();
    total += n;
    if (n < batch) return total;
  }
}
