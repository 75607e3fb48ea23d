// `otpd block|safe|policy|breaker`: run-time abuse management from the command line, acting on the
// store a running server reads on every send-code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOtpd, spawnOtpd } from '../helpers/process.ts';
import { mobile } from '../helpers/server.ts';
import { loadConfig } from '../../src/config/load.ts';
import { systemClock } from '../../src/core/clock.ts';
import { openStore } from '../../src/store/from-config.ts';
import { liftedByOperator } from '../../src/core/ports/abuse.ts';

const UK = '+447911123456';
const FR = '+33612345678';

function tempEnv(t: { after(fn: () => void): void }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-abuse-cli-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  return { OTPD_DATA_DIR: dataDir, OTPD_SECRET: 'cli-secret-0123456789-0123456789-abcdef' };
}

async function ok(args: string[], env: Record<string, string>): Promise<string> {
  const r = await runOtpd(args, env);
  assert.equal(r.code, 0, `otpd ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('block and safe rules added by the CLI act on the running server at once', async (t) => {
  const env = tempEnv(t);
  const key = JSON.parse(await ok(['keys', 'create', '--name', 'shop', '--json'], env)) as {
    secret: string;
    clientId: string;
  };
  const server = await spawnOtpd(env);
  t.after(() => server.stop());
  const send = async (phoneNumber: string) => {
    const res = await fetch(`${server.url}/one-time-password-sms/v1/send-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber, message: 'code {{code}}' }),
    });
    return { status: res.status, code: ((await res.json()) as { code?: string }).code };
  };

  assert.equal((await send(UK)).status, 200);
  assert.equal((await ok(['block', 'add', '+4479111', '--note', 'pumping wave'], env)).trim(), 'block +4479111');
  assert.deepEqual(await send(UK), { status: 403, code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED' });

  await ok(['safe', 'add', UK], env);
  assert.equal((await send(UK)).status, 200, 'the exact safe number wins over the blocked prefix');
  assert.deepEqual(await send('+447911123457'), { status: 403, code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED' });

  const listed = JSON.parse(await ok(['block', 'list', '--json'], env)) as {
    kind: string;
    prefix: string;
    note: string;
    createdAt: string;
  }[];
  assert.deepEqual(
    listed.map((r) => [r.kind, r.prefix, r.note]),
    [['block', '+4479111', 'pumping wave']],
  );
  assert.ok(!Number.isNaN(Date.parse(listed[0]!.createdAt)));
  assert.match(await ok(['safe', 'list'], env), /^\+447911123456\t\S+Z\n$/);

  assert.equal((await ok(['block', 'remove', '+4479111'], env)).trim(), 'removed block +4479111');
  assert.equal((await send('+447911123457')).status, 200);
  await ok(['safe', 'remove', UK], env);
  assert.equal((await ok(['block', 'list'], env)).trim(), 'no block rules');
  const again = await runOtpd(['block', 'remove', '+4479111'], env);
  assert.deepEqual([again.code, again.stderr.trim()], [1, 'otpd: no block rule for +4479111']);

  // A client policy set by the CLI applies to that client's next send-code too.
  assert.equal((await send(mobile(601))).status, 200);
  const set = JSON.parse(await ok(['policy', 'set', key.clientId, '--allow-countries', 'fr', '--json'], env)) as {
    countries: unknown;
    stored: boolean;
  };
  assert.deepEqual([set.countries, set.stored], [{ mode: 'allow', list: ['FR'] }, true]);
  assert.deepEqual(await send(mobile(602)), { status: 403, code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED' });
  assert.equal((await send(FR)).status, 200);
});

test('policy show and set: unset fields are the configured defaults; options not given are kept', async (t) => {
  const env = tempEnv(t);
  const none = JSON.parse(await ok(['policy', 'show', 'shop', '--json'], env));
  assert.deepEqual(none, {
    clientId: 'shop',
    countries: null,
    dailyMessages: null,
    dailyBudget: null,
    updatedAt: null,
    stored: false,
  });
  assert.match(
    await ok(['policy', 'show', 'shop'], env),
    /no policy of its own[\s\S]*countries:\s+\(configured default\)/,
  );

  await ok(['policy', 'set', 'shop', '--deny-countries', 'GB, RU'], env);
  const p = JSON.parse(
    await ok(['policy', 'set', 'shop', '--daily-messages', '100', '--daily-budget', '2.5', '--json'], env),
  );
  assert.deepEqual(
    [p.countries, p.dailyMessages, p.dailyBudget, p.stored],
    [{ mode: 'deny', list: ['GB', 'RU'] }, 100, 2.5, true],
  );
  const text = await ok(['policy', 'show', 'shop'], env);
  assert.match(text, /countries:\s+deny GB,RU\n/);
  assert.match(text, /daily messages:\s+100\n/);
  assert.match(text, /daily budget:\s+2\.5\n/);

  const back = JSON.parse(
    await ok(
      ['policy', 'set', 'shop', '--default-countries', '--daily-messages', 'default', '--daily-budget', '0', '--json'],
      env,
    ),
  );
  assert.deepEqual([back.countries, back.dailyMessages, back.dailyBudget], [null, null, 0]);
  assert.match(await ok(['policy', 'show', 'shop'], env), /daily budget:\s+unlimited/);
  const all = JSON.parse(await ok(['policy', 'list', '--json'], env)) as { clientId: string }[];
  assert.deepEqual(
    all.map((c) => c.clientId),
    ['shop'],
  );
});

test('breaker list shows the blocks in force; reset lifts one', async (t) => {
  const env = tempEnv(t);
  await ok(['migrate'], env);
  const now = Date.now();
  const { store, limiter } = await openStore(loadConfig({ ...env, OTPD_LOG_LEVEL: 'silent' }), systemClock, 'inline');
  try {
    await store.putBlocks([
      { scope: 'country:ES', until: now + 3_600_000, shadow: false, reason: 'conversion 2% < 20%', createdAt: now },
      {
        scope: 'prefix:+3462925',
        until: now + 3_600_000,
        shadow: true,
        reason: 'conversion 4% < 20%',
        createdAt: now - 1,
      },
      { scope: 'country:DE', until: now - 1, shadow: false, reason: 'over', createdAt: now - 2 },
    ]);
  } finally {
    await limiter.close?.();
    await store.close();
  }
  const blocks = JSON.parse(await ok(['breaker', 'list', '--json'], env)) as {
    scope: string;
    until: string;
    shadow: boolean;
    reason: string;
  }[];
  assert.deepEqual(
    blocks.map((b) => [b.scope, b.until, b.shadow, b.reason]),
    [
      ['country:ES', new Date(now + 3_600_000).toISOString(), false, 'conversion 2% < 20%'],
      ['prefix:+3462925', new Date(now + 3_600_000).toISOString(), true, 'conversion 4% < 20%'],
    ],
  );
  assert.match(
    await ok(['breaker', 'list'], env),
    /^country:ES\tblock\tuntil \S+\tconversion 2% < 20%\nprefix:\+3462925\tblock\tuntil \S+\t\(shadow\)\t/,
  );

  assert.equal((await ok(['breaker', 'reset', 'country:ES'], env)).trim(), 'lifted country:ES');
  const left = JSON.parse(await ok(['breaker', 'list', '--json'], env)) as { scope: string }[];
  assert.deepEqual(
    left.map((b) => b.scope),
    ['prefix:+3462925'],
  );
  const reopened = await openStore(loadConfig({ ...env, OTPD_LOG_LEVEL: 'silent' }), systemClock, 'inline');
  try {
    const lifted = (await reopened.store.listBlocks(now)).find((b) => b.scope === 'country:ES');
    assert.ok(
      lifted && liftedByOperator(lifted) && lifted.until > now && lifted.until <= Date.now(),
      'remembered as lifted now, for the breaker',
    );
  } finally {
    await reopened.limiter.close?.();
    await reopened.store.close();
  }
  const gone = await runOtpd(['breaker', 'reset', 'country:ES'], env);
  assert.deepEqual([gone.code, gone.stderr.trim()], [1, 'otpd: no block in force for country:ES']);
});

test('bad input exits 1 with a clear message and changes nothing', async (t) => {
  const env = tempEnv(t);
  const cases: [string[], RegExp][] = [
    [['block', 'add', '4479'], /"4479" is not a number or prefix in E\.164 form/],
    [['block', 'add', '+abc'], /"\+abc" is not a number or prefix/],
    [['safe', 'add', '+0044'], /"\+0044" is not a number or prefix/],
    [['block', 'add', '+44', '--note', 'x'.repeat(201)], /--note must be at most 200 characters/],
    [['safe', 'remove', 'nope'], /"nope" is not a number or prefix/],
    [
      ['policy', 'set', 'shop', '--allow-countries', 'Spain'],
      /--allow-countries: "SPAIN" is not an ISO 3166-1 alpha-2 country code/,
    ],
    [['policy', 'set', 'shop', '--deny-countries', ','], /--deny-countries needs at least one country code/],
    [
      ['policy', 'set', 'shop', '--allow-countries', 'ES', '--deny-countries', 'FR'],
      /give only one of --allow-countries, --deny-countries and --default-countries/,
    ],
    [
      ['policy', 'set', 'shop', '--daily-messages', '-1'],
      /--daily-messages must be a whole number from 0 \(unlimited\)/,
    ],
    [['policy', 'set', 'shop', '--daily-messages', '1.5'], /--daily-messages must be a whole number/],
    [['policy', 'set', 'shop', '--daily-budget', 'ten'], /--daily-budget must be an amount in currency units/],
    [['policy', 'set', 'shop', '--daily-budget', '-3'], /--daily-budget must be an amount/],
    [['policy', 'set', 'shop'], /nothing to set/],
    [['breaker', 'reset', 'planet:Mars'], /"planet:Mars" is not a block scope/],
  ];
  for (const [args, message] of cases) {
    const r = await runOtpd(args, env);
    assert.equal(r.code, 1, `otpd ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.equal((await ok(['block', 'list'], env)).trim(), 'no block rules');
  assert.equal((await ok(['safe', 'list'], env)).trim(), 'no safe rules');
  assert.equal(JSON.parse(await ok(['policy', 'show', 'shop', '--json'], env)).stored, false);
});
