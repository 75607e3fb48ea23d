import type { FastifyReply, FastifyRequest } from 'fastify';
import { OtpdError } from '../core/errors.ts';
import type { Scope } from '../core/api-keys.ts';
import { requireOperator, requireScope, type Authenticator } from './auth.ts';
import type { RateLimiter, RateRule } from '../core/ports/rate-limiter.ts';

/** `reach: 'operator'`: the route also needs an operator key (a client key is PERMISSION_DENIED). */
export type Guard = (scope: Scope, reach?: 'operator') => (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Authenticates, checks the scope (and the key's kind), then spends one request from the client's rate budget. */
export function makeGuard(auth: Authenticator, limiter: RateLimiter, requestRate: RateRule): Guard {
  return (scope, reach) => async (req) => {
    const principal = await auth.authenticate(req.headers.authorization);
    requireScope(principal, scope);
    if (reach === 'operator') requireOperator(principal);
    req.principal = principal;
    const wait = await limiter.take(`client:${principal.clientId}`, requestRate);
    if (wait > 0) throw new OtpdError('TOO_MANY_REQUESTS', undefined, wait);
  };
}
