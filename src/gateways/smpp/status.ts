import smpp from 'smpp';
import type { SendResult } from '../../core/ports/gateway.ts';

export type SendFailure = Extract<SendResult, { ok: false }>;

const NAMES = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

/** How long a throttled bind waits before the message is tried again. */
export const THROTTLED_RETRY_MS = 1000;

/**
 * command_status values worth retrying on the same bind: the SMSC is busy or briefly broken
 * (SMPP 3.4 §5.1.3). RINVBNDSTS means the SMSC no longer sees us as bound (a link that is about to
 * drop), not a fault of the message. Everything else is about the message itself (a bad number, a
 * refused sender) and is permanent.
 */
const TRANSIENT = new Set([
  smpp.ESME_RTHROTTLED,
  smpp.ESME_RMSGQFUL,
  smpp.ESME_RX_T_APPN,
  smpp.ESME_RSYSERR,
  smpp.ESME_RINVBNDSTS,
]);

/** `ESME_RTHROTTLED (0x00000058)`: a status as operators look it up, never with message content. */
export function statusName(status: number): string {
  const hex = `0x${status.toString(16).padStart(8, '0')}`;
  return `${NAMES.get(status) ?? 'unknown command_status'} (${hex})`;
}

/** The SendResult of a submit_sm answered with a non-zero command_status. */
export function submitFailure(status: number, what: string): SendFailure {
  const error = `SMSC refused ${what}: ${statusName(status)}`;
  if (status === smpp.ESME_RTHROTTLED) return { ok: false, kind: 'transient', error, retryAfterMs: THROTTLED_RETRY_MS };
  return { ok: false, kind: TRANSIENT.has(status) ? 'transient' : 'permanent', error };
}
