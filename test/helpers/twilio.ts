// Helpers of the Twilio Verify v2 tests: the official SDK pointed at a test server, and raw form
// calls with HTTP Basic for the checks the SDK would hide.
import assert from 'node:assert/strict';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { HttpResult, TestServer } from './server.ts';

/**
 * The SDK's HTTP client with Verify's hard-coded origin replaced by the test server's (the SDK's
 * public hook for a self-hosted server); it keeps every status it saw, to prove none was a 5xx.
 */
export class ToOtpd extends twilio.RequestClient {
  readonly base: string;
  readonly statuses: number[];
  constructor(base: string, statuses: number[] = []) {
    super();
    this.base = base;
    this.statuses = statuses;
  }
  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const res = await super.request<TData>({ ...opts, uri: opts.uri.replace('https://verify.twilio.com', this.base) });
    this.statuses.push(res.statusCode);
    return res;
  }
}

/** A Twilio SDK client of the test server; `accountSid` is needed when `user` is a key id. */
export function sdk(s: TestServer, user: string, secret: string, statuses: number[], accountSid?: string) {
  return twilio(user, secret, { httpClient: new ToOtpd(s.url, statuses), ...(accountSid ? { accountSid } : {}) });
}

export const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`;

/** A raw call to the compatible API: a form body (or a raw string with its own content type) and Basic auth. */
export async function form(
  s: TestServer,
  method: string,
  path: string,
  auth: string,
  body?: Record<string, string> | { raw: string; type: string },
): Promise<HttpResult> {
  const headers: Record<string, string> = { authorization: auth };
  let payload: string | undefined;
  if (body && 'raw' in body && typeof body.raw === 'string') {
    payload = body.raw;
    headers['content-type'] = String(body.type);
  } else if (body) {
    payload = new URLSearchParams(body as Record<string, string>).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(`${s.url}/v2${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Asserts Twilio's error body: exactly {code, message, more_info, status}, JSON, no stack trace. */
export function assertTwilioError(r: HttpResult, status: number, code: number, message?: RegExp): void {
  assert.equal(r.status, status, `status; body: ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(r.body).sort(), ['code', 'message', 'more_info', 'status']);
  assert.equal(r.body.code, code);
  assert.equal(r.body.status, status);
  assert.equal(r.body.more_info, `https://www.twilio.com/docs/errors/${code}`);
  assert.equal(typeof r.body.message, 'string');
  if (message) assert.match(r.body.message, message);
  assert.doesNotMatch(JSON.stringify(r.body), /\bat .*[:(]\d+:\d+|\\n\s*at |node_modules|\.ts\b/, 'no stack trace');
}
