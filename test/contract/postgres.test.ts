import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgStore } from '../../src/store/postgres/store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { dropSchemas, freshSchema, PG_URL, withPg } from '../helpers/pg.ts';
import { outboxContract } from './outbox.contract.ts';
import { abuseContract } from './abuse.contract.ts';
import { rangeGuardContract } from './range-guard.contract.ts';
import { retentionContract } from './retention.contract.ts';
import { verificationDetailsContract } from './verification-details.contract.ts';
import { statsContract } from './stats.contract.ts';
import { webhooksContract } from './webhooks.contract.ts';
import { assertUpgradedServices, LEGACY_VERIFICATION, servicesContract } from './services.contract.ts';
import { BUDGET, T0, right, storeContract, type StoreHarness, assertUpgradedKeyKinds } from './store.contract.ts';
import { assertUpgradedSendsWork, requestBudgetContract, sendGuardsContract } from './send-guards.contract.ts';

// Each test gets its own schema in the real PostgreSQL; a second handle is a second pool on the
// same schema, i.e. what another replica would hold.
const schemas = new Map<Store, string>();
const used = new Set<string>();
const harness: StoreHarness = {
  async open() {
    const schema = freshSchema();
    used.add(schema);
    const s = await PgStore.open({ url: PG_URL, schema, poolSize: 8 }, Date.now());
    schemas.set(s, schema);
    return s;
  },
  async openSecond(first) {
    return PgStore.open({ url: PG_URL, schema: schemas.get(first)!, poolSize: 8 }, Date.now());
  },
};
after(() => dropSchemas(used));

storeContract('postgres', harness);
retentionContract('postgres', harness);
outboxContract('postgres', harness);
abuseContract('postgres', harness);
rangeGuardContract('postgres', harness);
sendGuardsContract('postgres', harness);
requestBudgetContract('postgres', harness);
servicesContract('postgres', harness);
verificationDetailsContract('postgres', harness);
webhooksContract('postgres', harness);
statsContract('postgres', harness);

test('postgres: the request budget is exact under parallel requests over two replicas', async () => {
  const a = await harness.open();
  const b = await harness.openSecond!(a);
  try {
    const request = { key: 'client:client-a', rule: { ratePerSecond: 1, burst: 10 } };
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 4 < 2
          ? (i % 2 ? b : a).attemptValidation('client-a', `id-${i}`, T0, BUDGET, right, undefined, request)
          : (i % 2 ? b : a).admissionFacts('client-a', '+34629255833', [], T0, request),
      ),
    );
    const refused = outcomes.filter((o) => typeof o === 'object' && ('retryAfterSeconds' in o || o.requestRetryAfter));
    assert.equal(outcomes.length - refused.length, 10);
  } finally {
    await b.close();
    await a.close();
  }
});

test('postgres: the tenancy migration makes existing keys client keys, the bootstrap key an operator', async () => {
  const schema = freshSchema();
  used.add(schema);
  await withPg(async (c) => {
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.query(`SET search_path = ${schema}`);
    await c.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT)',
    );
    for (const m of PG_MIGRATIONS.filter((m) => m.name !== 'tenancy')) {
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    for (const [id, hash] of [
      ['bootstrap', 1],
      ['shop', 2],
    ] as const) {
      await c.query(
        `INSERT INTO api_keys (id, client_id, name, secret_hash, scopes, created_at)
          VALUES ($1, $1, 'old', $2, '["one-time-password-sms:send-validate","admin"]', 0)`,
        [id, Buffer.alloc(32, hash)],
      );
    }
  });
  const s = await PgStore.open({ url: PG_URL, schema, poolSize: 2 }, Date.now());
  await assertUpgradedSendsWork(s);
  await assertUpgradedKeyKinds(s);
});

test('postgres: services migration: every existing client gets a default service with its verifications', async () => {
  const schema = freshSchema();
  used.add(schema);
  await withPg(async (c) => {
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.query(`SET search_path = ${schema}`);
    await c.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT)',
    );
    for (const m of PG_MIGRATIONS.filter((m) => m.version < 10)) {
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    await c.query(
      `INSERT INTO api_keys (id, client_id, name, kind, secret_hash, scopes, created_at)
      VALUES ('shop', 'shop', 'old', 'client', $1, '[]', 0)`,
      [Buffer.alloc(32, 2)],
    );
    for (const [id, client, n] of [
      ['v1', 'shop', 3],
      ['v2', 'legacy', 5],
    ] as const)
      await c.query(`${LEGACY_VERIFICATION} ($1, $2, $3, $4, 'k1', 'pending', 3, 0, 1)`, [
        id,
        client,
        Buffer.alloc(32, n),
        Buffer.alloc(32, n + 1),
      ]);
  });
  const s = await PgStore.open({ url: PG_URL, schema, poolSize: 2 }, Date.now());
  const ids = await assertUpgradedServices(s, ['shop', 'legacy']);
  await s.close();
  const rows = await withPg(async (c) => {
    await c.query(`SET search_path = ${schema}`);
    return (await c.query('SELECT id, service_id FROM verifications ORDER BY id')).rows;
  });
  assert.deepEqual(rows, [
    { id: 'v1', service_id: ids.get('shop') },
    { id: 'v2', service_id: ids.get('legacy') },
  ]);
});
