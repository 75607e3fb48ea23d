import type { ErrorCode } from '../../core/errors.ts';
import { bearerChallenge, type ErrorSurface } from '../surface.ts';

/**
 * The CAMARA wording of every catalogued error: the code on the wire (the API's own errors are
 * namespaced `ONE_TIME_PASSWORD_SMS.`) and the message the spec and CAMARA Commonalities give it.
 */
const CAMARA: Readonly<Record<ErrorCode, readonly [wire: string, message: string]>> = {
  INVALID_ARGUMENT: ['INVALID_ARGUMENT', 'Client specified an invalid argument, request body or query param.'],
  OUT_OF_RANGE: ['OUT_OF_RANGE', 'Client specified an invalid range.'],
  UNAUTHENTICATED: ['UNAUTHENTICATED', 'Request not authenticated due to missing, invalid, or expired credentials.'],
  PERMISSION_DENIED: ['PERMISSION_DENIED', 'Client does not have sufficient permissions to perform this action.'],
  NOT_FOUND: ['NOT_FOUND', 'The specified resource is not found.'],
  METHOD_NOT_ALLOWED: ['METHOD_NOT_ALLOWED', 'The requested method is not allowed/supported on the target resource.'],
  NOT_ACCEPTABLE: [
    'NOT_ACCEPTABLE',
    'The server cannot produce a response matching the content requested by the client through Accept-* headers.',
  ],
  REQUEST_TIMEOUT: ['REQUEST_TIMEOUT', 'The request was not received in time.'],
  CONTENT_TOO_LARGE: ['CONTENT_TOO_LARGE', 'The request body is larger than the server is willing to process.'],
  HEADERS_TOO_LARGE: ['HEADERS_TOO_LARGE', 'The request headers are larger than the server is willing to process.'],
  UNSUPPORTED_MEDIA_TYPE: [
    'UNSUPPORTED_MEDIA_TYPE',
    'The server refuses to accept the request because the payload format is in an unsupported format.',
  ],
  CONFLICT: ['CONFLICT', 'A specified resource duplicate entry found.'],
  TOO_MANY_REQUESTS: ['TOO_MANY_REQUESTS', 'Rate limit reached.'],
  QUOTA_EXCEEDED: ['QUOTA_EXCEEDED', 'Out of resource quota.'],
  SEND_LIMIT_EXCEEDED: [
    'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED',
    'Too many OTPs have been requested for this MSISDN. Try later.',
  ],
  RECIPIENT_NOT_ALLOWED: [
    'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED',
    "Phone_number can't receive an SMS due to business reasons in the operator.",
  ],
  RECIPIENT_BLOCKED: [
    'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED',
    'Phone_number is blocked to receive SMS due to any blocking business reason in the operator.',
  ],
  // CAMARA sends SMS only: no request of it can name another channel.
  CHANNEL_NOT_ALLOWED: ['INVALID_ARGUMENT', 'Client specified an invalid argument, request body or query param.'],
  CODE_INVALID: ['ONE_TIME_PASSWORD_SMS.INVALID_OTP', 'The provided OTP is not valid for this authenticationId'],
  ATTEMPTS_EXHAUSTED: [
    'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED',
    'The maximum number of attempts for this authenticationId was exceeded without providing a valid OTP',
  ],
  VERIFICATION_CLOSED: ['ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED', 'The authenticationId is no longer valid'],
  UNAVAILABLE: ['UNAVAILABLE', 'Service Unavailable.'],
  INTERNAL: ['INTERNAL', 'Unknown server error. Typically a server bug.'],
};

export const CAMARA_PREFIX = '/one-time-password-sms/v1';

/** CAMARA's error body `{status, code, message}`. */
export const CAMARA_SURFACE: ErrorSurface = {
  name: 'camara',
  prefix: CAMARA_PREFIX,
  contentType: 'application/json',
  render(h, requestId) {
    const [code, text] = CAMARA[h.code];
    const message = h.code === 'INTERNAL' ? `${text} Request id: ${requestId}` : (h.detail ?? text);
    return {
      status: h.status,
      body: { status: h.status, code, message },
      headers: bearerChallenge(h.status),
    };
  },
};
