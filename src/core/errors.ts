/**
 * The closed catalogue of otpd's domain errors. Codes are stable and machine-readable; they carry
 * no HTTP status (that mapping lives only in `api/error-map.ts`) and no API surface's wording
 * (each surface words them in its own error body: CAMARA's texts live in `api/camara/`); the
 * generic ones are plain HTTP-API English that any surface may show as they are. Messages
 * are safe to show a client: they never contain a code, a MAC, a phone number or an address.
 */
export const ERRORS = {
  INVALID_ARGUMENT: 'Client specified an invalid argument, request body or query param.',
  OUT_OF_RANGE: 'Client specified an invalid range.',
  UNAUTHENTICATED: 'Request not authenticated due to missing, invalid, or expired credentials.',
  PERMISSION_DENIED: 'Client does not have sufficient permissions to perform this action.',
  NOT_FOUND: 'The specified resource is not found.',
  METHOD_NOT_ALLOWED: 'The requested method is not allowed/supported on the target resource.',
  NOT_ACCEPTABLE:
    'The server cannot produce a response matching the content requested by the client through Accept-* headers.',
  REQUEST_TIMEOUT: 'The request was not received in time.',
  CONTENT_TOO_LARGE: 'The request body is larger than the server is willing to process.',
  HEADERS_TOO_LARGE: 'The request headers are larger than the server is willing to process.',
  UNSUPPORTED_MEDIA_TYPE:
    'The server refuses to accept the request because the payload format is in an unsupported format.',
  CONFLICT: 'The resource conflicts with one that exists, or is in a state that does not allow this change.',
  TOO_MANY_REQUESTS: 'Rate limit reached.',
  QUOTA_EXCEEDED: 'Out of resource quota.',
  SEND_LIMIT_EXCEEDED: 'Too many codes were sent to this recipient. Try later.',
  RECIPIENT_NOT_ALLOWED: 'Codes cannot be sent to this recipient.',
  RECIPIENT_BLOCKED: 'This recipient is blocked.',
  CHANNEL_NOT_ALLOWED: 'The channel is not allowed for this service.',
  CODE_INVALID: 'The code is wrong.',
  ATTEMPTS_EXHAUSTED: 'The verification has no attempts left.',
  VERIFICATION_CLOSED: 'The verification is no longer pending: approved, canceled, expired or replaced.',
  UNAVAILABLE: 'Service Unavailable.',
  INTERNAL: 'Unknown server error. Typically a server bug.',
} as const;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.freeze(Object.keys(ERRORS) as ErrorCode[]);

export class OtpdError extends Error {
  readonly code: ErrorCode;
  /** Seconds a client should wait before retrying, for rate and quota errors. */
  readonly retryAfterSeconds: number | undefined;
  /** What this occurrence adds to the catalogue's text (which field, which limit); absent when nothing. */
  readonly detail: string | undefined;
  /** Which defence refused (an abuse reason such as `number_type`), where a surface words them apart. */
  readonly defence: string | undefined;

  constructor(code: ErrorCode, detail?: string, retryAfterSeconds?: number, defence?: string) {
    // A domain error is an answer, not a bug: its stack is never shown or logged, and capturing it
    // was a measurable share of a wrong-code validation.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail ?? ERRORS[code]);
    Error.stackTraceLimit = limit;
    this.name = 'OtpdError';
    this.code = code;
    this.detail = detail;
    this.retryAfterSeconds = retryAfterSeconds;
    this.defence = defence;
  }
}

export function isOtpdError(err: unknown): err is OtpdError {
  return err instanceof OtpdError;
}
