import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, OtpdError } from '../core/errors.ts';
import { toHttpError, type HttpError } from './error-map.ts';

/**
 * An API surface's way of answering an error: each surface (CAMARA, the native API, the Twilio
 * compatible one, otpd's own operator routes) words the same catalogued error in its own body.
 * The status comes from api/error-map.ts, except where a surface's contract pins another.
 */
export interface ErrorSurface {
  readonly name: string;
  /** The path prefix the surface is served under ('' for otpd's own routes, the fallback). */
  readonly prefix: string;
  readonly contentType: string;
  /**
   * Status, body and extra headers of `h` on this surface; `requestId` names an unexpected error;
   * `err` is the error itself, for what a surface carries beyond the catalogue (a challenge).
   */
  render(
    h: HttpError,
    requestId: string,
    err?: unknown,
  ): { status: number; body: unknown; headers?: Record<string, string> };
}

/** otpd's own operator routes (health, metrics, admin, tokens): `{status, code, message}`. */
export const OTPD_SURFACE: ErrorSurface = {
  name: 'otpd',
  prefix: '',
  contentType: 'application/json',
  render(h, requestId) {
    const message =
      h.code === 'INTERNAL' ? `${ERRORS.INTERNAL} Request id: ${requestId}` : (h.detail ?? ERRORS[h.code]);
    return {
      status: h.status,
      body: { status: h.status, code: h.code, message },
      headers: bearerChallenge(h.status),
    };
  },
};

/** The surface whose prefix holds `url` (the longest one), else otpd's own. */
export function surfaceFor(surfaces: readonly ErrorSurface[], url: string): ErrorSurface {
  const path = url.split('?', 1)[0] ?? '';
  let best = OTPD_SURFACE;
  for (const s of surfaces) {
    if (s.prefix.length > best.prefix.length && (path === s.prefix || path.startsWith(`${s.prefix}/`))) best = s;
  }
  return best;
}

/** The status, headers and body of `err` as `surface` words it. */
export function rendered(surface: ErrorSurface, err: unknown, requestId: string) {
  const h = toHttpError(err);
  const r = surface.render(h, requestId, err);
  return { h, status: r.status, body: r.body, headers: { ...h.headers, ...r.headers } };
}

export function sendError(
  reply: FastifyReply,
  surface: ErrorSurface,
  err: unknown,
  req: FastifyRequest,
  log?: FastifyBaseLogger,
): FastifyReply {
  const r = rendered(surface, err, req.id);
  if (r.h.unexpected) (log ?? req.log).error({ err, route: req.routeOptions.url }, 'unexpected error');
  void reply.code(r.status).headers(r.headers).type(surface.contentType);
  return reply.send(r.body);
}

/**
 * Gives `scope` (a surface's plugin, or the root app for otpd's own routes) its error and
 * not-found handlers. `pick` chooses the surface per request where one scope serves several
 * (the root's method-not-allowed routes cover every surface's paths); `notFound` is the error
 * an unknown path under it answers.
 */
export function useSurface(
  scope: FastifyInstance,
  pick: (req: FastifyRequest) => ErrorSurface,
  notFound: (req: FastifyRequest) => unknown = () => new OtpdError('NOT_FOUND'),
): void {
  // The root's onRequest hook answers an unknown path before its body is read, as NOT_FOUND.
  const unknownPath = (err: unknown, req: FastifyRequest) =>
    req.is404 && err instanceof OtpdError && err.code === 'NOT_FOUND' ? notFound(req) : err;
  scope.setErrorHandler((err, req, reply) => sendError(reply, pick(req), unknownPath(err, req), req));
  scope.setNotFoundHandler((req, reply) => sendError(reply, pick(req), notFound(req), req));
}

/** A Bearer challenge on a 401, as RFC 6750 asks of the surfaces that take Bearer credentials. */
export const bearerChallenge = (status: number): Record<string, string> =>
  status === 401 ? { 'www-authenticate': 'Bearer' } : {};
