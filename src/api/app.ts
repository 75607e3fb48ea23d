import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { Webhooks } from '../core/webhooks.ts';
import { webhookDocs } from './native/webhook-docs.ts';
import type { Socket } from 'node:net';
import { OtpdError } from '../core/errors.ts';
import type { Verifier } from '../core/verification.ts';
import type { Services } from '../core/services.ts';
import type { Verifications } from '../core/verifications.ts';
import { nativeApi } from './native/routes.ts';
import { NATIVE_PREFIX, NATIVE_SURFACE } from './native/errors.ts';
import { twilioApi } from './twilio/routes.ts';
import { TWILIO_PREFIX, TWILIO_SURFACE } from './twilio/errors.ts';
import type { AbuseAdmin } from '../core/abuse-admin.ts';
import type { Store } from '../core/ports/store.ts';
import type { Authenticator, Principal } from './auth.ts';
import { rendered, surfaceFor, useSurface, type ErrorSurface } from './surface.ts';
import { CAMARA_PREFIX, CAMARA_SURFACE } from './camara/errors.ts';
import { makeGuard } from './guard.ts';
import type { Metrics } from '../metrics.ts';
import type { RateLimiter, RateRule, RateTake } from '../core/ports/rate-limiter.ts';
import { camaraApi } from './camara/routes.ts';
import { validCorrelator } from './correlator.ts';
import { clientErrorHandler, refuseConnect, type InFlight } from './client-errors.ts';
import { answerOtherMethods } from './method-not-allowed.ts';
import { documentResponses } from './openapi-responses.ts';
import { MAX_CLIENT_ID_LENGTH } from '../core/abuse-admin.ts';
import { registerOpsRoutes } from './ops-routes.ts';
import { clientIpResolver } from './client-ip.ts';
import { registerDeliveryRoutes, type DeliveryRouteDeps } from './delivery-routes.ts';
import { registerAbuseRoutes } from './abuse-routes.ts';
import { DEMO_CLIENT, registerDemoRoutes } from './demo-routes.ts';
import { registerConsoleRoutes } from './console-routes.ts';
import { ConsoleSessions } from './console-session.ts';
import { registerKeyRoutes } from './key-routes.ts';
import { registerStatsRoutes } from './stats-routes.ts';
import { registerGatewayAdminRoutes } from './gateway-admin-routes.ts';
import { registerVerificationAdminRoutes } from './verification-admin-routes.ts';
import { ApiKeys } from '../core/api-keys.ts';
import { validationErrors } from './validation-messages.ts';
import type { Clock } from '../core/clock.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The request budget the guard left to the route's operation (GuardOptions.inOperation). */
    requestBudget: RateTake | undefined;
    correlator: string | undefined;
    logPhone: string | undefined;
  }
  interface FastifyContextConfig {
    /** The route answers JSON only: an Accept header that excludes JSON gets 406. */
    json?: boolean;
  }
}

export interface AppDeps {
  readonly verifier: Verifier;
  readonly services: Services;
  readonly verifications: Verifications;
  readonly webhooks: Webhooks;
  /** The server's code length, which a service shows when it sets none of its own. */
  readonly codeLength: number;
  /** Run-time abuse administration, shared with the CLI. */
  readonly abuseAdmin: AbuseAdmin;
  readonly auth: Authenticator;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Per-client request rate: in memory (one process) or shared by every replica. */
  readonly limiter: RateLimiter;
  /** Requests per client, every route that needs a key. */
  readonly requestRate: RateRule;
  readonly bodyLimit: number;
  /** Serve GET /dev/messages (development outbox); never in production. */
  readonly devOutbox: boolean;
  /** The gateways' state for /readyz; absent where nothing delivers (tests of the API alone). */
  readonly delivery?: (() => { degraded: boolean; gateways: readonly { id: string }[] }) | undefined;
  readonly version: string;
  readonly clock: Clock;
  /** The configured gateways, for delivery-status callbacks. */
  readonly callbacks: DeliveryRouteDeps['gateways'];
  readonly publicUrl: string | undefined;
  /** Proxies whose forwarding headers are believed (IPs or CIDRs). */
  readonly trustedProxies: readonly string[];
  readonly clientIpHeader: 'x-forwarded-for' | 'x-real-ip';
  /** Production: /metrics, /docs and /openapi.json need the admin scope, and `/` is not redirected to /docs. */
  readonly production: boolean;
  /** The keyed index of a number, as the store keeps it (the console's search). */
  readonly phoneIndex: (e164: string) => Buffer;
  /** The web console at /console, when it is on: its sessions' lifetime, and whether cookies need TLS. */
  readonly console?: { readonly sessionMinutes: number; readonly secureCookies: boolean } | undefined;
  /** The demo sign-in page at /demo, when it is on. */
  readonly demo?: { readonly resendAfterSeconds: number; readonly secureCookies: boolean } | undefined;
  /** Deadlines for slow and idle clients, in milliseconds (headersTimeoutMs ≤ requestTimeoutMs). */
  readonly timeouts: { readonly headersMs: number; readonly requestMs: number; readonly keepAliveMs: number };
}

/** Paths that describe every route or every client's traffic: operators only, in production. */
const isOperatorSurface = (url: string) =>
  url === '/metrics' || url === '/openapi.json' || url === '/docs' || url.startsWith('/docs/');

/**
 * A path parameter is limited in length by the router, before its schema sees it: room for the
 * longest client id, every character percent-encoded from four UTF-8 bytes.
 */
const MAX_PARAM_LENGTH = MAX_CLIENT_ID_LENGTH * 12;

function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > 8 || v === null || typeof v !== 'object') return false;
  return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x, depth + 1));
}

function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return /(^|,)\s*(application\/json|application\/\*|\*\/\*)\s*(;|,|$)/i.test(accept);
}

/** Every API surface with its own error body; what none of them holds is otpd's own (OTPD_SURFACE). */
const SURFACES: readonly ErrorSurface[] = [CAMARA_SURFACE, NATIVE_SURFACE, TWILIO_SURFACE];
const pickSurface = (url: string) => surfaceFor(SURFACES, url);

/** Builds the HTTP application; it never listens, so tests drive it with inject() or a real socket. */
export async function buildApp(d: AppDeps): Promise<FastifyInstance> {
  const { headersMs, requestMs, keepAliveMs } = d.timeouts;
  const inFlight = new WeakMap<Socket, InFlight>();
  const app = Fastify({
    loggerInstance: d.logger as FastifyBaseLogger,
    // One line per request is written by our onResponse hook, with masked fields only.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: d.bodyLimit,
    exposeHeadRoutes: true,
    // Fastify's own 503 while closing has Fastify's body: the onRequest hook below answers instead.
    return503OnClosing: false,
    // Node checks the headers and request deadlines only every connectionsCheckingInterval (30 s by
    // default), so a deadline could be overrun by that much: check often enough to keep it.
    http: {
      headersTimeout: headersMs,
      requestTimeout: requestMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersMs / 4)),
    },
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
    // Counted apart: no route was matched, and the method may be anything.
    clientErrorHandler: clientErrorHandler(
      inFlight,
      d.logger as FastifyBaseLogger,
      (status) => d.metrics.requests.inc({ route: 'unparsed', method: 'unknown', status }),
      pickSurface,
    ),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Every route names what is wrong in words (an unknown property by its name); the CAMARA routes
    // add their own messages per field.
    schemaErrorFormatter: validationErrors(),
    genReqId: () => randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    // A malformed URL (a bad percent-escape) or an overlong path segment is answered before routing
    // and before the hooks: same error format, and the x-correlator echoed here.
    frameworkErrors: (err, req, reply) => {
      const surface = pickSurface(req.url);
      const r = rendered(surface, err, req.id);
      const correlator = validCorrelator(req.headers['x-correlator']);
      const headers = correlator === undefined ? r.headers : { ...r.headers, 'x-correlator': correlator };
      void (reply as unknown as FastifyReply).code(r.status).headers(headers).type(surface.contentType).send(r.body);
    },
  });
  app.server.on('connect', refuseConnect);
  const sealMethods = answerOtherMethods(app);
  const sessions = d.console ? new ConsoleSessions(d.clock, d.console.sessionMinutes * 60_000) : undefined;
  const guard = makeGuard(d.auth, d.limiter, d.requestRate, sessions && ((req) => sessions.credential(req)));
  if (d.production) {
    app.addHook('onRoute', (r) => {
      if (!isOperatorSurface(r.url)) return;
      r.onRequest = [...[r.onRequest ?? []].flat(), guard('admin', { operator: true })];
      if (r.schema && !r.schema.hide) r.schema = { ...r.schema, security: [{ bearer: ['admin'] }] };
    });
  }
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('requestBudget', undefined);
  app.decorateRequest('correlator', undefined);
  app.decorateRequest('logPhone', undefined);

  app.addHook('onRequest', async (req) => {
    const c = req.headers['x-correlator'];
    req.correlator = validCorrelator(c);
    inFlight.set(req.raw.socket, { correlator: req.correlator, url: req.url, responding: false });
    if (c !== undefined && req.correlator === undefined)
      throw new OtpdError('INVALID_ARGUMENT', 'x-correlator header does not match the required pattern');
    if (closing) throw new OtpdError('UNAVAILABLE', 'The server is shutting down.');
    // Before the body is read: an unknown path is a 404 whatever the body's type, size or method.
    if (req.is404) throw new OtpdError('NOT_FOUND');
    if (req.routeOptions.config.json && !acceptsJson(req.headers.accept)) throw new OtpdError('NOT_ACCEPTABLE');
  });
  // NUL is never part of a valid otpd input, and PostgreSQL refuses it in text: a clear 400 here
  // instead of a storage error later.
  app.addHook('preValidation', async (req) => {
    if (/%00/.test(req.url) || hasNul(req.body))
      throw new OtpdError('INVALID_ARGUMENT', 'NUL characters are not allowed');
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.correlator !== undefined) void reply.header('x-correlator', req.correlator);
    const state = inFlight.get(req.raw.socket);
    if (state) state.responding = true;
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    inFlight.delete(req.raw.socket);
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    d.metrics.requests.inc({ route, method: req.method, status: reply.statusCode });
    d.metrics.latency.observe({ route }, seconds);
    req.log.info(
      {
        route,
        method: req.method,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        client: req.principal?.clientId,
        phone: req.logPhone,
        correlator: req.correlator,
      },
      'request',
    );
  });

  // The verification routes take their key from the cache and their operation checks it again: a
  // key found no longer live is dropped, so its next request is looked up and refused up front.
  app.addHook('onError', async (req, _reply, err) => {
    if (req.principal && err instanceof OtpdError && err.code === 'UNAUTHENTICATED') d.auth.forget(req.principal.keyId);
  });
  // otpd's own routes, and what no surface's plugin handles (the 405 routes of every surface's paths).
  useSurface(app, (req) => pickSurface(req.url));

  await app.register(swagger, {
    transform: documentResponses,
    transformObject: (doc) =>
      'openapiObject' in doc
        ? ({ ...doc.openapiObject, webhooks: webhookDocs() } as typeof doc.openapiObject)
        : doc.swaggerObject,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'otpd',
        version: d.version,
        description:
          'otpd serves three verification APIs over one core: CAMARA One Time Password SMS v1 (1.1.1), ' +
          "otpd's own JSON API under /v1, and a Twilio Verify v2-compatible API under /v2; plus operations " +
          'and administration endpoints.',
      },
      tags: [
        { name: 'OTP Management', description: 'CAMARA One Time Password SMS v1, errors as `{status, code, message}`' },
        { name: 'otpd API', description: "otpd's native JSON API under /v1, errors as RFC 9457 problem details" },
        { name: 'Webhooks', description: "Events posted to a service's webhook, signed per Standard Webhooks" },
        {
          name: 'Twilio Verify v2 (compatible)',
          description:
            "Twilio's paths under /v2 with form bodies, snake_case JSON and Twilio's error body and codes; " +
            'HTTP Basic with (account SID or key id, key secret)',
        },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An otpd API key or an access token from POST /oauth2/token',
          },
          basic: {
            type: 'http',
            scheme: 'basic',
            description: "Twilio's SDKs: the account SID (or the key id) as user, the key's secret as password",
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // JSON only (Fastify's JSON parser already refuses prototype-poisoning keys): anything else,
  // text/plain included, is a 415. The token endpoint adds form parsing for itself alone.
  app.removeContentTypeParser('text/plain');

  const clientIp = clientIpResolver(d.trustedProxies, d.clientIpHeader);
  const camara = { verifier: d.verifier, verifications: d.verifications, guard, metrics: d.metrics, clientIp };
  await app.register(camaraApi(camara), {
    prefix: CAMARA_PREFIX,
  });
  const native = {
    ...{ services: d.services, verifications: d.verifications, webhooks: d.webhooks },
    guard,
    metrics: d.metrics,
    clientIp,
  };
  await app.register(nativeApi(native), { prefix: NATIVE_PREFIX });
  await app.register(twilioApi({ ...native, codeLength: d.codeLength }), { prefix: TWILIO_PREFIX });
  await registerOpsRoutes(app, { ...d, guard });
  await registerDeliveryRoutes(app, {
    store: d.store,
    guard,
    metrics: d.metrics,
    clock: d.clock,
    gateways: d.callbacks,
    publicUrl: d.publicUrl,
  });
  registerAbuseRoutes(app, { admin: d.abuseAdmin, guard });
  registerKeyRoutes(app, { keys: new ApiKeys({ store: d.store, clock: d.clock }), guard });
  registerStatsRoutes(app, { store: d.store, guard, clock: d.clock });
  registerVerificationAdminRoutes(app, { store: d.store, phoneIndex: d.phoneIndex, guard });
  const delivery = d.delivery;
  if (delivery) registerGatewayAdminRoutes(app, { delivery, store: d.store, guard, clock: d.clock });
  if (d.console && sessions)
    registerConsoleRoutes(app, { auth: d.auth, sessions, secureCookies: d.console.secureCookies });
  if (d.demo)
    registerDemoRoutes(app, {
      ...{ verifications: d.verifications, clock: d.clock, clientIp, ...d.demo },
      outbox: d.devOutbox ? (to) => d.store.listDevMessages(to, 1, DEMO_CLIENT).then((m) => m[0]?.text) : undefined,
    });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // In production /docs needs a credential a browser cannot send on its own: no link to it.
  if (!d.production) app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));
  sealMethods();
  return app;
}
