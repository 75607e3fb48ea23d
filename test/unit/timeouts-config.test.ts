import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

test('HTTP deadlines: defaults, environment, and headers no later than the whole request', () => {
  const d = loadConfig({});
  assert.deepEqual([d.headersTimeoutMs, d.requestTimeoutMs, d.keepAliveTimeoutMs], [10_000, 30_000, 5_000]);
  const c = loadConfig({
    OTPD_HEADERS_TIMEOUT_MS: '2000',
    OTPD_REQUEST_TIMEOUT_MS: '4000',
    OTPD_KEEP_ALIVE_TIMEOUT_MS: '65000',
  });
  assert.deepEqual([c.headersTimeoutMs, c.requestTimeoutMs, c.keepAliveTimeoutMs], [2000, 4000, 65_000]);
  assert.throws(
    () => loadConfig({ OTPD_HEADERS_TIMEOUT_MS: '20000', OTPD_REQUEST_TIMEOUT_MS: '10000' }),
    (e: unknown) =>
      e instanceof ConfigError && e.problems.some((p) => p.startsWith('headersTimeoutMs must be at most')),
  );
  // 0 would turn a deadline off: refused.
  assert.throws(() => loadConfig({ OTPD_KEEP_ALIVE_TIMEOUT_MS: '0' }), /keepAliveTimeoutMs/);
});
