import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { StatsStore } from '../core/ports/stats.ts';
import type { RetentionStore } from '../core/ports/store.ts';
import { JobLoop } from '../jobs/loop.ts';
import type { BacklogMonitor } from '../delivery/backlog.ts';
import type { Dispatcher } from '../delivery/dispatcher.ts';
import type { ConversionBreaker } from '../jobs/conversion-breaker.ts';
import { Purger } from '../jobs/purger.ts';
import type { RangeGuard } from '../jobs/range-guard.ts';
import type { EventDispatcher } from '../jobs/event-dispatcher.ts';

export interface Jobs {
  readonly purger: Purger;
  /** Starts the loops the configuration enables. */
  start(): void;
  /** Stops every loop, each after its current run. */
  stop(): Promise<void>;
}

export interface JobDeps {
  readonly store: RetentionStore & StatsStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly dispatcher: Dispatcher;
  readonly backlog: BacklogMonitor;
  readonly breaker: ConversionBreaker;
  readonly breakerEnabled: boolean;
  readonly rangeGuard: RangeGuard;
  readonly rangeGuardEnabled: boolean;
  readonly events: EventDispatcher;
}

/** How often codes that expired unused are counted (the overview's minutes lag by at most this). */
const EXPIRY_SWEEP_MS = 5000;

/** Part of the composition root: the retention purger, and when each background loop runs. */
export function buildJobs(c: Config, d: JobDeps): Jobs {
  const { log } = d;
  const purger = new Purger({
    store: d.store,
    clock: d.clock,
    options: {
      retentionMs: c.retention.days * 86_400_000,
      intervalMs: c.retention.intervalSeconds * 1000,
      batchSize: c.retention.batchSize,
    },
    events: {
      purged: (r) => log.info({ ...r }, 'retention purge'),
      error: (err) => log.error({ err }, 'retention purge failed'),
    },
  });
  // Codes that expired unused change no row: a sweep counts them for the console's overview.
  const expiries = new JobLoop({
    step: async () => {
      await d.store.countExpired(d.clock.now());
      return false;
    },
    intervalMs: EXPIRY_SWEEP_MS,
    firstDelay: 'random',
    onError: (err) => log.error({ err }, 'counting expired codes failed'),
  });
  return {
    purger,
    start() {
      expiries.start();
      // The backlog is read whether or not this process dispatches: replicas share one outbox.
      d.backlog.start();
      if (c.delivery.enabled) d.dispatcher.start();
      if (c.retention.enabled) purger.start();
      if (d.breakerEnabled) d.breaker.start();
      if (d.rangeGuardEnabled) d.rangeGuard.start();
      if (c.webhooks.enabled) d.events.start();
    },
    async stop() {
      await d.dispatcher.stop();
      await d.backlog.stop();
      await purger.stop();
      await d.breaker.stop();
      await d.rangeGuard.stop();
      await d.events.stop();
      await expiries.stop();
    },
  };
}
