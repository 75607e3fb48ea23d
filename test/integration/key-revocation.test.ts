// The verification routes take API keys from a per-process cache; a revoke made elsewhere (the CLI,
// another replica) must still refuse the very next request on every replica, and change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgStore } from '../../src/store/postgres/store.ts';
import { SEND, TEST_SECRET, VALIDATE, mobile, startTestServer, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';
import { PG_URL } from '../helpers/pg.ts';
import { runOtpd } from '../helpers/process.ts';

const UNAUTHENTICATED = {
  status: 401,
  code: 'UNAUTHENTICATED',
  message: 'Request not authenticated due to missing, invalid, or expired credentials.',
};
const MSG = 'Your code is {{code}}';
// One attempt: a refused validation that spent it (or consumed the code) would be seen afterwards.
const ONE_ATTEMPT = { OTPD_MAX_ATTEMPTS: '1' };

/** Counts the key lookups a server makes by secret, i.e. its key cache's misses. */
function countLookups(s: TestServer): { readonly n: number } {
  const store = s.server.store;
  const find = store.findApiKeyBySecretHash.bind(store);
  const counter = { n: 0 };
  store.findApiKeyBySecretHash = (hash) => {
    counter.n++;
    return find(hash);
  };
  return counter;
}

/**
 * Warms `a`'s cache with a key that sends and `b`'s with one that validates (both of tenant-r),
 * revokes both through `revoke`, then expects each replica's next request with its key refused with
 * no key lookup (from the cache, by the operation's own check), and nothing changed: the number's
 * pending code is neither superseded, spent nor consumed.
 */
async function revokedKeysChangeNothing(a: TestServer, b: TestServer, revoke: (id: string) => Promise<void>) {
  const sender = await a.createKey({ clientId: 'tenant-r' });
  const validator = await a.createKey({ clientId: 'tenant-r' });
  const spare = await a.createKey({ clientId: 'tenant-r' });
  assert.equal((await a.post(SEND, { phoneNumber: mobile(601), message: MSG }, { key: sender.secret })).status, 200);
  const pending = await b.sendAndRead(mobile(602), validator.secret);
  await revoke(sender.id);
  await revoke(validator.id);

  const [lookupsA, lookupsB] = [countLookups(a), countLookups(b)];
  const send = await a.post(SEND, { phoneNumber: mobile(602), message: MSG }, { key: sender.secret });
  assertError(send, UNAUTHENTICATED);
  assertError(await b.post(VALIDATE, pending, { key: validator.secret }), UNAUTHENTICATED);
  assert.deepEqual([lookupsA.n, lookupsB.n], [0, 0], 'both keys came from the cache');
  assert.equal((await a.server.store.listMessages({ recipient: mobile(602), limit: 10 })).length, 1);

  // Dropped from the cache: the next request looks the key up and is refused there.
  assertError(await a.post(SEND, { phoneNumber: mobile(603), message: MSG }, { key: sender.secret }), UNAUTHENTICATED);
  assert.equal(lookupsA.n, 1);
  // The pending code was not superseded, and its one attempt is still there.
  assert.equal((await b.post(VALIDATE, pending, { key: spare.secret })).status, 204);
}

test('PostgreSQL: keys revoked through another handle are refused at once by two replicas, caches warm', async () => {
  const a = await startTestServer(ONE_ATTEMPT, { store: 'postgres' });
  const shared = { OTPD_DATABASE_URL: PG_URL, OTPD_DATABASE_SCHEMA: a.pgSchema! };
  const b = await startTestServer({ ...ONE_ATTEMPT, ...shared }).catch(async (err) => {
    await a.close();
    throw err;
  });
  const cli = await PgStore.open({ url: PG_URL, schema: a.pgSchema!, poolSize: 1 }, Date.now());
  try {
    await revokedKeysChangeNothing(a, b, async (id) => {
      assert.equal(await cli.revokeApiKey(id, Date.now()), true);
    });
  } finally {
    await cli.close();
    await b.close();
    await a.close();
  }
});

test('SQLite: keys revoked by the CLI (another process on the file) are refused at once, cache warm', async () => {
  const s = await startTestServer(ONE_ATTEMPT);
  try {
    await revokedKeysChangeNothing(s, s, async (id) => {
      const r = await runOtpd(['keys', 'revoke', id], { OTPD_DATA_DIR: s.dataDir, OTPD_SECRET: TEST_SECRET });
      assert.equal(r.code, 0, r.stderr);
    });
  } finally {
    await s.close();
  }
});
