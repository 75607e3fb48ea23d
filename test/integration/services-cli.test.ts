import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOtpd } from '../helpers/process.ts';

test('otpd services create, list, show, update and delete per client; bad settings: one line, exit 1', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-services-cli-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { OTPD_DATA_DIR: dataDir, OTPD_SECRET: 'cli-secret-0123456789-0123456789-abcdef' };
  const otpd = async (...args: string[]) => {
    const r = await runOtpd(args, env);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const templates = join(dataDir, 'templates.json');
  writeFileSync(templates, JSON.stringify({ es: { sms: 'Tu código de {friendly_name}: {code}' } }));
  const created = JSON.parse(
    await otpd(
      ...['services', 'create', '--client', 'shop', '--name', 'Shop', '--code-length', '8'],
      ...['--channels', 'sms', '--templates', templates, '--json'],
    ),
  );
  assert.match(created.id, /^VA[0-9a-f]{32}$/);
  assert.deepEqual(created.settings, {
    codeLength: 8,
    channels: ['sms'],
    templates: { es: { sms: 'Tu código de {friendly_name}: {code}' } },
  });
  assert.match(await otpd('services', 'list', '--client', 'shop'), new RegExp(`^${created.id}\\t-\\tShop$`, 'm'));
  assert.equal(await otpd('services', 'list', '--client', 'other'), 'no services\n', 'another client sees none');

  const updated = JSON.parse(
    await otpd(
      'services',
      'update',
      created.id,
      '--client',
      'shop',
      '--name',
      'Shop 2',
      '--clear',
      'codeLength',
      '--json',
    ),
  );
  assert.equal(updated.friendlyName, 'Shop 2');
  assert.equal(updated.settings.codeLength, undefined, 'cleared back to the server default');
  assert.match(await otpd('services', 'show', created.id, '--client', 'shop'), /name: {5}Shop 2/);

  const bad = await runOtpd(['services', 'create', '--client', 'shop', '--name', 'X', '--code-length', '3'], env);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'otpd: codeLength must be an integer from 4 to 10\n');
  const missing = await runOtpd(['services', 'show', created.id, '--client', 'other'], env);
  assert.equal(missing.code, 1, "another client's service is not found");
  assert.equal(missing.stderr, 'otpd: No such service.\n');

  assert.equal(await otpd('services', 'delete', created.id, '--client', 'shop'), `deleted ${created.id}\n`);
  assert.equal(await otpd('services', 'list', '--client', 'shop'), 'no services\n');
});
