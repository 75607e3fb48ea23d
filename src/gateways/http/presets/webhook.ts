import type { Static } from 'typebox';
import type { WebhookConfig } from '../../../config/gateways.ts';
import type { ReceiptInput } from '../../../core/ports/gateway.ts';
import { bodyParams, field, str, type HttpPreset } from '../preset.ts';
import { signStandardWebhook, verifyStandardWebhook } from '../signatures.ts';

type Config = Static<typeof WebhookConfig>;

const STATUSES = new Set<string>(['delivered', 'failed', 'expired']);

/**
 * The generic channel: otpd POSTs `{type: "message.send", timestamp, data: {id, channel, to, text}}`
 * signed per Standard Webhooks (webhook-id stays the same across retries, so the receiver can
 * deduplicate); the receiver answers 2xx with an optional `{"id": "<its message id>"}`, and
 * reports outcomes back to /callbacks/<gateway> as `{type: "message.status", data: {id, status,
 * error?}}`, signed with the same secret.
 */
export const webhook: HttpPreset<Config> = {
  name: 'webhook',
  request(c, m, ctx) {
    const id = `otpd_${m.id}`;
    const body = JSON.stringify({
      type: 'message.send',
      timestamp: new Date(ctx.now).toISOString(),
      data: { id, channel: m.channel, to: m.to, text: m.text },
    });
    return {
      method: 'POST',
      url: c.url,
      body,
      headers: { 'content-type': 'application/json', ...signStandardWebhook(c.secret, id, ctx.now, body) },
    };
  },
  answer(_c, a, m) {
    if (a.status >= 200 && a.status < 300)
      return { ok: true, providerMessageId: str(field(a.json, 'id')) ?? `otpd_${m.id}` };
    return undefined;
  },
  verifyCallback(c, req, now) {
    return verifyStandardWebhook(c.secret, req.headers, req.body, now);
  },
  readCallback(_c, req, now) {
    const data = field(bodyParams(req), 'data');
    const id = str(field(data, 'id'));
    const status = str(field(data, 'status'));
    if (!id || !status || !STATUSES.has(status)) return undefined;
    const error = str(field(data, 'error'));
    return [
      {
        providerMessageId: id,
        status: status as ReceiptInput['status'],
        at: now,
        ...(error ? { error: error.slice(0, 300) } : {}),
      },
    ];
  },
};
