import type { Static } from 'typebox';
import type { TwilioConfig } from '../../../config/gateways.ts';
import type { ReceiptInput } from '../../../core/ports/gateway.ts';
import { classifyStatus, field, form, secondsLeft, str, type HttpPreset } from '../preset.ts';
import { safeEqual, twilioSignature, twilioUrlVariants } from '../signatures.ts';

type Config = Static<typeof TwilioConfig>;

/** Twilio's final message statuses; the others (queued, sending, sent, …) are progress, not outcomes. */
const FINAL: Readonly<Record<string, ReceiptInput['status']>> = {
  delivered: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
};

/** Programmable Messaging: form-encoded POST with Basic auth; status callbacks signed with X-Twilio-Signature. */
export const twilio: HttpPreset<Config> = {
  name: 'twilio',
  request(c, m, ctx) {
    // Twilio drops a message still in its queue after ValidityPeriod seconds (1 to 36,000).
    const left = secondsLeft(m.validUntil, ctx.now);
    return {
      method: 'POST',
      url: `${c.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${c.accountSid}/Messages.json`,
      headers: {
        authorization: `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form({
        To: m.to,
        Body: m.text,
        From: c.from,
        MessagingServiceSid: c.messagingServiceSid,
        StatusCallback: ctx.callbackUrl,
        ValidityPeriod: left === undefined ? undefined : String(Math.min(36_000, left)),
      }),
    };
  },
  answer(_c, a) {
    const sid = str(field(a.json, 'sid'));
    if (a.status >= 200 && a.status < 300 && sid) {
      const segments = Number(str(field(a.json, 'num_segments')) ?? '0');
      return { ok: true, providerMessageId: sid, ...(segments > 0 ? { segments } : {}) };
    }
    const code = str(field(a.json, 'code'));
    const message = str(field(a.json, 'message'));
    // 20429 ("too many concurrent requests") is never processed and always safe to retry.
    if (code === '20429') return classifyStatus(429, `twilio ${code}`, a.headers.get('retry-after'));
    return classifyStatus(a.status, code ? `twilio ${code} ${message ?? ''}`.trim() : '', a.headers.get('retry-after'));
  },
  verifyCallback(c, req) {
    const given = req.headers['x-twilio-signature'];
    if (!given) return false;
    const params = new URLSearchParams(req.body);
    return twilioUrlVariants(req.url).some((u) => safeEqual(twilioSignature(c.authToken, u, params), given));
  },
  readCallback(_c, req, now) {
    const p = new URLSearchParams(req.body);
    const sid = p.get('MessageSid') ?? p.get('SmsSid');
    const status = p.get('MessageStatus') ?? p.get('SmsStatus');
    if (!sid || !status) return undefined;
    const final = FINAL[status];
    if (!final) return [];
    const code = p.get('ErrorCode');
    return [{ providerMessageId: sid, status: final, at: now, ...(code ? { error: `twilio ${status} ${code}` } : {}) }];
  },
};
