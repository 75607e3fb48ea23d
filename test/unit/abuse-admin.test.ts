// The abuse administration use cases, on an in-memory store: what both the admin API and the CLI rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbuseAdmin, mergePolicy, type AbuseAdminStore } from '../../src/core/abuse-admin.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { OtpdError } from '../../src/core/errors.ts';
import type { ClientPolicy, NumberRule, ScopeBlock } from '../../src/core/ports/abuse.ts';

function memoryStore() {
  const rules = new Map<string, NumberRule>();
  const policies = new Map<string, ClientPolicy>();
  const blocks = new Map<string, ScopeBlock>();
  const store: AbuseAdminStore = {
    putNumberRule: async (r) => void rules.set(`${r.kind} ${r.prefix}`, r),
    deleteNumberRule: async (kind, prefix) => rules.delete(`${kind} ${prefix}`),
    listNumberRules: async (kind) => [...rules.values()].filter((r) => !kind || r.kind === kind),
    getClientPolicy: async (id) => policies.get(id) ?? null,
    putClientPolicy: async (p) => void policies.set(p.clientId, p),
    listClientPolicies: async () => [...policies.values()],
    listBlocks: async (since) => [...blocks.values()].filter((b) => b.until > since),
    deleteBlock: async (scope, now) => {
      const b = blocks.get(scope);
      if (!b || b.until <= now) return false;
      blocks.set(scope, { ...b, until: now });
      return true;
    },
  };
  return { store, rules, policies, blocks };
}

const refused = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof OtpdError && e.code === code && (!message || message.test(e.message));

test('rules: a bad kind, prefix or note stores nothing (INVALID_ARGUMENT); a missing rule is NOT_FOUND', async () => {
  const m = memoryStore();
  const admin = new AbuseAdmin({ store: m.store, clock: new ManualClock(Date.UTC(2026, 0, 1)) });
  await assert.rejects(
    admin.putRule({ kind: 'block', prefix: '4479' }),
    refused('INVALID_ARGUMENT', /"4479" is not a number or prefix/),
  );
  await assert.rejects(
    admin.putRule({ kind: 'block', prefix: '+44', note: 'x'.repeat(201) }),
    refused('INVALID_ARGUMENT', /^note must be/),
  );
  await assert.rejects(admin.putRule({ kind: 'nope' as 'block', prefix: '+44' }), refused('INVALID_ARGUMENT'));
  assert.equal(m.rules.size, 0);
  assert.deepEqual(await admin.putRule({ kind: 'safe', prefix: '+44' }), {
    kind: 'safe',
    prefix: '+44',
    note: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  assert.deepEqual((await admin.listRules('block')).length, 0);
  // Characters as the API's JSON Schema counts them: 200 emoji are 200 characters, not 400.
  assert.equal((await admin.putRule({ kind: 'block', prefix: '+45', note: '😀'.repeat(200) })).note, '😀'.repeat(200));
  await assert.rejects(
    admin.putRule({ kind: 'block', prefix: '+45', note: '😀'.repeat(201) }),
    refused('INVALID_ARGUMENT'),
  );
  await admin.removeRule('block', '+45');
  await assert.rejects(admin.removeRule('block', '+44'), refused('NOT_FOUND', /^no block rule for that prefix$/));
  await admin.removeRule('safe', '+44');
  assert.equal(m.rules.size, 0);
});

test('policies: a change keeps absent fields, budgets are stored as micros, bad input stores nothing', async () => {
  const m = memoryStore();
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const admin = new AbuseAdmin({ store: m.store, clock });
  assert.equal((await admin.policy('shop')).stored, false);
  await admin.setPolicy('shop', { countries: { mode: 'allow', list: ['ES', 'ES', 'FR'] } });
  const p = await admin.setPolicy('shop', { dailyBudget: 2.5 });
  assert.deepEqual([p.countries, p.dailyBudget, p.stored], [{ mode: 'allow', list: ['ES', 'FR'] }, 2.5, true]);
  assert.equal(m.policies.get('shop')!.dailyBudgetMicros, 2_500_000);
  for (const bad of [
    { countries: { mode: 'allow' as const, list: ['Spain'] } },
    { countries: { mode: 'deny' as const, list: Array<string>(301).fill('ES') } },
    { dailyMessages: 1.5 },
    { dailyMessages: -1 },
    { dailyBudget: Number.NaN },
    { dailyBudget: 1e10 },
  ]) {
    await assert.rejects(admin.setPolicy('shop', bad), refused('INVALID_ARGUMENT'), JSON.stringify(bad));
  }
  await assert.rejects(admin.setPolicy('', {}), refused('INVALID_ARGUMENT', /client id/));
  await assert.rejects(admin.setPolicy('x'.repeat(129), {}), refused('INVALID_ARGUMENT', /client id/));
  assert.deepEqual((await admin.policy('shop')).dailyBudget, 2.5, 'unchanged by the refused changes');
  assert.deepEqual(mergePolicy('c', null, {}, 1), {
    clientId: 'c',
    countries: null,
    dailyMessages: null,
    dailyBudgetMicros: null,
    updatedAt: 1,
  });
});

test('blocks: lifting needs a valid scope and a block in force', async () => {
  const m = memoryStore();
  const clock = new ManualClock(1_000_000);
  const admin = new AbuseAdmin({ store: m.store, clock });
  m.blocks.set('country:ES', { scope: 'country:ES', until: 2_000_000, shadow: false, reason: 'low', createdAt: 0 });
  assert.deepEqual(
    (await admin.blocks()).map((b) => b.scope),
    ['country:ES'],
  );
  await assert.rejects(admin.liftBlock('planet:Mars'), refused('INVALID_ARGUMENT', /is not a block scope/));
  await admin.liftBlock('country:ES');
  assert.deepEqual(await admin.blocks(), []);
  await assert.rejects(admin.liftBlock('country:ES'), refused('NOT_FOUND', /^no block in force for that scope$/));
});

test('policies within a tenant: its own is read; any other is NOT_FOUND, whether it exists or not', async () => {
  const m = memoryStore();
  const admin = new AbuseAdmin({ store: m.store, clock: new ManualClock(Date.UTC(2026, 0, 1)) });
  await admin.setPolicy('b', { dailyMessages: 5 });
  await admin.setPolicy('c', { dailyMessages: 7 });
  await assert.rejects(admin.policy('b', 'a'), (e: unknown) => e instanceof OtpdError && e.code === 'NOT_FOUND');
  await assert.rejects(admin.policy('zz', 'a'), (e: unknown) => e instanceof OtpdError && e.code === 'NOT_FOUND');
  assert.equal((await admin.policy('a', 'a')).stored, false);
  assert.equal((await admin.policy('b', 'b')).dailyMessages, 5);
  assert.equal((await admin.policy('b')).dailyMessages, 5, 'no tenant: every client');
  assert.deepEqual(await admin.listPolicies('a'), []);
  assert.deepEqual(
    (await admin.listPolicies('b')).map((p) => p.clientId),
    ['b'],
  );
  assert.deepEqual((await admin.listPolicies()).map((p) => p.clientId).sort(), ['b', 'c']);
});
