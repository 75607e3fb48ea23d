// Every response of the Twilio Verify v2 compatible API, checked against Twilio's own OpenAPI
// definition (vendored in spec/twilio/ with its licence): each 2xx body against the schema its
// operation gives for that status, compiled from the document by ajv (never restated here), and
// each error against Twilio's error shape. Bad input on every route is refused in that shape, with
// nothing stored, and the server keeps serving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { accountSidOf } from '../../src/core/api-keys.ts';
import { mobile, startTestServer, type HttpResult, type TestServer } from '../helpers/server.ts';
import { codesFor, wrongOf } from '../helpers/native.ts';
import { assertTwilioError, basic, form } from '../helpers/twilio.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Vendored with its licence (spec/twilio/README.md), so the test runs in every clone.
const SPEC = join(repoRoot, 'spec', 'twilio', 'twilio-verify-v2.yaml');
/** Where the vendored copy came from, when this clone sits beside it. */
const UPSTREAM = join(repoRoot, '..', 'shared', 'spec', 'twilio-verify-v2.yaml');

const A_SID = accountSidOf('tenant-a');
const BLOCKED = mobile(9902);

type Json = Record<string, unknown>;
const doc = parseYaml(readFileSync(SPEC, 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, any> }>>;
  components: { schemas: Record<string, Json> };
};

/**
 * OpenAPI 3.0's `nullable` is JSON Schema's `type: [t, 'null']`; ajv reads it beside a `type`, and
 * refuses it alone. Without a `type` a schema already admits null, so there it is dropped: the
 * document's meaning is unchanged.
 */
function asJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = asJsonSchema(v);
  if (out.nullable !== undefined && out.type === undefined) delete out.nullable;
  return out;
}

const warnings: string[] = [];
const ajv = new Ajv({
  strict: false,
  allErrors: true,
  logger: { log: () => {}, warn: (...m: unknown[]) => warnings.push(m.join(' ')), error: () => {} },
});
addFormats.default(ajv);
// Twilio's vendor keyword and formats with no JSON Schema meaning (`uri-map` is on objects, which
// formats never check): known, so nothing is silently ignored.
ajv.addKeyword('x-twilio');
for (const f of ['uri-map', 'phone-number', 'iso-country-code']) ajv.addFormat(f, true);
ajv.addSchema({ ...(asJsonSchema(doc) as Json), $id: 'twilio' });

const pointer = (...parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');

/** The operation at `path` and `method`, by its operationId (so a misread of the document fails loudly). */
function operation(path: string, method: string, operationId: string) {
  const op = doc.paths[path]?.[method];
  assert.ok(op, `no ${method} ${path} in the spec`);
  assert.equal(op.operationId, operationId);
  return op;
}

/** The validator of the JSON body the operation's response with `status` has in the document. */
function responseSchema(path: string, method: string, operationId: string, status: number): ValidateFunction {
  const r = operation(path, method, operationId).responses?.[String(status)];
  assert.ok(r?.content?.['application/json']?.schema, `${operationId} has no JSON body for ${status}`);
  const at = pointer('paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema');
  const ref = `twilio#/${at}`;
  const v = ajv.getSchema(ref);
  assert.ok(v, `no schema at ${ref}`);
  return v;
}

/** The properties the document gives the component a response's schema names (through one $ref). */
function membersOf(path: string, method: string, status: number): string[] {
  const schema = doc.paths[path]![method]!.responses![String(status)].content['application/json'].schema;
  const name = String(schema.$ref).replace('#/components/schemas/', '');
  return Object.keys(doc.components.schemas[name]!.properties as Json).sort();
}

const OPS = {
  createService: ['/v2/Services', 'post', 'CreateService'],
  listService: ['/v2/Services', 'get', 'ListService'],
  fetchService: ['/v2/Services/{Sid}', 'get', 'FetchService'],
  updateService: ['/v2/Services/{Sid}', 'post', 'UpdateService'],
  deleteService: ['/v2/Services/{Sid}', 'delete', 'DeleteService'],
  createVerification: ['/v2/Services/{ServiceSid}/Verifications', 'post', 'CreateVerification'],
  fetchVerification: ['/v2/Services/{ServiceSid}/Verifications/{Sid}', 'get', 'FetchVerification'],
  updateVerification: ['/v2/Services/{ServiceSid}/Verifications/{Sid}', 'post', 'UpdateVerification'],
  createCheck: ['/v2/Services/{ServiceSid}/VerificationCheck', 'post', 'CreateVerificationCheck'],
} as const;
type Op = keyof typeof OPS;

/** How many responses each operation had validated, to prove every one was exercised. */
const validated = new Map<string, number>();

/** Asserts a 2xx response's status and validates its body against the operation's schema for that status. */
function conforms(r: HttpResult, op: Op, status: number): any {
  assert.equal(r.status, status, `${op}: ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  const [path, method, id] = OPS[op];
  const v = responseSchema(path, method, id, status);
  assert.ok(v(r.body), `${id} ${status}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(r.body)}`);
  validated.set(op, (validated.get(op) ?? 0) + 1);
  return r.body;
}

/** Twilio's error shape, from the document (CreateVerification's 429), with every member required and no other. */
const ERROR_SHAPE: Json = (() => {
  const schema = doc.paths['/v2/Services/{ServiceSid}/Verifications']!.post!.responses!['429'].content[
    'application/json'
  ].schema as Json;
  return { ...schema, required: Object.keys(schema.properties as Json), additionalProperties: false };
})();
const errorShape = ajv.compile(ERROR_SHAPE);

/** Asserts Twilio's error body, validated against the error shape. */
function isError(r: HttpResult, status: number, code: number, message?: RegExp): void {
  assertTwilioError(r, status, code, message);
  assert.ok(errorShape(r.body), `${ajv.errorsText(errorShape.errors)}: ${JSON.stringify(r.body)}`);
  validated.set('error', (validated.get('error') ?? 0) + 1);
}

let s: TestServer;
let auth: string;
before(async () => {
  s = await startTestServer({ OTPD_BLOCKED_NUMBERS: BLOCKED });
  auth = basic(A_SID, s.key);
});
after(() => s.close());

const call = (method: string, path: string, body?: Parameters<typeof form>[4], a = auth) =>
  form(s, method, path, a, body);
let named = 0;
async function newService(extra: Record<string, string> = {}): Promise<any> {
  return conforms(await call('POST', '/Services', { FriendlyName: `Spec ${++named}`, ...extra }), 'createService', 201);
}
async function codeFor(to: string): Promise<string> {
  const [code] = await codesFor(s, to);
  assert.ok(code);
  return code;
}

test('the vendored definition is Twilio’s, unchanged, and every schema of it compiles', (t) => {
  assert.ok(existsSync(SPEC), SPEC);
  assert.match(doc.openapi, /^3\.0\./);
  if (existsSync(UPSTREAM))
    assert.equal(readFileSync(SPEC, 'utf8'), readFileSync(UPSTREAM, 'utf8'), 'copied unchanged');
  else t.diagnostic(`${UPSTREAM} is absent: the copy is not compared`);
  const names = Object.keys(doc.components.schemas);
  assert.ok(names.length > 20);
  for (const n of names) assert.ok(ajv.getSchema(`twilio#/${pointer('components', 'schemas', n)}`), n);
  for (const [path, method, id] of Object.values(OPS)) operation(path, method, id);
  assert.deepEqual(warnings, [], 'nothing in the document was ignored');
  assert.deepEqual(Object.keys(ERROR_SHAPE.properties as Json).sort(), ['code', 'message', 'more_info', 'status']);

  // The validators bite: each refuses what the document refuses, and admits its nulls.
  const [path, method, id] = OPS.fetchService;
  const svc = responseSchema(path, method, id, 200);
  assert.equal(svc({ sid: `VA${'a'.repeat(32)}`, tts_name: null, push: null, links: null }), true);
  for (const bad of [{ sid: 'VE0' }, { code_length: '6' }, { date_created: 'yesterday' }, { url: 'not a uri' }])
    assert.equal(svc(bad), false, JSON.stringify(bad));
  const [vPath, vMethod, vId] = OPS.fetchVerification;
  assert.equal(responseSchema(vPath, vMethod, vId, 200)({ channel: 'pigeon' }), false);
  const e = { code: 20404, message: 'm', more_info: 'u', status: 404 };
  assert.equal(errorShape(e), true);
  assert.equal(errorShape({ ...e, detail: 'x' }), false);
  assert.equal(errorShape({ ...e, code: '20404' }), false);
  assert.equal(errorShape({ code: 20404, message: 'm', status: 404 }), false);
});

test('services: create, fetch, update, list and delete answer as the spec says', async () => {
  const created = await newService({ CodeLength: '8' });
  const members = membersOf('/v2/Services', 'post', 201);
  assert.deepEqual(Object.keys(created).sort(), members, 'every member Twilio documents, and no other');
  assert.equal(created.code_length, 8);
  assert.equal(created.account_sid, A_SID);
  for (const link of Object.values(created.links as Json)) assert.ok(URL.canParse(String(link)), String(link));
  const plain = await newService();
  assert.equal(plain.code_length, 6);

  const fetched = conforms(await call('GET', `/Services/${created.sid}`), 'fetchService', 200);
  assert.deepEqual(fetched, created);
  s.clock.advance(2_000);
  const updated = conforms(
    await call('POST', `/Services/${created.sid}`, { FriendlyName: 'Renamed', CodeLength: '4' }),
    'updateService',
    200,
  );
  assert.deepEqual(Object.keys(updated).sort(), members);
  assert.equal(updated.friendly_name, 'Renamed');
  assert.equal(updated.code_length, 4);
  assert.notEqual(updated.date_updated, created.date_updated);
  conforms(await call('POST', `/Services/${created.sid}`, {}), 'updateService', 200);

  const list = conforms(await call('GET', '/Services'), 'listService', 200);
  assert.deepEqual(Object.keys(list).sort(), ['meta', 'services']);
  for (const svc of list.services) assert.deepEqual(Object.keys(svc).sort(), members);
  const metaMembers = Object.keys(
    doc.paths['/v2/Services']!.get!.responses!['200'].content['application/json'].schema.properties.meta.properties,
  ).sort();
  assert.deepEqual(Object.keys(list.meta).sort(), metaMembers);
  assert.ok(list.services.some((x: any) => x.sid === created.sid));

  // Page by page, following next_page_url as Twilio's clients do: each page conforms.
  const seen: string[] = [];
  let next: string | null = `${s.url}/v2/Services?PageSize=1`;
  for (let i = 0; next && i < 50; i++) {
    const res = await fetch(next, { headers: { authorization: auth } });
    const page = conforms({ status: res.status, body: await res.json(), headers: res.headers }, 'listService', 200);
    assert.equal(page.meta.page, i);
    assert.equal(page.meta.page_size, 1);
    assert.equal(page.meta.key, 'services');
    seen.push(...page.services.map((x: any) => x.sid));
    next = page.meta.next_page_url;
  }
  assert.equal(next, null, 'paging ended');
  assert.deepEqual(seen.sort(), list.services.map((x: any) => x.sid).sort());

  const del = await call('DELETE', `/Services/${plain.sid}`);
  assert.equal(del.status, 204);
  assert.equal(del.body, null, '204: no body');
  const [path, method, id] = OPS.deleteService;
  assert.ok(operation(path, method, id).responses?.['204'], 'the spec answers delete with 204');
  validated.set('deleteService', 1);
  isError(await call('GET', `/Services/${plain.sid}`), 404, 20404);
  isError(await call('DELETE', `/Services/${plain.sid}`), 404, 20404);
});

test('verifications and checks, in every status, answer as the spec says', async () => {
  const svc = await newService();
  const base = `/Services/${svc.sid}`;
  const vMembers = membersOf('/v2/Services/{ServiceSid}/Verifications', 'post', 201);
  const cMembers = membersOf('/v2/Services/{ServiceSid}/VerificationCheck', 'post', 200);
  const start = async (To: string, Channel = 'sms') => {
    const v = conforms(await call('POST', `${base}/Verifications`, { To, Channel }), 'createVerification', 201);
    assert.deepEqual(Object.keys(v).sort(), vMembers, 'every member Twilio documents, and no other');
    return v;
  };
  const fetchV = async (sid: string, status: string) => {
    const v = conforms(await call('GET', `${base}/Verifications/${sid}`), 'fetchVerification', 200);
    assert.deepEqual(Object.keys(v).sort(), vMembers);
    assert.equal(v.status, status);
    return v;
  };
  const check = async (body: Record<string, string>, status: string, valid: boolean) => {
    const r = await call('POST', `${base}/VerificationCheck`, body);
    const c = conforms(r, 'createCheck', r.status === 201 ? 201 : 200);
    assert.deepEqual(Object.keys(c).sort(), cMembers, 'every member Twilio documents, and no other');
    assert.equal(c.status, status);
    assert.equal(c.valid, valid);
    return c;
  };

  // pending, resent, wrong, approved
  const to = mobile(301);
  const v = await start(to);
  assert.equal(v.status, 'pending');
  const again = await start(to);
  assert.equal(again.sid, v.sid);
  assert.equal(again.send_code_attempts.length, 2);
  await fetchV(v.sid, 'pending');
  const code = await codeFor(to);
  await check({ To: to, Code: wrongOf(code) }, 'pending', false);
  await check({ To: to, Code: code }, 'approved', true);
  await fetchV(v.sid, 'approved');

  // by VerificationSid; email
  const mail = await start('a@example.com', 'email');
  await check({ VerificationSid: mail.sid, Code: await codeFor('a@example.com') }, 'approved', true);
  await fetchV(mail.sid, 'approved');

  // canceled and approved by update
  for (const [n, Status] of [
    [302, 'canceled'],
    [303, 'approved'],
  ] as const) {
    const p = await start(mobile(n));
    const u = conforms(await call('POST', `${base}/Verifications/${p.sid}`, { Status }), 'updateVerification', 200);
    assert.deepEqual(Object.keys(u).sort(), vMembers);
    assert.equal(u.status, Status);
    await fetchV(p.sid, Status);
    isError(await call('POST', `${base}/Verifications/${p.sid}`, { Status }), 404, 20404);
  }

  // max_attempts_reached, then 60202
  const m = await start(mobile(304));
  const mCode = await codeFor(mobile(304));
  for (let i = 0; i < 4; i++) await check({ To: mobile(304), Code: wrongOf(mCode) }, 'pending', false);
  await check({ To: mobile(304), Code: wrongOf(mCode) }, 'max_attempts_reached', false);
  isError(await call('POST', `${base}/VerificationCheck`, { VerificationSid: m.sid, Code: mCode }), 429, 60202);
  await fetchV(m.sid, 'max_attempts_reached');

  // expired
  const e = await start(mobile(305));
  s.clock.advance(601_000);
  await fetchV(e.sid, 'expired');
  isError(await call('POST', `${base}/VerificationCheck`, { To: mobile(305), Code: '123456' }), 404, 20404);
});

test('every error on /v2 is in Twilio’s error shape; 60203 fits CreateVerification’s own 429 schema', async () => {
  const svc = await newService();
  const base = `/Services/${svc.sid}`;
  const nope = `VA${'0'.repeat(32)}`;
  isError(await call('GET', '/Services', undefined, basic(A_SID, 'wrong')), 401, 20003);
  isError(await call('GET', '/Services', undefined, 'Bearer nope'), 401, 20003);
  isError(await call('GET', '/Services', undefined, ''), 401, 20003);
  isError(await call('GET', `/Services/${nope}`), 404, 20404);
  isError(await call('POST', `/Services/${nope}/Verifications`, { To: mobile(401), Channel: 'sms' }), 404, 20404);
  isError(await call('GET', `${base}/Verifications/VE${'0'.repeat(32)}`), 404, 20404);
  isError(await call('GET', `${base}/Entities`), 404, 20404, /Entities/);
  isError(await call('GET', '/Attempts'), 404, 20404, /Attempts/);
  isError(await call('GET', '/NoSuchThing'), 404, 20404);
  isError(await call('POST', `${base}/Verifications`, { To: mobile(401), Channel: 'call' }), 400, 60200);
  isError(await call('POST', `${base}/Verifications`, { To: '12345', Channel: 'sms' }), 400, 60200);
  isError(await call('POST', `${base}/Verifications`, { To: '+34912345678', Channel: 'sms' }), 400, 60205);
  isError(await call('POST', `${base}/Verifications`, { To: BLOCKED, Channel: 'sms' }), 403, 60410);
  isError(
    await call('POST', `${base}/Verifications`, { To: mobile(401), Channel: 'sms', CustomCode: '1234' }),
    400,
    60200,
  );
  isError(
    await call('POST', `${base}/Verifications`, { To: mobile(401), Channel: 'sms', RiskCheck: 'disable' }),
    400,
    60200,
  );
  isError(await call('POST', '/Services', { FriendlyName: 'X', CodeLength: '12' }), 400, 60200);
  isError(await call('PUT', '/Services'), 405, 20004);

  for (let i = 0; i < 5; i++)
    conforms(
      await call('POST', `${base}/Verifications`, { To: mobile(402), Channel: 'sms' }),
      'createVerification',
      201,
    );
  const limited = await call('POST', `${base}/Verifications`, { To: mobile(402), Channel: 'sms' });
  isError(limited, 429, 60203);
  const [path, method, id] = OPS.createVerification;
  const own = responseSchema(path, method, id, 429);
  assert.ok(own(limited.body), ajv.errorsText(own.errors));
});

/** A tenant's whole state that a refused request must not change: its services and one verification. */
async function snapshot(svcSid: string, veSid: string, to: string) {
  const list = await call('GET', '/Services?PageSize=100');
  assert.equal(list.status, 200);
  const v = await call('GET', `/Services/${svcSid}/Verifications/${veSid}`);
  assert.equal(v.status, 200);
  return { services: list.body.services, verification: v.body, texts: await s.texts(to) };
}

test('bad input on every route is a 4xx in Twilio’s shape, stores nothing, and the server keeps serving', async () => {
  const svc = await newService();
  const to = mobile(501);
  const v = conforms(
    await call('POST', `/Services/${svc.sid}/Verifications`, { To: to, Channel: 'sms' }),
    'createVerification',
    201,
  );
  const code = await codeFor(to);
  const routes: Array<{ path: string; good: Record<string, string>; required: string[] }> = [
    { path: '/Services', good: { FriendlyName: 'Never stored' }, required: ['FriendlyName'] },
    { path: `/Services/${svc.sid}`, good: { FriendlyName: 'Never renamed' }, required: [] },
    { path: `/Services/${svc.sid}/Verifications`, good: { To: to, Channel: 'sms' }, required: ['To', 'Channel'] },
    { path: `/Services/${svc.sid}/Verifications/${v.sid}`, good: { Status: 'canceled' }, required: ['Status'] },
    { path: `/Services/${svc.sid}/VerificationCheck`, good: { To: to, Code: code }, required: ['Code'] },
  ];
  const before = await snapshot(svc.sid, v.sid, to);
  const refused = (r: HttpResult, what: string) => {
    assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
    isError(r, r.status, r.body.code);
  };

  for (const { path, good, required } of routes) {
    const encoded = new URLSearchParams(good).toString();
    isError(await call('POST', path, { ...good, Unknown: 'x' }), 400, 60200);
    isError(await call('POST', path, { ...good, to: good.To ?? 'x' }), 400, 60200);
    isError(await call('POST', path, { raw: encoded, type: 'text/plain' }), 415, 60200);
    refused(await call('POST', path, { raw: encoded, type: 'application/xml' }), `${path} as XML`);
    refused(await call('POST', path, { raw: JSON.stringify(good), type: 'application/x-www-form-urlencoded' }), path);
    refused(await call('POST', path, { raw: '%%%&=&%E0%A4%A', type: 'application/x-www-form-urlencoded' }), path);
    refused(await call('POST', path, { raw: 'x'.repeat(20_000), type: 'application/x-www-form-urlencoded' }), path);
    for (const name of required) {
      const { [name]: _dropped, ...rest } = good;
      isError(await call('POST', path, rest), 400, 60200);
    }
    if (required.length > 0) isError(await call('POST', path, {}), 400, 60200);
  }
  isError(await call('POST', `/Services/${svc.sid}/VerificationCheck`, { Code: code }), 400, 60200, /To/);
  isError(
    await call('POST', `/Services/${svc.sid}/VerificationCheck`, { Code: code, To: to, VerificationSid: v.sid }),
    400,
    60200,
  );
  isError(await call('POST', `/Services/${svc.sid}/Verifications`, { To: '', Channel: 'sms' }), 400, 60200);
  isError(await call('POST', `/Services/${svc.sid}/Verifications/${v.sid}`, { Status: 'pending' }), 400, 60200);
  isError(await call('POST', '/Services', { FriendlyName: '' }), 400, 60200);
  isError(await call('POST', '/Services', { FriendlyName: 'x'.repeat(65) }), 400, 60200);
  isError(await call('GET', '/Services?Unknown=1'), 400, 60200);
  isError(await call('GET', '/Services?PageSize=abc'), 400, 60200);

  const after = await snapshot(svc.sid, v.sid, to);
  assert.deepEqual(after, before, 'nothing stored, renamed, sent, canceled or counted');
  // Still serving, and the verification still takes its code.
  const ok = conforms(
    await call('POST', `/Services/${svc.sid}/VerificationCheck`, { To: to, Code: code }),
    'createCheck',
    200,
  );
  assert.equal(ok.status, 'approved');
});

test('every operation was exercised and validated', () => {
  for (const op of [...Object.keys(OPS), 'error']) assert.ok((validated.get(op) ?? 0) > 0, `${op} never validated`);
});
