import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { outboxContract } from './outbox.contract.ts';
import { abuseContract } from './abuse.contract.ts';
import { retentionContract } from './retention.contract.ts';
import { storeContract, type StoreHarness } from './store.contract.ts';

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
}
