import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache } from '../../src/api/key-cache.ts';

test('the key cache stays within its bound, dropping the least recently used entry', () => {
  const c = new BoundedCache<{ keyId: string }>(2);
  c.set('a', { keyId: 'k1' });
  c.set('b', { keyId: 'k2' });
  assert.deepEqual(c.get('a'), { keyId: 'k1' }, 'a read makes an entry recent');
  c.set('c', { keyId: 'k1' });
  assert.equal(c.size, 2);
  assert.equal(c.get('b'), undefined, 'b was the least recently used');
  c.drop((v) => v.keyId === 'k1');
  assert.equal(c.size, 0, 'every entry of a forgotten key goes');
});
