import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.ts';
import { redactConfig } from './config/load.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { cryptoRandomInt } from './core/codes.ts';
import { KeyRing } from './core/keyring.ts';
import type { Policy } from './core/policy.ts';
import { Verifier } from './core/verification.ts';
import type { Store } from './core/ports/store.ts';
import { openStore } from './store/from-config.ts';
import { Purger } from './jobs/purger.ts';
import type { ConversionBreaker } from './jobs/conversion-breaker.ts';
import type { Dispatcher } from './delivery/dispatcher.ts';
import { buildDelivery } from './boot/delivery.ts';
import { pricingFrom } from './delivery/pricing.ts';
import { buildAbuse } from './boot/abuse.ts';
import { LibPhoneNumberInspector } from './phone/libphonenumber.ts';
import { buildApp } from './api/app.ts';
import { Authenticator } from './api/auth.ts';
import { ApiKeys } from './core/api-keys.ts';
import { AbuseAdmin } from './core/abuse-admin.ts';
import { ensureKeys } from './boot/keys.ts';
import { createMetrics } from './metrics.ts';
import { ensureDataDir, resolveSecret } from './boot/secrets.ts';
import { VERSION } from './version.ts';

export function policyFrom(c: Config): Policy {
  const test = new Map(Object.entries(c.numbers.test).map(([n, code]) => [n, c.code.alphabet === 'alphanumeric' ? code.toUpperCase() : code]));
  return {
    codeLength: c.code.length,
    alphabet: c.code.alphabet,
    ttlMs: c.code.ttlSeconds * 1000,
    maxAttempts: c.code.maxAttempts,
    sendWindows: [
      { windowMs: 15 * 60_000, max: c.limits.sendsPer15Minutes },
      { windowMs: 24 * 3600_000, max: c.limits.sendsPer24Hours },
    ],
    guessBudget: { windowMs: 24 * 3600_000, max: c.limits.wrongGuessesPer24Hours },
    testNumbers: test,
    maxMessageLength: 160,
    maxSegments: c.limits.maxSegments,
  };
}

export interface Server {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly dispatcher: Dispatcher;
  readonly purger: Purger;
  readonly breaker: ConversionBreaker;
  readonly url: string;
  close(): Promise<void>;
}

export function createLogger(c: Config): Logger {
  return pino({ level: c.logLevel, base: { service: 'otpd' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** The composition root: config in, a listening server out. Nothing else decides which adapters run. */
export async function startServer(c: Config, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Server> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(c);
  ensureDataDir(c.dataDir);
  const { secret, generatedAt } = resolveSecret(c);
  if (generatedAt) log.warn({ file: generatedAt }, 'generated a new server secret (development); set OTPD_SECRET in production');
  const keys = new KeyRing(secret, c.previousSecrets);
  const { store, limiter, kind } = await openStore(c, clock, 'worker');
  const metrics = createMetrics();
  const phones = new LibPhoneNumberInspector();
  const { pool, dispatcher } = buildDelivery(c, { store, keys, clock, phones, metrics, log });
  const { admission, breaker, enabled: breakerEnabled } = buildAbuse(c, { store, limiter, phones, clock, metrics, log });
  const verifier = new Verifier({
    store, keys, clock, policy: policyFrom(c), admission, phones, pricing: pricingFrom(c.delivery.gateways, pool),
    newId: randomUUID, random: cryptoRandomInt, onQueued: () => dispatcher.wake(),
  });
  const auth = new Authenticator({ keys: store, tokenKey: keys.tokenKey, clock, tokenTtlSeconds: c.tokenTtlSeconds });
  const app = await buildApp({
    verifier, abuseAdmin: new AbuseAdmin({ store, clock }), auth, store, metrics, logger: log, version: VERSION, bodyLimit: c.bodyLimit,
    limiter, requestRate: { ratePerSecond: c.limits.requestsPerSecond, burst: c.limits.requestBurst },
    devOutbox: c.delivery.gateways.some((g) => g.type === 'dev-outbox'),
    callbacks: pool, clock, publicUrl: c.delivery.publicUrl, trustedProxies: c.abuse.trustedProxies, clientIpHeader: c.abuse.clientIpHeader,
  });
  const purger = new Purger({
    store, clock,
    options: { retentionMs: c.retention.days * 86_400_000, intervalMs: c.retention.intervalSeconds * 1000, batchSize: c.retention.batchSize },
    events: {
      purged: (r) => log.info({ ...r }, 'retention purge'),
      error: (err) => log.error({ err }, 'retention purge failed'),
    },
  });
  await ensureKeys(c, new ApiKeys({ store, clock }), log);
  log.debug({ config: redactConfig(c) }, 'configuration');
  await app.listen({ host: c.host, port: c.port });
  if (c.delivery.enabled) dispatcher.start();
  if (c.retention.enabled) purger.start();
  if (breakerEnabled) breaker.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : c.port;
  const url = `http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${port}`;
  log.info({ url, docs: `${url}/docs`, openapi: `${url}/openapi.json`, version: VERSION, store: kind }, `otpd listening on ${url} (docs: ${url}/docs)`);

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await app.close();
    await dispatcher.stop();
    await purger.stop();
    await breaker.stop();
    await limiter.close?.();
    await store.close();
  })());
  return { app, store, dispatcher, purger, breaker, url, close };
}
