// While the server shuts down, a request that still arrives on an open connection is refused with
// 503 UNAVAILABLE in the API's error body (Fastify's own 503 has Fastify's body) and Connection: close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import { rawExchange } from '../helpers/raw-http.ts';

test('a request pipelined behind one in flight at shutdown: 503 UNAVAILABLE, x-correlator echoed', async (t) => {
  const s = await startTestServer();
  t.after(() => s.close());
  const body = 'grant_type=client_credentials';
  let closing: Promise<void> | undefined;
  const r = await rawExchange(s.url, (socket) => {
    // The first request's body is held back, so the connection is busy when close() begins.
    socket.write(
      'POST /oauth2/token HTTP/1.1\r\nHost: otpd\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    setTimeout(() => {
      closing = s.server.close();
      setTimeout(
        () => socket.write(`${body.slice(10)}GET /healthz HTTP/1.1\r\nHost: otpd\r\nx-correlator: bye-1\r\n\r\n`),
        100,
      );
    }, 100);
  });
  await closing;
  const second = r.text.slice(r.text.indexOf('HTTP/1.1', 1));
  assert.match(second, /^HTTP\/1\.1 503 Service Unavailable\r\n/, r.text);
  assert.match(second, /\r\nconnection: close\r\n/i);
  assert.match(second, /\r\nx-correlator: bye-1\r\n/);
  assert.ok(second.endsWith('{"status":503,"code":"UNAVAILABLE","message":"The server is shutting down."}'), second);
});
