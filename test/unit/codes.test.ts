import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCode, maskPhone, normalizeCode } from '../../src/core/codes.ts';

test('codes cover the full space, leading zeros included', () => {
  assert.equal(
    generateCode(6, 'numeric', () => 0),
    '000000',
  );
  assert.equal(
    generateCode(6, 'numeric', (max) => max - 1),
    '999999',
  );
  let i = 0;
  const digits = [0, 0, 7, 0, 4, 2];
  assert.equal(
    generateCode(6, 'numeric', () => digits[i++]!),
    '007042',
  );
});

test('the CSPRNG draws every digit about equally often', () => {
  const counts = new Array(10).fill(0);
  for (let n = 0; n < 20_000; n++) for (const c of generateCode(5, 'numeric')) counts[Number(c)]++;
  for (const c of counts) assert.ok(c > 9_000 && c < 11_000, `digit count ${c} is far from uniform`);
});

test('alphanumeric codes avoid look-alike characters and compare case-insensitively', () => {
  for (let n = 0; n < 2000; n++) assert.match(generateCode(8, 'alphanumeric'), /^[A-HJ-KM-NP-Z2-9]{8}$/);
  assert.equal(normalizeCode('ab3k', 'alphanumeric'), 'AB3K');
  assert.equal(normalizeCode('ab3k', 'numeric'), 'ab3k');
});

test('masked phone numbers never show the subscriber digits', () => {
  const m = maskPhone('+34629255833');
  assert.equal(m, '+3462*****33');
  assert.ok(!m.includes('92558'));
  assert.equal(maskPhone('+1234'), '*****');
});
