import type { ErrorCode } from '../../core/errors.ts';
import type { HttpError } from '../error-map.ts';
import type { ErrorSurface } from '../surface.ts';

export const TWILIO_PREFIX = '/v2';

/** A Twilio error: its code, HTTP status and the message Twilio's documentation gives it. */
export class TwilioError extends Error {
  readonly twilioCode: number;
  readonly status: number;
  constructor(code: number, status: number, message: string) {
    super(message);
    this.twilioCode = code;
    this.status = status;
  }
}

/** Twilio's code and status for each catalogued error (Twilio's own error dictionary). */
const CODES: Readonly<Record<ErrorCode, readonly [code: number, status: number, message: string]>> = {
  INVALID_ARGUMENT: [60200, 400, 'Invalid parameter'],
  OUT_OF_RANGE: [60200, 400, 'Invalid parameter'],
  CHANNEL_NOT_ALLOWED: [60200, 400, 'Invalid parameter: Channel'],
  UNAUTHENTICATED: [20003, 401, 'Authenticate'],
  PERMISSION_DENIED: [20403, 403, 'Permission denied'],
  NOT_FOUND: [20404, 404, 'The requested resource was not found'],
  METHOD_NOT_ALLOWED: [20004, 405, 'Method not allowed'],
  NOT_ACCEPTABLE: [20001, 406, 'Not acceptable'],
  REQUEST_TIMEOUT: [20001, 408, 'Request timeout'],
  CONFLICT: [20409, 409, 'Conflict'],
  CONTENT_TOO_LARGE: [60200, 413, 'Invalid parameter: the request is too large'],
  UNSUPPORTED_MEDIA_TYPE: [60200, 415, 'Invalid parameter: send application/x-www-form-urlencoded'],
  HEADERS_TOO_LARGE: [20001, 431, 'Request headers too large'],
  TOO_MANY_REQUESTS: [20429, 429, 'Too Many Requests'],
  QUOTA_EXCEEDED: [20429, 429, 'Too Many Requests: the daily quota of messages is used up'],
  SEND_LIMIT_EXCEEDED: [60203, 429, 'Max send attempts reached'],
  RECIPIENT_NOT_ALLOWED: [60410, 403, 'Verification delivery attempt blocked'],
  RECIPIENT_BLOCKED: [60410, 403, 'Verification delivery attempt blocked'],
  CODE_INVALID: [60200, 400, 'Invalid parameter: Code'],
  ATTEMPTS_EXHAUSTED: [60202, 429, 'Max check attempts reached'],
  // A check after approval, cancel or expiry: Twilio answers that the verification is not found.
  VERIFICATION_CLOSED: [20404, 404, 'The requested resource was not found'],
  UNAVAILABLE: [20503, 503, 'Service unavailable'],
  INTERNAL: [20500, 500, 'Internal server error'],
};

/** Defences Twilio words apart from a fraud block. */
const BY_DEFENCE: Readonly<Record<string, readonly [number, number, string]>> = {
  number_type: [60205, 400, 'SMS is not supported by landline phone number'],
  country: [60605, 403, 'Verification delivery attempt blocked: geo permissions'],
};

const moreInfo = (code: number) => `https://www.twilio.com/docs/errors/${code}`;

/** Twilio's error body `{code, message, more_info, status}`. */
export const TWILIO_SURFACE: ErrorSurface = {
  name: 'twilio',
  prefix: TWILIO_PREFIX,
  contentType: 'application/json',
  render(h: HttpError, requestId: string, err?: unknown) {
    if (err instanceof TwilioError) return body(err.twilioCode, err.status, err.message);
    const defence = (err as { defence?: string } | undefined)?.defence;
    const [code, status, text] = (defence && BY_DEFENCE[defence]) || CODES[h.code];
    const message =
      h.code === 'INTERNAL' ? `${text}. Request id: ${requestId}` : h.detail ? `${text}: ${h.detail}` : text;
    const r = body(code, status, message);
    return status === 401 ? { ...r, headers: { 'www-authenticate': 'Basic realm="otpd"' } } : r;
  },
};

function body(code: number, status: number, message: string) {
  return { status, body: { code, message, more_info: moreInfo(code), status } };
}
