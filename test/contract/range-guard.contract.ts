import assert from 'node:assert/strict';
import type { RangeBaseline, ScopeBlock } from '../../src/core/ports/abuse.ts';
import { BUDGET, LIMITS, T0, pairTest, right, storeTest, verification, type StoreHarness } from './store.contract.ts';

const MIN = 60_000;
const SIGNALS = { block: '+4479111234', sources: ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'], trusted: false };

/** What the range guard keeps in the store: each send's signals, its decisions and the baselines. */
export function rangeGuardContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);
  const withPair = pairTest(name, h);

  withStore('range guard: recent sends come back with their signals, validation time and country', async (s) => {
    const validated = verification({ phone: 'p1', signals: SIGNALS, country: 'GB' });
    const pending = verification({ phone: 'p2', createdAt: T0 + MIN, signals: { ...SIGNALS, trusted: true } });
    const test = verification({ phone: 'p3', message: undefined, signals: undefined });
    const old = verification({ phone: 'p4', createdAt: T0 - 10 * MIN, expiresAt: T0 - 5 * MIN, signals: SIGNALS });
    for (const v of [validated, pending, test, old])
      assert.deepEqual(await s.createVerification(v, LIMITS), { ok: true });
    assert.equal(await s.attemptValidation('client-a', validated.id, T0 + 30_000, BUDGET, right), 'VERIFIED');
    const facts = await s.recentSends(T0, T0 + 10 * MIN, 100);
    assert.deepEqual(facts, [
      { clientId: 'client-a', country: null, createdAt: T0 + MIN, verifiedAt: null, ...SIGNALS, trusted: true },
      { clientId: 'client-a', country: 'GB', createdAt: T0, verifiedAt: T0 + 30_000, ...SIGNALS },
    ]);
    assert.equal((await s.recentSends(T0, T0 + 10 * MIN, 1)).length, 1, 'newest first, at most the limit');
    assert.deepEqual(await s.recentSends(T0 + 2 * MIN, T0 + 10 * MIN, 100), []);
  });

  withStore('range guard: a number is known once a code sent to it was validated, for that client only', async (s) => {
    const v = verification({ phone: 'known' });
    await s.createVerification(v, LIMITS);
    assert.equal(await s.hasVerified('client-a', v.phoneIndex), false);
    await s.attemptValidation('client-a', v.id, T0 + 1, BUDGET, right);
    assert.equal(await s.hasVerified('client-a', v.phoneIndex), true);
    assert.equal(await s.hasVerified('client-b', v.phoneIndex), false);
  });

  withPair(
    'range guard: throttles and blocks carry action, strikes and rate; a block in force keeps its action',
    async (a, b) => {
      const scope = 't:shop:range:+447911';
      const throttle: ScopeBlock = {
        scope,
        until: T0 + 15 * MIN,
        shadow: false,
        reason: '0 of 9 validated',
        createdAt: T0,
        action: 'throttle',
        strikes: 0,
        perHour: 12,
      };
      await a.putBlocks([throttle]);
      const facts = await b.admissionFacts('shop', '+447911123456', [scope], T0 + MIN);
      assert.deepEqual(facts.blocks, [throttle]);
      const block: ScopeBlock = {
        ...throttle,
        until: T0 + 45 * MIN,
        createdAt: T0 + 5 * MIN,
        action: 'block',
        strikes: 1,
      };
      await b.putBlocks([block]);
      // Replicas deciding at once: a late throttle does not undo the block, nor lower its strikes.
      // The row keeps the time its first decision was made (the throttle that escalated).
      await a.putBlocks([{ ...throttle, createdAt: T0 + 6 * MIN }]);
      const [row] = await a.listBlocks(T0 + 10 * MIN);
      assert.deepEqual([row?.action, row?.strikes, row?.until, row?.createdAt], ['block', 1, T0 + 45 * MIN, T0]);
      // Once it has ended, the next decision replaces the row, strikes included.
      await a.putBlocks([{ ...throttle, createdAt: T0 + 50 * MIN, until: T0 + 65 * MIN, strikes: 1 }]);
      const [after] = await b.listBlocks(T0 + 50 * MIN);
      assert.deepEqual([after?.action, after?.strikes, after?.createdAt], ['throttle', 1, T0 + 50 * MIN]);
    },
  );

  withPair('range guard: baselines are replaced as a set, and read by every handle', async (a, b) => {
    const row = (scope: string, updatedAt: number, sent = 10): RangeBaseline => ({
      clientId: 'shop',
      scope,
      sentPerHour: sent,
      validatedPerHour: 8.5,
      updatedAt,
    });
    assert.deepEqual(await a.listBaselines(), []);
    await a.replaceBaselines([row('t:shop:country:GB', T0), row('t:shop:range:+447', T0)]);
    assert.deepEqual(await b.listBaselines(), [row('t:shop:country:GB', T0), row('t:shop:range:+447', T0)]);
    await b.replaceBaselines([row('t:shop:country:GB', T0 + 60 * MIN, 12.25)]);
    assert.deepEqual(await a.listBaselines(), [row('t:shop:country:GB', T0 + 60 * MIN, 12.25)], 'the rest is gone');
    // A country's baseline comes with the admission facts (the spend cap), a change at once.
    const facts = () => a.admissionFacts('shop', '+447911123456', ['t:shop:country:GB', 't:shop:range:+447'], T0);
    assert.deepEqual((await facts()).baselines, [row('t:shop:country:GB', T0 + 60 * MIN, 12.25)]);
    await b.replaceBaselines([row('t:shop:range:+447', T0 + 120 * MIN)]);
    assert.deepEqual((await facts()).baselines, [], 'ranges are not read there, and the country is gone');
    await a.replaceBaselines([]);
    assert.deepEqual(await b.listBaselines(), []);
  });
}
