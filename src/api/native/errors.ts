import { STATUS_CODES } from 'node:http';
import { ChallengeRequired } from '../../core/fraud/challenge.ts';
import { ERRORS, type ErrorCode } from '../../core/errors.ts';
import { HTTP_STATUS } from '../error-map.ts';
import { bearerChallenge, type ErrorSurface } from '../surface.ts';

export const NATIVE_PREFIX = '/v1';

/** Where the native API's statuses differ from the catalogue's HTTP mapping (CAMARA's). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  VERIFICATION_CLOSED: 409,
  SEND_LIMIT_EXCEEDED: 429,
  ATTEMPTS_EXHAUSTED: 429,
};

/** The problem type of a code: a URN, stable as the code itself. */
export const problemType = (code: ErrorCode) => `urn:otpd:problem:${code.toLowerCase().replaceAll('_', '-')}`;

/** Status of `code` on the native API. */
export const nativeStatus = (code: ErrorCode): number => STATUS[code] ?? HTTP_STATUS[code];

/**
 * RFC 9457 problem details with a stable `code` (the catalogue's) beside the standard members; a
 * proof-of-work challenge rides along as the `challenge` extension.
 */
export const NATIVE_SURFACE: ErrorSurface = {
  name: 'native',
  prefix: NATIVE_PREFIX,
  contentType: 'application/problem+json',
  render(h, requestId, err) {
    const status = nativeStatus(h.code);
    const detail = h.code === 'INTERNAL' ? `${ERRORS.INTERNAL} Request id: ${requestId}` : (h.detail ?? ERRORS[h.code]);
    return {
      status,
      body: {
        type: problemType(h.code),
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail,
        code: h.code,
        ...(err instanceof ChallengeRequired ? { challenge: err.challenge } : {}),
      },
      headers: bearerChallenge(status),
    };
  },
};
