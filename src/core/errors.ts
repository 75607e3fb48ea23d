/**
 * The closed catalogue of otpd's domain errors. Codes are stable and machine-readable; they carry
 * no HTTP status (that mapping lives only in `api/error-map.ts`). Messages are safe to show a
 * client: they never contain a code, a MAC or a phone number.
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
  TOO_MANY_REQUESTS: 'Rate limit reached.',
  QUOTA_EXCEEDED: 'Out of resource quota.',
  MAX_OTP_CODES_EXCEEDED: 'Too many OTPs have been requested for this MSISDN. Try later.',
  PHONE_NUMBER_NOT_ALLOWED: "Phone_number can't receive an SMS due to business reasons in the operator.",
  PHONE_NUMBER_BLOCKED: 'Phone_number is blocked to receive SMS due to any blocking business reason in the operator.',
  INVALID_OTP: 'The provided OTP is not valid for this authenticationId',
  VERIFICATION_FAILED:
    'The maximum number of attempts for this authenticationId was exceeded without providing a valid OTP',
  VERIFICATION_EXPIRED: 'The authenticationId is no longer valid',
  UNAVAILABLE: 'Service Unavailable.',
  INTERNAL: 'Unknown server error. Typically a server bug.',
} as const;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.freeze(Object.keys(ERRORS) as ErrorCode[]);

export class OtpdError extends Error {
  readonly code: ErrorCode;
  /** Seconds a client should wait before retrying, for rate and quota errors. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, retryAfterSeconds?: number) {
    // A domain error is an answer, not a bug: its stack is never shown or logged, and capturing it
    // was a measurable share of a wrong-code validation.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? ERRORS[code]);
    Error.stackTraceLimit = limit;
    this.name = 'OtpdError';
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isOtpdError(err: unknown): err is OtpdError {
  return err instanceof OtpdError;
}
