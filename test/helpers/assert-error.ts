import assert from 'node:assert/strict';
import type { HttpResult } from './server.ts';

export interface ErrorBody {
  status: number;
  code: string;
  message: string;
}

/** Asserts an exact CAMARA error body `{status, code, message}`, JSON, with no stack trace. */
export function assertError(r: HttpResult, expected: ErrorBody): void {
  assert.equal(r.status, expected.status, `status; body: ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(r.body, expected);
  assert.doesNotMatch(JSON.stringify(r.body), /\bat .*[:(]\d+:\d+|\\n\s*at /, 'no stack trace');
}
