/**
 * The HTTP provider of the delivery phases, run as a child on the generator's core: Twilio's
 * Messages API as test/helpers/fake-vendors.ts checks and answers it, answering every well-formed
 * request after BENCH_VENDOR_DELAY_MS (a real provider's round trip), so the dispatcher's
 * concurrency, not the provider, decides how fast messages leave. GET /stats says how many calls it
 * took, refused as malformed (otpd's wire-format mistake) and held at once at most. Prints its url as
 * otpd logs it (spawnOtpd waits for that line); exits 0 on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { twilioSpec, type Reply } from '../test/helpers/fake-vendors.ts';

const delayMs = Number(process.env.BENCH_VENDOR_DELAY_MS ?? 200);
const spec = twilioSpec(process.env.BENCH_VENDOR_CALLBACK ?? '');
const stats = { received: 0, refused: 0, inFlight: 0, maxInFlight: 0, refusal: '' };

const send = (res: ServerResponse, r: Reply) => {
  res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
  res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') return send(res, { status: 200, body: stats });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://vendor.test');
    const parsed = spec.parse({ method: req.method ?? '', url, headers: req.headers, body });
    if ('refuse' in parsed) {
      stats.refused++;
      stats.refusal ||= JSON.stringify(parsed.refuse.body).slice(0, 200);
      return send(res, parsed.refuse);
    }
    stats.received++;
    stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
    setTimeout(() => {
      stats.inFlight--;
      send(res, spec.answer('ok', randomBytes(16).toString('hex'), parsed.to, parsed.text));
    }, delayMs);
  });
});
// Idle keep-alive connections outlive undici's 4 s, so otpd reuses them instead of reconnecting.
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
