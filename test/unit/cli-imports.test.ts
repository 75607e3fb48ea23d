// The CLI's static import graph, read from the sources: the CLI never imports api/ (use cases are
// shared through core/), and its entry point loads nothing of the server until a command needs it.
// Dynamic `import()` is what commands use to load the store or the server, so it is not followed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'src/cli');

// `import … from '…'`, `export … from '…'` and `import '…'`; group 1 marks `import type` / `export type`,
// which Node erases, so they load nothing. `import { type A } from` is kept at run time and counts.
const STATIC = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

interface Edge {
  readonly typeOnly: boolean;
  readonly file?: string;
  readonly pkg?: string;
}

/** `fastify` for `fastify`, `@fastify/swagger` for `@fastify/swagger/x`. */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

function importsOf(file: string): Edge[] {
  const edges: Edge[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(STATIC)) {
    const spec = m[2]!;
    const typeOnly = m[1] !== undefined;
    if (spec.startsWith('.')) edges.push({ typeOnly, file: resolve(dirname(file), spec) });
    else if (!spec.startsWith('node:')) edges.push({ typeOnly, pkg: packageOf(spec) });
  }
  return edges;
}

/** Every source file and package loaded, at run time, by importing `entry`. */
function staticClosure(entry: string): { files: Set<string>; pkgs: Set<string> } {
  const files = new Set<string>();
  const pkgs = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const e of importsOf(file)) {
      if (e.typeOnly) continue;
      if (e.file) visit(e.file);
      if (e.pkg) pkgs.add(e.pkg);
    }
  };
  visit(entry);
  return { files, pkgs };
}

const rel = (f: string) => relative(ROOT, f);

test('no file under src/cli imports from src/api (not even a type)', () => {
  const cliFiles = readdirSync(CLI, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(cliFiles.length >= 7, `read ${cliFiles.length} files`);
  for (const f of cliFiles) {
    const fromApi = importsOf(join(CLI, f))
      .flatMap((e) => (e.file ? [rel(e.file)] : []))
      .filter((p) => p.startsWith('src/api/'));
    assert.deepEqual(fromApi, [], `src/cli/${f}`);
  }
});

test('the CLI entry point loads neither the server nor a driver, a gateway or a framework', () => {
  const { files, pkgs } = staticClosure(join(CLI, 'main.ts'));
  const loaded = [...files].map(rel);
  assert.ok(loaded.includes('src/version.ts') && loaded.includes('src/core/abuse-admin.ts'), 'imports are followed');
  const server = loaded.filter(
    (f) =>
      /^src\/(api|store|gateways|delivery|jobs|phone)\//.test(f) ||
      (f.startsWith('src/boot/') && !['src/boot/secrets.ts', 'src/boot/fatal.ts'].includes(f)) ||
      ['src/main.ts', 'src/cli/serve.ts', 'src/metrics.ts'].includes(f),
  );
  assert.deepEqual(server, []);
  const heavy = [
    'fastify',
    'pino',
    'pg',
    'better-sqlite3',
    'smpp',
    'nodemailer',
    'prom-client',
    'jose',
    'libphonenumber-js',
    'pino-pretty',
  ];
  assert.deepEqual(
    [...pkgs].filter((p) => heavy.includes(p) || p.startsWith('@fastify/')),
    [],
  );
});
