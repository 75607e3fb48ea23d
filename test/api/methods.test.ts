// A method a path does not serve is a 405 in the API's error body with `Allow` listing the methods
// it does serve, on every route (CAMARA or not), for any method Node accepts, TRACE and QUERY
// included; a path that no route serves stays a 404 whatever the method.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { SEND, VALIDATE, startTestServer, type HttpResult, type TestServer } from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const METHOD_NOT_ALLOWED = {
  status: 405,
  code: 'METHOD_NOT_ALLOWED',
  message: 'The requested method is not allowed/supported on the target resource.',
};
const NOT_FOUND = { status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' };

/** Any method (fetch refuses TRACE and CONNECT), with an optional body. */
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          /* keep the text */
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: h });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ALLOW: [path: string, allow: string, wrong: string[]][] = [
  [SEND, 'POST', ['GET', 'TRACE', 'QUERY', 'PURGE', 'OPTIONS']],
  [VALIDATE, 'POST', ['TRACE', 'QUERY', 'PROPFIND']],
  ['/healthz', 'GET, HEAD', ['POST', 'DELETE', 'TRACE', 'QUERY']],
  ['/readyz', 'GET, HEAD', ['PUT']],
  ['/metrics', 'GET, HEAD', ['POST', 'TRACE']],
  ['/oauth2/token', 'POST', ['GET', 'PUT']],
  ['/callbacks/some-gateway', 'POST', ['GET', 'DELETE']],
  ['/admin/messages', 'GET, HEAD', ['POST', 'DELETE']],
  ['/admin/number-rules', 'DELETE, GET, HEAD, POST', ['PUT', 'PATCH', 'QUERY']],
  ['/admin/clients', 'GET, HEAD', ['POST']],
  ['/admin/clients/shop/policy', 'GET, HEAD, PUT', ['POST', 'DELETE', 'PATCH']],
  ['/admin/abuse/blocks', 'GET, HEAD', ['DELETE']],
  ['/admin/abuse/blocks/country%3AGB', 'DELETE', ['GET', 'POST']],
  ['/dev/messages', 'GET, HEAD', ['POST']],
  ['/openapi.json', 'GET, HEAD', ['POST']],
  ['/docs', 'GET, HEAD', ['POST']],
];

for (const [path, allow, wrong] of ALLOW) {
  test(`${path}: ${wrong.join(', ')} → 405 with Allow: ${allow}`, async () => {
    for (const method of wrong) {
      const r = await call(method, path, { 'x-correlator': 'm-1' });
      assertError(r, METHOD_NOT_ALLOWED);
      assert.equal(r.headers.get('allow'), allow, `${method} ${path}`);
      assert.equal(r.headers.get('x-correlator'), 'm-1', `${method} ${path}`);
    }
  });
}

test('405 comes before credentials, content type and body size are looked at', async () => {
  const big = 'x'.repeat(64 * 1024);
  const r = await call('PUT', '/admin/number-rules', { 'content-type': 'text/plain' }, big);
  assertError(r, METHOD_NOT_ALLOWED);
  assert.equal(r.headers.get('allow'), 'DELETE, GET, HEAD, POST');
});

test('HEAD is served wherever GET is, without a body', async () => {
  const r = await call('HEAD', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.body, null);
});

test('a path no route serves is 404 for every method, TRACE and QUERY included', async () => {
  for (const method of ['GET', 'POST', 'TRACE', 'QUERY', 'PURGE', 'DELETE']) {
    const r = await call(method, '/one-time-password-sms/v1/no-such-operation', { 'x-correlator': 'n-1' });
    assertError(r, NOT_FOUND);
    assert.equal(r.headers.get('x-correlator'), 'n-1');
  }
  assertError(await call('POST', '/no/such/path', { 'content-type': 'text/plain' }, 'x'.repeat(64 * 1024)), NOT_FOUND);
});
