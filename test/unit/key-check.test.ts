import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyRing } from '../../src/core/keyring.ts';
import { decideKeyCheck } from '../../src/store/key-check.ts';

const A = 'key-check-secret-a-0123456789-0123456789';
const B = 'key-check-secret-b-0123456789-0123456789';

test('a key check per active secret: stable, current first, and different for different secrets', () => {
  const [a] = new KeyRing(A).keyChecks();
  assert.match(a!, /^[0-9a-f]{64}$/);
  assert.deepEqual(new KeyRing(B, [A]).keyChecks()[1], a);
  assert.notEqual(new KeyRing(B).keyChecks()[0], a);
});

test('the key-check rule: record on first start, accept the current or a previous secret, refuse any other', () => {
  const [a] = new KeyRing(A).keyChecks();
  const [b] = new KeyRing(B).keyChecks();
  const rotating = new KeyRing(B, [A]).keyChecks();
  assert.deepEqual(decideKeyCheck(undefined, [a!]), { outcome: 'created', store: a });
  assert.deepEqual(decideKeyCheck(a, [a!]), { outcome: 'current' });
  assert.deepEqual(decideKeyCheck(a, rotating), { outcome: 'rotated', store: b });
  assert.deepEqual(decideKeyCheck(b, [a!]), { outcome: 'mismatch' });
});
