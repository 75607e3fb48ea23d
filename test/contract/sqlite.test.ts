import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { storeContract } from './store.contract.ts';

const files = new WeakMap<object, string>();

storeContract('sqlite', {
  async open() {
    const file = join(mkdtempSync(join(tmpdir(), 'otpd-contract-')), 'otpd.db');
    const s = new SqliteStore({ file, synchronous: 'NORMAL' }, Date.now());
    files.set(s, file);
    return s;
  },
  // A second connection on the same file: what another process (or the CLI) would hold.
  async openSecond(first) {
    return new SqliteStore({ file: files.get(first)!, synchronous: 'NORMAL' }, Date.now());
  },
});
