import type { Clock } from '../core/clock.ts';
import type { Gateway, OutboundMessage, SendResult } from '../core/ports/gateway.ts';
import type { DevInbox, DevMessageInput } from '../core/ports/store.ts';
import { Batcher } from '../jobs/batcher.ts';

/**
 * The "virtual phone" and inbox: instead of reaching a network, a delivered text (an email's
 * plain-text part) is kept in the store so a developer can read it (GET /dev/messages,
 * `otpd outbox`). It holds codes in clear on purpose,
 * which is why configuration refuses it in production.
 */
export class DevOutboxGateway implements Gateway {
  readonly id: string;
  /** Its config carries both channels (config/gateways.ts channelsOf): texts and emails alike. */
  readonly channel = 'sms' as const;
  readonly #clock: Clock;
  // A dispatcher round hands over hundreds of messages at once: one store write keeps them all.
  readonly #appends: Batcher<DevMessageInput>;

  constructor(inbox: DevInbox, clock: Clock, id = 'dev-outbox') {
    this.id = id;
    this.#clock = clock;
    this.#appends = new Batcher((list) => inbox.appendDevMessages(list));
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    await this.#appends.add({ messageId: m.id, to: m.to, text: m.text, at: this.#clock.now() });
    return { ok: true, providerMessageId: `dev-${m.id}` };
  }
}
