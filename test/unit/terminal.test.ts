import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable, terminalJson } from '../../src/cli/terminal.ts';

const UNSAFE = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x061c,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
];

test('printable escapes C0, DEL, C1, bidirectional controls and line separators as visible \\u{…}', () => {
  for (const cp of UNSAFE) {
    const c = String.fromCodePoint(cp);
    assert.equal(printable(`a${c}b`), `a\\u{${cp.toString(16).toUpperCase()}}b`, `U+${cp.toString(16)}`);
  }
  assert.equal(printable('\u001b[31mred\u001b[0m'), '\\u{1B}[31mred\\u{1B}[0m');
  assert.equal(printable('code 1234\u202E5678'), 'code 1234\\u{202E}5678');
  assert.equal(printable('tab\there\nnext'), 'tab\\u{9}here\\u{A}next');
});

test('printable leaves ordinary text alone, accents, emoji and right-to-left letters included', () => {
  for (const s of ['Your code: 123456', 'Código: 123456 ¡gracias!', 'رمزك 123456', '認証コード 123456 🔐', '\\u{1B}']) {
    assert.equal(printable(s), s);
  }
});

test('terminalJson escapes what JSON.stringify leaves raw, and parses back to the same values', () => {
  const value = [{ text: 'a\u001b[2Jb\u009b31m\u202Ec\u2066d\u007f', to: '+34629255833' }];
  const out = terminalJson(value);
  for (const cp of UNSAFE) assert.ok(!out.includes(String.fromCodePoint(cp)), `U+${cp.toString(16)} in ${out}`);
  assert.deepEqual(JSON.parse(out), value);
});
