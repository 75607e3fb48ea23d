// A real HTTP receiver of webhook events, on loopback: it keeps what it was sent and answers as told.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  /** The status it answers with from now on, after `delayMs`. */
  answer(status: number, delayMs?: number): void;
  close(): Promise<void>;
}

export async function startReceiver(port = 0, path = '/hooks/otpd'): Promise<Receiver> {
  const received: Received[] = [];
  let status = 204;
  let delay = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = status;
      setTimeout(() => res.writeHead(answer).end(), delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}${path}`,
    port: actual,
    received,
    answer: (s, delayMs = 0) => {
      status = s;
      delay = delayMs;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The headers Standard Webhooks verifies, as the library takes them. */
export const signedHeaders = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});
