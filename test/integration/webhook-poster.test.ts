// The webhook poster against real HTTP servers on loopback: what it sends, and how it stops on a
// receiver that does not answer, answers without end, or is on a private address.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { webhookPoster } from '../../src/webhooks/poster.ts';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const options = { timeoutMs: 500, maxResponseBytes: 1024, allowPrivate: true, userAgent: 'otpd/test', maxSockets: 4 };
const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://localhost:${(server.address() as AddressInfo).port}/hook`;
}

const event = (url: string) => ({
  url,
  id: 'msg_1',
  timestamp: new Date(),
  body: '{"type":"verification.approved"}',
  secrets: [SECRET],
});

test('posts the body with Standard Webhooks headers the library verifies; a non-2xx is the error', async () => {
  const got: { headers: Record<string, string>; body: string }[] = [];
  let status = 200;
  const url = await serve((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(status).end('thanks');
    });
  });
  const poster = webhookPoster(options);
  assert.deepEqual(await poster.post(event(url)), { ok: true });
  const [r] = got;
  assert.equal(r?.headers['content-type'], 'application/json');
  assert.equal(r?.headers['user-agent'], 'otpd/test');
  assert.deepEqual(new Webhook(SECRET).verify(r!.body, r!.headers), { type: 'verification.approved' });
  status = 503;
  assert.deepEqual(await poster.post(event(url)), { ok: false, error: 'HTTP 503' });
  await poster.close?.();
});

test('a receiver that never answers is an error after the deadline', async () => {
  const url = await serve(() => {});
  const poster = webhookPoster(options);
  const r = await poster.post(event(url));
  assert.deepEqual(r, { ok: false, error: 'no answer within 500 ms' });
  await poster.close?.();
});

test('an answer larger than the cap is not read to its end: the post completes', async () => {
  let written = 0;
  const url = await serve((_req, res) => {
    res.writeHead(200);
    // An endless answer: only the cap ends the post before its deadline.
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const more = () => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
      if (!res.destroyed) res.once('drain', more);
    };
    more();
  });
  // Were the cap not applied, the deadline would end it as an error.
  const poster = webhookPoster({ ...options, timeoutMs: 60_000 });
  assert.deepEqual(await poster.post(event(url)), { ok: true });
  assert.ok(written > options.maxResponseBytes, 'the receiver sent more than the cap');
  await poster.close?.();
});

test('unless allowed, a host resolving to loopback and a literal private address are refused unposted', async () => {
  let posts = 0;
  const url = await serve((_req, res) => {
    posts++;
    res.writeHead(204).end();
  });
  const guarded = webhookPoster({ ...options, allowPrivate: false });
  const byName = await guarded.post(event(url));
  assert.equal(byName.ok, false);
  assert.match(byName.ok ? '' : byName.error, /localhost resolves to a private address/);
  const literal = await guarded.post(event(url.replace('localhost', '127.0.0.1')));
  assert.deepEqual(literal, { ok: false, error: '127.0.0.1 is a private address' });
  assert.equal(posts, 0);
  await guarded.close?.();
});
