import type { Static } from 'typebox';
import type { InfobipConfig } from '../../../config/gateways.ts';
import type { ReceiptInput } from '../../../core/ports/gateway.ts';
import { bodyParams, classifyStatus, field, secondsLeft, str, urlToken, type HttpPreset } from '../preset.ts';
import { safeEqual } from '../signatures.ts';

type Config = Static<typeof InfobipConfig>;

/** Infobip status groups: 1 PENDING (not final), 2 UNDELIVERABLE, 3 DELIVERED, 4 EXPIRED, 5 REJECTED. */
const FINAL: Readonly<Record<string, ReceiptInput['status']>> = {
  DELIVERED: 'delivered',
  EXPIRED: 'expired',
  UNDELIVERABLE: 'failed',
  REJECTED: 'failed',
};

/**
 * SMS v2 (`/sms/2/text/advanced`): JSON with `App` key auth; delivery reports to notifyUrl (a secret token
 * in the URL).
 */
export const infobip: HttpPreset<Config> = {
  name: 'infobip',
  request(c, m, ctx) {
    // Infobip's validityPeriod is in whole minutes; rounding down keeps it inside the code's life
    // (a last minute still gets 1).
    const left = secondsLeft(m.validUntil, ctx.now);
    const message = {
      from: c.from,
      destinations: [{ to: m.to.replace(/^\+/, ''), messageId: `otpd-${m.id}` }],
      text: m.text,
      ...(ctx.callbackUrl ? { notifyUrl: ctx.callbackUrl, notifyContentType: 'application/json' } : {}),
      ...(left !== undefined ? { validityPeriod: Math.max(1, Math.floor(left / 60)) } : {}),
    };
    return {
      method: 'POST',
      url: `${c.baseUrl.replace(/\/$/, '')}/sms/2/text/advanced`,
      headers: { authorization: `App ${c.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ messages: [message] }),
    };
  },
  answer(_c, a) {
    if (a.status < 200 || a.status >= 300) {
      const e = field(a.json, 'requestError', 'serviceException');
      return classifyStatus(
        a.status,
        e ? `infobip ${str(field(e, 'messageId')) ?? ''} ${str(field(e, 'text')) ?? ''}`.trim() : '',
        a.headers.get('retry-after'),
      );
    }
    const m = field(a.json, 'messages', 0);
    const id = str(field(m, 'messageId'));
    if (!id) return { ok: false, kind: 'transient', error: 'infobip: unreadable answer' };
    // Accepted over HTTP can still be REJECTED for that destination (group 5): final, not retried.
    if (str(field(m, 'status', 'groupName')) === 'REJECTED') {
      return {
        ok: false,
        kind: 'permanent',
        error: `infobip REJECTED ${str(field(m, 'status', 'name')) ?? ''}`.trim(),
      };
    }
    return { ok: true, providerMessageId: id };
  },
  verifyCallback(c, req) {
    return safeEqual(urlToken(req.url), c.callbackToken);
  },
  readCallback(_c, req, now) {
    const results = field(bodyParams(req), 'results');
    if (!Array.isArray(results)) return undefined;
    const out: ReceiptInput[] = [];
    for (const r of results) {
      const id = str(field(r, 'messageId'));
      const group = str(field(r, 'status', 'groupName'));
      if (!id || !group) return undefined;
      const final = FINAL[group];
      if (!final) continue;
      out.push({
        providerMessageId: id,
        status: final,
        at: now,
        ...(final !== 'delivered' ? { error: `infobip ${group} ${str(field(r, 'error', 'name')) ?? ''}`.trim() } : {}),
      });
    }
    return out;
  },
};
