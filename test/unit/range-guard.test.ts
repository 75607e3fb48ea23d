// The range guard's judgement (core/fraud/judge.ts) on hand-made sends: which range it picks, how
// it escalates, what it remembers, and whose validations it believes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeSends, judgeSendsPaced, type GuardOptions } from '../../src/core/fraud/judge.ts';
import { provisionalWindows } from '../../src/core/fraud/tree.ts';
import { learnBaselines } from '../../src/core/fraud/baselines.ts';
import { guardScopes, netKey, numberBlock, parseGuardScope, rangesOfBlock } from '../../src/core/fraud/ranges.ts';
import type { RangeBaseline, ScopeBlock, SendFact } from '../../src/core/ports/abuse.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 5, 1, 12);
const O: GuardOptions = {
  windowMs: 60 * MIN,
  newRangeBudget: 6,
  probationBudget: 2,
  failuresPerValidation: 0.5,
  baselineFactor: 2,
  minProvisionalMs: 30_000,
  maxProvisionalMs: 3 * MIN,
  throttleMs: 15 * MIN,
  throttleMinPerHour: 6,
  blockMs: 30 * MIN,
  maxBlockMs: 24 * 60 * MIN,
  memoryMs: 7 * 24 * 60 * MIN,
  spreadChildren: 3,
  shadow: false,
};

let n = 0;
/** Deterministic digits, so a test's numbers are the same on every run. */
const digits = (len: number) => {
  n += 1;
  return String((n * 7_919_993) % 10 ** len).padStart(len, '0');
};

function send(
  clientId: string,
  country: string,
  phone: string,
  o: { ageMs?: number; validated?: boolean; sources?: string[]; trusted?: boolean } = {},
): SendFact {
  const createdAt = NOW - (o.ageMs ?? 10 * MIN);
  return {
    clientId,
    country,
    block: numberBlock(phone),
    createdAt,
    verifiedAt: o.validated ? createdAt + 20_000 : null,
    sources: o.sources ?? [`ip:${phone}`],
    trusted: o.trusted ?? false,
  };
}

/** Real GB users of a tenant, spread over the mobile ranges, 6 in 7 validating. */
const realGb = (clientId: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    send(clientId, 'GB', `+447${[4, 5, 7, 8, 9][i % 5]}${digits(8)}`, {
      validated: i % 7 !== 0,
      ageMs: (i % 50) * MIN,
    }),
  );

const judge = (facts: SendFact[], decisions: ScopeBlock[] = [], baselines: RangeBaseline[] = [], o = O) =>
  judgeSends({ facts, decisions, baselines, now: NOW, options: o });

test('ranges nest from the calling code and one digit down to the block of 100; scopes carry the tenant', () => {
  assert.deepEqual(rangesOfBlock(numberBlock('+447451123456')), [
    '+447',
    '+4474',
    '+44745',
    '+447451',
    '+4474511',
    '+44745112',
    '+447451123',
    '+4474511234',
  ]);
  assert.deepEqual(guardScopes('acme', 'GB', '+447451123456').slice(0, 2), ['t:acme:country:GB', 't:acme:range:+447']);
  assert.deepEqual(parseGuardScope('t:acme:range:+4474'), { clientId: 'acme', kind: 'range', value: '+4474' });
  assert.equal(parseGuardScope('country:GB'), undefined);
  assert.equal(netKey('2001:db8:1:2:3::9'), '2001:db8:1::/48');
  assert.equal(netKey('203.0.113.77'), '203.0.113.0/24');
});

test('an attack inside one range of a country with real users: that range is blocked, not the country', () => {
  const attack = Array.from({ length: 20 }, () => send('A', 'GB', `+447451${digits(6)}`));
  const verdicts = judge([...realGb('A', 200), ...attack]);
  assert.deepEqual(
    verdicts.map((v) => [v.block.scope, v.block.action]),
    [['t:A:range:+447451', 'block']],
  );
  const e = verdicts[0]!.evidence;
  assert.equal(e.sent, 20);
  assert.equal(e.validated, 0);
  assert.ok(e.unproven > e.allowance, 'the evidence shows why');
});

test('an attack spread evenly over a wide range picks that range, once, whatever its sub-ranges show', () => {
  const attack = Array.from({ length: 60 }, () => send('A', 'NG', `+2348${digits(9)}`));
  const scopes = judge(attack).map((v) => v.block.scope);
  assert.deepEqual(scopes, ['t:A:range:+2348']);
});

test("one tenant's pumped traffic makes no decision on another tenant's scopes", () => {
  const attackOnA = Array.from({ length: 30 }, () => send('A', 'GB', `+447451${digits(6)}`));
  const verdicts = judge([...realGb('B', 100), ...attackOnA]);
  assert.ok(verdicts.length > 0);
  for (const v of verdicts) assert.equal(parseGuardScope(v.block.scope)?.clientId, 'A');
});

test('a few failures are under the budget; pending codes count half, or wait where real users are known', () => {
  const few = Array.from({ length: 5 }, () => send('A', 'GB', `+447451${digits(6)}`));
  assert.deepEqual(judge(few), [], 'five failures, budget six');
  const pending = Array.from({ length: 12 }, () => send('A', 'GB', `+447451${digits(6)}`, { ageMs: 60_000 }));
  assert.deepEqual(judge(pending), [], 'twelve pending count as six');
  const launch = Array.from({ length: 200 }, () => send('A', 'GB', `+447451${digits(6)}`, { ageMs: 10_000 }));
  assert.deepEqual(judge(launch), [], 'codes younger than the quickest validation are in flight: a burst waits');
  assert.equal(judge([...pending, ...few]).length, 1);
  // Real users validate in the ranges around: each of them has a baseline.
  const baselines: RangeBaseline[] = guardScopes('A', 'GB', '+447451000000').map((scope) => ({
    clientId: 'A',
    scope,
    sentPerHour: 1,
    validatedPerHour: 1,
    updatedAt: NOW,
  }));
  const morePending = Array.from({ length: 30 }, () => send('A', 'GB', `+447451${digits(6)}`, { ageMs: 60_000 }));
  assert.deepEqual(judge(morePending, [], baselines), [], 'where real users are known, pending codes wait');
});

test("the provisional window is twice the tenant's 90th percentile time to validate, within bounds", () => {
  const facts = Array.from({ length: 20 }, (_, i) => ({
    ...send('A', 'GB', `+447912${digits(6)}`),
    verifiedAt: NOW - 10 * MIN + (i + 1) * 3000,
  }));
  // Delays 3 s … 60 s: the 90th percentile is 54 s, so 108 s.
  assert.equal(provisionalWindows(facts, O).get('A'), 108_000);
  assert.equal(provisionalWindows(facts.slice(0, 5), O).get('A'), undefined, 'too few to learn from');
  const slow = facts.map((f) => ({ ...f, verifiedAt: f.createdAt + 4 * MIN }));
  assert.equal(provisionalWindows(slow, O).get('A'), O.maxProvisionalMs);
});

test('a range with real users is throttled first; a throttle whose codes all fail becomes a block', () => {
  const real = Array.from({ length: 6 }, () => send('A', 'ES', `+346229${digits(5)}`, { validated: true }));
  const attack = Array.from({ length: 20 }, () => send('A', 'ES', `+346229${digits(5)}`));
  const [first] = judge([...real, ...attack]);
  assert.equal(first?.block.action, 'throttle');
  assert.equal(first?.block.strikes, 0);
  assert.ok((first?.block.perHour ?? 0) >= O.throttleMinPerHour);
  const throttle: ScopeBlock = { ...first!.block, createdAt: NOW - 5 * MIN, until: NOW + 10 * MIN };
  const letThrough = [0, 1].map(() => send('A', 'ES', `+346229${digits(5)}`, { ageMs: 4 * MIN }));
  const [second] = judge(letThrough, [throttle]);
  assert.equal(second?.block.action, 'block');
  assert.equal(second?.block.strikes, 1);
  assert.equal(second?.block.until, NOW + O.blockMs);
  assert.deepEqual(judge([], [throttle]), [], 'nothing new: the throttle simply runs');
});

test('a repeat offender is blocked at once for longer, and a block that ran out is followed by a throttle', () => {
  const ended: ScopeBlock = {
    scope: 't:A:range:+2348',
    until: NOW - 60 * MIN,
    shadow: false,
    reason: 'x',
    createdAt: NOW - 120 * MIN,
    action: 'block',
    strikes: 2,
    perHour: 6,
  };
  const again = [0, 1, 2].map(() => send('A', 'NG', `+2348${digits(9)}`, { ageMs: 5 * MIN }));
  const [v] = judge(again, [ended]);
  assert.equal(v?.block.action, 'block');
  assert.equal(v?.block.strikes, 3);
  assert.equal(v?.block.until, NOW + 4 * O.blockMs, 'doubled per strike');
  assert.ok(v!.evidence.allowance <= O.probationBudget, 'on probation: the budget is small');

  const justEnded = { ...ended, until: NOW - MIN };
  const [follow] = judge([], [justEnded]);
  assert.equal(follow?.block.action, 'throttle');
  assert.equal(follow?.block.strikes, 2);
  assert.equal(follow?.block.until, NOW + O.throttleMs);
  const lifted = { ...justEnded, reason: 'lifted by an operator (was: x)' };
  assert.deepEqual(judge([], [lifted]), [], "an operator's lift is not followed by a throttle");
});

test('sub-ranges that offended one after another make their parent the offender (a walking drip)', () => {
  const old = (scope: string): ScopeBlock => ({
    scope,
    until: NOW - 30 * MIN,
    shadow: false,
    reason: 'x',
    createdAt: NOW - 60 * MIN,
    action: 'block',
    strikes: 1,
    perHour: 6,
  });
  const decisions = [old('t:A:range:+337500'), old('t:A:range:+337501')];
  const next = Array.from({ length: 8 }, () => send('A', 'FR', `+337502${digits(5)}`, { ageMs: 5 * MIN }));
  const scopes = judge(next, decisions).map((v) => v.block.scope);
  assert.ok(scopes.includes('t:A:range:+33750'), scopes.join());
  assert.ok(!scopes.includes('t:A:range:+337502'));
});

test('validations from sources whose codes mostly fail prove nothing; the same from clean sources do', () => {
  const proxies = ['ip:p1', 'ip:p2', 'ip:p3'];
  // 40 % validated, from three addresses that also sent every failing code.
  const mixed = (clean: boolean) =>
    Array.from({ length: 30 }, (_, i) =>
      send('A', 'ES', `+346229${digits(5)}`, {
        validated: i % 5 < 2,
        sources: clean && i % 5 < 2 ? [`ip:user${i}`] : [proxies[i % 3]!],
      }),
    );
  const dirty = judge(mixed(false));
  assert.equal(dirty[0]?.evidence.validated, 0, 'the proxies validations are not credible');
  const clean = judge(mixed(true));
  assert.equal(clean[0]?.evidence.validated, 12);
  const trusted = Array.from({ length: 20 }, () =>
    send('A', 'ES', `+346229${digits(5)}`, { validated: true, trusted: true, sources: ['ip:p1'] }),
  );
  assert.deepEqual(judge(trusted), [], 'a trusted send counts whatever its source');
});

test('shadow mode records the same decisions, marked as shadow', () => {
  const attack = Array.from({ length: 20 }, () => send('A', 'GB', `+447451${digits(6)}`));
  const [v] = judge(attack, [], [], { ...O, shadow: true });
  assert.equal(v?.block.shadow, true);
  assert.equal(v?.block.scope, 't:A:range:+447451');
});

test('baselines start only where real users validated; attack volume is not learnt; the set is bounded', () => {
  const from = NOW - 70 * MIN;
  const inHour = (f: SendFact) => ({ ...f, createdAt: from + 10 * MIN, verifiedAt: f.verifiedAt && from + 11 * MIN });
  const real = realGb('A', 100).map(inHour);
  const attack = Array.from({ length: 300 }, () => inHour(send('A', 'NG', `+2348${digits(9)}`)));
  const next = learnBaselines({
    prev: [],
    facts: [...real, ...attack],
    decisions: new Map(),
    memoryMs: O.memoryMs,
    from,
    now: NOW,
    options: { alpha: 1 / 24, maxPerClient: 50 },
  });
  assert.ok(next.length <= 50);
  assert.ok(next.some((b) => b.scope === 't:A:country:GB'));
  assert.ok(!next.some((b) => b.scope.includes('NG') || b.scope.includes('+234')), 'no validations, no baseline');
  const gb = next.find((b) => b.scope === 't:A:country:GB')!;
  assert.equal(gb.validatedPerHour, real.filter((f) => f.verifiedAt !== null).length);
  assert.equal(gb.sentPerHour, 100);
  const decayed = learnBaselines({
    prev: next,
    facts: [],
    decisions: new Map(),
    memoryMs: O.memoryMs,
    from: from + 60 * MIN,
    now: NOW + 60 * MIN,
    options: { alpha: 1 / 24, maxPerClient: 50 },
  });
  const gbLater = decayed.find((b) => b.scope === 't:A:country:GB')!;
  assert.ok(gbLater.validatedPerHour < gb.validatedPerHour, 'a silent hour decays it');
  assert.ok(gbLater.validatedPerHour > 0.9 * gb.validatedPerHour, "by one hour's weight only");
});

test('an attacker validating a share of its codes in a range that offended teaches no baseline there or around', () => {
  const from = NOW - 70 * MIN;
  const at = from + 10 * MIN;
  const attack = Array.from({ length: 100 }, (_, i) => ({
    ...send('A', 'ES', `+346229${digits(5)}`, { validated: i % 5 < 2 }),
    createdAt: at,
    verifiedAt: i % 5 < 2 ? at + 20_000 : null,
  }));
  const offended: ScopeBlock = {
    scope: 't:A:range:+346229',
    until: NOW - 30 * MIN,
    shadow: false,
    reason: 'x',
    createdAt: NOW - 60 * MIN,
    action: 'block',
    strikes: 1,
  };
  const learn = (decisions: ScopeBlock[]) =>
    learnBaselines({
      prev: [],
      facts: attack,
      decisions: new Map(decisions.map((d) => [d.scope, d])),
      memoryMs: O.memoryMs,
      from,
      now: NOW,
      options: { alpha: 1 / 24, maxPerClient: 50 },
    });
  assert.ok(
    learn([]).some((b) => b.scope === 't:A:range:+346229'),
    'unjudged, its validations look real',
  );
  assert.deepEqual(learn([offended]), [], 'once it offended, none of it is learnt');
});

test('the paced judgement pauses every few thousand sends and decides exactly as the plain one', async () => {
  const facts = [
    ...realGb('A', 3000),
    ...Array.from({ length: 3000 }, () => send('A', 'NG', `+2348${digits(9)}`)),
    ...Array.from({ length: 30 }, () => send('A', 'GB', `+447451${digits(6)}`)),
  ];
  let pauses = 0;
  const paced = await judgeSendsPaced({ facts, decisions: [], baselines: [], now: NOW, options: O }, async () => {
    pauses += 1;
  });
  assert.ok(pauses >= 2, `${pauses} pauses`);
  assert.deepEqual(paced, judge(facts));
  assert.deepEqual(paced.map((v) => v.block.scope).sort(), ['t:A:range:+2348', 't:A:range:+447451']);
});
