import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * All Prometheus series, on a registry of our own (no global state). Labels never carry a number or a code.
 * Neither API nor core: the composition root creates it, and the API, delivery and abuse wiring record to it.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'otpd_' });
  const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'otpd_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    latency: new Histogram({
      name: 'otpd_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route'] as const,
      buckets,
      registers,
    }),
    verifications: new Counter({
      name: 'otpd_verifications_total',
      help: 'send-code and validate-code outcomes',
      labelNames: ['operation', 'outcome'] as const,
      registers,
    }),
    dispatch: new Counter({
      name: 'otpd_dispatch_attempts_total',
      help: 'Delivery attempts by gateway and result',
      labelNames: ['gateway', 'outcome'] as const,
      registers,
    }),
    dispatchLatency: new Histogram({
      name: 'otpd_dispatch_duration_seconds',
      help: 'Gateway call latency',
      labelNames: ['gateway'] as const,
      buckets,
      registers,
    }),
    dispatchWait: new Histogram({
      name: 'otpd_dispatch_wait_seconds',
      help: 'Time from accepting a code until its message was first handed to a gateway',
      labelNames: ['gateway'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
    queueAge: new Gauge({
      name: 'otpd_delivery_queue_age_seconds',
      help: 'How long the longest-waiting due message has waited for a gateway (0 when none waits)',
      registers,
    }),
    backpressure: new Counter({
      name: 'otpd_backpressure_refusals_total',
      help: 'Codes refused (503) because delivery had fallen behind',
      registers,
    }),
    segments: new Counter({
      name: 'otpd_sms_segments_total',
      help: 'SMS segments accepted by each gateway (what providers bill)',
      labelNames: ['gateway'] as const,
      registers,
    }),
    messagesSent: new Counter({
      name: 'otpd_messages_sent_total',
      help: 'Messages accepted by each gateway',
      labelNames: ['gateway'] as const,
      registers,
    }),
    receipts: new Counter({
      name: 'otpd_delivery_receipts_total',
      help: 'Delivery receipts by gateway and status',
      labelNames: ['gateway', 'status'] as const,
      registers,
    }),
    abuse: new Counter({
      name: 'otpd_abuse_refusals_total',
      help: 'send-codes refused by each defence (shadow="true": would have been)',
      labelNames: ['reason', 'shadow'] as const,
      registers,
    }),
    breakerTrips: new Counter({
      name: 'otpd_conversion_breaker_trips_total',
      help: 'Countries and prefixes blocked for low conversion',
      labelNames: ['kind', 'shadow'] as const,
      registers,
    }),
    rangeDecisions: new Counter({
      name: 'otpd_range_guard_decisions_total',
      help: 'Ranges and countries throttled or blocked by the range guard, per tenant traffic',
      labelNames: ['action', 'kind', 'shadow'] as const,
      registers,
    }),
    rangeBaselines: new Gauge({
      name: 'otpd_range_guard_baselines',
      help: 'Countries and ranges with a learned baseline, over every tenant',
      registers,
    }),
    circuitOpen: new Gauge({
      name: 'otpd_gateway_circuit_open',
      help: "1 while a gateway's circuit is open or half-open",
      labelNames: ['gateway'] as const,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'otpd_delivery_queue_depth',
      help: 'Messages waiting for delivery (queued or leased), read every 5 s',
      registers,
    }),
    linkUp: new Gauge({
      name: 'otpd_gateway_link_up',
      help: "1 while a gateway's own connection (an SMPP bind) is up, 0 while it is down",
      labelNames: ['gateway'] as const,
      registers,
    }),
    expiredUnsent: new Counter({
      name: 'otpd_messages_expired_unsent_total',
      help: 'Messages whose code expired or was superseded before they could be sent: never sent',
      registers,
    }),
    deferrals: new Counter({
      name: 'otpd_dispatch_deferrals_total',
      help: 'Messages put back in the queue, no attempt spent, because no gateway of their route could send',
      labelNames: ['gateway'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
