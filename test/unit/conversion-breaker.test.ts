import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtpdError } from '../../src/core/errors.ts';
import { liftedByOperator } from '../../src/core/ports/abuse.ts';
import { ConversionBreaker, judgedFrom, type BreakerOptions } from '../../src/jobs/conversion-breaker.ts';
import { coreFixture, smsText } from '../helpers/core.ts';

const MSG = 'code {{code}}';
const MIN = 60_000;
const HOUR = 60 * MIN;
const INTERVAL = 30_000;
/** Past the default code lifetime (300 s): every code sent before it has settled. */
const SETTLE = 5 * MIN + 1;

type Fixture = ReturnType<typeof coreFixture>;

/** Judges countries only (a prefix needs more codes than any test sends). */
const OPTIONS: BreakerOptions = {
  windowMs: HOUR,
  minConversion: 0.2,
  minSentCountry: 5,
  minSentPrefix: 1000,
  cooldownMs: HOUR,
  intervalMs: INTERVAL,
  shadow: false,
};

function setup(o: Partial<BreakerOptions> = {}) {
  const f = coreFixture();
  const options = { ...OPTIONS, ...o };
  const reported: string[] = [];
  const breaker = new ConversionBreaker({
    store: f.store,
    clock: f.clock,
    options,
    events: { tripped: (b) => reported.push(b.scope), error: (e) => assert.fail(String(e)) },
  });
  let n = 0;
  /** Codes to distinct UK mobiles (GB) that nobody validates. */
  const pumped = async (count: number) => {
    for (let i = 0; i < count; i++)
      await f.verifier.sendCode('c', { to: `+4474001${String(n++).padStart(5, '0')}`, template: smsText(MSG) });
  };
  return { f, options, breaker, reported, pumped };
}

/**
 * Runs the breaker every interval up to and including `last`, as the timer would; returns the scopes
 * those runs tripped.
 */
async function runThrough(f: Fixture, breaker: ConversionBreaker, last: number): Promise<string[]> {
  const tripped: string[] = [];
  while (f.clock.now() < last) {
    f.clock.set(Math.min(f.clock.now() + INTERVAL, last));
    tripped.push(...(await breaker.runOnce()).map((b) => b.scope));
  }
  return tripped;
}

async function gbRefused(f: Fixture): Promise<void> {
  await assert.rejects(
    f.verifier.sendCode('c', { to: '+447400299999', template: smsText(MSG) }),
    (e: unknown) => e instanceof OtpdError && e.code === 'RECIPIENT_NOT_ALLOWED',
  );
}

const gbIn = async (f: Fixture, from: number) =>
  (await f.store.conversionStats(from, f.clock.now())).find((s) => s.scope === 'country:GB');

for (const cooldownMs of [HOUR, 20 * MIN]) {
  test(
    `a trip lasts exactly the cool-down (${cooldownMs / MIN} min, window 60 min): ` +
      'runs during it neither extend nor report it, and its data never trips the scope again',
    async () => {
      const { f, breaker, reported, pumped } = setup({ cooldownMs });
      await pumped(6);
      f.clock.advance(SETTLE);
      await pumped(6); // sent before the trip, settled during it
      const t0 = f.clock.now();
      const [block, ...more] = await breaker.runOnce();
      assert.deepEqual(more, []);
      assert.deepEqual([block!.scope, block!.until, block!.shadow], ['country:GB', t0 + cooldownMs, false]);
      assert.match(block!.reason, /^0 of 6 codes validated/);
      await gbRefused(f);
      await f.verifier.sendCode('c', { to: '+34629250001', template: smsText(MSG) });

      assert.deepEqual(await runThrough(f, breaker, t0 + cooldownMs - 1), [], 'not tripped again while in force');
      assert.deepEqual(reported, ['country:GB'], 'reported once');
      assert.deepEqual(
        (await f.store.listBlocks(f.clock.now())).map((b) => [b.scope, b.until]),
        [['country:GB', t0 + cooldownMs]],
        'not extended',
      );
      await gbRefused(f);

      f.clock.set(t0 + cooldownMs);
      assert.deepEqual(await f.store.listBlocks(f.clock.now()), [], 'over at its end');
      assert.ok((await gbIn(f, f.clock.now() - HOUR))!.sent >= 6, 'the codes it was judged on are still in the window');
      assert.deepEqual(await runThrough(f, breaker, t0 + cooldownMs + 10 * MIN), [], 'but they do not trip it again');

      await pumped(4);
      f.clock.advance(SETTLE);
      assert.deepEqual(await breaker.runOnce(), [], 'fresh codes are judged on their own, past the minimum volume');
      await pumped(1);
      f.clock.advance(SETTLE);
      const [again] = await breaker.runOnce();
      assert.deepEqual(
        [again!.scope, again!.until, again!.createdAt],
        ['country:GB', f.clock.now() + cooldownMs, f.clock.now()],
      );
      assert.match(again!.reason, /^0 of 5 codes validated/);
      assert.deepEqual(reported, ['country:GB', 'country:GB']);
    },
  );
}

test(
  "an operator's reset holds: the scope is not judged for a window after it, " +
    'though the old codes are still in the window',
  async () => {
    const { f, breaker, reported, pumped } = setup();
    await pumped(6);
    f.clock.advance(SETTLE);
    const t0 = f.clock.now();
    assert.deepEqual(
      (await breaker.runOnce()).map((b) => b.scope),
      ['country:GB'],
    );
    await runThrough(f, breaker, t0 + 10 * MIN);

    const lift = f.clock.now();
    assert.equal(await f.store.deleteBlock('country:GB', lift), true);
    assert.equal(await f.store.deleteBlock('country:GB', lift), false, 'nothing left in force');
    assert.deepEqual(await f.store.listBlocks(lift), []);
    assert.deepEqual(await gbIn(f, lift - HOUR), { scope: 'country:GB', sent: 6, verified: 0 });
    assert.deepEqual(await breaker.runOnce(), [], 'the next run does not undo the reset');

    await pumped(6); // sends flow again, and fail again
    f.clock.advance(SETTLE);
    assert.deepEqual(
      await runThrough(f, breaker, lift + HOUR - 1),
      [],
      'not judged within a window of the reset, fresh codes or not',
    );
    assert.deepEqual(reported, ['country:GB']);

    f.clock.set(lift + HOUR);
    const [again] = await breaker.runOnce();
    assert.equal(again!.scope, 'country:GB');
    assert.match(again!.reason, /^0 of 6 codes validated/, 'judged on the codes sent since the reset only');
    assert.equal((await f.store.listBlocks(f.clock.now()))[0]!.until, lift + 2 * HOUR);
    await gbRefused(f);
  },
);

test(
  'shadow mode: a trip only reports, once while in force, ' +
    'and is judged again on the whole window when it runs out',
  async () => {
    const { f, breaker, reported, pumped } = setup({ shadow: true });
    await pumped(6);
    f.clock.advance(SETTLE);
    const t0 = f.clock.now();
    const [block] = await breaker.runOnce();
    assert.deepEqual([block!.scope, block!.until, block!.shadow], ['country:GB', t0 + HOUR, true]);

    await pumped(6); // a shadow block lets them through
    assert.deepEqual(
      f.abuse.filter((e) => e.reason === 'conversion_breaker').map((e) => e.shadow),
      [true, true, true, true, true, true],
    );
    assert.deepEqual(await runThrough(f, breaker, t0 + HOUR - 1), [], 'not tripped again while in force');
    assert.deepEqual(
      (await f.store.listBlocks(f.clock.now())).map((b) => b.until),
      [t0 + HOUR],
      'not extended',
    );
    assert.deepEqual(reported, ['country:GB']);

    f.clock.set(t0 + HOUR);
    const [again] = await breaker.runOnce();
    assert.deepEqual([again!.until, again!.shadow], [t0 + 2 * HOUR, true]);
    assert.match(again!.reason, /^0 of 6 codes validated/, 'the codes sent during the shadow block');

    assert.equal(
      await f.store.deleteBlock('country:GB', f.clock.now()),
      true,
      'an operator can lift a shadow block too',
    );
    assert.deepEqual(await runThrough(f, breaker, f.clock.now() + 10 * MIN), []);
    assert.deepEqual(reported, ['country:GB', 'country:GB']);
  },
);

test('judgedFrom: the codes a scope may be judged on, given its last block', () => {
  const now = 10 * HOUR;
  const start = now - HOUR;
  const b = (until: number, o: { shadow?: boolean; reason?: string } = {}) => ({
    scope: 'country:GB',
    until,
    shadow: o.shadow ?? false,
    reason: o.reason ?? '0 of 9 codes validated',
    createdAt: until - HOUR,
  });
  assert.equal(judgedFrom(undefined, start, now), start, 'never blocked: the whole window');
  assert.equal(judgedFrom(b(now + 1), start, now), null, 'in force');
  assert.equal(judgedFrom(b(now + 1, { shadow: true }), start, now), null, 'in force, shadow');
  assert.equal(judgedFrom(b(now - MIN), start, now), now - MIN, 'ran out: the codes that expired since');
  assert.equal(judgedFrom(b(now - MIN, { shadow: true }), start, now), start, 'shadow, ran out: the whole window');
  const lifted = b(now - MIN, { reason: 'lifted by an operator (was: 0 of 9 codes validated)' });
  assert.ok(liftedByOperator(lifted));
  assert.equal(judgedFrom(lifted, start, now), null, 'lifted within the window');
});
