/**
 * The abuse-defence part of the storage port: run-time number lists, per-client policies, and the
 * conversion circuit breaker's inputs and trips. Every replica reads them from the store on each
 * send-code, so a change is effective at once everywhere.
 */

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

/** A scope whose sends are stopped (or, in shadow mode, only reported) until `until`. */
export interface ScopeBlock {
  readonly scope: string;
  readonly until: number;
  readonly shadow: boolean;
  readonly reason: string;
  readonly createdAt: number;
}

/** What send-code needs to decide on one number, in one read. */
export interface AdmissionFacts {
  /** Rules whose prefix the number starts with. */
  readonly rules: readonly NumberRule[];
  readonly policy: ClientPolicy | null;
  /** Breaker blocks in force now for any of the scopes asked about. */
  readonly blocks: readonly ScopeBlock[];
}

export interface AbuseStore {
  /** The facts for one send-code; reads committed state (no lock), so changes apply on the next request. */
  admissionFacts(clientId: string, e164: string, scopes: readonly string[], now: number): Promise<AdmissionFacts>;

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
   * Records blocks, extending any in force (the later `until` wins). Idempotent, so replicas
   * evaluating the same statistics at once converge on the same rows.
   */
  putBlocks(blocks: readonly ScopeBlock[]): Promise<void>;
  /** Blocks in force at `now`, newest first. */
  listBlocks(now: number): Promise<ScopeBlock[]>;
  /** Lifts a block early (an operator's decision); false when none was in force. */
  deleteBlock(scope: string): Promise<boolean>;
}
