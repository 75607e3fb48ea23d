// /openapi.json documents every answer of every route: its success and the errors it can give,
// each with the API's error body; and what the admin and ops routes really answer is documented.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';

interface Operation {
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

let s: TestServer;
let doc: Doc;
before(async () => {
  s = await startTestServer();
  doc = (await s.get('/openapi.json')).body as Doc;
});
after(() => s.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );
const documented = (method: string, path: string) =>
  Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {}).map(Number);

test('every operation documents a success and the standard errors, each error with the error body', () => {
  assert.ok(operations().length >= 15);
  for (const { name, op } of operations()) {
    const statuses = Object.keys(op.responses).map(Number);
    assert.ok(
      statuses.some((x) => x >= 200 && x < 300),
      `${name}: no success documented`,
    );
    const expected = [400, 405, 500, 503, ...(op.security ? [401, 403, 429] : [])];
    for (const status of expected) assert.ok(statuses.includes(status), `${name}: ${status} not documented`);
    // Each surface documents its own error body.
    const path = name.split(' ')[1]!;
    const members = path.startsWith('/v1/')
      ? ['code', 'detail', 'status', 'title', 'type']
      : path.startsWith('/v2/')
        ? ['code', 'message', 'more_info', 'status']
        : ['code', 'message', 'status'];
    for (const status of statuses.filter((x) => x >= 400)) {
      const schema = op.responses[status]?.content?.['application/json']?.schema;
      assert.deepEqual(Object.keys(schema?.properties ?? {}).sort(), members, `${name} ${status}`);
    }
  }
});

test('what the admin and ops routes answer is what /openapi.json says they answer', async () => {
  const admin = s.key;
  const appOnly = (await s.createKey({ scopes: ['one-time-password-sms:send-validate'] })).secret;
  const json = { 'content-type': 'application/json' };
  const calls: [method: string, path: string, docPath: string, init: RequestInit][] = [
    ['GET', '/healthz', '/healthz', {}],
    ['GET', '/readyz', '/readyz', {}],
    ['GET', '/metrics', '/metrics', {}],
    ['POST', '/oauth2/token', '/oauth2/token', { body: 'grant_type=client_credentials', headers: {} }],
    ['POST', '/oauth2/token', '/oauth2/token', { body: 'x', headers: { 'content-type': 'text/plain' } }],
    ['POST', '/callbacks/nope', '/callbacks/{gateway}', { body: '{}', headers: json }],
    ['GET', '/admin/messages?limit=x', '/admin/messages', {}],
    ['GET', '/admin/messages', '/admin/messages', { headers: { authorization: `Bearer ${appOnly}` } }],
    ['GET', '/admin/messages', '/admin/messages', { headers: { accept: 'text/html' } }],
    [
      'POST',
      '/admin/number-rules',
      '/admin/number-rules',
      { body: '{"kind":"block","prefix":"+4479"}', headers: json },
    ],
    ['POST', '/admin/number-rules', '/admin/number-rules', { body: '{"kind":"x"}', headers: json }],
    ['DELETE', '/admin/number-rules?kind=block&prefix=%2B4479', '/admin/number-rules', {}],
    ['DELETE', '/admin/number-rules?kind=block&prefix=%2B4479', '/admin/number-rules', {}],
    ['GET', '/admin/clients', '/admin/clients', {}],
    [
      'PUT',
      '/admin/clients/shop/policy',
      '/admin/clients/{clientId}/policy',
      { body: '{"dailyMessages":5}', headers: json },
    ],
    [
      'PUT',
      '/admin/clients/shop/policy',
      '/admin/clients/{clientId}/policy',
      { body: 'x', headers: { 'content-type': 'text/plain' } },
    ],
    ['GET', '/admin/clients/shop/policy', '/admin/clients/{clientId}/policy', {}],
    ['GET', '/admin/abuse/blocks', '/admin/abuse/blocks', {}],
    ['DELETE', '/admin/abuse/blocks/country%3AGB', '/admin/abuse/blocks/{scope}', {}],
    ['GET', '/admin/clients', '/admin/clients', { method: 'POST' }],
  ];
  for (const [method, path, docPath, init] of calls) {
    const headers = { authorization: `Bearer ${admin}`, ...(init.headers as Record<string, string> | undefined) };
    const r = await fetch(s.url + path, { method: init.method ?? method, body: init.body, headers });
    assert.ok(
      documented(method, docPath).includes(r.status),
      `${init.method ?? method} ${path} answered ${r.status}, documented: ${documented(method, docPath).join(', ')}`,
    );
  }
});

test('admin routes document their own success and not-found answers', () => {
  assert.deepEqual(
    documented('POST', '/admin/number-rules').filter((x) => x < 300),
    [201],
  );
  for (const [method, path] of [
    ['DELETE', '/admin/number-rules'],
    ['DELETE', '/admin/abuse/blocks/{scope}'],
  ] as const) {
    assert.ok(documented(method, path).includes(204), `${method} ${path} 204`);
    assert.ok(documented(method, path).includes(404), `${method} ${path} 404`);
  }
  assert.ok(documented('POST', '/callbacks/{gateway}').includes(401));
  assert.ok(!documented('POST', '/callbacks/{gateway}').includes(415), 'callbacks take any content type');
});

test('every API surface is documented under its own tag, and /docs serves the document', async () => {
  const tags = (doc as unknown as { tags: { name: string }[] }).tags.map((t) => t.name);
  const surfaces: [prefix: string, tag: string][] = [
    ['/one-time-password-sms/v1/', 'OTP Management'],
    ['/v1/', 'otpd API'],
    ['/v2/', 'Twilio Verify v2 (compatible)'],
  ];
  for (const [prefix, tag] of surfaces) {
    assert.ok(tags.includes(tag), `${tag} is a tag`);
    const ops = Object.entries(doc.paths).filter(([p]) => p.startsWith(prefix));
    assert.ok(ops.length >= 2, `${prefix} has operations`);
    for (const [path, methods] of ops)
      for (const op of Object.values(methods))
        assert.deepEqual((op as { tags?: string[] }).tags, [tag], `${path} is tagged ${tag}`);
  }
  const page = await fetch(`${s.url}/docs/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /swagger/i);
});
