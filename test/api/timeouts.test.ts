// Slow and idle clients: a request's headers, its whole body, and an idle keep-alive connection
// each have a deadline, after which the connection is closed (with a 408 in the API's error body
// when a request was under way), so a client without credentials cannot hold sockets for minutes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, startTestServer, type TestServer } from '../helpers/server.ts';
import { rawExchange, type RawAnswer } from '../helpers/raw-http.ts';

const TIMEOUT = {
  status: 408,
  code: 'REQUEST_TIMEOUT',
  message: 'The request was not received in time.',
};
const HEADERS_MS = 400;
const REQUEST_MS = 1000;
const KEEP_ALIVE_MS = 300;

let s: TestServer;
before(async () => {
  s = await startTestServer({
    OTPD_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
    OTPD_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
    OTPD_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
  });
});
after(() => s.close());

/** A 408 in the API's error body, then the connection closed, between `min` and `max` ms. */
function assertTimedOut(r: RawAnswer, min: number, max: number): void {
  assert.ok(r.closed, `the connection is still open after ${r.ms} ms; received: ${JSON.stringify(r.text)}`);
  assert.equal(r.status, 408, r.text);
  assert.deepEqual(r.body, TIMEOUT);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(r.headers.connection, 'close');
  assert.ok(r.ms >= min && r.ms <= max, `closed after ${r.ms} ms, expected ${min}–${max}`);
}

test('defaults: headers 10 s, whole request 30 s, idle keep-alive 5 s', async (t) => {
  const d = await startTestServer();
  t.after(() => d.close());
  const http = d.server.app.server;
  assert.deepEqual([http.headersTimeout, http.requestTimeout, http.keepAliveTimeout], [10_000, 30_000, 5_000]);
});

test('a body announced and never sent: 408 once the request deadline passes, x-correlator echoed', async () => {
  const r = await rawExchange(
    s.url,
    `POST ${SEND} HTTP/1.1\r\nHost: otpd\r\nAuthorization: Bearer ${s.key}\r\nContent-Type: application/json\r\n` +
      'x-correlator: slow-body-1\r\nContent-Length: 10000\r\n\r\n',
  );
  assertTimedOut(r, REQUEST_MS - 100, REQUEST_MS + 1500);
  assert.equal(r.headers['x-correlator'], 'slow-body-1');
});

test('a body trickled a byte at a time is cut at the whole-request deadline, not kept alive by each byte', async () => {
  const r = await rawExchange(s.url, (socket) => {
    socket.write(
      `POST ${SEND} HTTP/1.1\r\nHost: otpd\r\nAuthorization: Bearer ${s.key}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{',
    );
    const drip = setInterval(() => (socket.writable ? socket.write(' ') : clearInterval(drip)), 100);
    socket.on('close', () => clearInterval(drip));
  });
  assertTimedOut(r, REQUEST_MS - 100, REQUEST_MS + 1500);
});

test('headers trickled one line at a time: 408 at the headers deadline', async () => {
  const r = await rawExchange(s.url, (socket) => {
    socket.write('GET /healthz HTTP/1.1\r\nHost: otpd\r\n');
    let n = 0;
    const drip = setInterval(() => (socket.writable ? socket.write(`x-slow-${n++}: 1\r\n`) : clearInterval(drip)), 50);
    socket.on('close', () => clearInterval(drip));
  });
  assertTimedOut(r, HEADERS_MS - 100, HEADERS_MS + 1500);
});

test('a connection that never sends a byte is closed at the headers deadline', async () => {
  const r = await rawExchange(s.url, () => {});
  assertTimedOut(r, HEADERS_MS - 100, HEADERS_MS + 1500);
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  const r = await rawExchange(s.url, 'GET /healthz HTTP/1.1\r\nHost: otpd\r\n\r\n');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { status: 'ok' });
  assert.ok(r.closed, `still open after ${r.ms} ms`);
  // Node adds keepAliveTimeoutBuffer (1 s) to the timeout it announces, so clients close first.
  assert.ok(r.ms >= KEEP_ALIVE_MS - 50 && r.ms <= KEEP_ALIVE_MS + 2000, `closed after ${r.ms} ms`);
  assert.equal(r.text.split('HTTP/1.1').length, 2, 'nothing but the one response was sent');
});

test('a request that arrives in time is answered normally, its body included', async () => {
  const body = JSON.stringify({ phoneNumber: '+34629255833', message: 'Your code is {{code}}' });
  const r = await rawExchange(s.url, (socket) => {
    socket.write(
      `POST ${SEND} HTTP/1.1\r\nHost: otpd\r\nAuthorization: Bearer ${s.key}\r\nContent-Type: application/json\r\n` +
        `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    setTimeout(() => socket.write(body), REQUEST_MS / 2);
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(typeof r.body.authenticationId, 'string');
});
