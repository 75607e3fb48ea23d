// What an operator sees when otpd cannot start: one line on stderr that says what to do, exit
// status 1, and a stack trace only at debug level. One test per fatal message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOtpdBounded as runOtpd } from '../helpers/bounded.ts';
import { spawnOtpd } from '../helpers/process.ts';
import { dropSchemas, freshSchema, PG_URL, withPg } from '../helpers/pg.ts';

const SECRET = 'startup-errors-secret-0123456789-0123456789';
/** Nothing listens on port 1: a refused connection at once. */
const NO_PG = 'postgres://postgres@127.0.0.1:1/test';
const NO_PG_LINE =
  'otpd: cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED): ' +
  'check OTPD_DATABASE_URL and that PostgreSQL is running\n';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-startup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const STACK = /^\s+at /m;

test('port in use: one line with the fix, exit 1, no stack trace unless debug logging is on', async (t) => {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const env = { OTPD_DATA_DIR: tempDir(t), OTPD_PORT: String(port), OTPD_SECRET: SECRET };
  const r = await runOtpd(['serve'], env);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `otpd: port ${port} is in use (another otpd?): set OTPD_PORT or stop the other process\n`);
  assert.doesNotMatch(r.stdout + r.stderr, STACK);
  const debug = await runOtpd(['serve'], { ...env, OTPD_LOG_LEVEL: 'debug' });
  assert.equal(debug.code, 1);
  assert.match(debug.stderr, /port \d+ is in use/);
  assert.match(debug.stdout, /EADDRINUSE[^\n]*"stack":"Error: listen EADDRINUSE/);
});

test('a second server on one SQLite file is refused; the CLI works beside the first; kill -9 frees it', async (t) => {
  const dataDir = tempDir(t);
  const env = { OTPD_DATA_DIR: dataDir, OTPD_SECRET: SECRET };
  const first = await spawnOtpd(env);
  const second = await runOtpd(['serve'], { ...env, OTPD_PORT: '0' });
  assert.equal(second.code, 1);
  assert.equal(
    second.stderr,
    `otpd: another otpd server is using ${join(dataDir, 'otpd.db')} (a second npm start?): stop it, or give this ` +
      'one its own OTPD_DATA_DIR; several servers can share a database only on PostgreSQL (OTPD_DATABASE_URL)\n',
  );
  const cli = await runOtpd(['keys', 'create', '--name', 'beside', '--json'], env);
  assert.equal(cli.code, 0, cli.stderr);
  await first.kill9();
  const third = await spawnOtpd(env);
  t.after(() => third.stop());
  const listed = await runOtpd(['keys', 'list'], env);
  assert.match(listed.stdout, /beside/);
});

test('an unusable data directory: one line for serve, for a CLI command and for migrate', async (t) => {
  const file = join(tempDir(t), 'a-file');
  writeFileSync(file, '');
  const dataDir = join(file, 'data');
  const line =
    `otpd: cannot use the data directory ${dataDir} (ENOTDIR): make it a directory this user can write, ` +
    'or set OTPD_DATA_DIR\n';
  for (const args of [['serve'], ['keys', 'list'], ['migrate']]) {
    const r = await runOtpd(args, { OTPD_DATA_DIR: dataDir, OTPD_SECRET: SECRET });
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stderr, line, args.join(' '));
  }
});

test('PostgreSQL unreachable: one line for serve, a CLI command and migrate (which needs no secret)', async (t) => {
  const dataDir = tempDir(t);
  for (const [args, secret] of [
    [['serve'], SECRET],
    [['keys', 'list'], SECRET],
    [['migrate'], ''],
  ] as const) {
    const r = await runOtpd([...args], { OTPD_DATA_DIR: dataDir, OTPD_DATABASE_URL: NO_PG, OTPD_SECRET: secret });
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stderr, NO_PG_LINE, args.join(' '));
  }
  const debug = await runOtpd(['migrate'], {
    OTPD_DATA_DIR: dataDir,
    OTPD_DATABASE_URL: NO_PG,
    OTPD_LOG_LEVEL: 'debug',
  });
  assert.match(debug.stderr, STACK, 'debug logging shows the stack trace');
});

test('PostgreSQL without the database: the line names it', async (t) => {
  const url = PG_URL.replace(/\/[^/]*$/, '/otpd_no_such_database');
  const r = await runOtpd(['migrate'], { OTPD_DATA_DIR: tempDir(t), OTPD_DATABASE_URL: url });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^otpd: PostgreSQL at [^ ]+ has no database "otpd_no_such_database": create it, or fix/);
});

test('otpd migrate on PostgreSQL runs without OTPD_SECRET', async (t) => {
  const schema = freshSchema('otpd_mig');
  t.after(() => dropSchemas([schema]));
  const r = await runOtpd(['migrate'], {
    OTPD_DATA_DIR: tempDir(t),
    OTPD_DATABASE_URL: PG_URL,
    OTPD_DATABASE_SCHEMA: schema,
    OTPD_SECRET: '',
    OTPD_ENV: 'production',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^applied migrations: 1, /);
  const tables = await withPg((c) =>
    c.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [schema]),
  );
  assert.ok(tables.rows[0].n > 5);
});
