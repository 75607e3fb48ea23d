import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, redactConfig } from '../../src/config/load.ts';

test('defaults match the documented policy', () => {
  const c = loadConfig({});
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.dataDir, './data');
  assert.equal(c.env, 'development');
  assert.equal(c.code.length, 6);
  assert.equal(c.code.ttlSeconds, 300);
  assert.equal(c.code.maxAttempts, 3);
  assert.equal(c.limits.sendsPer15Minutes, 5);
  assert.equal(c.limits.sendsPer24Hours, 10);
  assert.equal(c.limits.wrongGuessesPer24Hours, 20);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.code));
});

test('environment variables are parsed, PORT and OTPD_PORT both work', () => {
  assert.equal(loadConfig({ PORT: '9000' }).port, 9000);
  assert.equal(loadConfig({ PORT: '9000', OTPD_PORT: '9001' }).port, 9001);
  const c = loadConfig({
    OTPD_TEST_NUMBERS: '+15005550006:123456, +15005550007:654321',
    OTPD_BLOCKED_NUMBERS: '+4479,+3460',
    OTPD_ALLOW_LONG_TTL: 'true',
    OTPD_CODE_TTL_SECONDS: '900',
  });
  assert.deepEqual(c.numbers.test, { '+15005550006': '123456', '+15005550007': '654321' });
  assert.deepEqual(c.numbers.blocked, ['+4479', '+3460']);
  assert.equal(c.code.ttlSeconds, 900);
});

test('every problem is listed at once', () => {
  try {
    loadConfig({
      OTPD_PORT: 'eighty',
      OTPD_CODE_LENGTH: '3',
      OTPD_MAX_ATTEMPTS: '0',
      OTPD_ENV: 'staging',
      OTPD_DISPATCHER: 'maybe',
    });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const text = err.problems.join('\n');
    for (const what of ['OTPD_PORT', 'code.length', 'code.maxAttempts', 'env', 'OTPD_DISPATCHER'])
      assert.match(text, new RegExp(what.replace('.', '\\.')));
  }
});

test('rules across fields: TTL over 600 s, production secret and gateway', () => {
  assert.throws(() => loadConfig({ OTPD_CODE_TTL_SECONDS: '900' }), /allowLongTtl/);
  assert.throws(
    () => loadConfig({ OTPD_ENV: 'production' }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.some((p) => p.includes('OTPD_SECRET')) &&
      e.problems.some((p) => p.includes('development outbox')),
  );
});

test('a YAML file is read and the environment overrides it; unknown keys are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-cfg-'));
  const file = join(dir, 'otpd.yaml');
  writeFileSync(file, 'port: 7000\ncode:\n  length: 8\nlimits:\n  sendsPer15Minutes: 3\n');
  const c = loadConfig({ OTPD_CODE_LENGTH: '7' }, file);
  assert.equal(c.port, 7000);
  assert.equal(c.code.length, 7);
  assert.equal(c.limits.sendsPer15Minutes, 3);
  writeFileSync(file, 'prot: 7000\n');
  assert.throws(() => loadConfig({}, file), /prot/);
});

test('secrets never appear in the printable config', () => {
  const c = loadConfig({
    OTPD_SECRET: 's'.repeat(40),
    OTPD_BOOTSTRAP_KEY: 'b'.repeat(40),
    OTPD_TEST_NUMBERS: '+15005550006:123456',
  });
  const printed = JSON.stringify(redactConfig(c));
  assert.ok(!printed.includes('s'.repeat(40)) && !printed.includes('b'.repeat(40)) && !printed.includes('123456'));
});

test('database and retention: defaults, environment, validation and a redacted password', () => {
  const d = loadConfig({});
  assert.equal(d.database.url, undefined, 'SQLite is the default');
  assert.equal(d.retention.days, 7);
  assert.equal(d.retention.enabled, true);
  const c = loadConfig({
    OTPD_DATABASE_URL: 'postgres://otpd:s3cr3t-pw@db:5432/otpd',
    OTPD_DATABASE_SCHEMA: 'otpd_prod',
    OTPD_DATABASE_POOL_SIZE: '20',
    OTPD_SECRET: 'x'.repeat(32),
    OTPD_RETENTION_DAYS: '30',
    OTPD_PURGE: 'false',
    OTPD_DISPATCH_LEASE_SECONDS: '11',
  });
  assert.deepEqual(
    [c.database.schema, c.database.poolSize, c.retention.days, c.retention.enabled, c.delivery.leaseSeconds],
    ['otpd_prod', 20, 30, false, 11],
  );
  const printed = JSON.stringify(redactConfig(c));
  assert.ok(!printed.includes('s3cr3t-pw'));
  assert.match(printed, /postgres:\/\/otpd:\[redacted\]@db:5432\/otpd/);
  assert.throws(
    () => loadConfig({ OTPD_DATABASE_URL: 'mysql://x', OTPD_DATABASE_SCHEMA: 'Bad-Name', OTPD_RETENTION_DAYS: '0' }),
    (e: unknown) => {
      const problems = (e as ConfigError).problems.join('\n');
      return (
        e instanceof ConfigError &&
        /database\.url/.test(problems) &&
        /database\.schema/.test(problems) &&
        /retention\.days/.test(problems)
      );
    },
  );
});

// A well-formed Twilio account SID and Standard Webhooks secret for the gateway configs below.
const TW_SID = `AC${'0'.repeat(32)}`;
const WEBHOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789').toString('base64')}`;

test('gateways and routes: a discriminated union checked at boot, with every problem listed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-config-'));
  const file = join(dir, 'otpd.yaml');
  writeFileSync(
    file,
    `
delivery:
  publicUrl: https://otpd.example.com
  gateways:
    - { id: tw, type: http, preset: twilio, accountSid: ${TW_SID}, authToken: tw-secret-token, from: '+15005550006' }
    - { id: hook, type: http, preset: webhook, url: 'http://127.0.0.1:9/x', secret: ${WEBHOOK_SECRET} }
    - { id: tw, type: smtp, host: mail, from: otp@example.com }
    - { id: odd, type: http, preset: nexmo }
  routes:
    - { countries: [IN], gateways: [tw, missing] }
    - { gateways: [tw] }
  emailRoute: [tw]
`,
  );
  assert.throws(
    () => loadConfig({}, file),
    (e: unknown) => {
      const p = (e as ConfigError).problems.join('\n');
      return /delivery\.gateways\.3/.test(p) || /preset/.test(p);
    },
    'an unknown preset is refused by the schema',
  );
  writeFileSync(file, readFileSync(file, 'utf8').replace('    - { id: odd, type: http, preset: nexmo }\n', ''));
  assert.throws(
    () => loadConfig({}, file),
    (e: unknown) => {
      const p = (e as ConfigError).problems.join('\n');
      return [
        'the id "tw" is used twice',
        'no gateway "missing"',
        'give countries or prefixes',
        'loopback or private address',
        'cannot send email',
      ].every((s) => p.includes(s));
    },
  );
});

test('gateway credentials never appear in the printable config; production refuses the development outbox', () => {
  const c = loadConfig(
    { OTPD_PUBLIC_URL: 'https://otpd.example.com' },
    writeYaml(`
delivery:
  gateways:
    - { id: tw, type: http, preset: twilio, accountSid: ${TW_SID}, authToken: tw-secret-token, from: '+15005550006' }
    - { id: smsc, type: smpp, host: smsc.example.com, systemId: otpd, password: pw123456, sourceAddr: OTPD }
`),
  );
  const printed = JSON.stringify(redactConfig(c));
  assert.ok(!printed.includes('tw-secret-token') && !printed.includes('pw123456'));
  assert.throws(
    () => loadConfig({ OTPD_ENV: 'production', OTPD_SECRET: 'x'.repeat(32) }),
    /development outbox is refused in production/,
  );
  assert.throws(
    () =>
      loadConfig(
        {},
        writeYaml(`
delivery:
  gateways: [{ id: tw, type: http, preset: twilio, accountSid: ${TW_SID}, authToken: t, from: '+15005550006' }]
`),
      ),
    /publicUrl/,
  );
});

function writeYaml(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'otpd-config-')), 'otpd.yaml');
  writeFileSync(file, text);
  return file;
}

test('backpressure must refuse before codes expire in the queue; 0 turns it off', () => {
  assert.equal(loadConfig({}).delivery.maxQueueAgeSeconds, 5);
  assert.equal(loadConfig({ OTPD_DISPATCH_MAX_QUEUE_AGE_SECONDS: '0' }).delivery.maxQueueAgeSeconds, 0);
  assert.throws(
    () => loadConfig({ OTPD_DISPATCH_MAX_QUEUE_AGE_SECONDS: '300', OTPD_CODE_TTL_SECONDS: '300' }),
    (e: ConfigError) => e.problems.some((p) => p.includes('delivery.maxQueueAgeSeconds must be shorter')),
  );
});
