import type { CallbackRequest, OutboundMessage, ReceiptInput, SendResult } from '../../core/ports/gateway.ts';

export interface HttpCall {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a preset reads of an answer's headers (a WHATWG Headers fits too). */
export interface AnswerHeaders {
  get(name: string): string | null;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: AnswerHeaders;
  /** Parsed JSON, or undefined when the body was not JSON. */
  readonly json: unknown;
}

/**
 * What one provider needs on top of the generic HTTP channel: how a message becomes a request,
 * how an answer becomes a classified result, and how a delivery-status callback is authenticated
 * and read. Everything else (transport, timeouts, aborts, status-code defaults) is shared.
 */
export interface HttpPreset<C> {
  readonly name: string;
  request(config: C, m: OutboundMessage, ctx: { callbackUrl: string | undefined; now: number }): HttpCall;
  /** The provider's answer; HTTP errors not recognised here fall back to classifyStatus. */
  answer(config: C, a: HttpAnswer, m: OutboundMessage): SendResult | undefined;
  /** Authenticates a callback in constant time; false for a missing or wrong signature. */
  verifyCallback(config: C, req: CallbackRequest, now: number): boolean;
  /** The receipts in an authenticated callback; undefined when it cannot be read. Non-final statuses give none. */
  readCallback(config: C, req: CallbackRequest, now: number): ReceiptInput[] | undefined;
}

/** The common reading of an HTTP status a preset did not explain: 408, 429 and 5xx retry; other 4xx do not. */
export function classifyStatus(status: number, detail: string, retryAfter: string | null): SendResult {
  const transient = status === 408 || status === 429 || status >= 500;
  const seconds = retryAfter && /^\d{1,6}$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return {
    ok: false,
    kind: transient ? 'transient' : 'permanent',
    error: `HTTP ${status}${detail ? `: ${detail}` : ''}`,
    ...(seconds !== undefined ? { retryAfterMs: seconds * 1000 } : {}),
  };
}

/**
 * Whole seconds the code has left at `now` (at least 1), or undefined when the message has no
 * expiry: what each preset turns into its provider's validity or time to live.
 */
export function secondsLeft(validUntil: number | undefined, now: number): number | undefined {
  return validUntil === undefined ? undefined : Math.max(1, Math.floor((validUntil - now) / 1000));
}

export const form = (o: Record<string, string | undefined>): string =>
  new URLSearchParams(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined)).toString();

/** Reads a JSON object field, safely. */
export function field(o: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/** A body as form parameters or a JSON object; undefined when it is neither. */
export function bodyParams(req: CallbackRequest): Record<string, unknown> | undefined {
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(req.body));
  try {
    const v: unknown = JSON.parse(req.body);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `token` query parameter of a callback URL, for providers that do not sign their callbacks. */
export const urlToken = (url: string): string => {
  try {
    return new URL(url).searchParams.get('token') ?? '';
  } catch {
    return '';
  }
};
