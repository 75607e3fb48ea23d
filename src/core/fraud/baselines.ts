import type { RangeBaseline, ScopeBlock, SendFact } from '../ports/abuse.ts';
import { covered, factScopes, implicatedSources } from './judge.ts';

const HOUR = 3_600_000;

export interface BaselineOptions {
  /** Weight of the newest hour in the running average (1/24: about a day of memory). */
  readonly alpha: number;
  /** Most scopes kept per tenant (the busiest); the rest are forgotten, so the table stays bounded. */
  readonly maxPerClient: number;
}

/**
 * The baselines after one more settled hour: per tenant and scope, sends and credible validations
 * per hour as running averages. Only scopes where real users validated start a baseline, so an
 * attack never teaches the guard that its own volume is normal; a known scope's sends may at most
 * double per hour, or grow to three times its validations, for the same reason. Scopes that fall
 * silent decay and are dropped.
 */
export function learnBaselines(input: {
  readonly prev: readonly RangeBaseline[];
  /** Sends of the settled hour [from, from + 1 h): old enough that the provisional window has passed. */
  readonly facts: readonly SendFact[];
  readonly decisions: ReadonlyMap<string, ScopeBlock>;
  readonly from: number;
  readonly now: number;
  readonly options: BaselineOptions;
}): RangeBaseline[] {
  const { alpha, maxPerClient } = input.options;
  const implicated = implicatedSources(input.facts);
  const hour = new Map<string, { clientId: string; sent: number; validated: number }>();
  for (const f of input.facts) {
    if (f.createdAt < input.from || f.createdAt >= input.from + HOUR) continue;
    const scopes = factScopes(f);
    if (covered(f, scopes, input.decisions, input.now)) continue;
    const ok = f.verifiedAt !== null && (f.trusted || !f.sources.some((s) => implicated.has(`${f.clientId}|${s}`)));
    for (const scope of scopes) {
      const h = hour.get(scope) ?? { clientId: f.clientId, sent: 0, validated: 0 };
      h.sent += 1;
      if (ok) h.validated += 1;
      hour.set(scope, h);
    }
  }
  const next = new Map<string, RangeBaseline>();
  for (const b of input.prev) {
    const h = hour.get(b.scope);
    const sent = Math.min(h?.sent ?? 0, 2 * b.sentPerHour + 1, 3 * (h?.validated ?? 0) + 1);
    next.set(b.scope, {
      ...b,
      sentPerHour: (1 - alpha) * b.sentPerHour + alpha * sent,
      validatedPerHour: (1 - alpha) * b.validatedPerHour + alpha * (h?.validated ?? 0),
      updatedAt: input.now,
    });
  }
  for (const [scope, h] of hour) {
    if (next.has(scope) || h.validated === 0) continue;
    const sent = Math.min(h.sent, 3 * h.validated + 1);
    next.set(scope, {
      clientId: h.clientId,
      scope,
      sentPerHour: sent,
      validatedPerHour: h.validated,
      updatedAt: input.now,
    });
  }
  const perClient = new Map<string, RangeBaseline[]>();
  for (const b of next.values()) {
    if (b.sentPerHour < 0.05) continue;
    perClient.set(b.clientId, [...(perClient.get(b.clientId) ?? []), b]);
  }
  return [...perClient.values()].flatMap((list) =>
    list.sort((a, b) => b.sentPerHour - a.sentPerHour || (a.scope < b.scope ? -1 : 1)).slice(0, maxPerClient),
  );
}
