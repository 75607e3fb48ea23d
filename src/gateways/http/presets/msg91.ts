import type { Static } from 'typebox';
import type { Msg91Config } from '../../../config/gateways.ts';
import type { ReceiptInput } from '../../../core/ports/gateway.ts';
import { gsm7Septets } from '../../../core/segments.ts';
import { bodyParams, classifyStatus, field, str, urlToken, type HttpPreset } from '../preset.ts';
import { safeEqual } from '../signatures.ts';

type Config = Static<typeof Msg91Config>;

/** MSG91 report codes: 1 delivered; 2 failed; 9 NDNC; 16 and 25 rejected; 17 blocked number. */
const FINAL: Readonly<Record<string, ReceiptInput['status']>> = {
  '1': 'delivered',
  '2': 'failed',
  '9': 'failed',
  '16': 'failed',
  '17': 'failed',
  '25': 'failed',
};

/**
 * MSG91 `api/v2/sendsms`: JSON with the `authkey` header and, for India's DLT rules, the registered
 * template (DLT_TE_ID) and principal entity (PE_ID) on every message. It answers
 * `{type, message}` whatever the HTTP status, so `type` decides. Its delivery webhook is unsigned:
 * the URL configured in the MSG91 panel carries a secret token.
 */
export const msg91: HttpPreset<Config> = {
  name: 'msg91',
  request(c, m) {
    return {
      method: 'POST',
      url: `${c.baseUrl.replace(/\/$/, '')}/api/v2/sendsms`,
      headers: { authkey: c.authKey, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        sender: c.sender,
        route: c.route,
        unicode: gsm7Septets(m.text) === undefined ? 1 : 0,
        DLT_TE_ID: c.dltTemplateId,
        PE_ID: c.entityId,
        sms: [{ message: m.text, to: [m.to.replace(/^\+/, '')] }],
      }),
    };
  },
  answer(_c, a) {
    const type = str(field(a.json, 'type'));
    const message = str(field(a.json, 'message'));
    if (type === 'success' && message) return { ok: true, providerMessageId: message };
    if (a.status >= 500 || a.status === 429)
      return classifyStatus(a.status, message ?? '', a.headers.get('retry-after'));
    if (type === 'error')
      return {
        ok: false,
        kind: 'permanent',
        error: `msg91 ${str(field(a.json, 'code')) ?? ''} ${message ?? ''}`.replace(/\s+/g, ' ').trim(),
      };
    return undefined;
  },
  verifyCallback(c, req) {
    return safeEqual(urlToken(req.url), c.callbackToken);
  },
  readCallback(_c, req, now) {
    const p = bodyParams(req);
    // Webhook v2 posts a form whose `data` field is a JSON array of requests, each with report[];
    // v3 posts one flat JSON object per number.
    const reports = typeof p?.data === 'string' ? flattenV2(p.data) : p ? [p] : undefined;
    if (!reports) return undefined;
    const out: ReceiptInput[] = [];
    for (const r of reports) {
      const id = str(field(r, 'requestId'));
      const status = str(field(r, 'status'));
      if (!id || !status) return undefined;
      const final = FINAL[status];
      if (final)
        out.push({
          providerMessageId: id,
          status: final,
          at: now,
          ...(final !== 'delivered' ? { error: `msg91 ${status} ${str(field(r, 'desc')) ?? ''}`.trim() } : {}),
        });
    }
    return out;
  },
};

function flattenV2(data: string): unknown[] | undefined {
  try {
    const requests: unknown = JSON.parse(data);
    if (!Array.isArray(requests)) return undefined;
    return requests.flatMap((q) => {
      const report = field(q, 'report');
      return Array.isArray(report) ? report.map((r) => ({ ...(r as object), requestId: field(q, 'requestId') })) : [];
    });
  } catch {
    return undefined;
  }
}
