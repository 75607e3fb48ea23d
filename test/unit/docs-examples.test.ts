import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((p) =>
  p.endsWith('.md'),
);

interface Block {
  readonly where: string;
  readonly value: unknown;
}

/**
 * Every ```yaml block of the README and docs/, parsed. A block of another program's file names it
 * after the language (```yaml prometheus.yml) and is not otpd's configuration.
 */
const blocks: Block[] = PAGES.flatMap((page) =>
  [...readFileSync(join(ROOT, page), 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((m) => ({
    where: `${page}:${readFileSync(join(ROOT, page), 'utf8').slice(0, m.index).split('\n').length}`,
    value: parse(m[1]!) as unknown,
  })),
);

type Gateway = Record<string, unknown> & { id: string };
/** A block that is a list shows gateways, one complete example each. */
const gateways: Gateway[] = blocks.flatMap((b) => (Array.isArray(b.value) ? (b.value as Gateway[]) : []));

/** Problems of a configuration file with this content, or none. */
function check(config: unknown): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-docs-'));
  try {
    writeFileSync(join(dir, 'otpd.yaml'), JSON.stringify(config));
    loadConfig({}, join(dir, 'otpd.yaml'));
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the docs have gateway examples of every type and preset', () => {
  const kinds = new Set(gateways.map((g) => `${g.type}${g.preset ? `/${g.preset}` : ''}`));
  for (const k of ['smpp', 'smtp', 'http/twilio', 'http/vonage', 'http/infobip', 'http/msg91', 'http/webhook'])
    assert.ok(kinds.has(k), `no example of ${k}`);
});

test('every gateway example in the docs passes validation as written', () => {
  for (const b of blocks.filter((x) => Array.isArray(x.value)) as { where: string; value: unknown[] }[]) {
    // An SMS gateway beside them, so that a block of email gateways alone is a whole configuration.
    const sms = { id: 'docs-sms', type: 'dev-outbox' };
    const problems = check({ delivery: { publicUrl: 'https://otpd.example.com', gateways: [...b.value, sms] } });
    assert.deepEqual(problems, [], `${b.where}: the example does not validate`);
  }
});

test('every configuration example in the docs passes validation, its "…" gateways filled in from the examples', () => {
  const byId = new Map(gateways.map((g) => [g.id, g]));
  const configs = blocks.filter((b) => b.value !== null && typeof b.value === 'object' && !Array.isArray(b.value));
  assert.ok(configs.length >= 2);
  for (const b of configs) {
    const config = structuredClone(b.value) as { delivery?: { gateways?: Gateway[] } };
    if (config.delivery?.gateways) {
      config.delivery.gateways = config.delivery.gateways.map((g) => {
        if (!('…' in g)) return g;
        const full = byId.get(g.id);
        assert.ok(full, `${b.where}: "${g.id}" is sketched with … but no example has that id`);
        return full;
      });
    }
    assert.deepEqual(check(config), [], `${b.where}: the example does not validate`);
  }
});
