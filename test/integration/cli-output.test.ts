// Texts from the store reach an operator's terminal through the CLI: control characters and
// bidirectional overrides in them are printed as visible escapes, never acted on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { LIMITS, T0, verification } from '../contract/store.contract.ts';
import { runOtpd } from '../helpers/process.ts';

// ESC sequences that clear the screen and retitle the window, an 8-bit CSI, and a right-to-left
// override that would show "123456" as "654321".
const HOSTILE = 'code \u001b[2J\u001b]0;pwned\u0007 \u009b31m red \u202E123456\u202C';
// Anything unsafe but the tabs and newlines the CLI itself prints between fields and rows.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/u;

test('otpd outbox, messages and block list print control and bidi characters as escapes', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-cli-out-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const store = new SqliteStore({ file: join(dataDir, 'otpd.db'), synchronous: 'NORMAL', writer: 'inline' }, T0);
  await store.appendDevMessages([{ messageId: '1', to: '+34629255833', text: HOSTILE, at: T0 }]);
  await store.createVerification(verification(), LIMITS);
  const [m] = await store.claimMessages(T0, 30_000, 10);
  await store.completeAttempt({
    messageId: m!.id,
    attempt: 1,
    gateway: 'g1',
    startedAt: T0,
    finishedAt: T0 + 5,
    outcome: 'permanent',
    error: `provider said: ${HOSTILE}`,
  });
  await store.close();
  const env = { OTPD_DATA_DIR: dataDir, OTPD_SECRET: 'cli-output-secret-0123456789-0123456789-ab' };

  const outbox = await runOtpd(['outbox'], env);
  assert.equal(outbox.code, 0, outbox.stderr);
  assert.doesNotMatch(outbox.stdout, RAW);
  assert.ok(
    outbox.stdout.includes('code \\u{1B}[2J\\u{1B}]0;pwned\\u{7} \\u{9B}31m red \\u{202E}123456\\u{202C}'),
    outbox.stdout,
  );
  const messages = await runOtpd(['messages'], env);
  assert.equal(messages.code, 0, messages.stderr);
  assert.doesNotMatch(messages.stdout, RAW);
  assert.ok(messages.stdout.includes('provider said: code \\u{1B}[2J'), messages.stdout);

  const added = await runOtpd(['block', 'add', '+3462', '--note', HOSTILE], env);
  assert.equal(added.code, 0, added.stderr);
  const rules = await runOtpd(['block', 'list'], env);
  assert.doesNotMatch(rules.stdout, RAW);
  assert.ok(rules.stdout.includes('\\u{202E}123456'), rules.stdout);

  for (const args of [
    ['outbox', '--json'],
    ['messages', '--json'],
    ['block', 'list', '--json'],
  ]) {
    const r = await runOtpd(args, env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, RAW, args.join(' '));
    const [first] = JSON.parse(r.stdout) as { text?: string; note?: string; lastError?: string }[];
    assert.ok(
      [first!.text, first!.note, first!.lastError].some((v) => v?.endsWith(HOSTILE)),
      'JSON keeps texts exact',
    );
  }
});
