import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

export interface ClientIp {
  readonly ip: string | undefined;
  /** True when the address came from a trusted proxy's header: an end user's, not the caller's socket. */
  readonly proxied: boolean;
}

const unmap = (ip: string) => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/** A BlockList of the trusted proxies; entries were checked at boot (config/load.ts). */
function trustList(trusted: readonly string[]): BlockList {
  const list = new BlockList();
  for (const t of trusted) {
    const [addr, bits] = t.split('/');
    const family = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
    if (bits !== undefined) list.addSubnet(addr!, Number(bits), family);
    else list.addAddress(addr!, family);
  }
  return list;
}

/**
 * The client's IP. Forwarding headers are believed only from a configured trusted proxy, and only
 * the one header that proxy sets: otherwise anyone could reset or split their per-IP limit by
 * writing the header themselves. X-Forwarded-For is read right to left, and the first address
 * that is not a trusted proxy is the client.
 */
export function clientIpResolver(
  trusted: readonly string[],
  header: 'x-forwarded-for' | 'x-real-ip',
): (req: FastifyRequest) => ClientIp {
  if (trusted.length === 0)
    return (req) => ({ ip: req.socket.remoteAddress && unmap(req.socket.remoteAddress), proxied: false });
  const list = trustList(trusted);
  const isTrusted = (ip: string) => {
    const plain = unmap(ip);
    const family = isIP(plain) === 6 ? 'ipv6' : isIP(plain) === 4 ? 'ipv4' : undefined;
    return family !== undefined && list.check(plain, family);
  };
  return (req) => {
    const peer = req.socket.remoteAddress && unmap(req.socket.remoteAddress);
    if (!peer || !isTrusted(peer)) return { ip: peer, proxied: false };
    const raw = req.headers[header];
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    if (!value) return { ip: peer, proxied: false };
    const hops = value
      .split(',')
      .map((h) => unmap(h.trim()))
      .filter((h) => isIP(h) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) if (!isTrusted(hops[i]!)) return { ip: hops[i], proxied: true };
    return { ip: hops[0] ?? peer, proxied: hops.length > 0 };
  };
}
