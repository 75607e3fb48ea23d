// One SMPP account's send rate shared by two replicas through PostgreSQL: the budget is the
// account's, not each process's. Waiting moves an injected clock, so the test reads the spacing
// the budget imposed without sleeping.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { SmppGateway } from '../../src/gateways/smpp/smpp-gateway.ts';
import { migratePg } from '../../src/store/postgres/migrations.ts';
import { createPool } from '../../src/store/postgres/pool.ts';
import { PgRateLimiter } from '../../src/store/postgres/rate-limiter.ts';
import { PgSlotLeases } from '../../src/store/postgres/slot-leases.ts';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.ts';
import { TestSmsc, smppConfig } from '../helpers/smsc.ts';

const used = new Set<string>();
after(() => dropSchemas(used));

test('two replicas share one SMPP account budget (accountPerSecond) through PostgreSQL', async (t) => {
  const schema = freshSchema();
  used.add(schema);
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const pools = [0, 1].map(() => createPool({ url: PG_URL, schema, poolSize: 2 }));
  t.after(() => Promise.all(pools.map((p) => p.end())));
  await migratePg(pools[0]!, schema, clock.now());
  const smsc = await TestSmsc.start();
  t.after(() => smsc.stop());
  let waited = 0;
  const sleep = async (ms: number) => {
    waited += ms;
    clock.advance(ms);
  };
  // Two replicas of one gateway, each with its own pool: one account, 2 submit_sm per second.
  const replicas = pools.map(
    (pool) =>
      new SmppGateway(smppConfig(smsc, { accountPerSecond: 2 }), {
        clock,
        account: { limiter: new PgRateLimiter(pool, { clock }), sleep },
      }),
  );
  t.after(() => Promise.all(replicas.map((g) => g.close())));
  for (let i = 0; i < 8; i++) {
    const r = await replicas[i % 2]!.send(
      { id: String(i), channel: 'sms', to: '+34629255833', text: `code ${i}` },
      AbortSignal.timeout(5000),
    );
    assert.ok(r.ok, JSON.stringify(r));
  }
  assert.equal(smsc.submits.length, 8);
  // 8 submits at 2/s from one budget: 7 gaps of 500 ms. Two budgets of their own would have let
  // each replica's first submit through at once and spaced only each replica's own.
  assert.equal(waited, 7 * 500);
});

test('two replicas open at most accountBinds binds between them; the survivor takes them over', async (t) => {
  const schema = freshSchema();
  used.add(schema);
  const smsc = await TestSmsc.start();
  t.after(() => smsc.stop());
  const leases = [0, 1].map(() => new PgSlotLeases(createPool({ url: PG_URL, schema, poolSize: 4 })));
  t.after(() => Promise.all(leases.map((l) => l.close())));
  // Each replica would open 2 binds; the account allows 2 in all. The first takes both.
  const replica = (l: PgSlotLeases) =>
    new SmppGateway(smppConfig(smsc, { binds: 2, accountBinds: 2 }), { clock: new ManualClock(), leases: l });
  const a = replica(leases[0]!);
  await smsc.waitFor('two binds', () => smsc.boundSessions === 2);
  const b = replica(leases[1]!);
  t.after(() => b.close());
  await new Promise((r) => setTimeout(r, 300)); // three of b's retry rounds (reconnectMaxMs 100)
  assert.deepEqual([smsc.boundSessions, smsc.acceptedBinds], [2, 2], 'b opened none');
  assert.match(b.health().error, /held by other replicas/);
  await a.close();
  await smsc.waitFor('b to bind the freed slots', () => smsc.boundSessions === 2 && smsc.acceptedBinds === 4, 5000);
  const r = await b.send({ id: '1', channel: 'sms', to: '+34629255833', text: 'code 1' }, AbortSignal.timeout(5000));
  assert.ok(r.ok, JSON.stringify(r));
});
