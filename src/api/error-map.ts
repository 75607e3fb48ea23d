import { ERRORS, isOtpdError, type ErrorCode } from '../core/errors.ts';

/** HTTP status of every catalogued error. A test pins that each code is here. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_ARGUMENT: 400,
  OUT_OF_RANGE: 400,
  INVALID_OTP: 400,
  VERIFICATION_FAILED: 400,
  VERIFICATION_EXPIRED: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  MAX_OTP_CODES_EXCEEDED: 403,
  PHONE_NUMBER_NOT_ALLOWED: 403,
  PHONE_NUMBER_BLOCKED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  REQUEST_TIMEOUT: 408,
  CONTENT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  TOO_MANY_REQUESTS: 429,
  QUOTA_EXCEEDED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
});

/** Codes that the CAMARA spec namespaces with the API name. */
const API_SPECIFIC = new Set<ErrorCode>([
  'MAX_OTP_CODES_EXCEEDED',
  'PHONE_NUMBER_NOT_ALLOWED',
  'PHONE_NUMBER_BLOCKED',
  'INVALID_OTP',
  'VERIFICATION_FAILED',
  'VERIFICATION_EXPIRED',
]);

export interface HttpError {
  readonly status: number;
  readonly body: { status: number; code: string; message: string };
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
  413: 'CONTENT_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

function make(
  code: ErrorCode,
  message: string,
  extraHeaders: Record<string, string> = {},
  unexpected = false,
): HttpError {
  const status = HTTP_STATUS[code];
  const wire = API_SPECIFIC.has(code) ? `ONE_TIME_PASSWORD_SMS.${code}` : code;
  const headers: Record<string, string> = { ...extraHeaders };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return { status, body: { status, code: wire, message }, headers, unexpected };
}

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  validation?: { instancePath?: string; message?: string }[];
  validationContext?: string;
}

/**
 * The one place any error becomes an HTTP response. Domain errors keep their catalogued message;
 * framework errors (parsing, validation, limits) get a catalogued code; anything else is a 500
 * whose body carries only the request id: the cause is for the log, never the client.
 */
export function toHttpError(err: unknown, requestId: string): HttpError {
  if (isOtpdError(err)) {
    const headers: Record<string, string> = {};
    if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
    return make(err.code, err.message, headers);
  }
  const fe = (err ?? {}) as FrameworkError;
  if (Array.isArray(fe.validation)) {
    const first = fe.validation[0];
    const where = `${fe.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
    return make('INVALID_ARGUMENT', `${where} ${first?.message ?? 'is invalid'}`.trim());
  }
  const mapped = typeof fe.code === 'string' ? FRAMEWORK_CODES[fe.code] : undefined;
  if (mapped) return make(mapped, FRAMEWORK_MESSAGES[fe.code as string] ?? ERRORS[mapped]);
  // JSON syntax errors and other client-side parse failures arrive as plain 4xx errors.
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = BY_STATUS[status] ?? 'INVALID_ARGUMENT';
    return make(
      code,
      code === 'INVALID_ARGUMENT'
        ? 'Client specified an invalid argument: the request body could not be parsed.'
        : ERRORS[code],
    );
  }
  return make('INTERNAL', `${ERRORS.INTERNAL} Request id: ${requestId}`, {}, true);
}
