import { callingCode } from '../codes.ts';

/**
 * Number ranges, nested: a country, then every prefix of the number from its calling code and one
 * more digit down to the number without its last 2 digits (a block of 100). Pumping picks numbers
 * in whatever range its partner carrier owns (a block of 100, one operator's 10⁶, a whole mobile
 * plan), so every level is watched and the narrowest guilty one is acted on.
 */

/** The block of 100 a number is in; the narrowest range the guard tracks. */
export const numberBlock = (e164: string): string => e164.slice(0, Math.max(2, e164.length - 2));

/** The ranges of a block (or a number's block), widest first: `+447`, `+4477`, …, the block itself. */
export function rangesOfBlock(block: string): string[] {
  if (!/^\+\d+$/.test(block)) return [];
  const first = 1 + callingCode(block.slice(1)).length + 1;
  const out: string[] = [];
  for (let len = first; len <= block.length; len++) out.push(block.slice(0, len));
  return out;
}

/**
 * The guard's scope names, per tenant: a decision about a range in one tenant's traffic never
 * touches another tenant's sends. `t:<client>:country:GB` and `t:<client>:range:+447700`.
 */
export const countryScope = (clientId: string, country: string): string => `t:${clientId}:country:${country}`;
export const rangeScope = (clientId: string, range: string): string => `t:${clientId}:range:${range}`;

/** Every guard scope a send to `e164` falls in, widest first. */
export function guardScopes(clientId: string, country: string | undefined, e164: string): string[] {
  return [
    ...(country ? [countryScope(clientId, country)] : []),
    ...rangesOfBlock(numberBlock(e164)).map((r) => rangeScope(clientId, r)),
  ];
}

export interface ParsedScope {
  readonly clientId: string;
  readonly kind: 'country' | 'range';
  readonly value: string;
}

/** The parts of a guard scope; undefined for any other scope (the global breaker's `country:GB`). */
export function parseGuardScope(scope: string): ParsedScope | undefined {
  const m = /^t:(.+):(country|range):([^:]+)$/.exec(scope);
  return m ? { clientId: m[1]!, kind: m[2] as ParsedScope['kind'], value: m[3]! } : undefined;
}

/**
 * The source tags of a send: its end-user IP (an IPv6 /64, as the IP limit keys it), that IP's
 * network (IPv6 /48, IPv4 /24: a proxy pool rotates within one), and its device. Keyed hashes of
 * these are stored, never the addresses.
 */
export function sourceKeys(o: { ip?: string | undefined; device?: string | undefined }): string[] {
  const out: string[] = [];
  if (o.ip) {
    out.push(`ip:${ipKey(o.ip)}`);
    out.push(`net:${netKey(o.ip)}`);
  }
  if (o.device) out.push(`dev:${o.device}`);
  return out;
}

function v6Groups(ip: string): string[] {
  const [head = '', tail] = ip.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return groups.map((g) => g.replace(/^0+(?=.)/, '') || '0');
}

const mappedV4 = (ip: string): string | undefined => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];

/** IPv6 clients are keyed by their /64: one subscriber gets a whole /64 and can rotate within it. */
export function ipKey(ip: string): string {
  const v4 = mappedV4(ip);
  if (v4) return v4;
  if (!ip.includes(':')) return ip;
  return `${v6Groups(ip).slice(0, 4).join(':')}::/64`;
}

/** The network around an IP: an IPv6 /48 (one site) or an IPv4 /24. */
export function netKey(ip: string): string {
  const v4 = mappedV4(ip) ?? (ip.includes(':') ? undefined : ip);
  if (v4) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  return `${v6Groups(ip).slice(0, 3).join(':')}::/48`;
}
