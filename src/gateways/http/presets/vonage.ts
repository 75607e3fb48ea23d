import type { Static } from 'typebox';
import type { VonageConfig } from '../../../config/gateways.ts';
import type { ReceiptInput } from '../../../core/ports/gateway.ts';
import { gsm7Septets } from '../../../core/segments.ts';
import { bodyParams, field, form, secondsLeft, str, type HttpPreset } from '../preset.ts';
import { safeEqual, vonageSignature } from '../signatures.ts';

type Config = Static<typeof VonageConfig>;

/** Per-message `status` values Vonage asks us to retry later (throttled, internal error, too many binds). */
const TRANSIENT = new Set(['1', '5', '10', '13']);
const FINAL: Readonly<Record<string, ReceiptInput['status']>> = {
  delivered: 'delivered',
  expired: 'expired',
  failed: 'failed',
  rejected: 'failed',
};
/** How far a signed receipt's timestamp may be from now: Vonage documents none; five minutes, as Standard Webhooks. */
const TOLERANCE_S = 300;

/** SMS API: form POST to /sms/json; answers 200 with a per-message status; signed (`sig`) receipts. */
export const vonage: HttpPreset<Config> = {
  name: 'vonage',
  request(c, m, ctx) {
    // Vonage tries delivery for `ttl` milliseconds, which it accepts from 20,000 to 604,800,000.
    const left = secondsLeft(m.validUntil, ctx.now);
    return {
      method: 'POST',
      url: `${c.baseUrl.replace(/\/$/, '')}/sms/json`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form({
        api_key: c.apiKey,
        api_secret: c.apiSecret,
        from: c.from,
        to: m.to.replace(/^\+/, ''),
        text: m.text,
        type: gsm7Septets(m.text) === undefined ? 'unicode' : 'text',
        callback: ctx.callbackUrl,
        'client-ref': m.id.slice(0, 40),
        ttl: left === undefined ? undefined : String(Math.min(604_800_000, Math.max(20_000, left * 1000))),
      }),
    };
  },
  answer(_c, a) {
    if (a.status !== 200) return undefined;
    const parts = field(a.json, 'messages');
    if (!Array.isArray(parts) || parts.length === 0)
      return { ok: false, kind: 'transient', error: 'vonage: unreadable answer' };
    const failed = parts.find((p) => str(field(p, 'status')) !== '0');
    if (failed) {
      const status = str(field(failed, 'status')) ?? '?';
      return {
        ok: false,
        kind: TRANSIENT.has(status) ? 'transient' : 'permanent',
        error: `vonage status ${status}: ${str(field(failed, 'error-text')) ?? ''}`.trim(),
      };
    }
    // One entry per SMS part; the first part's id is the one its receipts are matched by.
    return { ok: true, providerMessageId: str(field(parts[0], 'message-id')) ?? '', segments: parts.length };
  },
  verifyCallback(c, req, now) {
    const p = stringParams(req.body, req.headers);
    if (!p?.sig || !p.timestamp || !/^\d{1,12}$/.test(p.timestamp)) return false;
    if (Math.abs(now / 1000 - Number(p.timestamp)) > TOLERANCE_S) return false;
    return safeEqual(vonageSignature(c.signatureSecret, c.signatureMethod, p).toLowerCase(), p.sig.toLowerCase());
  },
  readCallback(_c, req, now) {
    const p = stringParams(req.body, req.headers);
    const id = p?.messageId;
    const status = p?.status;
    if (!id || !status) return undefined;
    const final = FINAL[status];
    if (!final) return [];
    return [
      {
        providerMessageId: id,
        status: final,
        at: now,
        ...(final !== 'delivered' ? { error: `vonage ${status} err-code ${p['err-code'] ?? '?'}` } : {}),
      },
    ];
  },
};

function stringParams(
  body: string,
  headers: Readonly<Record<string, string | undefined>>,
): Record<string, string> | undefined {
  const p = bodyParams({ url: '', method: 'POST', headers, body });
  if (!p) return undefined;
  return Object.fromEntries(Object.entries(p).flatMap(([k, v]) => (str(v) !== undefined ? [[k, str(v)!]] : [])));
}
