import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV } from '../../src/config/load.ts';
import { ConfigSchema } from '../../src/config/schema.ts';

/** The parts of a JSON schema this test walks; TypeBox schemas are plain JSON schema objects. */
interface Node {
  readonly properties?: Readonly<Record<string, Node>>;
  readonly items?: Node;
  readonly anyOf?: readonly Node[];
  readonly const?: unknown;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG_DOC = 'docs/configuration.md';
const DOC_PAGES = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const PAGES = ['README.md', 'BENCHMARKS.md', ...DOC_PAGES];
/** Read by the test harness, not by otpd, so they are not part of the configuration reference. */
const HARNESS_VARS = new Set(['OTPD_TEST_DATABASE_URL', 'OTPD_TEST_STORE']);
const schema = ConfigSchema as unknown as Node;

const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** A page with its fenced code blocks blanked: a `# comment` in a shell block is not a heading. */
function prose(page: string): string {
  let fenced = false;
  return read(page)
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      return fenced || line.startsWith('```') ? '' : line;
    })
    .join('\n');
}

const configDoc = prose(CONFIG_DOC);
const tableRows = configDoc.split('\n').filter((l) => l.startsWith('|'));
const cell = (row: string, i: number) => row.split(' | ')[i] ?? '';
/** The reference tables' first two columns: `| variable | file key | default | meaning |`. */
const varCells = tableRows.map((row) => cell(row, 0));
const keyCells = tableRows.map((row) => cell(row, 1).match(/^`([A-Za-z0-9.]+)`$/)?.[1]).filter((k) => k !== undefined);
const at = (path: string): Node | undefined =>
  path.split('.').reduce<Node | undefined>((n, p) => n?.properties?.[p], schema);

/** Every dotted path to a value the configuration holds: objects are walked, anything else is a leaf. */
function leafPaths(node: Node, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) =>
    child.properties ? leafPaths(child, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

test(`every OTPD_ variable named in ${CONFIG_DOC} is read by the configuration loader`, () => {
  const known = new Set(ENV.map(([name]) => name));
  const unknown = [...new Set(read(CONFIG_DOC).match(/\bOTPD_[A-Z0-9_]+/g) ?? [])].filter((n) => !known.has(n));
  assert.deepEqual(unknown, [], `documented but not in the ENV table of src/config/load.ts: ${unknown.join(', ')}`);
});

test('no page names an OTPD_ variable that does not exist', () => {
  const known = new Set([...ENV.map(([name]) => name), ...HARNESS_VARS]);
  const unknown = PAGES.flatMap((page) =>
    [...new Set(read(page).match(/\bOTPD_[A-Z0-9_]+/g) ?? [])].filter((n) => !known.has(n)).map((n) => `${page}: ${n}`),
  );
  assert.deepEqual(unknown, [], `unknown variables: ${unknown.join(', ')}`);
});

test(`every environment variable the loader reads is in a table of ${CONFIG_DOC}`, () => {
  const missing = ENV.map(([name]) => name).filter((n) => !varCells.some((c) => c.includes(`\`${n}\``)));
  assert.deepEqual(missing, [], `read by src/config/load.ts but undocumented: ${missing.join(', ')}`);
});

test('every environment variable sets a key that exists in the configuration schema', () => {
  const broken = ENV.filter(([, path]) => at(path) === undefined).map(([name, path]) => `${name} → ${path}`);
  assert.deepEqual(broken, [], `no such key in ConfigSchema: ${broken.join(', ')}`);
});

test(`every configuration key is documented in ${CONFIG_DOC}, and every documented key exists`, () => {
  assert.ok(keyCells.length > 50, 'the file-key column was found');
  const missing = leafPaths(schema).filter((p) => !keyCells.includes(p));
  assert.deepEqual(missing, [], `keys in ConfigSchema without a row: ${missing.join(', ')}`);
  const unknown = keyCells.filter((k) => at(k) === undefined);
  assert.deepEqual(unknown, [], `documented keys not in ConfigSchema: ${unknown.join(', ')}`);
});

test(`every gateway and route field is in ${CONFIG_DOC}`, () => {
  const delivery = at('delivery');
  const gateways = delivery?.properties?.gateways?.items?.anyOf ?? [];
  assert.ok(gateways.length >= 8, 'the gateway union was found');
  const section = configDoc.slice(configDoc.indexOf('### Gateway fields'));
  const common = new Set(['id', 'type', 'preset', 'ratePerSecond', 'maxInFlight', 'pricePerSegment', 'countryPrices']);
  const missing: string[] = [];
  for (const g of gateways) {
    const p = g.properties ?? {};
    const label = p.preset ? `\`http\`, preset \`${String(p.preset.const)}\`` : `\`${String(p.type?.const)}\``;
    const row = section.split('\n').find((l) => l.startsWith(`| ${label} |`)) ?? '';
    for (const field of Object.keys(p)) {
      const where = common.has(field) ? section : row;
      if (!where.includes(`\`${field}\``)) missing.push(`${label}: ${field}`);
    }
  }
  const routeRow = tableRows.find((r) => r.includes('`delivery.routes`')) ?? '';
  for (const field of Object.keys(delivery?.properties?.routes?.items?.properties ?? {})) {
    if (!routeRow.includes(`\`${field}\``)) missing.push(`delivery.routes: ${field}`);
  }
  assert.deepEqual(missing, [], `undocumented fields: ${missing.join(', ')}`);
});

test('README.md is short and keeps the two set-up commands', () => {
  const readme = read('README.md');
  const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0);
  assert.ok(lines < 200, `README.md has ${lines} lines; move detail to docs/`);
  for (const command of ['npm install && npm start', 'npm test']) {
    assert.ok(readme.includes(command), `README.md lost "${command}"`);
  }
});

/** GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen, repeats numbered. */
function anchors(page: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, text] of prose(page).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const slug = text!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

test('every relative link in README.md and docs/ points at a file (and heading) in the repository', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const [, href] of prose(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href!)) continue;
      const [path = '', anchor] = href!.split('#');
      const target = path === '' ? join(ROOT, page) : resolve(ROOT, dirname(page), path);
      const inRepo = !relative(ROOT, target).startsWith('..');
      if (!inRepo || !existsSync(target)) broken.push(`${page}: ${href} (no such file in the repository)`);
      else if (anchor && target.endsWith('.md') && !anchors(relative(ROOT, target)).has(anchor)) {
        broken.push(`${page}: ${href} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`);
});
