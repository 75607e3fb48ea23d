import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
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

/** Posts events over HTTP(S), signed, with a deadline, a cap on what it reads and the address guard. */
export function webhookPoster(o: PosterOptions): EventPoster {
  const lookup = guardedLookup(o.allowPrivate);
  // Connections kept open between events: most go to the same few receivers.
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: 32 }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: 32 }),
  };
  return {
    post({ url, id, timestamp, body, secrets }) {
      const target = new URL(url);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      // A literal address is never resolved, so the lookup above would not see it.
      if (isIP(host) && isPrivateAddress(host) && !o.allowPrivate)
        return Promise.resolve({ ok: false, error: `${host} is a private address` });
      const headers = {
        'content-type': 'application/json',
        'user-agent': o.userAgent,
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signatures(secrets, id, timestamp, body),
        'content-length': String(Buffer.byteLength(body)),
      };
      const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise((resolve) => {
        const done = (r: { ok: true } | { ok: false; error: string }) => {
          clearTimeout(timer);
          resolve(r);
        };
        const agent = agents[target.protocol as 'http:' | 'https:'];
        const req = request(target, { method: 'POST', headers, lookup, agent }, (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > o.maxResponseBytes) res.destroy();
          });
          const status = res.statusCode ?? 0;
          const finish = () =>
            done(status >= 200 && status < 300 ? { ok: true } : { ok: false, error: `HTTP ${status}` });
          res.on('end', finish);
          res.on('close', finish);
        });
        const timer = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
        req.on('error', (err) => done({ ok: false, error: err.message }));
        req.end(body);
      });
    },
  };
}
