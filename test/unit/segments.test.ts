import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gsm7Septets, segmentInfo } from '../../src/core/segments.ts';

test('GSM-7: 160 septets in one segment, then 153 per part', () => {
  assert.deepEqual(segmentInfo('a'.repeat(160)), { encoding: 'gsm7', units: 160, segments: 1 });
  assert.deepEqual(segmentInfo('a'.repeat(161)), { encoding: 'gsm7', units: 161, segments: 2 });
  assert.deepEqual(segmentInfo('a'.repeat(306)), { encoding: 'gsm7', units: 306, segments: 2 });
  assert.deepEqual(segmentInfo('a'.repeat(307)), { encoding: 'gsm7', units: 307, segments: 3 });
  assert.equal(segmentInfo('').segments, 1);
});

test('extension characters cost two septets; accented Latin letters of the alphabet cost one', () => {
  assert.equal(gsm7Septets('€'), 2);
  assert.equal(gsm7Septets('{}[]~|^\\'), 16);
  assert.equal(gsm7Septets('àéèùìòÇÑÜ'), 9);
  assert.deepEqual(segmentInfo(`${'a'.repeat(159)}€`), { encoding: 'gsm7', units: 161, segments: 2 });
});

test('UCS-2: any character outside GSM-7 switches the whole text; 70 units, then 67 per part', () => {
  assert.deepEqual(
    segmentInfo('ç'.repeat(70)),
    { encoding: 'ucs2', units: 70, segments: 1 },
    'lower-case ç is not in GSM-7',
  );
  assert.deepEqual(segmentInfo('Код 123456'), { encoding: 'ucs2', units: 10, segments: 1 });
  assert.deepEqual(segmentInfo(`${'x'.repeat(70)}й`), { encoding: 'ucs2', units: 71, segments: 2 });
  assert.deepEqual(segmentInfo('a'.repeat(134)), { encoding: 'gsm7', units: 134, segments: 1 });
  assert.equal(segmentInfo('😀'.repeat(35)).segments, 1, 'an emoji is two UTF-16 units');
  assert.equal(segmentInfo('😀'.repeat(36)).segments, 2);
  assert.equal(segmentInfo('й'.repeat(134)).segments, 2);
  assert.equal(segmentInfo('й'.repeat(135)).segments, 3);
});
