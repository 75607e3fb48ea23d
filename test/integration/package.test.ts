// `otpd` as a command: `npx otpd` in the repository, and the package `npm pack` makes, installed.
// Installing the tarball would need the registry for its dependencies, so the installed layout is
// built here instead: the package's files (with dist/ compiled as `prepack` does) in a
// node_modules/otpd of its own, next to links to this repository's dependencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVE_NODE_FLAGS, spawnOtpd } from '../helpers/process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const run = (cmd: string, args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('npx otpd runs the repository’s own command', () => {
  assert.equal(run('npx', ['--no-install', 'otpd', '--version']).trim(), version);
});

// A server's young generation grows to about 100 MB under load by default; these flags bound it
// (docs/operations.md, memory). Every way of starting otpd must pass the same ones.
test('npm start, npm run otpd and the otpd command start Node with the same memory flags', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const shebang = readFileSync(join(ROOT, 'bin/otpd.js'), 'utf8').split('\n')[0]!;
  assert.ok(
    SERVE_NODE_FLAGS.some((f) => f.startsWith('--max-semi-space-size=')),
    'npm start bounds the young generation',
  );
  const flags = SERVE_NODE_FLAGS.join(' ');
  assert.equal(shebang, `#!/usr/bin/env -S node ${flags}`);
  assert.equal(scripts.otpd, `node ${flags} bin/otpd.js`);
  assert.equal(scripts.start, `node ${flags} bin/otpd.js serve`);
});

test('the package holds bin/ and docs/ but no sources or tests, and works installed', async (t) => {
  const [packed] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'])) as {
    files: { path: string }[];
  }[];
  const files = packed!.files.map((f) => f.path);
  for (const f of ['bin/otpd.js', 'package.json', 'README.md', 'docs/configuration.md'])
    assert.ok(files.includes(f), f);
  assert.deepEqual(
    files.filter((f) => /^(src|test|bench|scripts)\//.test(f)),
    [],
  );

  const dir = mkdtempSync(join(tmpdir(), 'otpd-package-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = join(dir, 'node_modules', 'otpd');
  mkdirSync(pkg, { recursive: true });
  for (const f of files.filter((p) => !p.startsWith('dist/'))) cpSync(join(ROOT, f), join(pkg, f));
  run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', join(pkg, 'dist')]);
  for (const dep of readdirSync(join(ROOT, 'node_modules'))) {
    if (dep !== '.bin' && dep !== 'otpd') symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep));
  }

  const bin = join(pkg, 'bin/otpd.js');
  assert.equal(run(process.execPath, [bin, '--version'], dir).trim(), version);
  const env = { ...process.env, OTPD_DATA_DIR: join(dir, 'data') };
  assert.match(run(process.execPath, [bin, 'migrate'], dir, env), /^applied migrations: 1, /);
  // serve loads everything, the SQLite writer thread included.
  const p = await spawnOtpd({ OTPD_DATA_DIR: join(dir, 'data') }, ['serve'], { script: bin });
  try {
    assert.equal((await fetch(`${p.url}/readyz`)).status, 200);
  } finally {
    assert.equal(await p.stop(), 0);
  }
});
