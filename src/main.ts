/**
 * The composition root: configuration in, a listening server out. Nothing else decides which adapters
 * run. Read `startServer` from top to bottom: each step is a builder in boot/ that only wires.
 */
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.ts';
import { redactConfig } from './config/load.ts';
import { ApiKeys } from './core/api-keys.ts';
import { systemClock, type Clock } from './core/clock.ts';
import type { KeyRing } from './core/keyring.ts';
import type { Store } from './core/ports/store.ts';
import type { BacklogMonitor } from './delivery/backlog.ts';
import type { Dispatcher } from './delivery/dispatcher.ts';
import type { ConversionBreaker } from './jobs/conversion-breaker.ts';
import type { RangeGuard } from './jobs/range-guard.ts';
import type { Purger } from './jobs/purger.ts';
import { LibPhoneNumberInspector } from './phone/libphonenumber.ts';
import { openStore } from './store/from-config.ts';
import { buildAbuse } from './boot/abuse.ts';
import { buildApi, listen } from './boot/api.ts';
import { buildDelivery } from './boot/delivery.ts';
import { buildEventDispatcher, refusalEvents } from './boot/webhooks.ts';
import type { EventDispatcher } from './jobs/event-dispatcher.ts';
import { buildJobs } from './boot/jobs.ts';
import { ensureKeys } from './boot/keys.ts';
import { firstStart } from './boot/first-start.ts';
import { createLogger } from './boot/logger.ts';
import { buildKeyRing } from './boot/secrets.ts';
import { checkSecret, lockStore } from './boot/guards.ts';
import { buildVerifier } from './boot/verification.ts';
import { createMetrics } from './metrics.ts';
import { VERSION } from './version.ts';

export interface Server {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly dispatcher: Dispatcher;
  readonly backlog: BacklogMonitor;
  readonly purger: Purger;
  readonly breaker: ConversionBreaker;
  readonly rangeGuard: RangeGuard;
  /** The delivery of webhook events. */
  readonly events: EventDispatcher;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts otpd: the configuration is already validated; the clock and logger can be replaced by tests.
 * A failure to start throws, with what was already opened closed again (a StartupError says what to
 * do in its message).
 */
export async function startServer(c: Config, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Server> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(c);
  const keys = buildKeyRing(c, log);
  const lock = lockStore(c);
  const release = () => lock?.release();
  const opened: Undo[] = [];
  try {
    return await assemble(c, { clock, log, keys, opened, release });
  } catch (err) {
    for (const undo of [...opened].reverse()) await Promise.resolve(undo()).catch(() => {});
    release();
    throw err;
  }
}

type Undo = () => Promise<void> | void;

async function assemble(
  c: Config,
  o: { clock: Clock; log: Logger; keys: KeyRing; opened: Undo[]; release: () => void },
): Promise<Server> {
  const { clock, log, keys } = o;
  const { store, limiter, leases, kind } = await openStore(c, clock, 'worker');
  o.opened.push(
    () => store.close(),
    () => limiter.close?.(),
    () => leases.close?.(),
  );
  await checkSecret(c, keys, clock.now(), log);
  const metrics = createMetrics();
  const phones = new LibPhoneNumberInspector();
  const delivery = buildDelivery(c, { store, keys, clock, phones, metrics, log, limiter, leases });
  const abuse = buildAbuse(c, { store, phones, clock, metrics, log });
  const verifier = buildVerifier(c, {
    store,
    keys,
    clock,
    phones,
    admission: abuse.admission,
    pricing: delivery.pricing,
    onQueued: () => delivery.dispatcher.wake(),
    backlog: delivery.backlog,
    onBackpressure: () => metrics.backpressure.inc(),
    onRefused: refusalEvents(store, log),
  });
  const app = await buildApi(c, {
    verifier,
    store,
    limiter,
    keys,
    clock,
    metrics,
    log,
    gateways: delivery.pool,
    version: VERSION,
  });
  const events = buildEventDispatcher(c, { store, keys, clock, log, version: VERSION });
  const jobs = buildJobs(c, {
    store,
    clock,
    log,
    dispatcher: delivery.dispatcher,
    backlog: delivery.backlog,
    breaker: abuse.breaker,
    breakerEnabled: abuse.enabled,
    rangeGuard: abuse.rangeGuard,
    rangeGuardEnabled: abuse.rangeGuardEnabled,
    events,
  });
  const welcome = firstStart(c);
  await ensureKeys(c, new ApiKeys({ store, clock }), log);
  log.debug({ config: redactConfig(c) }, 'configuration');
  o.opened.push(() => app.close());
  const url = await listen(app, c);
  jobs.start();
  log.info(
    { url, docs: `${url}/docs`, openapi: `${url}/openapi.json`, version: VERSION, store: kind },
    `otpd listening on ${url} (docs: ${url}/docs)`,
  );
  welcome.greet(url, log);

  let closing: Promise<void> | undefined;
  // In dependency order: no new requests, then no background work, then the store they all use.
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await jobs.stop();
      await limiter.close?.();
      await leases.close?.();
      await store.close();
      o.release();
    })());
  return {
    app,
    store,
    dispatcher: delivery.dispatcher,
    backlog: delivery.backlog,
    purger: jobs.purger,
    breaker: abuse.breaker,
    rangeGuard: abuse.rangeGuard,
    events,
    url,
    close,
  };
}
