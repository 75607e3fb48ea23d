// An SMSC that goes away and comes back, with the dispatcher's clock in the test's hands: what was
// accepted before and during the outage is neither abandoned nor charged an attempt while the
// link is down, goes out once the link re-binds, and carries its remaining lifetime on the wire;
// what expired meanwhile is `expired`, never sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayPool } from '../../src/delivery/gateway-pool.ts';
import { SmppGateway } from '../../src/gateways/smpp/smpp-gateway.ts';
import { LibPhoneNumberInspector } from '../../src/phone/libphonenumber.ts';
import { coreFixture, smsText } from '../helpers/core.ts';
import { testDispatcher } from '../helpers/dispatch.ts';
import { TestSmsc, smppConfig } from '../helpers/smsc.ts';

const MIN = 60_000;
const phone = (i: number) => `+346292${String(50_000 + i).padStart(5, '0')}`;

async function rig(t: { after(fn: () => unknown): void }) {
  const f = coreFixture();
  const smsc = await TestSmsc.start();
  const gateway = new SmppGateway(smppConfig(smsc), { clock: f.clock });
  const pool = GatewayPool.single(gateway, f.clock, new LibPhoneNumberInspector());
  const links: boolean[] = [];
  pool.onHealthChange((_, h) => links.push(h.up));
  let expired = 0;
  const { d, drain } = testDispatcher(f, pool, undefined, {
    expired: (n) => {
      expired += n;
    },
  });
  t.after(async () => {
    await d.stop();
    await smsc.stop();
    await f.store.close();
  });
  const send = (i: number) => f.verifier.sendCode('c', { to: phone(i), template: smsText('code {{code}}') });
  const byStatus = async () => {
    const out: Record<string, number> = {};
    for (const m of await f.store.listMessages({ limit: 100 })) out[m.status] = (out[m.status] ?? 0) + 1;
    return out;
  };
  return { f, smsc, gateway, links, drain, send, byStatus, expired: () => expired };
}

for (const outageMs of [10_000, 60_000, 4 * MIN]) {
  test(`an SMSC outage of ${outageMs / 1000} s: nothing abandoned or charged an attempt, all sent`, async (t) => {
    const { f, smsc, gateway, links, drain, send, byStatus } = await rig(t);
    await smsc.waitFor('the first bind', () => gateway.health().up && smsc.binds.length > 0);
    await smsc.stop();
    await smsc.waitFor('the link to notice', () => !gateway.health().up);
    // 30 codes accepted while the SMSC is away, spread over the outage; the dispatcher runs all along.
    for (let i = 0; i < 30; i++) {
      await send(i);
      f.clock.advance(outageMs / 30);
      await drain();
    }
    assert.deepEqual(await byStatus(), { queued: 30 });
    const listed = await f.store.listMessages({ limit: 100 });
    assert.ok(
      listed.every((m) => m.attempts === 0),
      'waiting for a link that is down is not an attempt',
    );
    await smsc.listen();
    await smsc.waitFor('the re-bind', () => gateway.health().up, 5000);
    await drain();
    await smsc.waitFor('every message at the SMSC', () => smsc.messages.length === 30, 5000);
    assert.deepEqual(await byStatus(), { sent: 30 });
    assert.equal(new Set(smsc.messages.map((m) => m.to)).size, 30, 'each number once');
    assert.ok(
      (await f.store.listMessages({ limit: 100 })).every((m) => m.attempts === 1),
      'one attempt each',
    );
    assert.deepEqual(links.slice(-2), [false, true], 'the link was reported down, then up');
  });
}

test('codes that expire while the SMSC is away are `expired`, never sent; the rest carry the time left', async (t) => {
  const { f, smsc, gateway, drain, send, byStatus, expired } = await rig(t);
  await smsc.waitFor('the first bind', () => gateway.health().up && smsc.binds.length > 0);
  await smsc.stop();
  await smsc.waitFor('the link to notice', () => !gateway.health().up);
  for (let i = 0; i < 3; i++) await send(i); // live 5 minutes, by the default TTL
  f.clock.advance(4 * MIN);
  for (let i = 3; i < 6; i++) await send(i);
  await drain();
  f.clock.advance(2 * MIN); // the first three have expired; the last three have 3 minutes left
  await smsc.listen();
  await smsc.waitFor('the re-bind', () => gateway.health().up, 5000);
  await drain();
  await smsc.waitFor('the live messages at the SMSC', () => smsc.messages.length === 3, 5000);
  assert.deepEqual(await byStatus(), { expired: 3, sent: 3 });
  assert.equal(expired(), 3, 'counted for otpd_messages_expired_unsent_total');
  assert.deepEqual(
    smsc.messages.map((m) => m.to).sort(),
    [3, 4, 5].map((i) => phone(i).slice(1)),
  );
  for (const s of smsc.submits) {
    assert.ok(s.validityPeriod instanceof Date, `a relative validity_period on the wire, got ${s.validityPeriod}`);
    const left = (s.validityPeriod.getTime() - Date.now()) / 1000;
    assert.ok(Math.abs(left - 180) < 5, `about 180 s left, got ${left}`);
  }
});

test('a wrong password: nothing spent while the bind is refused; fixed and restarted, all goes out', async (t) => {
  const f = coreFixture();
  const smsc = await TestSmsc.start();
  t.after(async () => {
    await smsc.stop();
    await f.store.close();
  });
  const dispatcher = (password: string) => {
    const gateway = new SmppGateway(smppConfig(smsc, { password }), { clock: f.clock });
    const pool = GatewayPool.single(gateway, f.clock, new LibPhoneNumberInspector());
    return { gateway, pool, d: testDispatcher(f, pool).d };
  };
  const wrong = dispatcher('wrong');
  t.after(() => wrong.d.stop()); // also if an assertion fails before the restart below
  await smsc.waitFor('the refused bind', () => !wrong.gateway.health().up);
  assert.match(wrong.gateway.health().error, /bind refused: ESME_RINVPASWD/);
  assert.equal(wrong.pool.status().degraded, true);
  for (let i = 0; i < 5; i++) {
    await f.verifier.sendCode('c', { to: phone(100 + i), template: smsText('code {{code}}') });
    f.clock.advance(20_000);
    await wrong.d.tick();
    await wrong.d.idle();
  }
  assert.ok((await f.store.listMessages({ limit: 10 })).every((m) => m.status === 'queued' && m.attempts === 0));
  for (const m of await f.store.listMessages({ limit: 10 }))
    assert.match(m.lastError ?? '', /smsc: link down \(bind refused: ESME_RINVPASWD\b/, 'each says why it waits');
  await wrong.d.stop(); // the operator fixes the password and restarts otpd
  const right = dispatcher('secret');
  t.after(() => right.d.stop());
  await smsc.waitFor('the bind', () => right.gateway.health().up && smsc.binds.some((b) => b.accepted));
  await right.d.tick();
  await right.d.idle();
  await smsc.waitFor('all five at the SMSC', () => smsc.messages.length === 5, 5000);
  assert.ok((await f.store.listMessages({ limit: 10 })).every((m) => m.status === 'sent' && m.attempts === 1));
});
