import type { SendResult } from '../core/ports/gateway.ts';
import { backoffDelay } from './backoff.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/** What happens to a message after one gateway call. */
export type Next =
  | { readonly kind: 'sent' }
  /** Final without a retry: permanent everywhere, or out of attempts. */
  | { readonly kind: 'final' }
  | { readonly kind: 'retry'; readonly retryAt: number; readonly routeStep: number };

/**
 * The routing decision for one attempt at route step `step` of a route with `routeLength`
 * gateways. Failover (next gateway, at once) on a permanent error or a timeout; backoff with
 * jitter on the same gateway for other transient errors; a timeout on the last gateway starts the
 * route over after a backoff.
 *
 * `maxAttempts` bounds the calls whose outcome says nothing for sure: timeouts (the provider may
 * have sent the SMS) and messages with no expiry. A plain transient refusal (throttled, 5xx, a
 * refused connection, a link error) proves nothing was sent, so it never ends a message whose code
 * is still valid at `validUntil`: the message waits for the gateway, and the claim expires it
 * (`expired`, never sent late) once its code can no longer be used.
 */
export function decide(
  r: SendResult,
  at: { attempt: number; step: number; routeLength: number; now: number; validUntil?: number | undefined },
  p: RetryPolicy,
  random01: () => number,
): Next {
  if (r.ok) return { kind: 'sent' };
  const waitsForGateway = r.kind === 'transient' && !r.timeout && at.validUntil !== undefined && at.now < at.validUntil;
  if (at.attempt >= p.maxAttempts && !waitsForGateway) return { kind: 'final' };
  const hasNext = at.step + 1 < at.routeLength;
  if ((r.kind === 'permanent' || r.timeout) && hasNext)
    return { kind: 'retry', retryAt: at.now, routeStep: at.step + 1 };
  if (r.kind === 'permanent') return { kind: 'final' };
  // A provider's Retry-After is honoured up to our own longest backoff: a code lives minutes, not days.
  const delay = Math.max(
    backoffDelay(at.attempt, p.backoffBaseMs, p.backoffMaxMs, random01),
    Math.min(r.retryAfterMs ?? 0, p.backoffMaxMs),
  );
  return { kind: 'retry', retryAt: at.now + delay, routeStep: r.timeout ? 0 : at.step };
}
