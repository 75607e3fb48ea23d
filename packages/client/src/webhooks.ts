import { Webhook } from 'standardwebhooks';
import type { webhooks } from './schema.ts';

/** An event otpd posts to a service's webhook, typed by its `type`. */
export type OtpdEvent = {
  [K in keyof webhooks]: webhooks[K]['post'] extends {
    requestBody?: { content: { 'application/json': infer E } };
  }
    ? E
    : never;
}[keyof webhooks];

/**
 * Verifies an event's Standard Webhooks signature (any of the service's secrets during a rotation
 * is one of the signatures) and its timestamp (within 5 minutes), and returns the event. Pass the
 * body exactly as received (a string or Buffer, before any JSON parsing). Throws
 * `WebhookVerificationError` from `standardwebhooks` when the event is not otpd's.
 */
export function verifyWebhook(
  payload: string | Uint8Array,
  headers: Record<string, string | string[] | undefined> | Headers,
  secret: string,
): OtpdEvent {
  const h: Record<string, string> = {};
  const get = (name: string) => {
    const v = headers instanceof Headers ? headers.get(name) : headers[name];
    return Array.isArray(v) ? v[0] : (v ?? undefined);
  };
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const v = get(name);
    if (v !== undefined && v !== null) h[name] = v;
  }
  const body = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  return new Webhook(secret).verify(body, h) as OtpdEvent;
}

export { WebhookVerificationError } from 'standardwebhooks';
