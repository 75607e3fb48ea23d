import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import { AbuseAdmin } from '../core/abuse-admin.ts';
import type { Clock } from '../core/clock.ts';
import type { KeyRing } from '../core/keyring.ts';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import type { Store } from '../core/ports/store.ts';
import type { Verifier } from '../core/verification.ts';
import type { GatewayPool } from '../delivery/gateway-pool.ts';
import type { Metrics } from '../metrics.ts';
import { buildApp } from '../api/app.ts';
import { Authenticator } from '../api/auth.ts';
import { Services } from '../core/services.ts';
import { Verifications } from '../core/verifications.ts';
import { Webhooks } from '../core/webhooks.ts';
import { resolveLocale, templateFor } from '../templates/renderer.ts';
import { policyFrom } from './verification.ts';

export interface ApiDeps {
  readonly verifier: Verifier;
  readonly store: Store;
  readonly limiter: RateLimiter;
  readonly keys: KeyRing;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** The configured gateways, for delivery-status callbacks. */
  readonly gateways: GatewayPool;
  readonly version: string;
}

/** Part of the composition root: authentication, the admin use cases and the HTTP application (not yet listening). */
export function buildApi(c: Config, d: ApiDeps): Promise<FastifyInstance> {
  const { store, clock } = d;
  const auth = new Authenticator({ keys: store, tokenKey: d.keys.tokenKey, clock, tokenTtlSeconds: c.tokenTtlSeconds });
  const services = new Services({ store, clock });
  const verifications = new Verifications({
    verifier: d.verifier,
    services,
    store,
    clock,
    policy: policyFrom(c),
    templates: (service, channel, locale) => ({
      template: templateFor(service, channel, locale),
      locale: resolveLocale(locale, service),
    }),
    indexOf: (recipient) => d.keys.phoneIndex(recipient),
  });
  const webhooks = new Webhooks({ store, services, keys: d.keys, clock, allowPrivate: c.webhooks.allowPrivate });
  return buildApp({
    verifier: d.verifier,
    services,
    verifications,
    webhooks,
    codeLength: c.code.length,
    abuseAdmin: new AbuseAdmin({ store, clock }),
    auth,
    store,
    metrics: d.metrics,
    logger: d.log,
    version: d.version,
    bodyLimit: c.bodyLimit,
    clock,
    limiter: d.limiter,
    requestRate: { ratePerSecond: c.limits.requestsPerSecond, burst: c.limits.requestBurst },
    devOutbox: c.delivery.gateways.some((g) => g.type === 'dev-outbox'),
    callbacks: d.gateways,
    delivery: () => d.gateways.status(),
    publicUrl: c.delivery.publicUrl,
    trustedProxies: c.abuse.trustedProxies,
    clientIpHeader: c.abuse.clientIpHeader,
    production: c.env === 'production',
    phoneIndex: (e164) => d.keys.phoneIndex(e164),
    console: c.console.enabled
      ? { sessionMinutes: c.console.sessionMinutes, secureCookies: secureCookies(c) }
      : undefined,
    // On by default in development only: in production it is a public page that sends SMS.
    demo:
      (c.demo.enabled ?? c.env === 'development')
        ? { resendAfterSeconds: c.demo.resendAfterSeconds, secureCookies: secureCookies(c) }
        : undefined,
    timeouts: { headersMs: c.headersTimeoutMs, requestMs: c.requestTimeoutMs, keepAliveMs: c.keepAliveTimeoutMs },
  });
}

/** Cookies go over TLS only in production, or when otpd's public URL is https (TLS ends at a proxy). */
const secureCookies = (c: Config): boolean =>
  c.env === 'production' || (c.delivery.publicUrl?.startsWith('https:') ?? false);

/** Listens on the configured address and returns the URL it answers on (the real port when it was 0). */
export async function listen(app: FastifyInstance, c: Config): Promise<string> {
  await app.listen({ host: c.host, port: c.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : c.port;
  return `http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${port}`;
}
