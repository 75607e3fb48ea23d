// What Node's HTTP parser refuses never reaches a route: each refusal is still answered in the
// API's error body {status, code, message}, over a raw socket because no HTTP client sends these
// bytes, and the connection is then closed. The x-correlator is echoed when the refused packet
// holds one that matches the spec's pattern.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { rawExchange, type RawAnswer } from '../helpers/raw-http.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const notHttp = (problem: string) => ({
  status: 400,
  code: 'INVALID_ARGUMENT',
  message: `The request is not valid HTTP/1.1: ${problem}.`,
});
const BAD_HEADER = notHttp('a header holds a character HTTP does not allow, or is folded over two lines');

function assertAnswer(r: RawAnswer, expected: { status: number; code: string; message: string }): void {
  assert.equal(r.status, expected.status, r.text);
  assert.deepEqual(r.body, expected);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(r.headers.connection, 'close');
  assert.ok(r.closed, 'the connection is closed');
  assert.doesNotMatch(r.text, /\bat .*[:(]\d+:\d+|statusCode|"error"/, 'no stack trace, no Fastify body');
}

const cases: [name: string, bytes: string, expected: { status: number; code: string; message: string }][] = [
  [
    'a bare LF ending the request line',
    'GET /healthz HTTP/1.1\nHost: otpd\n\n',
    notHttp('the request line is not a method, a target and HTTP/1.1 ending with CRLF'),
  ],
  [
    'a bare LF ending a header',
    'GET /healthz HTTP/1.1\r\nHost: otpd\nX-A: b\r\n\r\n',
    notHttp('a line ends with a bare LF instead of CRLF'),
  ],
  [
    'a bare CR inside a header line',
    'GET /healthz HTTP/1.1\r\nHost: otpd\rX-A: b\r\n\r\n',
    notHttp('a line ends with a bare CR instead of CRLF'),
  ],
  ['an obs-fold continuation line', 'GET /healthz HTTP/1.1\r\nHost: otpd\r\nX-A: a\r\n b\r\n\r\n', BAD_HEADER],
  ['a NUL in a header value', 'GET /healthz HTTP/1.1\r\nHost: otpd\r\nX-A: a\u0000b\r\n\r\n', BAD_HEADER],
  [
    'a method HTTP does not define',
    'FOO /healthz HTTP/1.1\r\nHost: otpd\r\n\r\n',
    notHttp('the method is not an HTTP method'),
  ],
  [
    'Content-Length with Transfer-Encoding',
    'POST /oauth2/token HTTP/1.1\r\nHost: otpd\r\nContent-Length: 5\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    notHttp('Transfer-Encoding is not chunked, or comes with Content-Length'),
  ],
  [
    'headers above 16 KiB',
    `GET /healthz HTTP/1.1\r\nHost: otpd\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`,
    {
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      message: 'The request headers are larger than the server is willing to process.',
    },
  ],
];

for (const [name, bytes, expected] of cases) {
  test(`${name}: ${expected.status} ${expected.code} in the API's error body`, async () => {
    assertAnswer(await rawExchange(s.url, bytes), expected);
  });
}

test('the x-correlator in a refused packet is echoed when it is valid, never when it is not', async () => {
  const nul = (correlator: string) =>
    `GET /healthz HTTP/1.1\r\nHost: otpd\r\nx-correlator: ${correlator}\r\nX-A: a\u0000b\r\n\r\n`;
  const echoed = await rawExchange(s.url, nul('b4333c46-49c0-4f62-80d7-f0ef930f1c46'));
  assertAnswer(echoed, BAD_HEADER);
  assert.equal(echoed.headers['x-correlator'], 'b4333c46-49c0-4f62-80d7-f0ef930f1c46');
  const fold = await rawExchange(s.url, 'GET /healthz HTTP/1.1\r\nHost: otpd\r\nx-correlator: abc\r\n def\r\n\r\n');
  assertAnswer(fold, BAD_HEADER);
  assert.equal(fold.headers['x-correlator'], undefined, 'a folded value is not echoed');
  const invalid = await rawExchange(s.url, nul('has space'));
  assert.equal(invalid.headers['x-correlator'], undefined, 'a value outside the pattern is not echoed');
  const big = await rawExchange(
    s.url,
    `GET /healthz HTTP/1.1\r\nHost: otpd\r\nx-correlator: big-1\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`,
  );
  assert.equal(big.status, 431);
  assert.equal(big.headers['x-correlator'], 'big-1');
});

test('CONNECT: 405 with an empty Allow, otpd is not a proxy', async () => {
  const r = await rawExchange(
    s.url,
    'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nx-correlator: c-1\r\n\r\n',
  );
  assertAnswer(r, {
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    message: 'CONNECT is not served: otpd is not a proxy.',
  });
  assert.equal(r.headers.allow, '');
  assert.equal(r.headers['x-correlator'], 'c-1');
});

test('the server still answers normally after refusing malformed requests', async () => {
  const r = await rawExchange(s.url, 'GET /healthz HTTP/1.1\r\nHost: otpd\r\nConnection: close\r\n\r\n');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { status: 'ok' });
});
