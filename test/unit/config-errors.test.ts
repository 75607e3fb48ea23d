import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { didYouMean } from '../../src/config/problems.ts';

/** The problems loadConfig reports for this environment and (optional) YAML file text. */
function problems(env: Record<string, string>, yaml?: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-config-errors-'));
  try {
    const file = yaml === undefined ? undefined : join(dir, 'otpd.yaml');
    if (file) writeFileSync(file, yaml!);
    loadConfig(env, file);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a bad enumerated value hides no other problem (the validator once stopped after 8 errors)', () => {
  const p = problems({
    OTPD_LOG_LEVEL: 'verbose',
    OTPD_CODE_ALPHABET: 'hex',
    OTPD_ENV: 'staging',
    OTPD_CODE_LENGTH: '3',
    OTPD_MAX_ATTEMPTS: '0',
    OTPD_BODY_LIMIT: '10',
    OTPD_PORT: 'eighty',
  });
  const where = p.map((x) => x.slice(0, x.indexOf(' ')));
  assert.deepEqual(where.sort(), [
    'OTPD_PORT:',
    'bodyLimit',
    'code.alphabet',
    'code.length',
    'code.maxAttempts',
    'env',
    'logLevel',
  ]);
});

test('an enumerated value lists the allowed values, names its variable and guesses the one meant', () => {
  const p = problems({ OTPD_LOG_LEVEL: 'warning' });
  assert.deepEqual(p, [
    'logLevel (OTPD_LOG_LEVEL): must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" ' +
      '(got "warning"); did you mean "warn"?',
  ]);
  assert.ok(!p.join('\n').includes('constant') && !p.join('\n').includes('anyOf'));
});

test('a typo in a configuration-file key says which key was meant, never "schema is false"', () => {
  const p = problems({}, 'prot: 7000\ncode: { lenght: 8 }\nlimits: { sendsPer15minutes: 3 }\n');
  assert.deepEqual(p, [
    'prot: unknown key; did you mean "port"?',
    'code.lenght: unknown key; did you mean "length"?',
    'limits.sendsPer15minutes: unknown key; did you mean "sendsPer15Minutes"?',
  ]);
});

test('a misspelled OTPD_ variable is a problem, with the nearest real one; the test harness variables are not', () => {
  const p = problems({ OTPD_SECERT: 'x'.repeat(40), OTPD_LOGLEVEL: 'debug', OTPD_TEST_STORE: 'postgres' });
  assert.deepEqual(p, [
    'OTPD_LOGLEVEL: not an otpd variable; did you mean OTPD_LOG_LEVEL?',
    'OTPD_SECERT: not an otpd variable; did you mean OTPD_SECRET?',
  ]);
  assert.deepEqual(problems({ OTPD_WHATEVER_THIS_IS: '1' }), ['OTPD_WHATEVER_THIS_IS: not an otpd variable']);
});

test('a gateway is checked against the branch its type and preset select, not against SMPP', () => {
  const sid = `AC${'0'.repeat(32)}`;
  const p = problems(
    {},
    `delivery:
  publicUrl: https://otpd.example.com
  gateways:
    - { id: tw, type: http, preset: twilio, accountSid: ${sid}, authToken: t, form: '+15005550006' }
    - { id: vo, type: http, preset: vonage, apiKey: k, apiSecret: s, from: A, signatureSecret: s,
        signatureMethod: sha2 }
    - { id: x, type: http, preset: twillio }
    - { id: y, type: smp, host: h }
`,
  );
  assert.deepEqual(p, [
    'delivery.gateways.0.form: unknown key; did you mean "from"?',
    'delivery.gateways.1.signatureMethod: must be one of "md5hash", "md5", "sha1", "sha256", "sha512" (got "sha2"); ' +
      'did you mean "sha1"?',
    'delivery.gateways.2.preset: must be one of "twilio", "vonage", "infobip", "msg91", "webhook" (got "twillio"); ' +
      'did you mean "twilio"?',
    'delivery.gateways.3.type: must be one of "dev-outbox", "smpp", "smtp", "http" (got "smp"); did you mean "smpp"?',
  ]);
});

test('ranges are stated, and a secret that is too short is never echoed', () => {
  const p = problems({ OTPD_CODE_LENGTH: '12', OTPD_SECRET: 'hunter2' });
  assert.deepEqual(p, [
    'secret (OTPD_SECRET): must have at least 32 characters',
    'code.length (OTPD_CODE_LENGTH): must be an integer from 4 to 10 (got 12)',
  ]);
});

test('otpd migrate needs no secret; serving still does', () => {
  const env = { OTPD_DATABASE_URL: 'postgres://otpd@db/otpd', OTPD_ENV: 'production' };
  assert.equal(loadConfig(env, undefined, { storeOnly: true }).database.url, env.OTPD_DATABASE_URL);
  assert.ok(problems(env).some((p) => p.includes('OTPD_SECRET is required')));
});

test('did you mean: near misses only', () => {
  assert.equal(didYouMean('prot', ['port', 'host']), 'port');
  assert.equal(didYouMean('OTPD_SECERT', ['OTPD_SECRET', 'OTPD_SECRETS_X']), 'OTPD_SECRET');
  assert.equal(didYouMean('LogLevel', ['logLevel']), 'logLevel');
  assert.equal(didYouMean('colour', ['port', 'host']), undefined);
});

test('senders networks would refuse fail the configuration at boot, each named', () => {
  const smpp = (id: string, sourceAddr: string) =>
    `    - { id: ${id}, type: smpp, host: smsc.example.com, systemId: otpd, password: pw, sourceAddr: '${sourceAddr}'` +
    ' }';
  const yaml = [
    'delivery:',
    '  publicUrl: https://otpd.example.com',
    '  gateways:',
    smpp('ok-name', 'Acme Bank'),
    smpp('ok-short', '12345'),
    smpp('ok-intl', '+447700900123'),
    smpp('long', 'AcmeBankGroup'),
    smpp('cyrillic', 'Ваш Банк'),
    smpp('escapes', 'Acme{Bank}'),
    smpp('digits16', '+1234567890123456'),
    smpp('two', '12'),
    '    - { id: tw, type: http, preset: twilio, accountSid: ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, authToken: t, ' +
      "from: 'Ünïcödé Sender' }",
  ].join('\n');
  const p = problems({}, yaml).filter((x) => x.includes('the sender'));
  const why = Object.fromEntries(p.map((x) => [x.slice('delivery.gateways.'.length, x.indexOf(':')), x]));
  assert.deepEqual(Object.keys(why), ['long', 'cyrillic', 'escapes', 'digits16', 'two', 'tw']);
  assert.match(why.long!, /"AcmeBankGroup" is longer than the 11 GSM 7-bit characters/);
  assert.match(why.cyrillic!, /"Ваш Банк" has characters outside the GSM 7-bit alphabet/);
  assert.match(why.escapes!, /is longer than the 11 GSM 7-bit characters/, '{ and } take two septets each');
  assert.match(why.digits16!, /more than 15 digits \(E\.164\)/);
  assert.match(why.two!, /too short for a short code/);
  assert.match(why.tw!, /outside the GSM 7-bit alphabet/);
});

test("the range guard's knobs are checked at boot, each on its own and against each other", () => {
  const own = problems(
    {},
    'abuse:\n  rangeGuard:\n    failuresPerValidation: 0\n    challenge: { difficultyBits: 40 }\n' +
      '    spendCap: { minPerHour: -1 }\n',
  );
  const together = problems(
    {},
    'abuse:\n  rangeGuard:\n    newRangeBudget: 2\n    probationBudget: 3\n    minProvisionalSeconds: 600\n' +
      '    maxProvisionalSeconds: 60\n    blockSeconds: 7200\n    maxBlockSeconds: 3600\n',
  );
  const expected: [string[], RegExp][] = [
    [own, /abuse.rangeGuard.failuresPerValidation: must be a number from 0.05/],
    [own, /abuse.rangeGuard.challenge.difficultyBits: must be an integer from 8 to 28/],
    [own, /abuse.rangeGuard.spendCap.minPerHour: must be a number from 0/],
    [together, /probationBudget must not exceed abuse.rangeGuard.newRangeBudget/],
    [together, /minProvisionalSeconds must not exceed abuse.rangeGuard.maxProvisionalSeconds/],
    [together, /blockSeconds must not exceed abuse.rangeGuard.maxBlockSeconds/],
  ];
  for (const [p, re] of expected)
    assert.ok(
      p.some((x) => re.test(x)),
      `${re} in ${p.join(' | ')}`,
    );
});
