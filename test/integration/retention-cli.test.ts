import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { BUDGET, LIMITS, right, verification } from '../contract/store.contract.ts';
import { runOtpd } from '../helpers/process.ts';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.ts';

const DAY = 86_400_000;
const SECRET = 'retention-secret-0123456789-0123456789-abc';

test('otpd purge deletes what is past retention and otpd stats shows the same figures before and after', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-retention-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const now = Date.now();
  const old = now - 20 * DAY;
  const store = new SqliteStore({ file: join(dataDir, 'otpd.db'), synchronous: 'NORMAL', writer: 'inline' }, now);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const v = verification({ phone: `old-${i}`, createdAt: old + i, expiresAt: old + 300_000 });
    await store.createVerification(v, LIMITS);
    ids.push(v.id);
  }
  assert.equal(await store.attemptValidation('client-a', ids[0]!, old + 10, BUDGET, right), 'VERIFIED');
  const recent = verification({ phone: 'recent', createdAt: now, expiresAt: now + 300_000 });
  await store.createVerification(recent, LIMITS);
  await store.close();

  const env = { OTPD_DATA_DIR: dataDir, OTPD_SECRET: SECRET };
  const range = [
    '--from',
    new Date(old - DAY).toISOString().slice(0, 10),
    '--to',
    new Date(now + DAY).toISOString().slice(0, 10),
  ];
  const before = await runOtpd(['stats', '--json', ...range], env);
  assert.equal(before.code, 0, before.stderr);
  const stats = JSON.parse(before.stdout) as { metric: string; count: number }[];
  assert.equal(stats.find((r) => r.metric === 'verifications.verified')?.count, 1);
  assert.equal(stats.find((r) => r.metric === 'verifications.expired')?.count, 2);

  const purged = await runOtpd(['purge', '--json'], env);
  assert.equal(purged.code, 0, purged.stderr);
  assert.deepEqual(
    { ...JSON.parse(purged.stdout), cutoff: undefined },
    { cutoff: undefined, verifications: 3, messages: 0, devMessages: 0 },
  );
  assert.equal(
    (await runOtpd(['stats', '--json', ...range], env)).stdout,
    before.stdout,
    'daily counts survive the purge',
  );

  const reopened = new SqliteStore({ file: join(dataDir, 'otpd.db'), synchronous: 'NORMAL', writer: 'inline' }, now);
  t.after(() => reopened.close());
  assert.equal(await reopened.attemptValidation('client-a', ids[1]!, now, BUDGET, right), 'NOT_FOUND');
  assert.equal(
    await reopened.attemptValidation('client-a', recent.id, now, BUDGET, right),
    'VERIFIED',
    'recent work is kept',
  );

  const bad = await runOtpd(['purge', '--days', '0'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--days must be/);
});

test('otpd migrate on PostgreSQL: four at once apply each migration exactly once', async (t) => {
  const schema = freshSchema('otpd_m');
  t.after(() => dropSchemas([schema]));
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-migrate-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { OTPD_DATA_DIR: dataDir, OTPD_SECRET: SECRET, OTPD_DATABASE_URL: PG_URL, OTPD_DATABASE_SCHEMA: schema };
  const runs = await Promise.all(Array.from({ length: 4 }, () => runOtpd(['migrate'], env)));
  assert.ok(
    runs.every((r) => r.code === 0),
    runs.map((r) => r.stderr).join('\n'),
  );
  const outs = runs.map((r) => r.stdout.trim()).sort();
  const all = PG_MIGRATIONS.map((m) => m.version).join(', ');
  assert.deepEqual(outs, [
    `applied migrations: ${all}`,
    'database is up to date',
    'database is up to date',
    'database is up to date',
  ]);
  const key = await runOtpd(['keys', 'create', '--name', 'pg', '--json'], env);
  assert.equal(key.code, 0, key.stderr);
  assert.match((await runOtpd(['keys', 'list'], env)).stdout, /pg/);
  const purge = await runOtpd(['purge', '--json'], env);
  assert.equal(purge.code, 0, purge.stderr);
});

test('PostgreSQL without a shared secret is refused at boot (otpd migrate needs none: see cli-errors)', async () => {
  const r = await runOtpd(['serve'], { OTPD_DATABASE_URL: PG_URL, OTPD_SECRET: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /OTPD_SECRET is required with OTPD_DATABASE_URL/);
});
