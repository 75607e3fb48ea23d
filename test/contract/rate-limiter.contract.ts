import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import type { RateLimiter, RateRule } from '../../src/core/ports/rate-limiter.ts';

/**
 * The conformance suite for RateLimiter adapters. `open` returns limiters that share one state
 * (two when the backend is shared: two replicas), all reading `clock`.
 */
export interface LimiterHarness {
  open(o: { clock: ManualClock }): Promise<RateLimiter[]>;
  close(limiters: RateLimiter[]): Promise<void>;
}

export function rateLimiterContract(name: string, h: LimiterHarness): void {
  const withLimiters = (
    title: string,
    rule: RateRule,
    fn: (l: { take(key: string): Promise<number> }[], clock: ManualClock) => Promise<void>,
  ) =>
    test(`${name}: ${title}`, async () => {
      const clock = new ManualClock(Date.UTC(2026, 5, 1));
      const limiters = await h.open({ clock });
      try {
        await fn(
          limiters.map((l) => ({ take: (key: string) => l.take(key, rule) })),
          clock,
        );
      } finally {
        await h.close(limiters);
      }
    });
  const key = () => `k-${Math.random().toString(36).slice(2)}`;

  withLimiters(
    'a burst is admitted, the next request waits, and the budget refills at the rate',
    { ratePerSecond: 2, burst: 3 },
    async (l, clock) => {
      const k = key();
      const last = l[l.length - 1]!;
      for (let i = 0; i < 3; i++) assert.equal(await l[i % l.length]!.take(k), 0);
      const wait = await last.take(k);
      assert.ok(wait >= 1, `refused with a Retry-After of at least 1 s, got ${wait}`);
      clock.advance(500);
      assert.equal(await l[0]!.take(k), 0, 'one request refilled after 1/rate seconds');
      assert.ok((await last.take(k)) >= 1);
      clock.advance(10_000);
      for (let i = 0; i < 3; i++) assert.equal(await l[i % l.length]!.take(k), 0, 'refill stops at the burst');
      assert.ok((await l[0]!.take(k)) >= 1);
    },
  );

  test(`${name}: takeMs paces in milliseconds: 0 when spent, else the time until one is there`, async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const limiters = await h.open({ clock });
    try {
      const rule = { ratePerSecond: 4, burst: 1 };
      const k = key();
      const [a, b] = [limiters[0]!, limiters[limiters.length - 1]!];
      assert.equal(await a.takeMs(k, rule), 0);
      assert.equal(await b.takeMs(k, rule), 250, 'one every 250 ms, over every replica');
      clock.advance(100);
      assert.equal(await a.takeMs(k, rule), 150, 'nothing was spent by asking');
      clock.advance(150);
      assert.equal(await b.takeMs(k, rule), 0);
    } finally {
      await h.close(limiters);
    }
  });

  withLimiters('keys are independent', { ratePerSecond: 1, burst: 1 }, async (l) => {
    const a = key();
    assert.equal(await l[0]!.take(a), 0);
    assert.ok((await l[0]!.take(a)) >= 1);
    assert.equal(await l[l.length - 1]!.take(key()), 0);
  });

  withLimiters(
    'parallel requests over every handle never exceed the burst',
    { ratePerSecond: 1, burst: 10 },
    async (l) => {
      const k = key();
      const waits = await Promise.all(Array.from({ length: 60 }, (_, i) => l[i % l.length]!.take(k)));
      assert.equal(waits.filter((w) => w === 0).length, 10);
    },
  );

  withLimiters('a rate of 0 means unlimited', { ratePerSecond: 0, burst: 1 }, async (l) => {
    const k = key();
    for (let i = 0; i < 20; i++) assert.equal(await l[i % l.length]!.take(k), 0);
  });
}

export function rateLimiterRulesContract(name: string, h: LimiterHarness): void {
  test(`${name}: one limiter serves keys with different rules`, async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const [l] = await h.open({ clock });
    try {
      const a = `ip-${Math.random()}`;
      const b = `prefix-${Math.random()}`;
      for (let i = 0; i < 5; i++) assert.equal(await l!.take(a, { ratePerSecond: 1, burst: 5 }), 0);
      assert.ok((await l!.take(a, { ratePerSecond: 1, burst: 5 })) >= 1);
      assert.equal(await l!.take(b, { ratePerSecond: 1 / 3600, burst: 1 }), 0);
      const wait = await l!.take(b, { ratePerSecond: 1 / 3600, burst: 1 });
      assert.ok(wait > 3500 && wait <= 3600, `an hourly budget waits about an hour, got ${wait} s`);
    } finally {
      await h.close([l!]);
    }
  });
}
