// The outage rules for email too: an SMTP server that answers 451 for four minutes. The circuit
// opens, waiting mail spends no attempts, and once the server accepts again every code still
// valid is delivered, each once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { GatewayPool } from '../../src/delivery/gateway-pool.ts';
import { LibPhoneNumberInspector } from '../../src/phone/libphonenumber.ts';
import { LIMITS, verification } from '../contract/store.contract.ts';
import { coreFixture } from '../helpers/core.ts';
import { testDispatcher } from '../helpers/dispatch.ts';
import { plainSmtpGateway, startSmtpPeer } from '../helpers/smtp-peer.ts';

const MIN = 60_000;

test('an SMTP server answering 451 for 4 minutes: nothing abandoned, all delivered once after', async (t) => {
  const f = coreFixture();
  const peer = await startSmtpPeer();
  const gateway = plainSmtpGateway(peer);
  const pool = new GatewayPool({
    gateways: [gateway],
    clock: f.clock,
    phones: new LibPhoneNumberInspector(),
    routes: { rules: [], defaultSms: [], email: ['mail'] },
    breaker: { failureThreshold: 5, cooldownMs: 30_000 },
  });
  const { d, run } = testDispatcher(f, pool);
  t.after(async () => {
    await d.stop();
    await peer.stop();
    await f.store.close();
  });
  peer.mode('transient');
  // Ten codes by email, one every 24 s of the outage, each living 5 minutes from its creation.
  for (let i = 0; i < 10; i++) {
    const id = randomUUID();
    const to = `user${i}@example.com`;
    const now = f.clock.now();
    await f.store.createVerification(
      verification({
        id,
        phone: to,
        createdAt: now,
        expiresAt: now + 5 * MIN,
        message: { channel: 'email', recipient: to, body: f.keys.encrypt(id, `code ${i}`), segments: 1 },
      }),
      LIMITS,
    );
    await run(24_000);
  }
  const during = await f.store.listMessages({ limit: 100 });
  assert.deepEqual([...new Set(during.map((m) => m.status))], ['queued'], 'nothing abandoned during the outage');
  peer.mode('ok');
  await run(35_000);
  const after = await f.store.listMessages({ limit: 100 });
  assert.deepEqual([...new Set(after.map((m) => m.status))], ['sent']);
  const mails = await peer.received();
  assert.deepEqual(mails.map((m) => m.to).sort(), Array.from({ length: 10 }, (_, i) => `user${i}@example.com`).sort());
});
