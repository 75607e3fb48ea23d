// Credentials: API key revocation, OAuth2 client credentials (POST /oauth2/token) and the JWT
// access tokens it issues, and the bootstrap key from OTPD_BOOTSTRAP_KEY.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SEND,
  TEST_SECRET,
  VALIDATE,
  mobile,
  startTestServer,
  type HttpResult,
  type TestServer,
} from '../helpers/server.ts';
import { assertError } from '../helpers/assert-error.ts';
import { SignJWT } from 'jose';
import { KeyRing } from '../../src/core/keyring.ts';

const MSG = 'Your code is {{code}}';
const ALL_SCOPES = 'one-time-password-sms:send-validate verify services admin';
const UNAUTHENTICATED = {
  status: 401,
  code: 'UNAUTHENTICATED',
  message: 'Request not authenticated due to missing, invalid, or expired credentials.',
};
const DENIED = {
  status: 403,
  code: 'PERMISSION_DENIED',
  message: 'Client does not have sufficient permissions to perform this action.',
};
const BOOTSTRAP = 'bootstrap-secret-0123456789-abcdefghijklmnop';

let s: TestServer;
before(async () => {
  s = await startTestServer({ OTPD_BOOTSTRAP_KEY: BOOTSTRAP });
});
after(() => s.close());

let n = 300;
const sendWith = (key: string) => s.post(SEND, { phoneNumber: mobile(n++), message: MSG }, { key });

/** POST /oauth2/token, form-encoded, with HTTP Basic client credentials unless `basic` is null. */
async function token(form: string, basic: [string, string] | null): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}`;
  const res = await fetch(`${s.url}/oauth2/token`, { method: 'POST', headers, body: form });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}

async function accessToken(key: { id: string; secret: string }, scope?: string): Promise<string> {
  const r = await token(`grant_type=client_credentials${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`, [
    key.id,
    key.secret,
  ]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body as { access_token: string }).access_token;
}

test('a revoked API key stops working on the next request', async () => {
  const k = await s.createKey();
  assert.equal((await sendWith(k.secret)).status, 200);
  const { authenticationId, code } = await s.sendAndRead(mobile(n++), k.secret);
  assert.equal(await s.server.store.revokeApiKey(k.id, s.clock.now()), true);
  assertError(await sendWith(k.secret), UNAUTHENTICATED);
  assertError(await s.post(VALIDATE, { authenticationId, code }, { key: k.secret }), UNAUTHENTICATED);
  assertError(await token('grant_type=client_credentials', [k.id, k.secret]), UNAUTHENTICATED);
  // Other keys are unaffected.
  assert.equal((await sendWith(s.key)).status, 200);
});

test('POST /oauth2/token issues a Bearer access token for client credentials', async () => {
  const k = await s.createKey();
  const all = await token('grant_type=client_credentials', [k.id, k.secret]);
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.headers.get('cache-control'), 'no-store');
  const body = all.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
  assert.match(String(body.access_token), /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.expires_in, 3600);
  assert.equal(body.scope, ALL_SCOPES);
  const narrow = await token('grant_type=client_credentials&scope=one-time-password-sms%3Asend-validate', [
    k.id,
    k.secret,
  ]);
  assert.equal(narrow.status, 200);
  assert.equal((narrow.body as { scope: string }).scope, 'one-time-password-sms:send-validate');
  // The key id and secret may also come in the form body.
  const inForm = await token(
    `grant_type=client_credentials&client_id=${k.id}&client_secret=${encodeURIComponent(k.secret)}`,
    null,
  );
  assert.equal(inForm.status, 200);
  // No credentials at all.
  assertError(await token('grant_type=client_credentials', null), UNAUTHENTICATED);
});

test("an access token works as a Bearer credential on send-code and validate-code, for the key's client", async () => {
  const k = await s.createKey({ clientId: 'tenant-oauth' });
  const jwt = await accessToken(k);
  const { authenticationId, code } = await s.sendAndRead(mobile(n++), jwt);
  // Same client as the key: a verification made with the token is visible to the key, and vice versa.
  assert.equal((await s.post(VALIDATE, { authenticationId, code: '0000000' }, { key: k.secret })).status, 400);
  assert.equal((await s.post(VALIDATE, { authenticationId, code }, { key: jwt })).status, 204);
  // Another client does not see it.
  const { authenticationId: other } = await s.sendAndRead(mobile(n++));
  assertError(await s.post(VALIDATE, { authenticationId: other, code: '123456' }, { key: jwt }), {
    status: 404,
    code: 'NOT_FOUND',
    message: 'The specified resource is not found.',
  });
});

test('a token carries only the scopes it was issued for', async () => {
  const k = await s.createKey();
  const adminOnly = await accessToken(k, 'admin');
  assertError(await sendWith(adminOnly), DENIED);
  const r = await s.get(`/dev/messages?to=${encodeURIComponent(mobile(1))}`, { key: adminOnly });
  assert.equal(r.status, 200);
  const apiOnly = await accessToken(k, 'one-time-password-sms:send-validate');
  assertError(await s.get('/dev/messages', { key: apiOnly }), DENIED);
});

test('an expired access token is 401', async () => {
  const k = await s.createKey();
  const jwt = await accessToken(k);
  s.clock.advance(3599_000);
  assert.equal((await sendWith(jwt)).status, 200);
  s.clock.advance(2_000);
  assertError(await sendWith(jwt), UNAUTHENTICATED);
  // The key itself still works, and a new token does too.
  assert.equal((await sendWith(k.secret)).status, 200);
  assert.equal((await sendWith(await accessToken(k))).status, 200);
});

test('a tampered access token is 401', async () => {
  const k = await s.createKey({ scopes: ['one-time-password-sms:send-validate'] });
  const jwt = await accessToken(k);
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  // Flip a character in the middle of the signature (the last one may only carry padding bits).
  const i = Math.floor(signature.length / 2);
  const flipped = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
  assertError(await sendWith(`${header}.${payload}.${flipped}`), UNAUTHENTICATED);
  // A payload granting more scopes, with the original signature.
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, scope: ALL_SCOPES })).toString('base64url');
  assertError(await s.get('/dev/messages', { key: `${header}.${forged}.${signature}` }), UNAUTHENTICATED);
  // "alg": "none".
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  assertError(await sendWith(`${none}.${payload}.`), UNAUTHENTICATED);
  assertError(await sendWith(`${none}.${payload}.${signature}`), UNAUTHENTICATED);
  assert.equal((await sendWith(jwt)).status, 200);
});

test('a correctly signed token without an expiry is 401', async () => {
  const k = await s.createKey();
  // Signed with the server's own token key (derived from the test server's secret), as a token from a
  // buggy issuer or a leaked signing key would be: everything right but `exp`.
  const tokenKey = new KeyRing(TEST_SECRET).tokenKey;
  const now = Math.floor(s.clock.now() / 1000);
  const claims = () =>
    new SignJWT({ scope: ALL_SCOPES, cid: 'tenant-x' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('otpd')
      .setAudience('otpd')
      .setSubject(k.id)
      .setIssuedAt(now);
  const forever = await claims().sign(tokenKey);
  assertError(await sendWith(forever), UNAUTHENTICATED);
  assertError(await s.get('/dev/messages', { key: forever }), UNAUTHENTICATED);
  // The same token with an expiry is accepted: the key and the signature were right.
  assert.equal(
    (
      await sendWith(
        await claims()
          .setExpirationTime(now + 60)
          .sign(tokenKey),
      )
    ).status,
    200,
  );
});

test('a token whose key was revoked is 401', async () => {
  const k = await s.createKey();
  const jwt = await accessToken(k);
  assert.equal((await sendWith(jwt)).status, 200);
  await s.server.store.revokeApiKey(k.id, s.clock.now());
  assertError(await sendWith(jwt), UNAUTHENTICATED);
});

test('a wrong client secret or key id is 401', async () => {
  const k = await s.createKey();
  const other = await s.createKey();
  for (const creds of [
    [k.id, `${k.secret}x`],
    [k.id, other.secret],
    [other.id, k.secret],
    ['', k.secret],
    [k.id, ''],
  ] as [string, string][]) {
    const r = await token('grant_type=client_credentials', creds);
    assertError(r, UNAUTHENTICATED);
  }
});

test('malformed Basic credentials are 401, never 500', async () => {
  const k = await s.createKey();
  assertError(await token('grant_type=client_credentials', [`${k.id}%`, k.secret]), UNAUTHENTICATED);
  assertError(await token('grant_type=client_credentials', [k.id, `${k.secret}%E0%A4%A`]), UNAUTHENTICATED);
});

test('requesting a scope the key lacks is 403 PERMISSION_DENIED', async () => {
  const k = await s.createKey({ scopes: ['one-time-password-sms:send-validate'] });
  assertError(await token('grant_type=client_credentials&scope=admin', [k.id, k.secret]), {
    status: 403,
    code: 'PERMISSION_DENIED',
    message: "requested scope exceeds the key's scopes",
  });
  assertError(await token(`grant_type=client_credentials&scope=${encodeURIComponent(ALL_SCOPES)}`, [k.id, k.secret]), {
    status: 403,
    code: 'PERMISSION_DENIED',
    message: "requested scope exceeds the key's scopes",
  });
  assertError(await token('grant_type=client_credentials&scope=bogus', [k.id, k.secret]), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'unknown scope "bogus"; known: one-time-password-sms:send-validate verify services admin',
  });
});

test('a grant_type other than client_credentials is 400 INVALID_ARGUMENT', async () => {
  const k = await s.createKey();
  for (const form of [
    'grant_type=password&username=a&password=b',
    'grant_type=authorization_code&code=x',
    'grant_type=',
  ]) {
    const r = await token(form, [k.id, k.secret]);
    assert.equal(r.status, 400, form);
    assert.equal((r.body as { code: string }).code, 'INVALID_ARGUMENT');
    assert.equal(typeof (r.body as { message: string }).message, 'string');
  }
  assertError(await token('grant_type=password', [k.id, k.secret]), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'grant_type must be client_credentials',
  });
  assertError(await token('scope=admin', [k.id, k.secret]), {
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: 'body/grant_type is required',
  });
});

test('OTPD_BOOTSTRAP_KEY is an all-scopes operator key', async () => {
  const { authenticationId, code } = await s.sendAndRead(mobile(n++), BOOTSTRAP);
  assert.equal((await s.post(VALIDATE, { authenticationId, code }, { key: BOOTSTRAP })).status, 204);
  const dev = await s.get('/dev/messages?limit=1', { key: BOOTSTRAP });
  assert.equal(dev.status, 200);
  assert.equal(dev.body.messages.length, 1);
  assert.equal((await s.get('/admin/number-rules', { key: BOOTSTRAP })).status, 200, 'global rules: an operator');
  assert.equal((await s.get('/admin/clients/tenant-a/policy', { key: BOOTSTRAP })).status, 200, 'any tenant');
  const t = await token('grant_type=client_credentials', ['bootstrap', BOOTSTRAP]);
  assert.equal(t.status, 200);
  assert.equal((t.body as { scope: string }).scope, ALL_SCOPES);
  // A server without the variable does not know the secret.
  const plain = await startTestServer();
  try {
    assertError(
      await plain.post(SEND, { phoneNumber: mobile(n++), message: MSG }, { key: BOOTSTRAP }),
      UNAUTHENTICATED,
    );
  } finally {
    await plain.close();
  }
});

test("an empty scope parameter means the key's own scopes", async () => {
  const limited = await s.createKey({ scopes: ['one-time-password-sms:send-validate'] });
  const r = await token('grant_type=client_credentials&scope=', [limited.id, limited.secret]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((r.body as { scope: string }).scope, 'one-time-password-sms:send-validate');
});
