// SMPP over TLS against an SMSC whose certificate comes from a CA made here, as an operator's
// private PKI would: trusted through tlsCaFile it binds and submits; without it the link stays
// down and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import { SmppGateway } from '../../src/gateways/smpp/smpp-gateway.ts';
import { TestSmsc, smppConfig } from '../helpers/smsc.ts';

/** A CA and a certificate for 127.0.0.1 signed by it, with openssl (Debian's, always present). */
function pki(dir: string): { caFile: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=otpd test CA');
  run('req', ...ec, '-keyout', 'smsc.key', '-out', 'smsc.csr', '-subj', '/CN=smsc.test');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(
    'x509',
    '-req',
    '-in',
    'smsc.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'smsc.pem',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  return {
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'smsc.key'), 'utf8'),
    cert: readFileSync(join(dir, 'smsc.pem'), 'utf8'),
  };
}

test('SMPP over TLS: a private CA trusted through tlsCaFile binds and submits; without it, the cause', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'otpd-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { caFile, key, cert } = pki(dir);
  const smsc = await TestSmsc.start(undefined, { key, cert });
  t.after(() => smsc.stop());

  const trusted = new SmppGateway(smppConfig(smsc, { tls: true, tlsCaFile: caFile }), { clock: new ManualClock() });
  t.after(() => trusted.close());
  const r = await trusted.send(
    { id: '1', channel: 'sms', to: '+34629255833', text: 'code 123456' },
    AbortSignal.timeout(5000),
  );
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(smsc.messages[0]!.text, 'code 123456');

  const untrusted = new SmppGateway(smppConfig(smsc, { tls: true }), { clock: new ManualClock() });
  t.after(() => untrusted.close());
  await smsc.waitFor('the refused handshake', () => !untrusted.health().up, 5000);
  assert.match(
    untrusted.health().error,
    /connection error: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
  );
});
