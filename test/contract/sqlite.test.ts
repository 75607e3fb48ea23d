import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { outboxContract } from './outbox.contract.ts';
import { abuseContract } from './abuse.contract.ts';
import { rangeGuardContract } from './range-guard.contract.ts';
import { retentionContract } from './retention.contract.ts';
import { verificationDetailsContract } from './verification-details.contract.ts';
import { statsContract } from './stats.contract.ts';
import { webhooksContract } from './webhooks.contract.ts';
import { assertUpgradedServices, LEGACY_VERIFICATION, servicesContract } from './services.contract.ts';
import { storeContract, type StoreHarness, assertUpgradedKeyKinds } from './store.contract.ts';
import { assertUpgradedSendsWork, requestBudgetContract, sendGuardsContract } from './send-guards.contract.ts';

// Both write paths run the whole suite: the worker thread (the server) and inline (the CLI).
for (const writer of ['worker', 'inline'] as const) {
  const files = new WeakMap<object, string>();
  const harness: StoreHarness = {
    async open() {
      const file = join(mkdtempSync(join(tmpdir(), 'otpd-contract-')), 'otpd.db');
      const s = new SqliteStore({ file, synchronous: 'NORMAL', writer }, Date.now());
      files.set(s, file);
      return s;
    },
    // A second store on the same file: what another process (or the CLI) would hold.
    async openSecond(first) {
      return new SqliteStore({ file: files.get(first)!, synchronous: 'NORMAL', writer }, Date.now());
    },
  };
  storeContract(`sqlite (${writer} writer)`, harness);
  retentionContract(`sqlite (${writer} writer)`, harness);
  outboxContract(`sqlite (${writer} writer)`, harness);
  abuseContract(`sqlite (${writer} writer)`, harness);
  rangeGuardContract(`sqlite (${writer} writer)`, harness);
  sendGuardsContract(`sqlite (${writer} writer)`, harness);
  requestBudgetContract(`sqlite (${writer} writer)`, harness);
  servicesContract(`sqlite (${writer} writer)`, harness);
  verificationDetailsContract(`sqlite (${writer} writer)`, harness);
  webhooksContract(`sqlite (${writer} writer)`, harness);
  statsContract(`sqlite (${writer} writer)`, harness);
}

test('sqlite: the tenancy migration makes existing keys client keys, the bootstrap key an operator', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'otpd-contract-')), 'otpd.db');
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER)');
  for (const m of MIGRATIONS.filter((m) => m.name !== 'tenancy')) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
  }
  const insert = db.prepare(`INSERT INTO api_keys (id, client_id, name, secret_hash, scopes, created_at)
    VALUES (?, ?, 'old', ?, '["one-time-password-sms:send-validate","admin"]', 0)`);
  insert.run('bootstrap', 'bootstrap', Buffer.alloc(32, 1));
  insert.run('shop', 'shop', Buffer.alloc(32, 2));
  db.close();
  const s = new SqliteStore({ file, synchronous: 'NORMAL', writer: 'inline' }, Date.now());
  await assertUpgradedSendsWork(s);
  await assertUpgradedKeyKinds(s);
});

test('sqlite: services migration: every existing client gets a default service with its verifications', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'otpd-contract-')), 'otpd.db');
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER)');
  for (const m of MIGRATIONS.filter((m) => m.version < 10)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
  }
  db.prepare(`INSERT INTO api_keys (id, client_id, name, kind, secret_hash, scopes, created_at)
    VALUES ('shop', 'shop', 'old', 'client', ?, '[]', 0)`).run(Buffer.alloc(32, 2));
  const v = db.prepare(`${LEGACY_VERIFICATION} (?, ?, ?, ?, 'k1', 'pending', 3, 0, 1)`);
  v.run('v1', 'shop', Buffer.alloc(32, 3), Buffer.alloc(32, 4));
  v.run('v2', 'legacy', Buffer.alloc(32, 5), Buffer.alloc(32, 6));
  db.close();
  const s = new SqliteStore({ file, synchronous: 'NORMAL', writer: 'inline' }, Date.now());
  const ids = await assertUpgradedServices(s, ['shop', 'legacy']);
  await s.close();
  const after = new Database(file, { readonly: true });
  const rows = after.prepare('SELECT id, service_id FROM verifications ORDER BY id').all();
  after.close();
  assert.deepEqual(rows, [
    { id: 'v1', service_id: ids.get('shop') },
    { id: 'v2', service_id: ids.get('legacy') },
  ]);
});
