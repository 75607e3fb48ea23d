/**
 * A number's verifications as an operator reads them (the console's search): each with its sends
 * and their delivery attempts, newest first. Found by the keyed phone index, so the number is never
 * stored or compared in clear for it.
 */
import type { AttemptView, MessageView, OutboxStore } from './ports/outbox.ts';
import type { VerificationLookup, VerificationRecord } from './ports/store.ts';

export interface TimelineEntry {
  readonly verification: VerificationRecord;
  readonly sends: readonly { readonly message: MessageView; readonly attempts: readonly AttemptView[] }[];
}

/** At most this many verifications of one number are shown, the newest. */
export const TIMELINE_LIMIT = 20;

export async function numberTimeline(
  store: Pick<VerificationLookup, 'findVerificationsByNumber' | 'listVerificationMessages'> &
    Pick<OutboxStore, 'listAttempts'>,
  phoneIndex: Buffer,
  clientId: string | undefined,
): Promise<TimelineEntry[]> {
  const found = await store.findVerificationsByNumber(phoneIndex, TIMELINE_LIMIT, clientId);
  return Promise.all(
    found.map(async (verification) => {
      const messages = await store.listVerificationMessages(verification.clientId, verification.id);
      const attempts = await store.listAttempts(messages.map((m) => m.id));
      return {
        verification,
        sends: messages.map((message) => ({ message, attempts: attempts.filter((a) => a.messageId === message.id) })),
      };
    }),
  );
}
