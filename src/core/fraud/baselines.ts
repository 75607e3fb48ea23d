import type { RangeBaseline, ScopeBlock, SendFact } from '../ports/abuse.ts';
import { credible, factScopes, implicatedSources } from './tree.ts';

const HOUR = 3_600_000;

export interface BaselineOptions {
  /** Weight of the newest hour in the running average (1/24: about a day of memory). */
  readonly alpha: number;
  /** Most scopes kept per tenant (the busiest); the rest are forgotten, so the table stays bounded. */
  readonly maxPerClient: number;
}

/**
 * The baselines after one more settled hour: per tenant and scope, sends and credible validations
 * per hour as running averages. Only scopes where real users validated start a baseline, and no
 * send in a scope that offended counts, so an attack (even one that validates a share of its own
 * codes) never teaches the guard that its own volume is normal; a known scope's sends may at most
 * double per hour, or grow to three times its validations, for the same reason. Scopes that fall
 * silent decay and are dropped.
 */
export function learnBaselines(input: {
  readonly prev: readonly RangeBaseline[];
  /** Sends of the settled hour [from, from + 1 h): old enough that the provisional window has passed. */
  readonly facts: readonly SendFact[];
  readonly decisions: ReadonlyMap<string, ScopeBlock>;
  /** How long offences are remembered (GuardOptions.memoryMs). */
  readonly memoryMs: number;
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
    // A send in a scope that offended within memory teaches nothing, anywhere: an attacker that
    // validates a share of its codes must not make its own volume normal for the range or around it.
    if (scopes.some((x) => (input.decisions.get(x)?.until ?? 0) > input.now - input.memoryMs)) continue;
    const ok = credible(f, implicated);
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
