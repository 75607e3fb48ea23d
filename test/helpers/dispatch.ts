import assert from 'node:assert/strict';
import { Dispatcher, type DispatcherEvents, type DispatcherOptions } from '../../src/delivery/dispatcher.ts';
import type { GatewayPool } from '../../src/delivery/gateway-pool.ts';
import type { coreFixture } from './core.ts';

/** otpd's delivery defaults, with a send timeout short enough for tests. */
export const TEST_DISPATCH: DispatcherOptions = {
  pollMs: 1000,
  leaseMs: 30_000,
  sendTimeoutMs: 2000,
  concurrency: 100,
  maxAttempts: 5,
  backoffBaseMs: 1000,
  backoffMaxMs: 30_000,
};

/**
 * A dispatcher over the core fixture's store and clock; `drain` runs it until nothing it claimed is
 * in flight (three rounds: a claim, the retries the first round made due at once, and their retries).
 */
export function testDispatcher(
  f: ReturnType<typeof coreFixture>,
  pool: GatewayPool,
  options = TEST_DISPATCH,
  events: Partial<DispatcherEvents> = {},
) {
  const d = new Dispatcher({
    store: f.store,
    pool,
    keys: f.keys,
    clock: f.clock,
    options,
    events: { attempt() {}, error: (e) => assert.fail(String(e)), ...events },
  });
  const drain = async () => {
    for (let i = 0; i < 3; i++) {
      await d.tick();
      await d.idle();
    }
  };
  /** Moves the clock on by `ms`, a second at a time, the dispatcher running after each step. */
  const run = async (ms: number) => {
    for (let done = 0; done < ms; done += 1000) {
      f.clock.advance(Math.min(1000, ms - done));
      await drain();
    }
  };
  return { d, drain, run };
}
