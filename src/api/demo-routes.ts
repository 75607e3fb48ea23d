import { readFileSync } from 'node:fs';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { OtpdError } from '../core/errors.ts';
import { randomHex } from '../core/random.ts';
import type { Verifications } from '../core/verifications.ts';
import type { ClientIp } from './client-ip.ts';
import { demoPage, demoLanguage, DEMO_ASSETS } from './demo-page.ts';
import { pageHeaders } from './page-headers.ts';

/** The tenant the demo's verifications belong to: its own, so its limits and data stay apart. */
export const DEMO_CLIENT = 'demo';
const FLOW_COOKIE = 'otpd_demo_flow';
const SESSION_COOKIE = 'otpd_demo_session';
/** A flow (number typed, code not yet right) and a signed-in session both last this long. */
const LIFETIME_MS = 15 * 60_000;
/** Flows and sessions kept at once; the oldest go first (the demo keeps them in this process only). */
const MAX_KEPT = 10_000;

export interface DemoDeps {
  readonly verifications: Verifications;
  readonly clock: Clock;
  readonly clientIp: (req: FastifyRequest) => ClientIp;
  readonly resendAfterSeconds: number;
  /** Cookies are Secure when the page is served over TLS (behind a proxy that says so). */
  readonly secureCookies: boolean;
  /** The development outbox's latest text to the flow's number, when that outbox is configured. */
  readonly outbox: ((to: string) => Promise<string | undefined>) | undefined;
}

interface Flow {
  readonly to: string;
  readonly maskedTo: string;
  readonly lang: string;
  verification: string;
  readonly until: number;
}

/** Entries that expire, at most MAX_KEPT of them (Map order is insertion order: the oldest first). */
class Expiring<T extends { until: number }> {
  readonly #m = new Map<string, T>();
  get(id: string | undefined, now: number): T | undefined {
    const v = id === undefined ? undefined : this.#m.get(id);
    if (v && v.until > now) return v;
    if (id !== undefined) this.#m.delete(id);
    return undefined;
  }
  put(v: T): string {
    if (this.#m.size >= MAX_KEPT) this.#m.delete(this.#m.keys().next().value!);
    const id = randomHex(16);
    this.#m.set(id, v);
    return id;
  }
  delete(id: string | undefined): void {
    if (id !== undefined) this.#m.delete(id);
  }
}

const StartBody = Type.Object(
  { phone: Type.String({ minLength: 1, maxLength: 32 }), lang: Type.Optional(Type.String({ maxLength: 35 })) },
  { additionalProperties: false },
);
const CheckBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false });

/**
 * The demo sign-in page (/demo) and the small backend it talks to (/demo/api/*). The page never
 * holds an API key: the backend calls the native API's use cases for the demo tenant, with the
 * visitor's IP, so every abuse defence applies as to any client. The number and the verification
 * live in an HttpOnly cookie's server-side flow; a right code opens a session cookie.
 */
export function registerDemoRoutes(app: FastifyInstance, d: DemoDeps): void {
  const flows = new Expiring<Flow>();
  const sessions = new Expiring<{ maskedTo: string; until: number }>();
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const cookie = (reply: FastifyReply, name: string, value: string, maxAgeMs: number) =>
    reply.header(
      'set-cookie',
      stringifySetCookie({
        name,
        value,
        httpOnly: true,
        sameSite: 'strict',
        secure: d.secureCookies,
        path: '/demo',
        maxAge: Math.floor(maxAgeMs / 1000),
      }),
    );
  const cookies = (req: FastifyRequest) => parseCookie(req.headers.cookie ?? '');

  api.get('/demo', { schema: { hide: true } }, async (req, reply) => {
    const lang = demoLanguage((req.query as { lang?: string }).lang, req.headers['accept-language']);
    return pageHeaders(reply)
      .type('text/html; charset=utf-8')
      .send(demoPage(lang, d.resendAfterSeconds, !!d.outbox));
  });
  for (const [name, asset] of Object.entries(DEMO_ASSETS)) {
    const body = readFileSync(asset.file);
    api.get(`/demo/assets/${name}`, { schema: { hide: true } }, async (_req, reply) =>
      pageHeaders(reply).header('cache-control', 'public, max-age=3600').type(asset.type).send(body),
    );
  }

  api.post('/demo/api/start', { schema: { hide: true, body: StartBody } }, async (req, reply) => {
    const now = d.clock.now();
    const lang = demoLanguage(req.body.lang, undefined);
    const ip = d.clientIp(req);
    const r = await d.verifications.start(
      DEMO_CLIENT,
      { to: req.body.phone, channel: 'sms', locale: lang, friendlyName: 'otpd demo' },
      { ip: ip.ip, ipProxied: ip.proxied },
    );
    req.logPhone = r.verification.maskedTo;
    const flow = { to: r.to, maskedTo: r.verification.maskedTo, lang, verification: r.verification.id };
    cookie(reply, FLOW_COOKIE, flows.put({ ...flow, until: now + LIFETIME_MS }), LIFETIME_MS);
    flows.delete(cookies(req)[FLOW_COOKIE]);
    return {
      to: r.verification.maskedTo,
      resent: !r.created,
      expiresAt: new Date(r.verification.expiresAt).toISOString(),
      resendAfterSeconds: d.resendAfterSeconds,
    };
  });

  api.post('/demo/api/check', { schema: { hide: true, body: CheckBody } }, async (req, reply) => {
    const now = d.clock.now();
    const flow = flows.get(cookies(req)[FLOW_COOKIE], now);
    if (!flow) throw new OtpdError('NOT_FOUND', 'Type your number again: this sign-in was not started or has lapsed.');
    req.logPhone = flow.maskedTo;
    const r = await d.verifications.check(DEMO_CLIENT, { id: flow.verification }, req.body.code.trim());
    const v = r.verification;
    if (r.valid) {
      flows.delete(cookies(req)[FLOW_COOKIE]);
      cookie(reply, SESSION_COOKIE, sessions.put({ maskedTo: flow.maskedTo, until: now + LIFETIME_MS }), LIFETIME_MS);
    }
    return { status: v.status, valid: r.valid, checksLeft: Math.max(0, v.maxChecks - v.checks) };
  });

  if (d.outbox) {
    const outbox = d.outbox;
    // Development only: the text the development outbox caught for this flow's number.
    api.get('/demo/api/outbox', { schema: { hide: true } }, async (req) => {
      const flow = flows.get(cookies(req)[FLOW_COOKIE], d.clock.now());
      if (!flow) throw new OtpdError('NOT_FOUND', 'No sign-in in progress.');
      return { text: (await outbox(flow.to)) ?? null };
    });
  }

  api.get('/demo/api/me', { schema: { hide: true } }, async (req) => {
    // Not signed in is an answer, not an error: the page asks on every load.
    const s = sessions.get(cookies(req)[SESSION_COOKIE], d.clock.now());
    return { signedIn: !!s, to: s?.maskedTo ?? null };
  });

  api.post('/demo/api/signout', { schema: { hide: true } }, async (req, reply) => {
    sessions.delete(cookies(req)[SESSION_COOKIE]);
    cookie(reply, SESSION_COOKIE, '', 0);
    return reply.code(204).send();
  });
}
