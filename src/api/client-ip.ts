import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The client's IP. Forwarding headers are believed only from a configured trusted proxy: otherwise
 * anyone could reset or split their per-IP limit by writing X-Forwarded-For themselves. Through
 * trusted proxies, X-Forwarded-For is read right to left and the first address that is not a
 * trusted proxy is the client; X-Real-IP is used when there is no X-Forwarded-For.
 */
export function clientIpResolver(trusted: readonly string[]): (req: FastifyRequest) => string | undefined {
  if (trusted.length === 0) return (req) => req.socket.remoteAddress;
  const list = new BlockList();
  for (const t of trusted) {
    const [addr, bits] = t.split('/');
    const family = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
    if (bits !== undefined) list.addSubnet(addr!, Number(bits), family);
    else list.addAddress(addr!, family);
  }
  const isTrusted = (ip: string) => {
    const plain = ip.replace(/^::ffff:(?=\d+\.)/, '');
    const family = isIP(plain) === 6 ? 'ipv6' : isIP(plain) === 4 ? 'ipv4' : undefined;
    return family !== undefined && list.check(plain, family);
  };
  return (req) => {
    const peer = req.socket.remoteAddress;
    if (!peer || !isTrusted(peer)) return peer;
    const xff = headerValue(req.headers['x-forwarded-for']);
    if (xff) {
      const hops = xff.split(',').map((h) => h.trim()).filter((h) => isIP(h.replace(/^::ffff:(?=\d+\.)/, '')) !== 0);
      for (let i = hops.length - 1; i >= 0; i--) if (!isTrusted(hops[i]!)) return hops[i];
      return hops[0] ?? peer;
    }
    const real = headerValue(req.headers['x-real-ip'])?.trim();
    return real && isIP(real) ? real : peer;
  };
}

const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);
