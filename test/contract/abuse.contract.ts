import assert from 'node:assert/strict';
import { liftedByOperator } from '../../src/core/ports/abuse.ts';
import { BUDGET, LIMITS, T0, pairTest, right, storeTest, verification, type StoreHarness } from './store.contract.ts';

const MIN = 60_000;

/** Number lists, client policies, spend budgets and the conversion breaker's data: part of the Store contract. */
export function abuseContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);
  const withPair = pairTest(name, h);

  withPair(
    'abuse: number rules match by prefix, and a change by one handle applies to the next read of another',
    async (a, b) => {
      await a.putNumberRule({ kind: 'block', prefix: '+4479', note: 'pumping', createdAt: T0 });
      await a.putNumberRule({ kind: 'safe', prefix: '+447911123456', note: null, createdAt: T0 });
      const facts = await b.admissionFacts('c', '+447911123456', [], T0);
      assert.deepEqual(facts.rules.map((r) => `${r.kind}:${r.prefix}`).sort(), ['block:+4479', 'safe:+447911123456']);
      assert.deepEqual((await b.admissionFacts('c', '+447811123456', [], T0)).rules, []);
      assert.equal(await b.deleteNumberRule('block', '+4479'), true);
      assert.equal(await b.deleteNumberRule('block', '+4479'), false);
      assert.deepEqual(
        (await a.admissionFacts('c', '+447911123456', [], T0)).rules.map((r) => r.kind),
        ['safe'],
      );
      await a.putNumberRule({ kind: 'safe', prefix: '+447911123456', note: 'VIP', createdAt: T0 + 1 });
      assert.deepEqual(
        (await a.listNumberRules('safe')).map((r) => [r.prefix, r.note]),
        [['+447911123456', 'VIP']],
      );
      assert.equal((await a.listNumberRules()).length, 1);
    },
  );

  withPair(
    'abuse: policies and blocks changed by one handle apply to the next facts read by another, however it caches',
    async (a, b) => {
      const scopes = ['country:GB', 'prefix:+4479111234'];
      assert.deepEqual(await a.admissionFacts('shop', '+447911123456', scopes, T0), {
        rules: [],
        policy: null,
        blocks: [],
        baselines: [],
      });
      const policy = { clientId: 'shop', countries: null, dailyMessages: 7, dailyBudgetMicros: 0, updatedAt: T0 };
      await b.putClientPolicy(policy);
      await b.putBlocks([{ scope: 'country:GB', until: T0 + 1000, shadow: false, reason: 'pumping', createdAt: T0 }]);
      const facts = await a.admissionFacts('shop', '+447911123456', scopes, T0);
      assert.equal(facts.policy?.dailyMessages, 7);
      assert.deepEqual(
        facts.blocks.map((x) => x.scope),
        ['country:GB'],
      );
      assert.deepEqual((await a.admissionFacts('shop', '+447911123456', scopes, T0 + 1000)).blocks, [], 'ran out');
      assert.equal(await b.deleteBlock('country:GB', T0 + 1), true);
      assert.deepEqual((await a.admissionFacts('shop', '+447911123456', scopes, T0 + 2)).blocks, [], 'lifted');
    },
  );

  withStore('abuse: a client policy is stored, replaced and returned with the facts', async (s) => {
    assert.equal(await s.getClientPolicy('shop'), null);
    await s.putClientPolicy({
      clientId: 'shop',
      countries: { mode: 'allow', list: ['ES', 'FR'] },
      dailyMessages: 100,
      dailyBudgetMicros: null,
      updatedAt: T0,
    });
    await s.putClientPolicy({
      clientId: 'shop',
      countries: { mode: 'deny', list: ['GB'] },
      dailyMessages: null,
      dailyBudgetMicros: 5_000_000,
      updatedAt: T0 + 1,
    });
    const p = (await s.admissionFacts('shop', '+34629255833', [], T0)).policy;
    assert.deepEqual(p, {
      clientId: 'shop',
      countries: { mode: 'deny', list: ['GB'] },
      dailyMessages: null,
      dailyBudgetMicros: 5_000_000,
      updatedAt: T0 + 1,
    });
    assert.equal((await s.admissionFacts('other', '+34629255833', [], T0)).policy, null);
    assert.equal((await s.listClientPolicies()).length, 1);
  });

  withStore('abuse: blocks are in force until their end; the later end wins; an operator can lift one', async (s) => {
    await s.putBlocks([
      { scope: 'country:GB', until: T0 + 10 * MIN, shadow: false, reason: 'conversion 2% of 120', createdAt: T0 },
    ]);
    await s.putBlocks([
      { scope: 'country:GB', until: T0 + 5 * MIN, shadow: false, reason: 'again', createdAt: T0 + 1 },
    ]);
    const facts = await s.admissionFacts('c', '+447911123456', ['country:GB', 'prefix:+44791112'], T0 + 9 * MIN);
    assert.deepEqual(
      facts.blocks.map((b) => [b.scope, b.until, b.shadow]),
      [['country:GB', T0 + 10 * MIN, false]],
    );
    assert.deepEqual(
      (await s.admissionFacts('c', '+447911123456', ['country:GB'], T0 + 10 * MIN)).blocks,
      [],
      'over at its end',
    );
    assert.deepEqual(
      (await s.admissionFacts('c', '+34629255833', ['country:ES'], T0)).blocks,
      [],
      'other scopes are not affected',
    );
    await s.putBlocks([{ scope: 'prefix:+44791112', until: T0 + MIN, shadow: true, reason: 'shadow', createdAt: T0 }]);
    assert.deepEqual((await s.listBlocks(T0)).map((b) => [b.scope, b.shadow]).sort(), [
      ['country:GB', false],
      ['prefix:+44791112', true],
    ]);
    assert.equal(await s.deleteBlock('country:GB', T0), true);
    assert.deepEqual(
      (await s.listBlocks(T0)).map((b) => b.scope),
      ['prefix:+44791112'],
    );
  });

  withPair(
    "abuse: a lifted block stays as a row ended at the lift, marked as an operator's decision; " +
      'only one of two lifts counts',
    async (a, b) => {
      await a.putBlocks([
        {
          scope: 'country:GB',
          until: T0 + 60 * MIN,
          shadow: false,
          reason: '0 of 60 codes validated (0% < 20%)',
          createdAt: T0,
        },
      ]);
      const lift = T0 + 10 * MIN;
      assert.deepEqual(
        await Promise.all([a.deleteBlock('country:GB', lift), b.deleteBlock('country:GB', lift)]).then((r) => r.sort()),
        [false, true],
      );
      assert.equal(await a.deleteBlock('country:GB', lift + 1), false, 'no block in force any more');
      assert.equal(await a.deleteBlock('country:ES', lift), false, 'never blocked');
      assert.deepEqual(
        (await b.admissionFacts('c', '+447911123456', ['country:GB'], lift)).blocks,
        [],
        'not in force from the lift',
      );
      assert.deepEqual(await b.listBlocks(lift), [], 'not listed as in force');
      const [row, ...rest] = await b.listBlocks(lift - 1);
      assert.deepEqual(rest, []);
      assert.deepEqual([row!.scope, row!.until, row!.shadow, row!.createdAt], ['country:GB', lift, false, T0]);
      assert.ok(liftedByOperator(row!), row!.reason);
      assert.match(row!.reason, /0 of 60 codes validated/, 'the original reason is kept');
      assert.deepEqual(await b.listBlocks(lift), [], 'and gone once `since` reaches the lift');
    },
  );

  withStore(
    'abuse: a block that ran out stays visible to listBlocks(since); a new block replaces an ended row',
    async (s) => {
      await s.putBlocks([{ scope: 'country:GB', until: T0 + 60 * MIN, shadow: true, reason: 'first', createdAt: T0 }]);
      const [ran] = await s.listBlocks(T0 + 30 * MIN);
      assert.deepEqual([ran!.until, liftedByOperator(ran!)], [T0 + 60 * MIN, false]);
      assert.deepEqual(await s.listBlocks(T0 + 60 * MIN), [], 'not in force at its end');

      await s.putBlocks([
        { scope: 'country:GB', until: T0 + 150 * MIN, shadow: false, reason: 'second', createdAt: T0 + 90 * MIN },
      ]);
      assert.deepEqual(
        (await s.listBlocks(T0 + 90 * MIN)).map((b) => [b.until, b.shadow, b.reason, b.createdAt]),
        [[T0 + 150 * MIN, false, 'second', T0 + 90 * MIN]],
      );
      assert.equal(await s.deleteBlock('country:GB', T0 + 100 * MIN), true);
      await s.putBlocks([
        { scope: 'country:GB', until: T0 + 200 * MIN, shadow: false, reason: 'third', createdAt: T0 + 140 * MIN },
      ]);
      const facts = await s.admissionFacts('c', '+447911123456', ['country:GB'], T0 + 140 * MIN);
      assert.deepEqual(
        facts.blocks.map((b) => [b.until, b.reason, b.createdAt, liftedByOperator(b)]),
        [[T0 + 200 * MIN, 'third', T0 + 140 * MIN, false]],
        'a lifted row too',
      );
    },
  );

  withStore(
    'abuse: conversion statistics count settled sends with a message, per country and per prefix',
    async (s) => {
      const mk = (i: number, o: { country: string; prefix: string; message?: boolean }) =>
        verification({
          phone: `conv-${i}`,
          createdAt: T0 + i,
          expiresAt: T0 + 5 * MIN + i,
          country: o.country,
          prefix: o.prefix,
          ...(o.message === false ? { message: undefined } : {}),
        });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const v = mk(i, { country: 'ES', prefix: '+3462925' });
        await s.createVerification(v, LIMITS);
        ids.push(v.id);
      }
      await s.createVerification(mk(10, { country: 'GB', prefix: '+44791112' }), LIMITS);
      await s.createVerification(mk(11, { country: 'GB', prefix: '+44791112', message: false }), LIMITS);
      for (const id of ids.slice(0, 3))
        assert.equal(await s.attemptValidation('client-a', id, T0 + MIN, BUDGET, right), 'VERIFIED');
      const stats = await s.conversionStats(T0, T0 + 10 * MIN);
      const by = Object.fromEntries(stats.map((x) => [x.scope, [x.sent, x.verified]]));
      assert.deepEqual(by, {
        'country:ES': [4, 3],
        'prefix:+3462925': [4, 3],
        'country:GB': [1, 0],
        'prefix:+44791112': [1, 0],
      });
      assert.deepEqual(
        await s.conversionStats(T0 + 10 * MIN, T0 + 20 * MIN),
        [],
        'only codes that expired in the window',
      );
    },
  );

  withPair('abuse: the daily spend budget is exact under parallel sends over two handles', async (a, b) => {
    const limits = { ...LIMITS, dailyQuota: 0, dailyBudgetMicros: 55_000 };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? b : a).createVerification(
          verification({
            phone: `spend-${i}`,
            message: {
              channel: 'sms',
              recipient: '+34629255833',
              body: Buffer.from('sealed'),
              segments: 1,
              costMicros: 10_000,
            },
          }),
          limits,
        ),
      ),
    );
    assert.equal(results.filter((r) => r.ok).length, 5);
    assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'QUOTA'));
    const tooDear = await a.createVerification(
      verification({
        phone: 'spend-x',
        clientId: 'rich',
        message: { channel: 'sms', recipient: '+34629255833', body: Buffer.from('s'), segments: 1, costMicros: 60_000 },
      }),
      limits,
    );
    assert.deepEqual(tooDear, { ok: false, reason: 'QUOTA' }, 'one message dearer than the whole budget');
  });
}
