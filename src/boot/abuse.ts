import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { Admission, logScope, type AbusePolicy } from '../core/admission.ts';
import type { Clock } from '../core/clock.ts';
import type { NumberType, PhoneInspector } from '../core/ports/phone.ts';
import type { Store } from '../core/ports/store.ts';
import type { Metrics } from '../metrics.ts';
import { ConversionBreaker } from '../jobs/conversion-breaker.ts';
import { RangeGuard, type RangeGuardOptions } from '../jobs/range-guard.ts';
import { parseGuardScope } from '../core/fraud/ranges.ts';

const rule = (v: { max: number; perSeconds: number }) => ({ ratePerSecond: v.max / v.perSeconds, burst: v.max });

export function abusePolicyFrom(c: Config): AbusePolicy {
  const v = c.abuse.velocity;
  return {
    blockList: c.numbers.blocked,
    refusedNumberTypes: new Set(c.numbers.refusedTypes as NumberType[]),
    countries: c.abuse.countries,
    velocity: {
      client: rule(v.perClient),
      ip: rule(v.perIp),
      net: rule(v.perNet),
      prefix: rule(v.perPrefix),
      country: rule(v.perCountry),
    },
    dailyQuota: c.limits.dailyMessageQuota,
    dailyBudgetMicros: Math.round(c.limits.dailyBudget * 1_000_000),
    ipLimitScope: c.abuse.velocity.perIpScope,
    spendCap:
      c.abuse.rangeGuard.enabled && c.abuse.rangeGuard.spendCap.enabled
        ? {
            factor: c.abuse.rangeGuard.spendCap.baselineFactor,
            minPerHourMicros: Math.round(c.abuse.rangeGuard.spendCap.minPerHour * 1_000_000),
          }
        : undefined,
  };
}

export interface AbuseDeps {
  readonly store: Store;
  readonly phones: PhoneInspector;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/** Part of the composition root: the send-code defences and the conversion breaker job. */
export function buildAbuse(c: Config, d: AbuseDeps) {
  const { metrics, log } = d;
  const admission = new Admission({
    store: d.store,
    clock: d.clock,
    policy: abusePolicyFrom(c),
    onAbuse: (e) => {
      metrics.abuse.inc({ reason: e.reason, shadow: String(e.shadow) });
      log.warn({ ...e }, e.shadow ? 'would refuse send-code (shadow mode)' : 'send-code refused by abuse defence');
    },
  });
  const b = c.abuse.conversionBreaker;
  const breaker = new ConversionBreaker({
    store: d.store,
    clock: d.clock,
    options: {
      windowMs: b.windowSeconds * 1000,
      minConversion: b.minConversion,
      minSentCountry: b.minSentCountry,
      minSentPrefix: b.minSentPrefix,
      cooldownMs: b.cooldownSeconds * 1000,
      intervalMs: b.intervalSeconds * 1000,
      shadow: b.shadow,
    },
    events: {
      tripped: (block, stat) => {
        metrics.breakerTrips.inc({ kind: block.scope.split(':')[0]!, shadow: String(block.shadow) });
        const scope = logScope(block.scope);
        const until = new Date(block.until).toISOString();
        log.warn(
          { scope, sent: stat.sent, verified: stat.verified, until, shadow: block.shadow },
          `conversion breaker ${block.shadow ? 'would block (shadow)' : 'blocks'} ${scope}: ${block.reason}`,
        );
      },
      error: (err) => log.error({ err }, 'conversion breaker failed'),
    },
  });
  const rangeGuard = new RangeGuard({
    store: d.store,
    clock: d.clock,
    options: rangeGuardOptions(c),
    events: {
      decided: ({ block, evidence }) => {
        const scope = parseGuardScope(block.scope)!;
        metrics.rangeDecisions.inc({ action: block.action ?? 'block', kind: scope.kind, shadow: String(block.shadow) });
        // A range of at least 100 numbers, not next to any number: logged whole, to be explainable.
        log.warn(
          {
            clientId: scope.clientId,
            scope: `${scope.kind}:${scope.value}`,
            action: block.action,
            until: new Date(block.until).toISOString(),
            strikes: block.strikes,
            perHour: block.perHour,
            shadow: block.shadow,
            evidence: { ...evidence, scope: undefined },
          },
          `range guard ${block.shadow ? 'would ' : ''}${block.action} ${scope.kind} ${scope.value}: ${block.reason}`,
        );
      },
      learned: (count) => metrics.rangeBaselines.set(count),
      error: (err) => log.error({ err }, 'range guard failed'),
    },
  });
  return { admission, breaker, enabled: b.enabled, rangeGuard, rangeGuardEnabled: c.abuse.rangeGuard.enabled };
}

/** The range guard's options, in milliseconds, from the validated configuration. */
export function rangeGuardOptions(c: Config): RangeGuardOptions {
  const g = c.abuse.rangeGuard;
  const ttlMs = c.code.ttlSeconds * 1000;
  return {
    windowMs: g.windowSeconds * 1000,
    intervalMs: g.intervalSeconds * 1000,
    newRangeBudget: g.newRangeBudget,
    probationBudget: g.probationBudget,
    failuresPerValidation: g.failuresPerValidation,
    baselineFactor: g.baselineFactor,
    // A code cannot be validated after it expires: the provisional window never outlasts it.
    minProvisionalMs: Math.min(g.minProvisionalSeconds * 1000, ttlMs),
    maxProvisionalMs: Math.min(g.maxProvisionalSeconds * 1000, ttlMs),
    throttleMs: g.throttleSeconds * 1000,
    throttleMinPerHour: g.throttleMinPerHour,
    blockMs: g.blockSeconds * 1000,
    maxBlockMs: g.maxBlockSeconds * 1000,
    memoryMs: g.memorySeconds * 1000,
    spreadChildren: g.spreadChildren,
    shadow: g.shadow,
    maxRows: g.maxRows,
    baselines: { alpha: 1 / 24, maxPerClient: g.maxBaselinesPerClient },
  };
}
