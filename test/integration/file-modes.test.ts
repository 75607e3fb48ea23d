// Files that hold secrets or codes' MACs are readable by their owner only (0600), even in a data
// directory that already existed with a looser mode (0755), where otpd does not set the mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { spawnOtpd } from '../helpers/process.ts';

// The usual umask, set here so that the test means the same on every machine; children inherit it.
process.umask(0o022);

function openDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-modes-'));
  chmodSync(dir, 0o755);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function assertOwnerOnly(dir: string, files: readonly string[]): void {
  for (const f of files) {
    const path = join(dir, f);
    assert.ok(existsSync(path), `${f} exists`);
    assert.equal((statSync(path).mode & 0o777).toString(8), '600', f);
  }
}

const DB_FILES = ['otpd.db', 'otpd.db-wal', 'otpd.db-shm'];

for (const writer of ['inline', 'worker'] as const) {
  test(`a new SQLite database, its -wal and its -shm are 0600 in a 0755 directory (${writer} writer)`, async (t) => {
    const dir = openDir(t);
    const store = new SqliteStore({ file: join(dir, 'otpd.db'), synchronous: 'NORMAL', writer }, Date.now());
    t.after(() => store.close());
    await store.createApiKey(
      { id: 'k1', clientId: 'c', kind: 'client', name: 'n', scopes: ['admin'], createdAt: 1, revokedAt: null },
      Buffer.alloc(32, 1),
    );
    assertOwnerOnly(dir, DB_FILES);
  });
}

test('a first start in an existing 0755 data directory writes the database, secret and dev key 0600', async (t) => {
  const dir = openDir(t);
  const server = await spawnOtpd({ OTPD_DATA_DIR: dir });
  t.after(() => server.stop());
  assertOwnerOnly(dir, [...DB_FILES, 'secret.key', 'dev-api-key']);
});
