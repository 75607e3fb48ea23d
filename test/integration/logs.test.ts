// Logs for people: coloured lines on a terminal, JSON through a pipe or when asked; the first start
// in development prints where otpd is, its docs, the development key and a quick start to paste.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logFormat } from '../../src/boot/logger.ts';
import { spawnOtpd } from '../helpers/process.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('log format: pretty on a terminal, JSON otherwise, and either when asked', () => {
  assert.equal(logFormat({ logFormat: 'auto' }, true), 'pretty');
  assert.equal(logFormat({ logFormat: 'auto' }, false), 'json');
  assert.equal(logFormat({ logFormat: 'json' }, true), 'json');
  assert.equal(logFormat({ logFormat: 'pretty' }, false), 'pretty');
});

test('through a pipe every line is JSON, and the first start logs its quick start there too', async (t) => {
  const p = await spawnOtpd({ OTPD_DATA_DIR: tempDir(t) });
  t.after(() => p.stop());
  await waitFor(() => p.output().includes('Quick start'));
  const lines = p.output().trim().split('\n');
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
  assert.ok(lines.some((l) => (JSON.parse(l) as { msg: string }).msg.includes('Quick start')));
});

test('the first start in development prints the URL, the docs, the key and a quick start that works', async (t) => {
  const dataDir = tempDir(t);
  const env = { OTPD_DATA_DIR: dataDir, OTPD_LOG_FORMAT: 'pretty' };
  const p = await spawnOtpd(env, ['serve'], { readyPath: '/healthz' });
  await waitFor(() => p.output().includes('Quick start'));
  await p.stop();
  const out = p.output();
  assert.ok(!out.split('\n').some((l) => l.startsWith('{')), `no JSON line:\n${out}`);
  assert.match(out, /INFO: otpd listening on http:\/\/127\.0\.0\.1:\d+ \(docs: http:\/\/127\.0\.0\.1:\d+\/docs\)/);
  const keyFile = join(dataDir, 'dev-api-key');
  assert.ok(out.includes(`API key: ${keyFile}`));
  assert.ok(out.includes(`docs:    ${p.url}/docs`));
  const paste = out.slice(out.indexOf('Quick start'));
  assert.ok(paste.includes(`KEY=$(cat ${keyFile})`));

  // The commands as printed, pasted into a shell against a running otpd.
  if (!hasCurl()) return;
  const again = await spawnOtpd(env, ['serve'], { readyPath: '/healthz' });
  t.after(() => again.stop());
  assert.ok(!again.output().includes('Quick start'), 'later starts do not repeat it');
  const commands = paste
    .split('\n')
    .slice(1, 4)
    .map((l) => l.trim().replace(p.url, again.url))
    .join('\n');
  const answer = execFileSync('bash', ['-c', commands], { encoding: 'utf8' });
  assert.match(answer, /^\{"authenticationId":"[0-9a-f-]{36}"\}$/);
});

test('on a terminal (a pseudo-terminal from script(1)), the default format is the pretty one', async (t) => {
  if (!existsSync('/usr/bin/script')) return;
  const bin = fileURLToPath(new URL('../../bin/otpd.js', import.meta.url));
  const child = spawn('/usr/bin/script', ['-qec', `"${process.execPath}" "${bin}" serve`, '/dev/null'], {
    env: { ...process.env, OTPD_DATA_DIR: tempDir(t), OTPD_PORT: '0', OTPD_LOG_LEVEL: 'info' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await waitFor(() => out.includes('otpd listening on'));
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  assert.match(out, /INFO.*otpd listening on http:/);
  assert.doesNotMatch(out, /"level":30/);
});

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
