import type { Clock } from './clock.ts';
import { maskPhone, maskPrefix } from './codes.ts';
import { OtpdError } from './errors.ts';
import type { AbuseStore, AdmissionFacts, ClientPolicy, NumberRule } from './ports/abuse.ts';
import type { PhoneInfo } from './ports/phone.ts';
import type { RateRule, RateTake } from './ports/rate-limiter.ts';
import type { NumberType } from './ports/phone.ts';
import { countryScope, guardScopes, ipKey, netKey, parseGuardScope } from './fraud/ranges.ts';

export { ipKey } from './fraud/ranges.ts';

/** Why a send-code was refused (or, in shadow mode, would have been) by a defence. */
export type AbuseReason =
  | 'block_list'
  | 'number_type'
  | 'country'
  | 'conversion_breaker'
  | 'range_block'
  | 'range_throttle'
  | 'spend_cap'
  | 'velocity_client'
  | 'velocity_ip'
  | 'velocity_prefix'
  | 'velocity_country';

export interface AbuseEvent {
  readonly reason: AbuseReason;
  readonly clientId: string;
  /** Masked: never a full number. */
  readonly phone: string;
  readonly scope?: string;
  readonly shadow: boolean;
}

export interface AbusePolicy {
  /** Exact numbers or prefixes from the configuration (run-time rules come from the store). */
  readonly blockList: readonly string[];
  readonly refusedNumberTypes: ReadonlySet<NumberType>;
  /** Countries for clients without a policy of their own. */
  readonly countries: { readonly mode: 'allow' | 'deny'; readonly list: readonly string[] };
  readonly velocity: {
    readonly client: RateRule;
    readonly ip: RateRule;
    /** Per network (IPv6 /48, IPv4 /24): a new /64 inside one /48 each time is one network. */
    readonly net: RateRule;
    readonly prefix: RateRule;
    readonly country: RateRule;
  };
  /**
   * Whether the per-IP limit applies to the socket address too (`always`) or only to end-user IPs
   * learnt from a trusted proxy (`proxied`): server-to-server callers all share one address.
   */
  readonly ipLimitScope: 'always' | 'proxied';
  readonly dailyQuota: number;
  readonly dailyBudgetMicros: number;
  /**
   * With prices configured: a tenant's spend per destination country and hour is capped at
   * `factor` times its learnt baseline, and at least `minPerHourMicros`, so that damage stays small
   * while the range guard gathers evidence. Absent: no cap.
   */
  readonly spendCap?: { readonly factor: number; readonly minPerHourMicros: number } | undefined;
}

/** A velocity budget the send must spend, and how its refusal is reported. */
export interface VelocityTake extends RateTake {
  readonly reason: AbuseReason;
  /** The scope as the abuse event names it: `client`, `ip`, `prefix` or `country:XX`. */
  readonly scope: string;
}

/** What the admitted send may do, for the store's limits and the conversion statistics. */
export interface Admitted {
  readonly country: string | undefined;
  readonly prefix: string;
  readonly dailyQuota: number;
  readonly dailyBudgetMicros: number;
  /** The velocity budgets, in the order they are judged; the store spends them with the send, or none. */
  readonly rates: readonly VelocityTake[];
}

/** The number without its last 4 digits: pumping walks through one such block of 10 000 numbers. */
export const numberPrefix = (e164: string): string => e164.slice(0, Math.max(2, e164.length - 4));

/**
 * A guard scope as it may appear in a log line: without the tenant (the line names the client),
 * a range cut as a prefix is (see logScope).
 */
export function guardLogScope(scope: string): string {
  const p = parseGuardScope(scope);
  if (!p) return logScope(scope);
  return p.kind === 'country' ? `country:${p.value}` : `range:${maskPrefix(p.value)}`;
}

/**
 * A scope as it may appear in a log line: a prefix keeps only its first digits, because next to a
 * masked number (+3462*****33) a whole prefix would give the number away.
 */
export const logScope = (scope: string): string =>
  scope.startsWith('prefix:') ? `prefix:${maskPrefix(scope.slice('prefix:'.length))}` : scope;

/**
 * The most specific entry wins, configured and run-time entries alike; on a tie a block wins.
 * So a safe number inside a blocked prefix is safe, and a broad safe prefix cannot lift a
 * specific block.
 */
function verdict(
  rules: readonly NumberRule[],
  configBlocks: readonly string[],
  phone: string,
): 'block' | 'safe' | undefined {
  const entries = [
    ...rules.map((r) => ({ kind: r.kind, len: r.prefix.length })),
    ...configBlocks.filter((p) => phone.startsWith(p)).map((p) => ({ kind: 'block' as const, len: p.length })),
  ];
  entries.sort((x, y) => y.len - x.len || (x.kind === 'block' ? -1 : 1));
  return entries[0]?.kind;
}

/** Valid numbers outside any country (satellite, international networks) get the ITU's "001". */
export const NON_GEOGRAPHIC = '001';

function countryAllowed(country: string | undefined, p: ClientPolicy['countries'] & object): boolean {
  const listed = country !== undefined && p.list.includes(country);
  return p.mode === 'allow' ? listed : !listed;
}

/**
 * The abuse defences of send-code, in order: block list (configured and run-time), number validity
 * and line type, country permissions, the conversion breaker, then velocity limits per client, IP,
 * prefix and country. A safe-listed number skips the heuristics (breaker, IP/prefix/country
 * velocity) but not explicit rules. Facts are read from the store on every call, so a change made
 * on any replica applies to the next request. The velocity limits are only named here: the store
 * spends them in the send's own write (all or none), and `refuseVelocity` reports a refusal.
 */
export interface AdmissionDeps {
  readonly store: AbuseStore;
  readonly clock: Clock;
  readonly policy: AbusePolicy;
  readonly onAbuse: (e: AbuseEvent) => void;
}

export class Admission {
  readonly #d: AdmissionDeps;

  constructor(d: AdmissionDeps) {
    this.#d = d;
  }

  /**
   * Throws the CAMARA error of the first defence that refuses; otherwise says what the send may
   * spend, velocity budgets included.
   */
  async admit(
    clientId: string,
    phone: string,
    o: {
      isTest: boolean;
      ip: string | undefined;
      ipProxied: boolean;
      info: PhoneInfo;
      /** The API's request budget, spent by the same read (see SendContext.request). */
      request?: RateTake | undefined;
      /** The tenant vouches for the end user: the range guard's throttles and blocks do not apply. */
      trusted?: boolean;
      /** The client solved a proof-of-work challenge for this number: the range guard's throttles do not apply. */
      challengeSolved?: boolean;
      /** The number's keyed index: whether it validated a code before is asked only when the guard acts. */
      phoneIndex?: Buffer;
      /** The message's expected cost in millionths of the currency (0: no prices, no spend cap). */
      costMicros?: number;
    },
  ): Promise<Admitted> {
    const { policy, clock } = this.#d;
    const info = o.info;
    const country = info.country ?? (info.valid ? NON_GEOGRAPHIC : undefined);
    const prefix = numberPrefix(phone);
    const scopes = [
      ...(country ? [`country:${country}`] : []),
      `prefix:${prefix}`,
      ...(o.isTest ? [] : guardScopes(clientId, country, phone)),
    ];
    const facts = await this.#d.store.admissionFacts(clientId, phone, scopes, clock.now(), o.request);
    // The request rate, not a defence: no abuse event, as when the API itself refuses it.
    if (facts.requestRetryAfter) throw new OtpdError('TOO_MANY_REQUESTS', undefined, facts.requestRetryAfter);
    const refuse = (reason: AbuseReason, code: OtpdError['code'], scope?: string): never => {
      this.#d.onAbuse({
        reason,
        clientId,
        phone: maskPhone(phone),
        shadow: false,
        ...(scope ? { scope: logScope(scope) } : {}),
      });
      throw new OtpdError(code, undefined, undefined, reason);
    };
    const listed = verdict(facts.rules, policy.blockList, phone);
    if (listed === 'block') refuse('block_list', 'RECIPIENT_BLOCKED');
    if (!o.isTest) {
      if (!info.valid) throw new OtpdError('INVALID_ARGUMENT', 'the phone number is not a valid number');
      if (policy.refusedNumberTypes.has(info.type)) refuse('number_type', 'RECIPIENT_NOT_ALLOWED', `type:${info.type}`);
      if (!countryAllowed(country, facts.policy?.countries ?? policy.countries))
        refuse('country', 'RECIPIENT_NOT_ALLOWED', `country:${country ?? '??'}`);
    }
    const safe = listed === 'safe' || o.isTest;
    if (!safe) this.#breaker(clientId, phone, facts, refuse);
    const throttles = safe ? [] : await this.#rangeGuard(clientId, phone, facts, o, refuse);
    const ip = safe || (policy.ipLimitScope === 'proxied' && !o.ipProxied) ? undefined : o.ip;
    return {
      country,
      prefix,
      dailyQuota: facts.policy?.dailyMessages ?? policy.dailyQuota,
      dailyBudgetMicros: facts.policy?.dailyBudgetMicros ?? policy.dailyBudgetMicros,
      rates: [
        ...this.#velocity(clientId, { ip, prefix: safe ? undefined : prefix, country: safe ? undefined : country }),
        ...throttles,
        ...(safe ? [] : this.#spendCap(clientId, country, facts, o.costMicros ?? 0)),
      ],
    };
  }

  /**
   * An email send: the address's own block and safe rules do not exist, so what applies is the
   * client's day (quota, budget) and its velocity per client and per end-user IP. The address's
   * send windows are the store's, as for a number.
   */
  async admitEmail(
    clientId: string,
    o: { ip: string | undefined; ipProxied: boolean; request?: RateTake | undefined },
  ): Promise<Admitted> {
    const { policy, clock } = this.#d;
    const facts = await this.#d.store.admissionFacts(clientId, '', [], clock.now(), o.request);
    if (facts.requestRetryAfter) throw new OtpdError('TOO_MANY_REQUESTS', undefined, facts.requestRetryAfter);
    const ip = policy.ipLimitScope === 'proxied' && !o.ipProxied ? undefined : o.ip;
    return {
      country: undefined,
      prefix: '',
      dailyQuota: facts.policy?.dailyMessages ?? policy.dailyQuota,
      dailyBudgetMicros: facts.policy?.dailyBudgetMicros ?? policy.dailyBudgetMicros,
      rates: this.#velocity(clientId, { ip, prefix: undefined, country: undefined }),
    };
  }

  /** The tenant's hourly spend budget for the destination country, in messages of this cost. */
  #spendCap(clientId: string, country: string | undefined, facts: AdmissionFacts, costMicros: number): VelocityTake[] {
    const cap = this.#d.policy.spendCap;
    if (!cap || costMicros <= 0 || country === undefined) return [];
    const scope = countryScope(clientId, country);
    const normal = facts.baselines?.find((b) => b.scope === scope)?.sentPerHour ?? 0;
    const perHour = Math.max(cap.minPerHourMicros, cap.factor * normal * costMicros) / costMicros;
    return [
      {
        reason: 'spend_cap',
        key: `spend:${clientId}:${country}`,
        rule: { ratePerSecond: perHour / 3600, burst: Math.max(1, Math.floor(perHour / 4)) },
        scope: `country:${country}`,
      },
    ];
  }

  /**
   * The range guard's decisions on this tenant's ranges of the number (jobs/range-guard.ts makes
   * them): a block refuses, a throttle becomes one more budget the send spends. A send the tenant
   * vouches for, or to a number that validated before, is neither: real users inside an attacked
   * range keep getting codes. Shadow decisions are only reported.
   */
  async #rangeGuard(
    clientId: string,
    phone: string,
    facts: AdmissionFacts,
    o: { trusted?: boolean; challengeSolved?: boolean; phoneIndex?: Buffer },
    refuse: (r: AbuseReason, c: OtpdError['code'], s?: string) => never,
  ): Promise<VelocityTake[]> {
    const mine = facts.blocks.filter((b) => parseGuardScope(b.scope)?.clientId === clientId);
    if (mine.length === 0) return [];
    const live = mine.filter((b) => !b.shadow);
    for (const b of mine.filter((x) => x.shadow)) {
      const reason = b.action === 'throttle' ? 'range_throttle' : 'range_block';
      this.#d.onAbuse({ reason, clientId, phone: maskPhone(phone), scope: guardLogScope(b.scope), shadow: true });
    }
    if (live.length === 0 || o.trusted) return [];
    if (o.phoneIndex && (await this.#d.store.hasVerified(clientId, o.phoneIndex))) return [];
    const block = live.find((b) => b.action !== 'throttle');
    if (block) refuse('range_block', 'RECIPIENT_NOT_ALLOWED', guardLogScope(block.scope));
    if (o.challengeSolved) return [];
    return live.map((b) => {
      const perHour = Math.max(1, b.perHour ?? 1);
      return {
        reason: 'range_throttle' as const,
        key: `guard:${b.scope}`,
        rule: { ratePerSecond: perHour / 3600, burst: Math.max(1, Math.ceil(perHour / 12)) },
        scope: guardLogScope(b.scope),
      };
    });
  }

  /** The store refused the send on `take`: reported and answered as the velocity defence. */
  refuseVelocity(clientId: string, phone: string, take: VelocityTake, retryAfterSeconds: number): never {
    this.reportVelocity(clientId, phone, take);
    throw new OtpdError('TOO_MANY_REQUESTS', undefined, retryAfterSeconds, take.reason);
  }

  /** Reports a refusal on `take` that is answered otherwise (a proof-of-work challenge). */
  reportVelocity(clientId: string, phone: string, take: VelocityTake): void {
    this.#d.onAbuse({ reason: take.reason, clientId, phone: maskPhone(phone), shadow: false, scope: take.scope });
  }

  #breaker(
    clientId: string,
    phone: string,
    facts: AdmissionFacts,
    refuse: (r: AbuseReason, c: OtpdError['code'], s?: string) => never,
  ): void {
    for (const b of facts.blocks.filter((x) => parseGuardScope(x.scope) === undefined)) {
      if (!b.shadow) refuse('conversion_breaker', 'RECIPIENT_NOT_ALLOWED', b.scope);
      this.#d.onAbuse({
        reason: 'conversion_breaker',
        clientId,
        phone: maskPhone(phone),
        scope: logScope(b.scope),
        shadow: true,
      });
    }
  }

  /** The budgets a send spends, in the order they are judged: the first exhausted one refuses. */
  #velocity(
    clientId: string,
    k: { ip: string | undefined; prefix: string | undefined; country: string | undefined },
  ): VelocityTake[] {
    const v = this.#d.policy.velocity;
    const checks: [AbuseReason, string | undefined, RateRule, string][] = [
      // Keyed per client as well: tenants do not spend each other's budgets, and one tenant's
      // abuse cannot lock a prefix or a country for the others.
      ['velocity_client', `send:client:${clientId}`, v.client, 'client'],
      ['velocity_ip', k.ip && `send:ip:${clientId}:${ipKey(k.ip)}`, v.ip, 'ip'],
      ['velocity_ip', k.ip && `send:net:${clientId}:${netKey(k.ip)}`, v.net, 'net'],
      ['velocity_prefix', k.prefix && `send:prefix:${clientId}:${k.prefix}`, v.prefix, 'prefix'],
      ['velocity_country', k.country && `send:country:${clientId}:${k.country}`, v.country, `country:${k.country}`],
    ];
    return checks.flatMap(([reason, key, rule, scope]) =>
      key && rule.ratePerSecond > 0 ? [{ reason, key, rule, scope }] : [],
    );
  }
}
