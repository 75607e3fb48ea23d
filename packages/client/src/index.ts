import createClient from 'openapi-fetch';
import type { operations } from './schema.ts';

export type { components, operations, paths, webhooks } from './schema.ts';

type Op = keyof operations;
/** The JSON body an operation takes. */
export type BodyOf<K extends Op> = operations[K] extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : never;
/** The JSON an operation answers with on success. */
export type ResultOf<K extends Op> = operations[K]['responses'] extends infer R
  ? R extends { 200: { content: { 'application/json': infer J } } }
    ? J
    : R extends { 201: { content: { 'application/json': infer J } } }
      ? J
      : undefined
  : never;

export type Verification = ResultOf<'getVerification'>;
export type CheckResult = ResultOf<'checkVerification'>;
export type Service = ResultOf<'getService'>;
export type ServicePage = ResultOf<'listServices'>;
export type Webhook = ResultOf<'getWebhook'>;

/** RFC 9457 problem details, as otpd answers every error of its native API. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** otpd's stable error code, e.g. CODE_INVALID, SEND_LIMIT_EXCEEDED, NOT_FOUND. */
  readonly code: string;
  readonly [extra: string]: unknown;
}

/** An error answer of otpd: its HTTP status and problem `code` are what to branch on. */
export class OtpdApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  /** Seconds the server asked to wait (429, 503), when it said. */
  readonly retryAfter: number | undefined;

  constructor(problem: Problem, retryAfter?: number) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = 'OtpdApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

export interface OtpdClientOptions {
  /** otpd's base URL, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** An API key with the `verify` scope (and `services` to manage services and webhooks). */
  readonly apiKey: string;
  /** Retries of a safe request (GET, PUT, DELETE) after a network error, 429, 502, 503 or 504. @default 2 */
  readonly retries?: number;
  /** The first retry's delay, doubling after (a Retry-After answer is honoured up to 10 s). @default 250 */
  readonly retryDelayMs?: number;
  readonly fetch?: typeof globalThis.fetch;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

const SAFE = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const RETRIED = new Set([429, 502, 503, 504]);

const sleep = (ms: number, signal: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    const abort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });

/**
 * fetch with retries where a repeat cannot do twice what was asked once: a start or a check (POST)
 * is never sent again, since the first may have sent a code or spent an attempt.
 */
function retrying(inner: typeof globalThis.fetch, retries: number, delayMs: number): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    if (!SAFE.has(request.method)) return inner(request);
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      try {
        res = await inner(request.clone());
        if (!RETRIED.has(res.status) || attempt >= retries) return res;
      } catch (err) {
        if (request.signal.aborted || attempt >= retries) throw err;
      }
      const asked = Number(res?.headers.get('retry-after'));
      const wait = Number.isFinite(asked) && asked > 0 ? Math.min(asked * 1000, 10_000) : delayMs * 2 ** attempt;
      await res?.body?.cancel();
      await sleep(wait, request.signal);
    }
  };
}

async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const retryAfter = Number(response.headers.get('retry-after')) || undefined;
    const p = (error && typeof error === 'object' ? error : {}) as Partial<Problem>;
    const problem: Problem = {
      type: p.type ?? 'about:blank',
      title: p.title ?? response.statusText,
      status: p.status ?? response.status,
      detail: p.detail ?? `HTTP ${response.status}`,
      code: p.code ?? 'UNKNOWN',
      ...p,
    };
    throw new OtpdApiError(problem, retryAfter);
  }
  return data as T;
}

/** A typed client of otpd's native API: one method per operation, errors as OtpdApiError. */
export function createOtpdClient(o: OtpdClientOptions) {
  const api = createClient<import('./schema.ts').paths>({
    baseUrl: o.baseUrl.replace(/\/$/, ''),
    headers: { authorization: `Bearer ${o.apiKey}` },
    fetch: retrying(o.fetch ?? globalThis.fetch, o.retries ?? 2, o.retryDelayMs ?? 250),
  });
  const id = (x: string) => ({ path: { id: x } });
  return {
    startVerification: (body: BodyOf<'startVerification'>, c: CallOptions = {}) =>
      unwrap(api.POST('/v1/verifications', { body, ...c })),
    checkVerification: (body: BodyOf<'checkVerification'>, c: CallOptions = {}) =>
      unwrap(api.POST('/v1/verifications/check', { body, ...c })),
    getVerification: (v: string, c: CallOptions = {}) =>
      unwrap(api.GET('/v1/verifications/{id}', { params: id(v), ...c })),
    cancelVerification: (v: string, c: CallOptions = {}) =>
      unwrap(api.POST('/v1/verifications/{id}/cancel', { params: id(v), ...c })),
    createService: (body: BodyOf<'createService'>, c: CallOptions = {}) =>
      unwrap(api.POST('/v1/services', { body, ...c })),
    listServices: (query: { limit?: number; cursor?: string } = {}, c: CallOptions = {}) =>
      unwrap(
        api.GET('/v1/services', {
          params: { query: { ...query, limit: query.limit === undefined ? undefined : String(query.limit) } },
          ...c,
        }),
      ),
    getService: (s: string, c: CallOptions = {}) => unwrap(api.GET('/v1/services/{id}', { params: id(s), ...c })),
    updateService: (s: string, body: BodyOf<'updateService'>, c: CallOptions = {}) =>
      unwrap(api.PATCH('/v1/services/{id}', { params: id(s), body, ...c })),
    deleteService: (s: string, c: CallOptions = {}) => unwrap(api.DELETE('/v1/services/{id}', { params: id(s), ...c })),
    setWebhook: (s: string, url: string, c: CallOptions = {}) =>
      unwrap(api.PUT('/v1/services/{id}/webhook', { params: id(s), body: { url }, ...c })),
    getWebhook: (s: string, c: CallOptions = {}) =>
      unwrap(api.GET('/v1/services/{id}/webhook', { params: id(s), ...c })),
    deleteWebhook: (s: string, c: CallOptions = {}) =>
      unwrap(api.DELETE('/v1/services/{id}/webhook', { params: id(s), ...c })),
    rotateWebhookSecret: (s: string, c: CallOptions = {}) =>
      unwrap(api.POST('/v1/services/{id}/webhook/rotate', { params: id(s), ...c })),
    enableWebhook: (s: string, c: CallOptions = {}) =>
      unwrap(api.POST('/v1/services/{id}/webhook/enable', { params: id(s), ...c })),
    replayEvents: (body: BodyOf<'replayEvents'>, c: CallOptions = {}) =>
      unwrap(api.POST('/v1/events/replay', { body, ...c })),
  };
}

export type OtpdClient = ReturnType<typeof createOtpdClient>;
