import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { isPrivateAddress } from '../core/webhooks.ts';
import type { EventPoster } from '../core/ports/webhooks.ts';

export interface PosterOptions {
  /** The whole exchange, connect to last byte read. */
  readonly timeoutMs: number;
  /** Bytes of an answer read before the connection is dropped (the answer's body is not used). */
  readonly maxResponseBytes: number;
  /** The operator lets endpoints resolve to private, loopback and link-local addresses. */
  readonly allowPrivate: boolean;
  readonly userAgent: string;
  /** Connections per receiver host. */
  readonly maxSockets: number;
}

class RefusedAddress extends Error {}

/**
 * Resolves the host and refuses it when any address is private, loopback or link-local; the
 * connection then goes to an address this check passed (no second resolution a DNS answer could
 * change in between).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad && !allowPrivate) return callback(new RefusedAddress(`${hostname} resolves to a private address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

// A signer per secret: each decodes its key once (a service has one or two).
const signers = new Map<string, Webhook>();
const signer = (secret: string): Webhook => {
  let w = signers.get(secret);
  if (!w) {
    if (signers.size > 10_000) signers.clear();
    w = new Webhook(secret);
    signers.set(secret, w);
  }
  return w;
};

/** Standard Webhooks signatures: one per secret, space-separated, so a rotation verifies with either. */
export function signatures(secrets: readonly string[], id: string, timestamp: Date, body: string): string {
  return secrets.map((s) => signer(s).sign(id, timestamp, body)).join(' ');
}

/**
 * Posts events over HTTP(S), signed, with a deadline, a cap on what it reads and the address guard.
 * Through undici's connection pools: an event's POST costs the request core about half of what
 * node:http's client did (see BENCHMARKS.md), and the pools keep connections to the few receivers
 * most deployments have.
 */
export function webhookPoster(o: PosterOptions): EventPoster {
  const dispatcher = new Agent({
    connections: o.maxSockets,
    connect: { lookup: guardedLookup(o.allowPrivate), timeout: o.timeoutMs },
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
  });
  return {
    async post({ url, id, timestamp, body, secrets }) {
      const target = new URL(url);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      // A literal address is never resolved, so the lookup above would not see it.
      if (isIP(host) && isPrivateAddress(host) && !o.allowPrivate)
        return { ok: false, error: `${host} is a private address` };
      const headers = {
        'content-type': 'application/json',
        'user-agent': o.userAgent,
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signatures(secrets, id, timestamp, body),
      };
      try {
        const res = await request(target, {
          method: 'POST',
          headers,
          body,
          dispatcher,
          signal: AbortSignal.timeout(o.timeoutMs),
        });
        // The answer's body is not used: read up to the cap, so the connection can be kept.
        await res.body.dump({ limit: o.maxResponseBytes });
        const status = res.statusCode;
        return status >= 200 && status < 300 ? { ok: true } : { ok: false, error: `HTTP ${status}` };
      } catch (err) {
        return { ok: false, error: errorText(err, o.timeoutMs) };
      }
    },
    close: () => dispatcher.close(),
  };
}

/** The reason a receiver would recognise: the refusal or the network error, not undici's wrapper. */
function errorText(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && err.message === 'fetch failed' ? cause.message : err.message;
}
