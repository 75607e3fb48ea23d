import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeys, SCOPES, parseScopes } from '../../src/core/api-keys.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { OtpdError } from '../../src/core/errors.ts';
import { hashSecret } from '../../src/core/keyring.ts';
import type { ApiKeyRecord, KeyStore } from '../../src/core/ports/store.ts';

function memoryKeys() {
  const rows = new Map<string, { k: ApiKeyRecord; hash: Buffer }>();
  const store: KeyStore = {
    createApiKey: async (k, hash) => void rows.set(k.id, { k, hash }),
    upsertApiKey: async (k, hash) => void rows.set(k.id, { k, hash }),
    findApiKeyBySecretHash: async (h) => [...rows.values()].find((r) => r.hash.equals(h))?.k ?? null,
    findApiKeyById: async (id) => rows.get(id)?.k ?? null,
    listApiKeys: async () => [...rows.values()].map((r) => r.k),
    revokeApiKey: async (id, now) => {
      const r = rows.get(id);
      if (!r) return false;
      rows.set(id, { ...r, k: { ...r.k, revokedAt: r.k.revokedAt ?? now } });
      return true;
    },
  };
  return { store, rows };
}

const refused = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof OtpdError && e.code === code && (!message || message.test(e.message));

test('scopes: absent means all; separators and repeats are forgiven; an unknown one is named', () => {
  assert.deepEqual(parseScopes(undefined), [...SCOPES]);
  assert.deepEqual(parseScopes('admin, admin one-time-password-sms:send-validate'), [
    'admin',
    'one-time-password-sms:send-validate',
  ]);
  assert.throws(() => parseScopes('admin root'), refused('INVALID_ARGUMENT', /unknown scope "root"/));
});

test('create stores only the hash of a secret that names the key; revoke of an unknown id is NOT_FOUND', async () => {
  const m = memoryKeys();
  const keys = new ApiKeys({ store: m.store, clock: new ManualClock(5) });
  const { record, secret } = await keys.create({ name: 'shop', scopes: ['admin'] });
  assert.match(secret, new RegExp(`^otpd_${record.id}_`));
  assert.deepEqual([record.clientId, record.scopes, record.createdAt], [record.id, ['admin'], 5]);
  assert.ok(m.rows.get(record.id)!.hash.equals(hashSecret(secret)));
  await assert.rejects(keys.create({ name: 'x', scopes: ['root'] }), refused('INVALID_ARGUMENT'));
  assert.equal((await keys.list()).length, 1, 'a refused key is not stored');
  await keys.revoke(record.id);
  assert.equal((await keys.list())[0]!.revokedAt, 5);
  await assert.rejects(keys.revoke('nope'), refused('NOT_FOUND', /^no key with id nope$/));
  await keys.installBootstrap('boot-secret');
  assert.deepEqual((await m.store.findApiKeyBySecretHash(hashSecret('boot-secret')))?.scopes, [...SCOPES]);
});

test('a key is a client key unless made an operator on purpose; the bootstrap key is an operator', async () => {
  const m = memoryKeys();
  const keys = new ApiKeys({ store: m.store, clock: new ManualClock(5) });
  const plain = await keys.create({ name: 'shop' });
  assert.deepEqual([plain.record.kind, plain.record.scopes], ['client', [...SCOPES]]);
  assert.equal((await keys.create({ name: 'ops', kind: 'operator' })).record.kind, 'operator');
  await keys.installBootstrap('boot-secret');
  assert.equal((await m.store.findApiKeyById('bootstrap'))?.kind, 'operator');
});
