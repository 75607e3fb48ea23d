import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOtpd, spawnOtpd } from '../helpers/process.ts';
import { mobile } from '../helpers/server.ts';

function tempEnv(t: { after(fn: () => void): void }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-cli-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  return { OTPD_DATA_DIR: dataDir, OTPD_SECRET: 'cli-secret-0123456789-0123456789-abcdef' };
}

test('keys create prints the secret once; list never shows it; revoke is effective on the next request', async (t) => {
  const env = tempEnv(t);
  assert.equal(
    (await runOtpd(['migrate'], env)).stdout.trim(),
    `applied migrations: ${MIGRATIONS.map((m) => m.version).join(', ')}`,
  );
  assert.equal((await runOtpd(['migrate'], env)).stdout.trim(), 'database is up to date');
  const created = await runOtpd(['keys', 'create', '--name', 'shop', '--json'], env);
  assert.equal(created.code, 0, created.stderr);
  const key = JSON.parse(created.stdout) as { id: string; secret: string; scopes: string[] };
  assert.match(key.secret, new RegExp(`^otpd_${key.id}_[A-Za-z0-9_-]{43}$`));
  assert.deepEqual(key.scopes, ['one-time-password-sms:send-validate', 'verify', 'services', 'admin']);
  assert.match(
    (key as unknown as { accountSid: string }).accountSid,
    /^AC[0-9a-f]{32}$/,
    'the Twilio-style account SID',
  );
  const listed = await runOtpd(['keys', 'list'], env);
  assert.match(listed.stdout, new RegExp(key.id));
  assert.ok(!listed.stdout.includes(key.secret.slice(-20)));

  const server = await spawnOtpd(env);
  t.after(() => server.stop());
  const call = () =>
    fetch(`${server.url}/one-time-password-sms/v1/send-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: mobile(77), message: 'code {{code}}' }),
    });
  assert.equal((await call()).status, 200);
  const revoked = await runOtpd(['keys', 'revoke', key.id], env);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal((await call()).status, 401);
  assert.equal((await runOtpd(['keys', 'revoke', 'nope'], env)).code, 1);
});

test('keys create makes a client key unless --operator is given; only operator keys reach other tenants', async (t) => {
  const env = tempEnv(t);
  const create = async (...args: string[]) => {
    const r = await runOtpd(['keys', 'create', '--json', ...args], env);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { id: string; clientId: string; kind: string; scopes: string[]; secret: string };
  };
  const shop = await create('--name', 'shop');
  assert.deepEqual(
    [shop.kind, shop.scopes],
    ['client', ['one-time-password-sms:send-validate', 'verify', 'services', 'admin']],
  );
  const other = await create('--name', 'other', '--client', 'other');
  const ops = await create('--name', 'ops', '--operator');
  assert.equal(ops.kind, 'operator');
  const text = await runOtpd(['keys', 'create', '--name', 'ops2', '--operator'], env);
  assert.match(text.stdout, /^kind: {4}operator$/m);
  const listed = (await runOtpd(['keys', 'list'], env)).stdout;
  assert.match(listed, new RegExp(`^${shop.id}\tclient=${shop.clientId}\tclient\tshop\t`, 'm'));
  assert.match(listed, new RegExp(`^${ops.id}\tclient=${ops.clientId}\toperator\tops\t`, 'm'));

  const server = await spawnOtpd(env);
  t.after(() => server.stop());
  const call = (key: string, method: string, path: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const cap = { dailyMessages: 1 };
  assert.equal((await call(shop.secret, 'PUT', '/admin/clients/other/policy', cap)).status, 403);
  assert.equal((await call(shop.secret, 'GET', '/admin/clients/other/policy')).status, 404);
  assert.equal((await call(shop.secret, 'GET', '/admin/number-rules')).status, 403);
  const send = { phoneNumber: mobile(79), message: 'code {{code}}' };
  assert.equal((await call(other.secret, 'POST', '/one-time-password-sms/v1/send-code', send)).status, 200);
  assert.equal((await call(ops.secret, 'PUT', '/admin/clients/other/policy', cap)).status, 200);
  assert.equal((await call(ops.secret, 'GET', '/admin/number-rules')).status, 200);
  const over = await call(other.secret, 'POST', '/one-time-password-sms/v1/send-code', send);
  assert.equal(over.status, 429, 'the operator set the quota of another tenant');
});

test('keys create with limited scopes refuses unknown ones', async (t) => {
  const env = tempEnv(t);
  const ok = await runOtpd(
    ['keys', 'create', '--name', 'app', '--scopes', 'one-time-password-sms:send-validate', '--json'],
    env,
  );
  assert.deepEqual((JSON.parse(ok.stdout) as { scopes: string[] }).scopes, ['one-time-password-sms:send-validate']);
  const bad = await runOtpd(['keys', 'create', '--name', 'x', '--scopes', 'root'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown scope "root"/);
});

test(
  'otpd outbox reads the development outbox and otpd messages shows its status; ' +
    'first start writes a dev key (0600) and a secret',
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'otpd-cli-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { OTPD_DATA_DIR: dataDir };
    const server = await spawnOtpd(env);
    t.after(() => server.stop());
    assert.match(server.output(), /development API key/);
    for (const f of ['dev-api-key', 'secret.key']) {
      assert.ok(existsSync(join(dataDir, f)));
      assert.equal(statSync(join(dataDir, f)).mode & 0o777, 0o600);
    }
    const key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
    const r = await fetch(`${server.url}/one-time-password-sms/v1/send-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: mobile(78), message: 'Your code: {{code}}' }),
    });
    assert.equal(r.status, 200);
    let out = '';
    for (let i = 0; i < 100 && !/Your code: \d{6}/.test(out); i++) {
      out = (await runOtpd(['outbox', '--to', mobile(78)], env)).stdout;
    }
    assert.match(out, /\+3462925\d{4}\s+Your code: \d{6}/);
    const code = /Your code: (\d{6})/.exec(out)![1]!;
    const valid = await fetch(`${server.url}/one-time-password-sms/v1/validate-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        authenticationId: ((await r.json()) as { authenticationId: string }).authenticationId,
        code,
      }),
    });
    assert.equal(valid.status, 204);
    const rules = await fetch(`${server.url}/admin/number-rules`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(rules.status, 200, 'the development key is an operator key');
    const status = await runOtpd(['messages', '--to', mobile(78), '--json'], env);
    const [m] = JSON.parse(status.stdout) as { status: string; gateway: string; attempts: { outcome: string }[] }[];
    assert.deepEqual([m!.status, m!.gateway, m!.attempts.map((a) => a.outcome)], ['sent', 'dev-outbox', ['sent']]);
    assert.ok(!status.stdout.includes(code), 'otpd messages never shows the text');
    assert.match((await runOtpd(['messages'], env)).stdout, /#\d+ {2}\+3462925\d{4} {2}sent {2}1 seg {2}dev-outbox/);
    assert.equal((await runOtpd(['messages', '--status', 'lost'], env)).code, 1);
    const log = server.output();
    assert.match(log, /"phone":"\+3462\*{5}\d{2}"/, 'the number is logged masked');
    assert.ok(!log.includes(mobile(78)), 'the full number never reaches the log');
    assert.ok(!log.includes(code), 'the code never reaches the log');
  },
);

test('otpd --version prints the package version without loading the server', () => {
  const root = new URL('../../', import.meta.url);
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
  // Records every module the process resolves, on exit (commander exits after printing the version).
  const recorder =
    'import { registerHooks } from "node:module"; const seen = new Set();' +
    'registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });' +
    'process.on("exit", () => process.stderr.write(JSON.stringify([...seen])));';
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(recorder)}`,
      fileURLToPath(new URL('bin/otpd.js', root)),
      '--version',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), version);
  const loaded = (JSON.parse(r.stderr) as string[]).map((u) => u.replace(root.href, ''));
  assert.ok(loaded.includes('src/version.ts'), "the recorder sees the CLI's modules");
  const server = loaded.filter(
    (u) =>
      /^src\/(main|metrics|cli\/serve)\.ts$|^src\/(api|store|gateways|jobs)\//.test(u) ||
      /node_modules\/(fastify|@fastify|pino|pg|better-sqlite3|smpp|nodemailer|prom-client)\//.test(u),
  );
  assert.deepEqual(server, []);
});

test('bad configuration lists every problem and exits non-zero before listening', async () => {
  const r = await runOtpd(['serve'], { OTPD_PORT: 'x', OTPD_CODE_LENGTH: '99', OTPD_ENV: 'production' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /OTPD_PORT/);
  assert.match(r.stderr, /code\.length/);
});

test('an old Node gets a clear message instead of a crash', () => {
  const old = '/usr/bin/node';
  if (!existsSync(old)) return;
  const v = spawnSync(old, ['--version']).stdout.toString();
  if (!/^v(1\d|2[01])\./.test(v)) return;
  const bin = fileURLToPath(new URL('../../bin/otpd.js', import.meta.url));
  const r = spawnSync(old, [bin, '--help']);
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /needs Node\.js 22\.19 or newer/);
});
