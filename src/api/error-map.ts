import { isOtpdError, type ErrorCode } from '../core/errors.ts';

/** HTTP status of every catalogued error. A test pins that each code is here. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_ARGUMENT: 400,
  OUT_OF_RANGE: 400,
  CODE_INVALID: 400,
  ATTEMPTS_EXHAUSTED: 400,
  VERIFICATION_CLOSED: 400,
  CHANNEL_NOT_ALLOWED: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  SEND_LIMIT_EXCEEDED: 403,
  RECIPIENT_NOT_ALLOWED: 403,
  RECIPIENT_BLOCKED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  CONTENT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  TOO_MANY_REQUESTS: 429,
  QUOTA_EXCEEDED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
});

/**
 * An error on its way to becoming a response, before any surface words it: each API surface
 * (api/surface.ts) renders it in its own error body.
 */
export interface HttpError {
  readonly status: number;
  readonly code: ErrorCode;
  /** What this occurrence adds to the catalogued text (the field, the limit); absent when nothing. */
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  /** True when the cause is unknown and must be logged (never sent). */
  readonly unexpected: boolean;
}

const FRAMEWORK_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'CONTENT_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_ARGUMENT',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_ARGUMENT',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
  FST_ERR_BAD_URL: 'INVALID_ARGUMENT',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_ARGUMENT',
  FST_ERR_ASYNC_CONSTRAINT: 'INVALID_ARGUMENT',
};

/** Framework errors whose catalogue message would not tell the client what to fix. */
const FRAMEWORK_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'The URL holds a malformed percent-escape.',
  FST_ERR_MAX_PARAM_LENGTH: 'A segment of the URL path is longer than any valid value.',
};

const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'CONTENT_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

function make(code: ErrorCode, detail?: string, headers: Record<string, string> = {}, unexpected = false): HttpError {
  return { status: HTTP_STATUS[code], code, detail, headers, unexpected };
}

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  validation?: { instancePath?: string; message?: string }[];
  validationContext?: string;
}

/**
 * The one place any error gets its HTTP status. Domain errors keep their detail; framework errors
 * (parsing, validation, limits) get a catalogued code; anything else is a 500 whose body will
 * carry only the request id: the cause is for the log, never the client.
 */
export function toHttpError(err: unknown): HttpError {
  if (isOtpdError(err)) {
    const headers: Record<string, string> = {};
    if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
    return make(err.code, err.detail, headers);
  }
  const fe = (err ?? {}) as FrameworkError;
  if (Array.isArray(fe.validation)) {
    const first = fe.validation[0];
    const where = `${fe.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
    return make('INVALID_ARGUMENT', `${where} ${first?.message ?? 'is invalid'}`.trim());
  }
  const mapped = typeof fe.code === 'string' ? FRAMEWORK_CODES[fe.code] : undefined;
  if (mapped) return make(mapped, FRAMEWORK_MESSAGES[fe.code as string]);
  // JSON syntax errors and other client-side parse failures arrive as plain 4xx errors.
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = BY_STATUS[status] ?? 'INVALID_ARGUMENT';
    return make(
      code,
      code === 'INVALID_ARGUMENT'
        ? 'Client specified an invalid argument: the request body could not be parsed.'
        : undefined,
    );
  }
  return make('INTERNAL', undefined, {}, true);
}
