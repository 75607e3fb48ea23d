import assert from 'node:assert/strict';
import type { RateTake } from '../../src/core/ports/rate-limiter.ts';
import type { ApiKeyRecord, KeyCheck, SendLimits, Store } from '../../src/core/ports/store.ts';
import {
  BUDGET,
  LIMITS,
  MIN,
  T0,
  pairTest,
  right,
  storeTest,
  verification,
  wrong,
  type StoreHarness,
} from './store.contract.ts';

const HASH = Buffer.alloc(32, 0xa1);
const KEY: KeyCheck = { id: 'key-a', secretHash: HASH };
const keyRecord = (o: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: 'key-a',
  clientId: 'client-a',
  name: 'a',
  kind: 'client',
  scopes: ['one-time-password-sms:send-validate'],
  createdAt: T0,
  revokedAt: null,
  ...o,
});

/** A budget of `burst` sends, refilled by one an hour. */
const hourly = (key: string, burst: number): RateTake => ({ key, rule: { ratePerSecond: 1 / 3600, burst } });
const withRates = (rates: RateTake[], base: SendLimits = LIMITS): SendLimits => ({ ...base, rates });

/** How many messages were queued, whatever their number. */
const queued = async (s: Store) => (await s.listMessages({ limit: 1000 })).length;

/**
 * The checks a send's write and a validation make besides the verification's own rules: the key
 * that authorised them, and the velocity budgets spent with the send. Part of the Store contract.
 */
export function sendGuardsContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);
  const withPair = pairTest(name, h);

  withStore('key check: a live key lets the send and the validation through', async (s) => {
    await s.createApiKey(keyRecord(), HASH);
    const v = verification();
    assert.deepEqual(await s.createVerification(v, LIMITS, KEY), { ok: true });
    assert.equal(await s.attemptValidation('client-a', v.id, T0, BUDGET, right, KEY), 'VERIFIED');
    const token = verification({ createdAt: T0 + 1 });
    assert.deepEqual(await s.createVerification(token, LIMITS, { id: 'key-a' }), { ok: true }, 'an access token');
  });

  withPair('key check: a key revoked through another handle changes nothing on its next send', async (a, b) => {
    await a.createApiKey(keyRecord(), HASH);
    await a.createApiKey(keyRecord({ id: 'key-b' }), Buffer.alloc(32, 0xb2));
    const pending = verification();
    await a.createVerification(pending, withRates([hourly('k:client', 2)], { ...LIMITS, dailyQuota: 2 }), KEY);
    assert.equal(await b.revokeApiKey('key-a', T0 + 1), true);
    const refused = verification({ phone: 'phone-1', createdAt: T0 + 2 });
    const limits = withRates([hourly('k:client', 2)], { ...LIMITS, dailyQuota: 2 });
    assert.deepEqual(await a.createVerification(refused, limits, KEY), { ok: false, reason: 'KEY_REVOKED' });
    assert.deepEqual(await a.createVerification(refused, limits, { id: 'key-a' }), {
      ok: false,
      reason: 'KEY_REVOKED',
    });
    assert.equal(await a.attemptValidation('client-a', refused.id, T0 + 3, BUDGET, right), 'NOT_FOUND');
    // Nothing was superseded, and neither the quota nor the budget was spent.
    const other = { id: 'key-b', secretHash: Buffer.alloc(32, 0xb2) };
    assert.deepEqual(await a.createVerification(verification({ phone: 'p2', createdAt: T0 + 4 }), limits, other), {
      ok: true,
    });
    assert.equal(await a.attemptValidation('client-a', pending.id, T0 + 5, BUDGET, right, other), 'VERIFIED');
    assert.equal(await queued(a), 2);
  });

  withPair('key check: a revoked key spends no attempt and consumes nothing', async (a, b) => {
    await a.createApiKey(keyRecord(), HASH);
    const v = verification({ maxAttempts: 1 });
    await a.createVerification(v, LIMITS, KEY);
    await b.revokeApiKey('key-a', T0 + 1);
    for (let i = 0; i < 3; i++)
      assert.equal(await a.attemptValidation('client-a', v.id, T0 + 2, BUDGET, right, KEY), 'KEY_REVOKED');
    assert.equal(await a.attemptValidation('client-a', v.id, T0 + 3, BUDGET, right), 'VERIFIED');
  });

  withStore(
    "key check: a re-keyed key's old secret, an unknown key and another client's key are refused",
    async (s) => {
      await s.createApiKey(keyRecord(), HASH);
      await s.upsertApiKey(keyRecord({ id: 'boot' }), Buffer.alloc(32, 1));
      await s.upsertApiKey(keyRecord({ id: 'boot' }), Buffer.alloc(32, 2));
      const v = verification();
      const refused = { ok: false, reason: 'KEY_REVOKED' };
      assert.deepEqual(await s.createVerification(v, LIMITS, { id: 'boot', secretHash: Buffer.alloc(32, 1) }), refused);
      assert.deepEqual(await s.createVerification(v, LIMITS, { id: 'nobody' }), refused);
      assert.deepEqual(await s.createVerification(verification({ clientId: 'client-b' }), LIMITS, KEY), refused);
      assert.deepEqual(await s.createVerification(v, LIMITS, { id: 'boot', secretHash: Buffer.alloc(32, 2) }), {
        ok: true,
      });
      assert.equal(await s.attemptValidation('client-b', v.id, T0, BUDGET, right, KEY), 'KEY_REVOKED');
      assert.equal(await s.attemptValidation('client-a', v.id, T0, BUDGET, right, KEY), 'VERIFIED');
    },
  );

  withStore('velocity: a budget admits its burst, refuses with Retry-After, refills at its rate', async (s) => {
    const limits = withRates([hourly('k:client', 2)]);
    for (let i = 0; i < 2; i++)
      assert.deepEqual(await s.createVerification(verification({ phone: `p${i}`, createdAt: T0 + i }), limits), {
        ok: true,
      });
    const refused = await s.createVerification(verification({ phone: 'p2', createdAt: T0 + 2 }), limits);
    assert.ok(!refused.ok && refused.reason === 'RATE' && refused.index === 0);
    assert.ok(refused.retryAfterSeconds > 3500 && refused.retryAfterSeconds <= 3600, `${refused.retryAfterSeconds}`);
    assert.equal(await queued(s), 2, 'the refused send queued nothing');
    assert.deepEqual(await s.createVerification(verification({ phone: 'p3', createdAt: T0 + 60 * MIN }), limits), {
      ok: true,
    });
  });

  withStore('velocity: all or nothing, and the first exhausted budget in order refuses', async (s) => {
    const wide = hourly('k:wide', 4);
    const [a, c] = [hourly('k:a', 1), hourly('k:c', 1)];
    assert.equal((await s.createVerification(verification({ phone: 'p0' }), withRates([wide, a, c]))).ok, true);
    const r = await s.createVerification(verification({ phone: 'p1' }), withRates([wide, hourly('k:new', 5), c, a]));
    assert.ok(!r.ok && r.reason === 'RATE' && r.index === 2, JSON.stringify(r));
    // The refused send spent nothing from the budgets that had room: three of the wide four are left.
    const wideLeft: boolean[] = [];
    for (let i = 2; i < 6; i++)
      wideLeft.push((await s.createVerification(verification({ phone: `p${i}` }), withRates([wide]))).ok);
    assert.deepEqual(wideLeft, [true, true, true, false]);
  });

  withStore('velocity: refused before the windows; a window or quota refusal spends no budget', async (s) => {
    const tight: SendLimits = { windows: [{ windowMs: 15 * MIN, max: 1 }], dailyQuota: 2 };
    const budget = hourly('k:client', 3);
    const send = (phone: string, at: number, limits = withRates([budget], tight)) =>
      s.createVerification(verification({ phone, createdAt: at }), limits);
    assert.equal((await send('p1', T0)).ok, true);
    const window = await send('p1', T0 + 1);
    assert.equal(!window.ok && window.reason, 'SEND_LIMIT');
    assert.equal((await send('p2', T0 + 2)).ok, true);
    const quota = await send('p3', T0 + 3);
    assert.equal(!quota.ok && quota.reason, 'QUOTA');
    // Two of three spent, so one is left.
    assert.equal((await send('p4', T0 + 4, withRates([budget]))).ok, true);
    const both = await send('p1', T0 + 5);
    assert.equal(!both.ok && both.reason, 'RATE', 'an exhausted budget is reported before the window');
  });

  withPair('concurrency: a velocity budget is exact under parallel sends over two handles', async (a, b) => {
    const limits = withRates([hourly('k:client', 8), hourly('k:country', 100)]);
    // The budgets' rows exist before the race, so nothing but their own locks orders the sends.
    assert.equal((await a.createVerification(verification({ phone: 'first' }), limits)).ok, true);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? b : a).createVerification(verification({ phone: `par-${i}`, createdAt: T0 + i }), limits),
      ),
    );
    assert.equal(results.filter((r) => r.ok).length, 7);
    assert.ok(results.every((r) => r.ok || (r.reason === 'RATE' && r.index === 0)));
    assert.equal(await queued(a), 8);
  });

  withPair('concurrency: budgets named in any order never deadlock and stay exact', async (a, b) => {
    const x = hourly('k:x', 10);
    const y = hourly('k:y', 10);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? b : a).createVerification(
          verification({ phone: `ord-${i}`, createdAt: T0 + i }),
          withRates(i % 3 ? [x, y] : [y, x]),
        ),
      ),
    );
    assert.equal(results.filter((r) => r.ok).length, 10);
  });
}

/** The API's request budget handed to the operations (api/guard.ts): part of the Store contract. */
export function requestBudgetContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);
  const request = (burst: number): RateTake => ({ key: 'client:client-a', rule: { ratePerSecond: 1, burst } });
  const limited = (o: unknown) => typeof o === 'object' && o !== null && 'retryAfterSeconds' in o;

  withStore('request budget: one budget for both operations, spent first and kept whatever follows', async (s) => {
    const v = verification();
    await s.createVerification(v, LIMITS);
    assert.equal((await s.admissionFacts('client-a', '+34629255833', [], T0, request(3))).requestRetryAfter, undefined);
    assert.equal(
      await s.attemptValidation('client-a', 'unknown', T0, BUDGET, right, undefined, request(3)),
      'NOT_FOUND',
    );
    assert.equal(await s.attemptValidation('client-a', v.id, T0, BUDGET, wrong, undefined, request(3)), 'INVALID');
    assert.deepEqual(await s.attemptValidation('client-a', v.id, T0, BUDGET, right, undefined, request(3)), {
      retryAfterSeconds: 1,
    });
    assert.equal((await s.admissionFacts('client-a', '+34629255833', [], T0, request(3))).requestRetryAfter, 1);
    assert.equal(
      (await s.admissionFacts('client-b', '+34629255833', [], T0, { ...request(3), key: 'client:client-b' }))
        .requestRetryAfter,
      undefined,
      'budgets are per key',
    );
    // The refused validation spent no attempt: one second later the right code still verifies.
    assert.equal(
      await s.attemptValidation('client-a', v.id, T0 + 1000, BUDGET, right, undefined, request(3)),
      'VERIFIED',
    );
  });

  withStore('request budget: a validation whose key is revoked spends none of it', async (s) => {
    await s.createApiKey(keyRecord(), HASH);
    await s.revokeApiKey('key-a', T0);
    for (let i = 0; i < 3; i++)
      assert.equal(await s.attemptValidation('client-a', 'x', T0, BUDGET, right, KEY, request(1)), 'KEY_REVOKED');
    assert.equal(await s.attemptValidation('client-a', 'x', T0, BUDGET, right, undefined, request(1)), 'NOT_FOUND');
  });

  withStore('request budget: an attempt answered with its row spends it as a validation does', async (s) => {
    const [v, next] = [verification(), verification({ phone: '+34629255834' })];
    await s.createVerification(v, LIMITS);
    await s.createVerification(next, LIMITS);
    const read = async (id: string, codes: Buffer[], at: number, key?: typeof KEY) => {
      const r = await s.attemptAndRead('client-a', id, at, BUDGET, codes, key, request(2));
      return 'outcome' in r ? [r.outcome, r.record?.status, r.record?.attempts] : r;
    };
    assert.deepEqual(await read(v.id, wrong, T0), ['INVALID', 'pending', 1]);
    assert.deepEqual(await read(v.id, right, T0), ['VERIFIED', 'verified', 2]);
    assert.deepEqual(await read(next.id, right, T0), { retryAfterSeconds: 1 }, 'the budget of 2 is spent');
    // One second on, one request is admitted again: a revoked key's attempt does not take it.
    await s.createApiKey(keyRecord(), HASH);
    await s.revokeApiKey('key-a', T0);
    assert.deepEqual(await read(next.id, right, T0 + 1000, KEY), ['KEY_REVOKED', undefined, undefined]);
    assert.deepEqual(await read(next.id, right, T0 + 1000), ['VERIFIED', 'verified', 1]);
  });

  withStore('concurrency: parallel requests never spend more than the request budget', async (s) => {
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2
          ? s.attemptValidation('client-a', `id-${i}`, T0, BUDGET, right, undefined, request(10))
          : s.admissionFacts('client-a', '+34629255833', [], T0, request(10)),
      ),
    );
    const spent = outcomes.filter((o) => !limited(o) && !(typeof o === 'object' && o.requestRetryAfter));
    assert.equal(spent.length, 10);
  });
}

/**
 * After an upgrade from the tenancy schema, whose keys include `shop` (client `shop`, secret hash 32
 * bytes of 2): sends and validations work, key checks and budgets included. Leaves the store open.
 */
export async function assertUpgradedSendsWork(s: Store): Promise<void> {
  const v = verification({ clientId: 'shop' });
  const key = { id: 'shop', secretHash: Buffer.alloc(32, 2) };
  assert.deepEqual(await s.createVerification(v, withRates([hourly('k:upgrade', 1)]), key), { ok: true });
  assert.equal(await s.attemptValidation('shop', v.id, T0, BUDGET, right, key), 'VERIFIED');
  assert.equal(await s.attemptValidation('shop', v.id, T0, BUDGET, right, { id: 'bootstrap' }), 'KEY_REVOKED');
}
