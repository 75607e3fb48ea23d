import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifySchemaValidationError } from 'fastify';
import { describeViolation, validationErrors } from '../../src/api/validation-messages.ts';
import { OtpdError } from '../../src/core/errors.ts';

const v = (keyword: string, instancePath: string, params: Record<string, unknown>, message?: string) =>
  ({ keyword, instancePath, schemaPath: '#', params, message }) as FastifySchemaValidationError;

test('schema violations in words: the offending property is named, types get their article', () => {
  const none = {};
  assert.equal(
    describeViolation(v('additionalProperties', '', { additionalProperty: 'x' }), 'body', none),
    'body/x is not allowed',
  );
  assert.equal(
    describeViolation(v('additionalProperties', '/policy', { additionalProperty: 'y' }), 'body', none),
    'body/policy/y is not allowed',
  );
  assert.equal(
    describeViolation(v('required', '', { missingProperty: 'code' }), 'body', none),
    'body/code is required',
  );
  assert.equal(describeViolation(v('type', '/code', { type: 'string' }), 'body', none), 'body/code must be a string');
  assert.equal(describeViolation(v('type', '', { type: 'object' }), 'body', none), 'body must be an object');
  assert.equal(
    describeViolation(v('maxLength', '/code', { limit: 10 }), 'body', none),
    'body/code must be at most 10 characters',
  );
  assert.equal(
    describeViolation(
      v('enum', '/kind', { allowedValues: ['a'] }, 'must be equal to one of the allowed values'),
      'querystring',
      none,
    ),
    'querystring/kind must be equal to one of the allowed values',
  );
});

test("a field's own message wins, for its keyword or for any", () => {
  const fields = { 'body/to': { '*': 'to must be E.164' }, 'body/text': { pattern: 'text needs {{code}}' } };
  assert.equal(describeViolation(v('type', '/to', { type: 'string' }), 'body', fields), 'to must be E.164');
  assert.equal(describeViolation(v('pattern', '/text', { pattern: '.*' }), 'body', fields), 'text needs {{code}}');
  assert.equal(describeViolation(v('type', '/text', { type: 'string' }), 'body', fields), 'body/text must be a string');
  const err = validationErrors(fields)([v('pattern', '/to', {})], 'body');
  assert.ok(err instanceof OtpdError && err.code === 'INVALID_ARGUMENT' && err.message === 'to must be E.164');
});
