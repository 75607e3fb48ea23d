// Helpers of the native /v1 API's tests: problem details, codes read from the dev outbox.
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import type { HttpResult, TestServer } from './server.ts';

export const VE_ID = /^VE[0-9a-f]{32}$/;
export const VA_ID = /^VA[0-9a-f]{32}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The code in a text of the built-in English template ("Your {friendly_name} verification code is: {code}"). */
const CODE_IN_TEXT = /verification code is: ([0-9A-Za-z]+)/;

export function codeIn(text: string | undefined): string {
  const code = CODE_IN_TEXT.exec(text ?? '')?.[1];
  assert.ok(code, `no code in the delivered text: ${JSON.stringify(text)}`);
  return code;
}

const IN_FLIGHT = new Set(['queued', 'sending']);

/**
 * Every dev-outbox text for `to`, newest first, once delivery settled: each message queued for it
 * was sent (or expired unsent), so a count is exact on either store. Drives the dispatcher; never
 * waits on the clock.
 */
export async function deliveredTexts(s: TestServer, to: string): Promise<string[]> {
  for (let i = 0; i < 500; i++) {
    const texts = await s.texts(to);
    const queued = await s.server.store.listMessages({ recipient: to, limit: 500 });
    const sent = queued.filter((m) => m.status === 'sent' || m.status === 'delivered').length;
    if (!queued.some((m) => IN_FLIGHT.has(m.status)) && texts.length === sent) return texts;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`delivery to ${to} did not settle`);
}

/** Every code delivered to `to`, newest first. */
export async function codesFor(s: TestServer, to: string): Promise<string[]> {
  return (await deliveredTexts(s, to)).map(codeIn);
}

/** Asserts that nothing was queued for `to`, let alone delivered. */
export async function nothingQueued(s: TestServer, to: string): Promise<void> {
  assert.deepEqual(await s.server.store.listMessages({ recipient: to, limit: 10 }), []);
  assert.deepEqual(await s.texts(to), []);
}

/** Starts a verification (expecting 201) and reads its code from the dev outbox. */
export async function startAndRead(
  s: TestServer,
  to: string,
  extra: Record<string, unknown> = {},
  key?: string,
): Promise<{ id: string; code: string; body: any }> {
  const r = await s.post('/v1/verifications', { to, ...extra }, { key });
  assert.equal(r.status, 201, `start: ${JSON.stringify(r.body)}`);
  const [code] = await codesFor(s, to.includes('@') ? to.trim().toLowerCase() : to);
  return { id: r.body.id, code: code!, body: r.body };
}

/** A code of the same shape that is certainly not `code`. */
export const wrongOf = (code: string) => code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');

export interface Problem {
  status: number;
  code: string;
  detail?: string | RegExp;
}

/** Asserts an RFC 9457 problem: its content type, exactly its five members, and no stack trace. */
export function assertProblem(r: HttpResult, p: Problem): void {
  assert.equal(r.status, p.status, `status; body: ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.deepEqual(Object.keys(r.body).sort(), ['code', 'detail', 'status', 'title', 'type']);
  assert.equal(r.body.status, p.status);
  assert.equal(r.body.code, p.code);
  assert.equal(r.body.type, `urn:otpd:problem:${p.code.toLowerCase().replaceAll('_', '-')}`);
  assert.equal(r.body.title, STATUS_CODES[p.status]);
  assert.equal(typeof r.body.detail, 'string');
  assert.ok(r.body.detail.length > 0);
  if (typeof p.detail === 'string') assert.equal(r.body.detail, p.detail);
  else if (p.detail) assert.match(r.body.detail, p.detail);
  assert.doesNotMatch(JSON.stringify(r.body), /\bat .*[:(]\d+:\d+|\\n\s*at |node_modules|\.ts\b/, 'no stack trace');
}
