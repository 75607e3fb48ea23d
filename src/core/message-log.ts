/**
 * What operators may see of the outbox: messages with their status and every delivery attempt, never
 * the text (so never a code). Shared by GET /admin/messages and `otpd messages`, which differ only in
 * how they page and print.
 */
import { OtpdError } from './errors.ts';
import type { AttemptView, MessageFilter, MessageStatus, MessageView, OutboxStore } from './ports/outbox.ts';

/** Every message status, in lifecycle order; filters, schemas and help texts list them from here. */
export const MESSAGE_STATUSES: readonly MessageStatus[] = Object.freeze([
  'queued',
  'sending',
  'sent',
  'delivered',
  'failed',
  'expired',
  'abandoned',
]);

/** `name` is how the caller calls the field (a CLI flag, say). */
export function checkStatus(status: string, name = 'status'): MessageStatus {
  if (!(MESSAGE_STATUSES as readonly string[]).includes(status)) {
    throw new OtpdError('INVALID_ARGUMENT', `${name} must be one of ${MESSAGE_STATUSES.join(', ')}`);
  }
  return status as MessageStatus;
}

export interface MessageHistory {
  readonly message: MessageView;
  /** Oldest first. */
  readonly attempts: readonly AttemptView[];
}

/**
 * The messages matching the filter, newest first, each with all its attempts. An unknown status is
 * INVALID_ARGUMENT. Two committed reads, no lock: an attempt recorded between them shows up on a
 * message whose status does not reflect it yet.
 */
export async function messageHistory(
  store: Pick<OutboxStore, 'listMessages' | 'listAttempts'>,
  filter: MessageFilter,
): Promise<MessageHistory[]> {
  if (filter.status !== undefined) checkStatus(filter.status);
  const messages = await store.listMessages(filter);
  const attempts = await store.listAttempts(messages.map((m) => m.id));
  return messages.map((message) => ({ message, attempts: attempts.filter((a) => a.messageId === message.id) }));
}
