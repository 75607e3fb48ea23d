import type { Gateway, OutboundMessage, SendResult } from '../../src/core/ports/gateway.ts';

/** A gateway whose answers are scripted per attempt; it stands for a provider we cannot run here. */
export class ScriptedGateway implements Gateway {
  readonly id: string;
  readonly channel = 'sms' as const;
  readonly sent: OutboundMessage[] = [];
  readonly #script: (SendResult | 'hang' | 'throw')[];
  constructor(script: (SendResult | 'hang' | 'throw')[], id = 'scripted') {
    this.#script = script;
    this.id = id;
  }
  async send(m: OutboundMessage): Promise<SendResult> {
    this.sent.push(m);
    const next = this.#script.shift() ?? { ok: true, providerMessageId: 'p' };
    if (next === 'hang') return new Promise(() => {});
    if (next === 'throw') throw new Error('socket hang up');
    return next;
  }
}
