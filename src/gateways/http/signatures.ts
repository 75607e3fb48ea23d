import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings (unequal lengths are unequal without a timing hint on content). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/**
 * Twilio's X-Twilio-Signature: base64 HMAC-SHA1, keyed by the auth token, over the full URL
 * followed by every POST parameter as key+value, sorted by key (a repeated key: its values sorted).
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].sort();
  let data = url;
  for (const k of keys) for (const v of params.getAll(k).sort()) data += k + v;
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Twilio signs with or without the default port depending on the path a request took; accept both. */
export function twilioUrlVariants(url: string): string[] {
  const m = /^(https?):\/\/([^/:?#]+)(:\d+)?(.*)$/.exec(url);
  if (!m) return [url];
  const [, scheme, host, port, rest] = m;
  const standard = scheme === 'https' ? ':443' : ':80';
  if (!port) return [url, `${scheme}://${host}${standard}${rest}`];
  return port === standard ? [url, `${scheme}://${host}${rest}`] : [url];
}

export type VonageSignatureMethod = 'md5hash' | 'md5' | 'sha1' | 'sha256' | 'sha512';

/**
 * Vonage's signed requests (SMS API): every parameter but `sig`, sorted by key, as `&k=v` with
 * `&` and `=` in values replaced by `_`; then an MD5 of that string with the secret appended, or
 * an HMAC keyed by the secret. Hex, compared case-insensitively.
 */
export function vonageSignature(secret: string, method: VonageSignatureMethod, params: Record<string, string>): string {
  const data = Object.keys(params)
    .filter((k) => k !== 'sig')
    .sort()
    .map((k) => `&${k}=${String(params[k]).replace(/[&=]/g, '_')}`)
    .join('');
  if (method === 'md5hash')
    return createHash('md5')
      .update(data + secret, 'utf8')
      .digest('hex');
  return createHmac(method, secret).update(data, 'utf8').digest('hex');
}

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`, keyed by the base64 after `whsec_`. */
export function standardWebhookSignature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

/** The headers of a Standard Webhooks request. */
export function signStandardWebhook(secret: string, id: string, nowMs: number, body: string): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': standardWebhookSignature(secret, id, timestamp, body),
  };
}

/** Verifies Standard Webhooks headers: a 5-minute window around now, any listed v1 signature matching. */
export function verifyStandardWebhook(
  secret: string,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  nowMs: number,
): boolean {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs || !/^\d{1,12}$/.test(ts)) return false;
  if (Math.abs(nowMs / 1000 - Number(ts)) > 300) return false;
  const expected = standardWebhookSignature(secret, id, ts, body);
  return sigs
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => safeEqual(s, expected));
}
