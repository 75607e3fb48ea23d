import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCountries, getCountryCallingCode, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { callingCode, generateCode, maskPhone, maskPrefix, normalizeCode } from '../../src/core/codes.ts';
import { logScope, numberPrefix } from '../../src/core/admission.ts';

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
  assert.equal(normalizeCode(' 123-456\u00a0', 'numeric'), '123456');
  assert.equal(normalizeCode('ab3k\u2013x7 ', 'alphanumeric'), 'AB3KX7');
});

test('masked numbers keep the country code and show at most half, never more than 4, of the rest', () => {
  for (const [number, masked] of [
    ['+34629255833', '+3462*****33'],
    ['+447911123456', '+4479******56'],
    ['+12025550123', '+120******23'],
    ['+6837012', '+6837**2'],
    ['+100100', '+10***0'],
    ['+79161234567', '+791******67'],
    ['+88212345', '+8821***5'],
    ['+1234', '+12**'],
    ['+6831', '+683*'],
  ] as const) {
    assert.equal(maskPhone(number), masked, number);
  }
  assert.equal(maskPhone('34629255833'), '***********', 'anything but + and digits is starred whole');
});

test('the calling code is read right for every country and non-geographic code libphonenumber knows', () => {
  const codes = new Set([...getCountries().map((c) => getCountryCallingCode(c)), '800', '808', '870', '881', '882']);
  for (const cc of codes) assert.equal(callingCode(`${cc}5550123`), cc, cc);
});

test("every country's example mobile is masked to at most half its national number, and at most 4 digits", () => {
  for (const country of getCountries()) {
    const example = getExampleNumber(country, examples);
    if (!example) continue;
    const number = example.number;
    const masked = maskPhone(number);
    const national = example.nationalNumber.length;
    const shown = masked.slice(1 + example.countryCallingCode.length).replace(/\*/g, '').length;
    assert.equal(masked.length, number.length, number);
    assert.ok(shown <= Math.min(4, Math.floor(national / 2)), `${number} → ${masked}`);
    // The log scope of the number's prefix shows only digits the masked number shows at its start.
    const scope = logScope(`prefix:${numberPrefix(number)}`)
      .slice('prefix:'.length)
      .replace('…', '');
    assert.ok(masked.startsWith(scope), `${scope} is not the start of ${masked}`);
  }
});

test('a prefix in a log keeps the calling code and at most 2 more digits', () => {
  assert.equal(maskPrefix('+3462925'), '+3462…');
  assert.equal(maskPrefix('+120255'), '+120…');
  assert.equal(maskPrefix('+10'), '+10');
  assert.equal(maskPrefix('+683'), '+683');
});
