/**
 * The abuse-defence part of the storage port: run-time number lists, per-client policies, and the
 * conversion circuit breaker's inputs and trips. Every replica reads them from the store on each
 * send-code, so a change is effective at once everywhere.
 */

import type { RateTake } from './rate-limiter.ts';

export type NumberRuleKind = 'block' | 'safe';

/** A number or a prefix (E.164 with '+'); a rule applies to every number that starts with it. */
export interface NumberRule {
  readonly kind: NumberRuleKind;
  readonly prefix: string;
  readonly note: string | null;
  readonly createdAt: number;
}

/** A client's own rules, overriding the configured defaults where set. */
export interface ClientPolicy {
  readonly clientId: string;
  /** allow: only these countries; deny: all but these. Null: the configured default. */
  readonly countries: { readonly mode: 'allow' | 'deny'; readonly list: readonly string[] } | null;
  /** Messages per UTC day; null: the configured default; 0: unlimited. */
  readonly dailyMessages: number | null;
  /** Spend per UTC day in millionths of the currency unit; null: the configured default; 0: unlimited. */
  readonly dailyBudgetMicros: number | null;
  readonly updatedAt: number;
}

/** Sent codes (with a message) and how many were validated, for one scope (`country:GB`, `prefix:+44791112`). */
export interface ConversionStat {
  readonly scope: string;
  readonly sent: number;
  readonly verified: number;
}

/**
 * A scope whose sends are stopped (or, in shadow mode, only reported) until `until`. The row outlives
 * the block: once `until` has passed it records that the scope ran out of a block, or, when its
 * reason starts with {@link LIFTED_BY_OPERATOR}, that an operator lifted it at `until`.
 */
export interface ScopeBlock {
  readonly scope: string;
  readonly until: number;
  readonly shadow: boolean;
  readonly reason: string;
  readonly createdAt: number;
  /**
   * What the range guard does to the scope while the row is in force (the global breaker only
   * blocks): refuse every send, or admit `perHour` of them.
   */
  readonly action?: 'block' | 'throttle';
  /** Blocks the scope earned so far (a repeat offender's blocks last longer); 0 for a throttle only. */
  readonly strikes?: number;
  /** For a throttle: the sends per hour it admits. */
  readonly perHour?: number;
}

/** What the range guard needs to know of one send, stored with the verification (never the number). */
export interface SendSignals {
  /** The block of 100 the number is in (the number without its last 2 digits). */
  readonly block: string;
  /** Keyed hashes of the sender's source tags: end-user IP, its network, device (see fraud/ranges.ts). */
  readonly sources: readonly string[];
  /** The tenant vouched for the end user (a signed-in user with history). */
  readonly trusted: boolean;
}

/** One send with a message, as the range guard reads it back. */
export interface SendFact extends SendSignals {
  readonly clientId: string;
  readonly country: string | null;
  readonly createdAt: number;
  /** When its code was validated; null while it has not been (pending, or never). */
  readonly verifiedAt: number | null;
}

/**
 * A tenant's normal traffic to one guard scope (a country or a range), learned hour by hour:
 * sends and credible validations per hour, as exponentially weighted averages.
 */
export interface RangeBaseline {
  readonly clientId: string;
  readonly scope: string;
  readonly sentPerHour: number;
  readonly validatedPerHour: number;
  readonly updatedAt: number;
}

/** How the reason of a block lifted by an operator starts (the breaker's own reasons start with a count). */
export const LIFTED_BY_OPERATOR = 'lifted by an operator';

/** Whether the block ended because an operator lifted it (see {@link AbuseStore.deleteBlock}). */
export const liftedByOperator = (b: ScopeBlock): boolean => b.reason.startsWith(LIFTED_BY_OPERATOR);

/** What send-code needs to decide on one number, in one read. */
export interface AdmissionFacts {
  /**
   * Only when a request budget was given and it refused this request: whole seconds until it admits
   * one (the request is then refused, whatever the other facts say).
   */
  readonly requestRetryAfter?: number | undefined;
  /** Rules whose prefix the number starts with. */
  readonly rules: readonly NumberRule[];
  readonly policy: ClientPolicy | null;
  /** Breaker blocks in force now for any of the scopes asked about. */
  readonly blocks: readonly ScopeBlock[];
  /** The learnt baselines of the scopes asked about that are countries of the range guard (`t:<client>:country:XX`). */
  readonly baselines?: readonly RangeBaseline[];
}

export interface AbuseStore {
  /**
   * The facts for one send-code; reads committed state (no lock), so changes apply on the next
   * request. With `request` (the API's per-client request budget, see api/guard.ts) it first spends
   * one request from it, kept whatever the send's outcome; parallel calls never admit more than the
   * budget allows (across every process, for a shared store).
   */
  admissionFacts(
    clientId: string,
    e164: string,
    scopes: readonly string[],
    now: number,
    request?: RateTake,
  ): Promise<AdmissionFacts>;

  /** Inserts or replaces the rule with this (kind, prefix). */
  putNumberRule(r: NumberRule): Promise<void>;
  /** Returns false when there was no such rule. */
  deleteNumberRule(kind: NumberRuleKind, prefix: string): Promise<boolean>;
  listNumberRules(kind?: NumberRuleKind): Promise<NumberRule[]>;

  getClientPolicy(clientId: string): Promise<ClientPolicy | null>;
  /** Inserts or replaces the client's policy. */
  putClientPolicy(p: ClientPolicy): Promise<void>;
  listClientPolicies(): Promise<ClientPolicy[]>;

  /**
   * Per country and per prefix: verifications with a message whose code expired in [from, to)
   * (so every one of them has settled: used, failed, superseded or lapsed), and how many of those
   * were verified.
   */
  conversionStats(from: number, to: number): Promise<ConversionStat[]>;
  /**
   * Records blocks. Over a block still in force at the new one's `createdAt` the later `until` wins
   * (so replicas tripping a scope at the same moment converge on one row); over a row that had ended
   * by then (ran out or lifted) the new block replaces it, `createdAt` included. Each block is one
   * atomic upsert.
   */
  putBlocks(blocks: readonly ScopeBlock[]): Promise<void>;
  /**
   * Blocks with `until > since`, newest first. Pass `now` for the blocks in force; an earlier `since`
   * also returns the blocks that ran out or were lifted after it (`until <= now`), which the breaker
   * reads so as not to re-judge them. Committed state, no lock.
   */
  listBlocks(since: number): Promise<ScopeBlock[]>;
  /**
   * Lifts a block in force at `now` early (an operator's decision). The row is kept, ending at `now`
   * with a reason starting with {@link LIFTED_BY_OPERATOR}, so it is no longer in force but the
   * breaker can see that an operator decided. True when a block was in force; false, and nothing
   * changes, otherwise. One guarded update: of two concurrent lifts only one returns true.
   */
  deleteBlock(scope: string, now: number): Promise<boolean>;

  /**
   * Sends with a message created in [from, to) that carry signals (every send since the range
   * guard exists), newest first, at most `limit`. Committed state, no lock.
   */
  recentSends(from: number, to: number, limit: number): Promise<SendFact[]>;
  /** Whether a code sent to this number (by its keyed index) was ever validated for this client. */
  hasVerified(clientId: string, phoneIndex: Buffer): Promise<boolean>;
  listBaselines(): Promise<RangeBaseline[]>;
  /**
   * Replaces the baselines: the rows given (all with the same, newest `updatedAt`) are upserted,
   * and every row not given is deleted, so the set stays as bounded as the job keeps it.
   */
  replaceBaselines(rows: readonly RangeBaseline[]): Promise<void>;
}
