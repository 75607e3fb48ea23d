import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerWriteQueue } from '../../src/store/sqlite/write-queue.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';

test('a writer thread that dies fails every write closed and says so on check()', async () => {
  // The worker cannot open a database in a directory that does not exist: it dies at start.
  const q = new WorkerWriteQueue({ file: join(tmpdir(), 'no-such-dir-otpd', 'x.db'), synchronous: 'NORMAL' });
  await assert.rejects(q.submit({ op: 'revokeApiKey', args: ['k', 1] }));
  assert.throws(() => q.check());
  await assert.rejects(q.submit({ op: 'revokeApiKey', args: ['k', 1] }));
  await q.close();
});

test('errors from the worker writer keep their SQLite code; a closed store fails ping()', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'otpd-wq-')), 'otpd.db');
  const store = new SqliteStore({ file, synchronous: 'NORMAL', writer: 'worker' }, Date.now());
  try {
    const rec = {
      id: 'k1',
      clientId: 'c',
      name: 'n',
      kind: 'client' as const,
      scopes: ['admin'],
      createdAt: 1,
      revokedAt: null,
    };
    await store.createApiKey(rec, Buffer.alloc(32, 1));
    await assert.rejects(
      store.createApiKey(rec, Buffer.alloc(32, 2)),
      (e: unknown) => (e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    );
    await store.ping();
  } finally {
    await store.close();
  }
  await assert.rejects(store.ping());
});
