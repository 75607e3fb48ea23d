import type { FastifyReply, FastifyRequest } from 'fastify';
import { OtpdError } from '../core/errors.ts';
import type { Scope } from '../core/api-keys.ts';
import { requireScope, type Authenticator } from './auth.ts';
import type { RateLimiter, RateRule } from '../core/ports/rate-limiter.ts';

export type Guard = (scope: Scope) => (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Authenticates, checks the scope, then spends one request from the client's rate budget. */
export function makeGuard(auth: Authenticator, limiter: RateLimiter, requestRate: RateRule): Guard {
  return (scope) => async (req) => {
    const principal = await auth.authenticate(req.headers.authorization);
    requireScope(principal, scope);
    req.principal = principal;
    const wait = await limiter.take(`client:${principal.clientId}`, requestRate);
    if (wait > 0) throw new OtpdError('TOO_MANY_REQUESTS', undefined, wait);
  };
}
