/**
 * Run-time administration of the abuse defences: number rules, client policies and conversion-breaker
 * blocks. The one implementation behind the admin HTTP endpoints and the CLI (`otpd block|safe|policy|
 * breaker`), so both refuse the same input and store the same thing. Nothing is cached: admission
 * reads the store on every send-code, so each change applies to the next request on every replica.
 */
import type { Clock } from './clock.ts';
import { OtpdError } from './errors.ts';
import type { AbuseStore, ClientPolicy, NumberRule, NumberRuleKind, ScopeBlock } from './ports/abuse.ts';
import { parseGuardScope } from './fraud/ranges.ts';

/** An E.164 number or prefix, with the +. The API's schemas use the same patterns and limits. */
export const PREFIX_PATTERN = '^\\+[1-9][0-9]{0,14}$';
/** ISO 3166-1 alpha-2, as libphonenumber names regions (GB, not UK). */
export const COUNTRY_PATTERN = '^[A-Z]{2}$';
/** A conversion-breaker scope: `country:GB` or `prefix:+44791112`. */
export const SCOPE_PATTERN =
  '^(t:[A-Za-z0-9._-]{1,128}:)?(country:([A-Z]{2}|001)|prefix:\\+[1-9][0-9]{0,14}|range:\\+[1-9][0-9]{0,14})$';
export const RULE_KINDS: readonly NumberRuleKind[] = Object.freeze(['block', 'safe']);
export const MAX_NOTE_LENGTH = 200;
export const MAX_CLIENT_ID_LENGTH = 128;
export const MAX_COUNTRIES = 300;
export const MAX_DAILY_MESSAGES = 1_000_000_000;
/** In currency units. */
export const MAX_DAILY_BUDGET = 1e9;

const PREFIX = new RegExp(PREFIX_PATTERN);
const COUNTRY = new RegExp(COUNTRY_PATTERN);
const SCOPE = new RegExp(SCOPE_PATTERN);

const invalid = (message: string) => new OtpdError('INVALID_ARGUMENT', message);
// Characters as JSON Schema's maxLength counts them (code points), so the API's schema and these
// checks agree on text outside the Basic Multilingual Plane too.
const characters = (s: string) => [...s].length;

// Validators: each returns its input or throws INVALID_ARGUMENT. `name` is how the caller calls the
// field (a CLI flag, say), so the message speaks the caller's language while the rule is this one.

export function checkKind(kind: string): NumberRuleKind {
  if (!(RULE_KINDS as readonly string[]).includes(kind)) throw invalid(`"${kind}" is not a rule kind: block or safe`);
  return kind as NumberRuleKind;
}

export function checkPrefix(prefix: string): string {
  if (!PREFIX.test(prefix)) {
    throw invalid(`"${prefix}" is not a number or prefix in E.164 form: a + then 1 to 15 digits, e.g. +4479111`);
  }
  return prefix;
}

export function checkNote(note: string | null | undefined, name = 'note'): string | null {
  if (note !== undefined && note !== null && characters(note) > MAX_NOTE_LENGTH) {
    throw invalid(`${name} must be at most ${MAX_NOTE_LENGTH} characters`);
  }
  return note ?? null;
}

export function checkClientId(clientId: string): string {
  if (clientId.length === 0) throw invalid('the client id must not be empty');
  if (characters(clientId) > MAX_CLIENT_ID_LENGTH) {
    throw invalid(`the client id must be at most ${MAX_CLIENT_ID_LENGTH} characters`);
  }
  return clientId;
}

/** An allow or deny list of countries; null (the configured default) passes. An empty list is allowed. */
export function checkCountries(c: ClientPolicy['countries'], name = 'countries'): ClientPolicy['countries'] {
  if (c === null) return null;
  if (c.mode !== 'allow' && c.mode !== 'deny') throw invalid(`${name}: the mode must be allow or deny`);
  const bad = c.list.find((code) => !COUNTRY.test(code));
  if (bad !== undefined) throw invalid(`${name}: "${bad}" is not an ISO 3166-1 alpha-2 country code (e.g. ES, FR, GB)`);
  if (c.list.length > MAX_COUNTRIES) throw invalid(`${name}: at most ${MAX_COUNTRIES} country codes`);
  return c;
}

/** Messages per UTC day; 0 is unlimited, null the configured default. */
export function checkDailyMessages(n: number | null, name = 'dailyMessages'): number | null {
  if (n !== null && !(Number.isInteger(n) && n >= 0 && n <= MAX_DAILY_MESSAGES)) {
    throw invalid(`${name} must be a whole number from 0 (unlimited) to ${MAX_DAILY_MESSAGES}`);
  }
  return n;
}

/** Spend per UTC day in currency units; 0 is unlimited, null the configured default. */
export function checkDailyBudget(x: number | null, name = 'dailyBudget'): number | null {
  if (x !== null && !(Number.isFinite(x) && x >= 0 && x <= MAX_DAILY_BUDGET)) {
    throw invalid(`${name} must be an amount in currency units from 0 (unlimited) to ${MAX_DAILY_BUDGET}`);
  }
  return x;
}

export function checkScope(scope: string): string {
  if (!SCOPE.test(scope)) {
    throw invalid(
      `"${scope}" is not a block scope: country:<ISO code> or prefix:+<digits> (the global breaker's), ` +
        "t:<client>:country:<ISO code> or t:<client>:range:+<digits> (the range guard's)",
    );
  }
  return scope;
}

export type PolicyChange = {
  countries?: ClientPolicy['countries'];
  dailyMessages?: number | null;
  /** Currency units, as operators think of it; stored as micros. */
  dailyBudget?: number | null;
};

/** Every field given is valid; absent ones are not looked at (they keep their stored value). */
export function checkPolicyChange(c: PolicyChange): PolicyChange {
  if (c.countries !== undefined) checkCountries(c.countries);
  if (c.dailyMessages !== undefined) checkDailyMessages(c.dailyMessages);
  if (c.dailyBudget !== undefined) checkDailyBudget(c.dailyBudget);
  return c;
}

/**
 * Applies a change over the stored policy. Absent fields are kept rather than reset: a change that only
 * raises a quota must not silently drop a country allow-list (that would widen what the client may do).
 */
export function mergePolicy(clientId: string, old: ClientPolicy | null, c: PolicyChange, now: number): ClientPolicy {
  const countries =
    c.countries === undefined
      ? (old?.countries ?? null)
      : c.countries && { mode: c.countries.mode, list: [...new Set(c.countries.list)] };
  const budget =
    c.dailyBudget === undefined
      ? (old?.dailyBudgetMicros ?? null)
      : c.dailyBudget === null
        ? null
        : Math.round(c.dailyBudget * 1e6);
  return {
    clientId,
    countries,
    dailyMessages: c.dailyMessages === undefined ? (old?.dailyMessages ?? null) : c.dailyMessages,
    dailyBudgetMicros: budget,
    updatedAt: now,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

export const presentRule = (r: NumberRule) => ({
  kind: r.kind,
  prefix: r.prefix,
  note: r.note,
  createdAt: iso(r.createdAt),
});
export type RuleView = ReturnType<typeof presentRule>;

/** A block as operators read it; the range guard's also name their tenant, and what they do. */
export const presentBlock = (b: ScopeBlock) => {
  const guard = parseGuardScope(b.scope);
  return {
    scope: b.scope,
    source: guard ? ('range_guard' as const) : ('conversion_breaker' as const),
    clientId: guard?.clientId ?? null,
    action: b.action ?? 'block',
    /** Sends per hour a throttle admits (and the throttle that follows a block will). */
    perHour: b.perHour ?? 0,
    strikes: b.strikes ?? 0,
    until: iso(b.until),
    shadow: b.shadow,
    reason: b.reason,
    createdAt: iso(b.createdAt),
  };
};
export type BlockView = ReturnType<typeof presentBlock>;

/** A policy as operators read it; null fields (and `stored: false`) mean "the configured default". */
export function presentPolicy(clientId: string, p: ClientPolicy | null) {
  if (!p) return { clientId, countries: null, dailyMessages: null, dailyBudget: null, updatedAt: null, stored: false };
  return {
    clientId,
    countries: p.countries,
    dailyMessages: p.dailyMessages,
    dailyBudget: p.dailyBudgetMicros === null ? null : p.dailyBudgetMicros / 1e6,
    updatedAt: iso(p.updatedAt),
    stored: true,
  };
}
export type PolicyView = ReturnType<typeof presentPolicy>;

/** The part of the store administration uses (admission and the breaker use the rest). */
export type AbuseAdminStore = Pick<
  AbuseStore,
  | 'putNumberRule'
  | 'deleteNumberRule'
  | 'listNumberRules'
  | 'getClientPolicy'
  | 'putClientPolicy'
  | 'listClientPolicies'
  | 'listBlocks'
  | 'deleteBlock'
>;

/**
 * The operations. Each validates its input with the checks above (INVALID_ARGUMENT, nothing stored),
 * reports a missing target as NOT_FOUND, and returns what it changed in the form operators read.
 */
export class AbuseAdmin {
  readonly #store: AbuseAdminStore;
  readonly #clock: Clock;

  constructor(deps: { store: AbuseAdminStore; clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /** The rules of one kind, or of both. */
  async listRules(kind?: NumberRuleKind): Promise<RuleView[]> {
    if (kind !== undefined) checkKind(kind);
    return (await this.#store.listNumberRules(kind)).map(presentRule);
  }

  /** Adds a rule, or replaces the note of the rule with this kind and prefix; the most specific rule wins. */
  async putRule(input: { kind: NumberRuleKind; prefix: string; note?: string | null | undefined }): Promise<RuleView> {
    const rule: NumberRule = {
      kind: checkKind(input.kind),
      prefix: checkPrefix(input.prefix),
      note: checkNote(input.note),
      createdAt: this.#clock.now(),
    };
    await this.#store.putNumberRule(rule);
    return presentRule(rule);
  }

  /** Removes a rule; NOT_FOUND (without echoing the number) when there is none. */
  async removeRule(kind: NumberRuleKind, prefix: string): Promise<void> {
    if (!(await this.#store.deleteNumberRule(checkKind(kind), checkPrefix(prefix)))) {
      throw new OtpdError('NOT_FOUND', `no ${kind} rule for that prefix`);
    }
  }

  /**
   * A client's policy; one never set reads as all defaults (`stored: false`). `within` is the tenant
   * the caller is confined to (a client key's): any other client is then NOT_FOUND, the same answer
   * whether that client exists or not.
   */
  async policy(clientId: string, within?: string): Promise<PolicyView> {
    checkClientId(clientId);
    if (within !== undefined && clientId !== within) throw new OtpdError('NOT_FOUND');
    return presentPolicy(clientId, await this.#store.getClientPolicy(clientId));
  }

  /** Clients with a policy of their own; with `within`, that client's alone (if it has one). */
  async listPolicies(within?: string): Promise<PolicyView[]> {
    if (within !== undefined) {
      const own = await this.#store.getClientPolicy(checkClientId(within));
      return own ? [presentPolicy(within, own)] : [];
    }
    return (await this.#store.listClientPolicies()).map((p) => presentPolicy(p.clientId, p));
  }

  /** Applies a change to a client's policy (see {@link mergePolicy}) and returns the policy now stored. */
  async setPolicy(clientId: string, change: PolicyChange): Promise<PolicyView> {
    checkClientId(clientId);
    checkPolicyChange(change);
    // Read-modify-write without a lock: two operators editing different fields of one client at the
    // same instant may lose one edit. Rare, visible in the answer, and fixed by repeating it.
    const next = mergePolicy(clientId, await this.#store.getClientPolicy(clientId), change, this.#clock.now());
    await this.#store.putClientPolicy(next);
    return presentPolicy(clientId, next);
  }

  /**
   * Blocks and throttles in force now, shadow ones included: the global breaker's and the range
   * guard's. With `within` (a client key's tenant), that tenant's range guard decisions only.
   */
  async blocks(within?: string): Promise<BlockView[]> {
    const all = await this.#store.listBlocks(this.#clock.now());
    const mine = within === undefined ? all : all.filter((b) => parseGuardScope(b.scope)?.clientId === within);
    return mine.map(presentBlock);
  }

  /**
   * Lifts a block in force early; the breaker then leaves the scope unjudged for one window. NOT_FOUND
   * when no block is in force for it (of two concurrent lifts, one succeeds and one gets NOT_FOUND).
   */
  async liftBlock(scope: string): Promise<void> {
    if (!(await this.#store.deleteBlock(checkScope(scope), this.#clock.now()))) {
      throw new OtpdError('NOT_FOUND', 'no block in force for that scope');
    }
  }
}
