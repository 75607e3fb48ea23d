import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyRing, anyMacMatches } from '../../src/core/keyring.ts';

const matches = (k: KeyRing, id: string, code: string, mac: Buffer) => anyMacMatches(mac, k.codeCandidates(id, code));

const OLD = 'old-secret-0123456789-0123456789-0123';
const NEW = 'new-secret-0123456789-0123456789-0123';

test('a code MAC matches only the same code for the same verification', () => {
  const k = new KeyRing(NEW);
  const { mac, keyId } = k.macCode('v1', '123456');
  assert.equal(mac.length, 32);
  assert.match(keyId, /^[0-9a-f]{8}$/);
  assert.ok(!mac.toString('hex').includes(Buffer.from('123456').toString('hex')));
  assert.ok(matches(k, 'v1', '123456', mac));
  assert.ok(!matches(k, 'v1', '123457', mac));
  assert.ok(!matches(k, 'v2', '123456', mac), 'a MAC copied to another verification is useless');
});

test('rotation: codes and messages made under a previous secret still verify and decrypt', () => {
  const before = new KeyRing(OLD);
  const { mac } = before.macCode('v1', '424242');
  const sealed = before.encrypt('m1', 'hello 424242');
  const after = new KeyRing(NEW, [OLD]);
  assert.ok(matches(after, 'v1', '424242', mac));
  assert.equal(after.decrypt('m1', sealed), 'hello 424242');
  const forgotten = new KeyRing(NEW);
  assert.ok(!matches(forgotten, 'v1', '424242', mac));
  assert.throws(() => forgotten.decrypt('m1', sealed));
});

test('message bodies are sealed: no plaintext at rest, bound to their message id, tamper-evident', () => {
  const k = new KeyRing(NEW);
  const sealed = k.encrypt('m1', 'Your code is 987654');
  assert.ok(!sealed.toString('latin1').includes('987654'));
  assert.equal(k.decrypt('m1', sealed), 'Your code is 987654');
  assert.throws(() => k.decrypt('m2', sealed));
  const tampered = Buffer.from(sealed);
  tampered[tampered.length - 1]! ^= 1;
  assert.throws(() => k.decrypt('m1', tampered));
});

test('one candidate per active key, current key first', () => {
  const k = new KeyRing(NEW, [OLD]);
  const c = k.codeCandidates('v1', '123456');
  assert.equal(c.length, 2);
  assert.deepEqual(c[0], k.macCode('v1', '123456').mac);
  assert.ok(!anyMacMatches(Buffer.alloc(32), c));
  assert.ok(!anyMacMatches(Buffer.alloc(16), c), 'a stored MAC of another length never matches');
});

test('the phone index is stable, keyed, and not the number', () => {
  const a = new KeyRing(NEW).phoneIndex('+34629255833');
  assert.deepEqual(a, new KeyRing(NEW).phoneIndex('+34629255833'));
  assert.notDeepEqual(a, new KeyRing(OLD).phoneIndex('+34629255833'));
  assert.ok(!a.toString('latin1').includes('629255833'));
});

test('every message gets its own GCM nonce, across refills of the nonce pool', () => {
  const k = new KeyRing(NEW);
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) seen.add(k.encrypt(`m${i}`, 'x').subarray(4, 16).toString('hex'));
  assert.equal(seen.size, 3000);
});
