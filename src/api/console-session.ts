import { timingSafeEqual } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { OtpdError } from '../core/errors.ts';
import { randomHex } from '../core/random.ts';

export const CONSOLE_COOKIE = 'otpd_console';
/** The header a console page sends its session's CSRF token in, on every request that changes something. */
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Sessions kept at once; the oldest go first. */
const MAX_SESSIONS = 10_000;

interface Session {
  /** An access token of the key signed in with: each request re-reads that key, so a revoke ends the session. */
  readonly token: string;
  readonly csrf: string;
  readonly until: number;
}

/**
 * The web console's sessions: a random id in an HttpOnly cookie names, on the server, an access
 * token of the key the operator signed in with and a CSRF token. Signing out deletes the session
 * here, so the cookie is worth nothing afterwards; they live in this process's memory (behind
 * several replicas, a console user needs to stay on one).
 */
export class ConsoleSessions {
  readonly #m = new Map<string, Session>();
  readonly #clock: Clock;
  readonly lifetimeMs: number;

  constructor(clock: Clock, lifetimeMs: number) {
    this.#clock = clock;
    this.lifetimeMs = lifetimeMs;
  }

  open(token: string): { id: string; csrf: string } {
    if (this.#m.size >= MAX_SESSIONS) this.#m.delete(this.#m.keys().next().value!);
    const id = randomHex(32);
    const csrf = randomHex(32);
    this.#m.set(id, { token, csrf, until: this.#clock.now() + this.lifetimeMs });
    return { id, csrf };
  }

  find(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const s = this.#m.get(id);
    if (s && s.until > this.#clock.now()) return s;
    this.#m.delete(id);
    return undefined;
  }

  close(id: string | undefined): void {
    if (id !== undefined) this.#m.delete(id);
  }

  /** The session id a request's cookie names, if any. */
  static idOf(req: FastifyRequest): string | undefined {
    return parseCookie(req.headers.cookie ?? '')[CONSOLE_COOKIE];
  }

  /**
   * The credential a request without an Authorization header carries by its console cookie: the
   * session's access token as a Bearer header. A request that changes something must also carry
   * the session's CSRF token (a cross-site page can make the browser send the cookie, not read it).
   */
  credential(req: FastifyRequest): string | undefined {
    const s = this.find(ConsoleSessions.idOf(req));
    if (!s) return undefined;
    if (!SAFE_METHODS.has(req.method) && !sameToken(req.headers[CSRF_HEADER], s.csrf))
      throw new OtpdError('PERMISSION_DENIED', 'The CSRF token is missing or wrong: reload the console.');
    return `Bearer ${s.token}`;
  }
}

function sameToken(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string' || sent.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
}
