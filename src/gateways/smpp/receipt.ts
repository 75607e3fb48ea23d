import type smpp from 'smpp';
import type { ReceiptInput } from '../../core/ports/gateway.ts';

/** esm_class bits 2–5 hold the message type; 0001 is an SMSC delivery receipt (SMPP 3.4 §5.2.12). */
const ESM_TYPE_MASK = 0x3c;
const ESM_MC_DELIVERY_RECEIPT = 0x04;

/** message_state values (§5.2.28) under the names Appendix B receipts use in `stat:`. */
const STATE_NAMES: Readonly<Record<number, string>> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};
const KNOWN_STATES = new Set(Object.values(STATE_NAMES));

/**
 * Final outcomes. ENROUTE and ACCEPTD are left out on purpose: the first is intermediate, and
 * ACCEPTD ("accepted by customer service") says nothing about the handset, so otpd waits for a
 * final receipt instead of guessing.
 */
const FINAL: Readonly<Record<string, ReceiptInput['status']>> = {
  DELIVRD: 'delivered',
  EXPIRED: 'expired',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  DELETED: 'failed',
  UNKNOWN: 'failed',
};

export type DeliverOutcome =
  /** A mobile-originated message or another notification: acknowledged and ignored. */
  | { readonly kind: 'not-receipt' }
  | { readonly kind: 'receipt'; readonly receipt: ReceiptInput }
  /** A receipt for a state that is not final (ENROUTE, ACCEPTD). */
  | { readonly kind: 'not-final'; readonly stat: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/**
 * Reads a deliver_sm. The TLVs (receipted_message_id, message_state) win over the Appendix B text,
 * whose format varies between SMSCs, so the text is parsed leniently. The text's `text:` field
 * repeats the start of the message (the code), so nothing from it ends up in a receipt.
 */
export function parseDeliver(pdu: smpp.PDU, at: number): DeliverOutcome {
  if (((pdu.esm_class ?? 0) & ESM_TYPE_MASK) !== ESM_MC_DELIVERY_RECEIPT) return { kind: 'not-receipt' };
  const text = receiptText(pdu);
  const id = pdu.receipted_message_id?.trim() || /(?:^|\s)id:(\S+)/i.exec(text)?.[1];
  if (!id) return { kind: 'malformed', reason: 'receipt without a message id' };
  const stat =
    (pdu.message_state !== undefined ? STATE_NAMES[pdu.message_state] : undefined) ??
    /(?:^|\s)stat:(\w+)/i.exec(text)?.[1]?.toUpperCase();
  if (!stat) return { kind: 'malformed', reason: 'receipt without a message state' };
  const status = FINAL[stat];
  if (!status)
    return KNOWN_STATES.has(stat)
      ? { kind: 'not-final', stat }
      : { kind: 'malformed', reason: `unknown receipt state "${stat.slice(0, 16)}"` };
  const error = status === 'delivered' ? undefined : receiptError(stat, text, pdu.network_error_code);
  return { kind: 'receipt', receipt: { providerMessageId: id, status, error, at } };
}

function receiptText(pdu: smpp.PDU): string {
  const m = pdu.short_message?.message || pdu.message_payload?.message || '';
  return typeof m === 'string' ? m : m.toString('latin1');
}

function receiptError(stat: string, text: string, networkError: Buffer | undefined): string {
  const err = /(?:^|\s)err:(\w+)/i.exec(text)?.[1];
  const parts = [`stat:${stat}`];
  if (err) parts.push(`err:${err}`);
  if (networkError?.length) parts.push(`network_error_code:${networkError.toString('hex')}`);
  return parts.join(' ');
}
