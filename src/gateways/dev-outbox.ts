import type { Clock } from '../core/clock.ts';
import type { Gateway, OutboundMessage, SendResult } from '../core/ports/gateway.ts';
import type { DevInbox } from '../core/ports/store.ts';

/**
 * The "virtual phone": instead of reaching a network, a delivered text is kept in the store so a
 * developer can read it (GET /dev/messages, `otpd messages`). It holds codes in clear on purpose,
 * which is why configuration refuses it in production.
 */
export class DevOutboxGateway implements Gateway {
  readonly id: string;
  readonly channel = 'sms' as const;
  readonly #inbox: DevInbox;
  readonly #clock: Clock;

  constructor(inbox: DevInbox, clock: Clock, id = 'dev-outbox') {
    this.id = id;
    this.#inbox = inbox;
    this.#clock = clock;
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    await this.#inbox.appendDevMessage({ messageId: m.id, to: m.to, text: m.text, at: this.#clock.now() });
    return { ok: true, providerMessageId: `dev-${m.id}` };
  }
}
