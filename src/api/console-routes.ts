import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { stringifySetCookie } from 'cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OtpdError } from '../core/errors.ts';
import type { Authenticator } from './auth.ts';
import { CONSOLE_COOKIE, ConsoleSessions } from './console-session.ts';
import { pageHeaders } from './page-headers.ts';

const WEB = fileURLToPath(new URL('../../web/console/', import.meta.url));
const UPLOT = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  'console.js': { file: join(WEB, 'console.js'), type: 'text/javascript; charset=utf-8' },
  'overview.js': { file: join(WEB, 'overview.js'), type: 'text/javascript; charset=utf-8' },
  'console.css': { file: join(WEB, 'console.css'), type: 'text/css; charset=utf-8' },
  'base.css': { file: join(WEB, '..', 'base.css'), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { file: join(UPLOT, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: join(UPLOT, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

export interface ConsoleDeps {
  readonly auth: Authenticator;
  readonly sessions: ConsoleSessions;
  /** The cookie goes over TLS only. */
  readonly secureCookies: boolean;
}

const SignIn = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

/**
 * The web console: one page and its script, served by otpd, and its session. Signing in exchanges
 * an API key with the admin scope for a session cookie; the page then calls the admin API with that
 * cookie and the session's CSRF token (see console-session.ts), under the same rules as the key:
 * an operator key sees every tenant, a client key its own.
 */
export function registerConsoleRoutes(app: FastifyInstance, d: ConsoleDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const page = readFileSync(join(WEB, 'index.html'));
  const cookie = (reply: FastifyReply, value: string, maxAgeMs: number) =>
    reply.header(
      'set-cookie',
      stringifySetCookie({
        name: CONSOLE_COOKIE,
        value,
        httpOnly: true,
        sameSite: 'strict',
        secure: d.secureCookies,
        path: '/',
        maxAge: Math.floor(maxAgeMs / 1000),
      }),
    );

  api.get('/console', { schema: { hide: true } }, async (_req, reply) =>
    pageHeaders(reply).type('text/html; charset=utf-8').send(page),
  );
  for (const [name, { file, type }] of Object.entries(ASSETS)) {
    const body = readFileSync(file);
    api.get(`/console/assets/${name}`, { schema: { hide: true } }, async (_req, reply) =>
      pageHeaders(reply).header('cache-control', 'no-cache').type(type).send(body),
    );
  }

  api.post('/console/api/session', { schema: { hide: true, body: SignIn } }, async (req, reply) => {
    const key = req.body.key.trim();
    const principal = await d.auth.authenticate(`Bearer ${key}`);
    if (!principal.scopes.includes('admin'))
      throw new OtpdError('PERMISSION_DENIED', 'The console needs a key with the admin scope.');
    const token = await d.auth.issueToken(principal.keyId, key, undefined);
    const s = d.sessions.open(token.access_token);
    req.log.info({ by: principal.keyId }, 'console sign-in');
    cookie(reply, s.id, d.sessions.lifetimeMs);
    return { csrf: s.csrf, clientId: principal.clientId, kind: principal.kind };
  });

  // The page asks who is signed in when it loads; the CSRF token is readable by this origin only.
  api.get('/console/api/session', { schema: { hide: true } }, async (req) => {
    const s = d.sessions.find(ConsoleSessions.idOf(req));
    // A session whose key was revoked, or whose token lapsed, is no session.
    const p = s && (await d.auth.authenticate(`Bearer ${s.token}`).catch(() => undefined));
    if (!s || !p) return { signedIn: false };
    return { signedIn: true, csrf: s.csrf, clientId: p.clientId, kind: p.kind };
  });

  api.delete('/console/api/session', { schema: { hide: true } }, async (req, reply) => {
    d.sessions.credential(req);
    d.sessions.close(ConsoleSessions.idOf(req));
    cookie(reply, '', 0);
    return reply.code(204).send();
  });
}
