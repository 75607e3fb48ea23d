import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { effectiveRoutes } from '../config/delivery-checks.ts';
import type { Clock } from '../core/clock.ts';
import type { KeyRing } from '../core/keyring.ts';
import { hasConnectionReceipts, hasHealth, type Gateway } from '../core/ports/gateway.ts';
import type { PhoneInspector } from '../core/ports/phone.ts';
import type { SlotLeases } from '../core/ports/leases.ts';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import type { Store } from '../core/ports/store.ts';
import type { Metrics } from '../metrics.ts';
import { BacklogMonitor } from '../delivery/backlog.ts';
import { Dispatcher } from '../delivery/dispatcher.ts';
import { GatewayPool } from '../delivery/gateway-pool.ts';
import { pricingFrom } from '../delivery/pricing.ts';
import { createGateway } from '../gateways/from-config.ts';

export interface DeliveryDeps {
  readonly store: Store;
  readonly keys: KeyRing;
  readonly clock: Clock;
  readonly phones: PhoneInspector;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Budgets every replica shares (PostgreSQL) or this process keeps (SQLite): SMPP account rates. */
  readonly limiter?: Pick<RateLimiter, 'takeMs'>;
  /** Slots every replica shares (PostgreSQL) or this process holds (SQLite): SMPP account binds. */
  readonly leases?: SlotLeases;
}

/** Part of the composition root: gateways, routes, pricing, dispatcher and receipts from the configuration. */
export function buildDelivery(c: Config, d: DeliveryDeps) {
  const { store, clock, metrics, log } = d;
  const gateways = c.delivery.gateways.map((g) =>
    createGateway(g, {
      inbox: store,
      clock,
      publicUrl: c.delivery.publicUrl,
      log: log.child({ gateway: g.id }),
      ...(d.limiter ? { limiter: d.limiter } : {}),
      ...(d.leases ? { leases: d.leases } : {}),
    }),
  );
  if (c.delivery.gateways.some((g) => g.type === 'dev-outbox')) {
    log.warn(
      'DEVELOPMENT OUTBOX: no SMS leaves this machine; codes are kept in clear for GET /dev/messages. ' +
        'Never use in production.',
    );
  }
  const pool = new GatewayPool({
    gateways,
    clock,
    phones: d.phones,
    routes: { rules: c.delivery.routes, ...effectiveRoutes(c) },
    breaker: {
      failureThreshold: c.delivery.circuitBreaker.failureThreshold,
      cooldownMs: c.delivery.circuitBreaker.cooldownSeconds * 1000,
    },
    maxInFlight: Object.fromEntries(c.delivery.gateways.map((g) => [g.id, maxInFlightOf(g)])),
    rates: Object.fromEntries(c.delivery.gateways.flatMap((g) => (g.ratePerSecond ? [[g.id, g.ratePerSecond]] : []))),
    onCircuit: (gateway, state) => {
      metrics.circuitOpen.set({ gateway }, state === 'closed' ? 0 : 1);
      log.warn({ gateway, state }, `gateway circuit ${state}`);
    },
  });
  for (const g of gateways.filter(hasHealth)) metrics.linkUp.set({ gateway: g.id }, g.health().up ? 1 : 0);
  pool.onHealthChange((gateway, h) => {
    metrics.linkUp.set({ gateway }, h.up ? 1 : 0);
    if (h.up) log.info({ gateway }, 'gateway link up');
    else log.warn({ gateway, error: h.error }, 'gateway link down');
  });
  recordConnectionReceipts(gateways, d);
  const dispatcher = buildDispatcher(c, pool, d);
  const backlog = new BacklogMonitor({
    store,
    clock,
    maxAgeMs: c.delivery.maxQueueAgeSeconds * 1000,
    local: c.delivery.enabled ? () => dispatcher.oldestWaiting() : undefined,
    onAge: (seconds) => metrics.queueAge.set(seconds),
    onDepth: (messages) => metrics.queueDepth.set(messages),
    onError: (err) => log.error({ err }, 'could not read the delivery backlog'),
  });
  return { pool, dispatcher, backlog, pricing: pricingFrom(c.delivery.gateways, pool) };
}

type GatewayConfig = Config['delivery']['gateways'][number];

/** A gateway's own concurrency: what its protocol or provider allows, unless configured. */
function maxInFlightOf(g: GatewayConfig): number {
  if (g.maxInFlight !== undefined) return g.maxInFlight;
  if (g.type === 'dev-outbox') return 1000;
  if (g.type === 'smpp') return g.window;
  if (g.type === 'smtp') return 10;
  return 200;
}

/** Receipts that arrive on a gateway's own connection (SMPP) go to the store as callbacks do. */
function recordConnectionReceipts(gateways: readonly Gateway[], d: DeliveryDeps): void {
  for (const g of gateways) {
    if (!hasConnectionReceipts(g)) continue;
    g.onReceipt((r) => {
      d.metrics.receipts.inc({ gateway: g.id, status: r.status });
      d.store
        .recordReceipt({ ...r, gateway: g.id })
        .catch((err: unknown) => d.log.error({ err, gateway: g.id }, 'could not record a delivery receipt'));
    });
  }
}

function buildDispatcher(c: Config, pool: GatewayPool, d: DeliveryDeps): Dispatcher {
  const { metrics, log } = d;
  return new Dispatcher({
    store: d.store,
    pool,
    keys: d.keys,
    clock: d.clock,
    options: { ...c.delivery, leaseMs: c.delivery.leaseSeconds * 1000 },
    events: {
      attempt: (gw, outcome, seconds) => {
        metrics.dispatch.inc({ gateway: gw, outcome });
        metrics.dispatchLatency.observe({ gateway: gw }, seconds);
      },
      sent: (gw, segments) => {
        metrics.messagesSent.inc({ gateway: gw });
        metrics.segments.inc({ gateway: gw }, segments);
      },
      waited: (gw, seconds) => metrics.dispatchWait.observe({ gateway: gw }, seconds),
      deferred: (gw) => metrics.deferrals.inc({ gateway: gw }),
      expired: (n) => metrics.expiredUnsent.inc(n),
      error: (err) => log.error({ err }, 'dispatcher error'),
    },
  });
}
