import type {
  CallbackReceipts,
  CallbackRequest,
  CallbackResult,
  Gateway,
  OutboundMessage,
  SendResult,
} from '../../core/ports/gateway.ts';
import type { Clock } from '../../core/clock.ts';
import { classifyStatus, type HttpAnswer, type HttpPreset } from './preset.ts';

/**
 * The one HTTP channel: sends through a provider preset with fetch, gives up when the dispatcher's
 * signal aborts, and turns transport errors into transient failures. Callbacks are authenticated
 * by the preset before a single field is read.
 */
export class HttpGateway<C> implements Gateway, CallbackReceipts {
  readonly id: string;
  readonly channel = 'sms' as const;
  readonly #preset: HttpPreset<C>;
  readonly #config: C;
  readonly #callbackUrl: string | undefined;
  readonly #clock: Clock;

  constructor(id: string, preset: HttpPreset<C>, config: C, deps: { clock: Clock; callbackUrl: string | undefined }) {
    this.id = id;
    this.#preset = preset;
    this.#config = config;
    this.#callbackUrl = deps.callbackUrl;
    this.#clock = deps.clock;
  }

  async send(m: OutboundMessage, signal: AbortSignal): Promise<SendResult> {
    const call = this.#preset.request(this.#config, m, { callbackUrl: this.#callbackUrl, now: this.#clock.now() });
    let res: Response;
    try {
      res = await fetch(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal,
        redirect: 'manual',
      });
    } catch (err) {
      if (signal.aborted)
        return { ok: false, kind: 'transient', timeout: true, error: `${this.#preset.name}: no answer in time` };
      // fetch reports a refused or reset connection as "fetch failed" with the system code in its cause.
      const reason = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      return { ok: false, kind: 'transient', error: `${this.#preset.name}: ${reason}` };
    }
    let text = '';
    try {
      text = await res.text();
    } catch {
      if (signal.aborted)
        return { ok: false, kind: 'transient', timeout: true, error: `${this.#preset.name}: answer cut off` };
    }
    const answer: HttpAnswer = { status: res.status, headers: res.headers, json: parseJson(text) };
    const r = this.#preset.answer(this.#config, answer, m);
    if (r) return r;
    return classifyStatus(res.status, '', res.headers.get('retry-after'));
  }

  handleCallback(req: CallbackRequest, now: number): CallbackResult {
    if (!this.#preset.verifyCallback(this.#config, req, now))
      return { ok: false, reason: 'signature', detail: `${this.#preset.name} signature did not match` };
    const receipts = this.#preset.readCallback(this.#config, req, now);
    if (!receipts) return { ok: false, reason: 'malformed', detail: `not a ${this.#preset.name} delivery report` };
    return { ok: true, receipts };
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
