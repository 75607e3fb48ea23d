import type { FastifyReply, FastifyRequest } from 'fastify';
import { OtpdError } from '../core/errors.ts';
import type { Scope } from '../core/api-keys.ts';
import { requireOperator, requireScope, type Authenticator } from './auth.ts';
import type { RateLimiter, RateRule, RateTake } from '../core/ports/rate-limiter.ts';

export interface GuardOptions {
  /** The route also needs an operator key (a client key is PERMISSION_DENIED). */
  readonly operator?: boolean;
  /**
   * The route's operation checks the key again in its own transaction (KeyCheck) and spends the
   * request budget in its first statement (SendContext.request): the verification routes. So the
   * key may come from the authenticator's cache, and the budget is left in `req.requestBudget`,
   * which saves a shared store two round trips per request.
   */
  readonly inOperation?: boolean;
  /** HTTP Basic credentials are accepted too (the Twilio-compatible surface). */
  readonly basic?: boolean;
}

export type Guard = (scope: Scope, o?: GuardOptions) => (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Authenticates, checks the scope (and the key's kind), then spends one request from the client's
 * rate budget, or leaves that to the route's operation (`inOperation`). The limiter and the stores
 * keep one budget per client, so a client has the same budget on every route.
 */
export function makeGuard(
  auth: Authenticator,
  limiter: RateLimiter,
  requestRate: RateRule,
  /** A web console session's credential, for a request without an Authorization header. */
  session?: (req: FastifyRequest) => string | undefined,
): Guard {
  return (scope, o = {}) =>
    async (req) => {
      const inOperation = o.inOperation === true;
      const header = req.headers.authorization ?? session?.(req);
      const principal =
        o.basic && /^Basic\s/i.test(header ?? '')
          ? await auth.authenticateBasic(header, { cached: inOperation })
          : await auth.authenticate(header, { cached: inOperation });
      requireScope(principal, scope);
      if (o.operator) requireOperator(principal);
      req.principal = principal;
      const budget: RateTake = { key: `client:${principal.clientId}`, rule: requestRate };
      if (inOperation) {
        req.requestBudget = requestRate.ratePerSecond > 0 ? budget : undefined;
        return;
      }
      const wait = await limiter.take(budget.key, budget.rule);
      if (wait > 0) throw new OtpdError('TOO_MANY_REQUESTS', undefined, wait);
    };
}
