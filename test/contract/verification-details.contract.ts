import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { NewVerification } from '../../src/core/ports/store.ts';
import {
  BUDGET,
  LIMITS,
  MIN,
  T0,
  pairTest,
  right,
  storeTest,
  verification,
  wrong,
  type StoreHarness,
} from './store.contract.ts';

const SERVICE = `VA${'a'.repeat(32)}`;
const OTHER_SERVICE = `VA${'b'.repeat(32)}`;

const detailed = (o: Partial<NewVerification> & { phone?: string } = {}) =>
  verification({
    serviceId: SERVICE,
    channel: 'sms',
    maskedTo: '+3462*****33',
    locale: 'es',
    codeSealed: Buffer.from('sealed-code'),
    ...o,
  });

const resendOf = (v: NewVerification, at: number) =>
  detailed({ id: randomUUID(), createdAt: at, expiresAt: v.expiresAt, resendOf: v.id, codeSealed: undefined });

/** What the native and Twilio-compatible APIs keep and read of a verification, and resends. */
export function verificationDetailsContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);
  const withPair = pairTest(name, h);

  withStore('details: a verification reads back with its service, channel, masked recipient and locale', async (s) => {
    const v = detailed();
    await s.createVerification(v, LIMITS);
    const r = await s.getVerification('client-a', v.id);
    assert.deepEqual(r, {
      id: v.id,
      clientId: 'client-a',
      serviceId: SERVICE,
      channel: 'sms',
      maskedTo: '+3462*****33',
      locale: 'es',
      status: 'pending',
      attempts: 0,
      maxAttempts: 3,
      createdAt: T0,
      expiresAt: T0 + 5 * MIN,
      finishedAt: null,
      codeSealed: Buffer.from('sealed-code'),
    });
    assert.equal(await s.getVerification('client-b', v.id), null, "another client's is not found");
  });

  withStore('start: a send that resends finds the pending verification in its own operation', async (s) => {
    const v = detailed();
    await s.createVerification(v, LIMITS);
    const again = detailed({ createdAt: T0 + MIN, resendPending: true });
    const pending = { id: v.id, codeSealed: Buffer.from('sealed-code'), expiresAt: v.expiresAt, locale: 'es' };
    assert.deepEqual(await s.createVerification(again, LIMITS), { ok: false, reason: 'PENDING', pending });
    assert.equal(await s.getVerification('client-a', again.id), null, 'nothing written');
    assert.equal((await s.getVerification('client-a', v.id))?.status, 'pending', 'nothing superseded');
    assert.equal((await s.listVerificationMessages('client-a', v.id)).length, 1);
    // Anything else is a new verification, which supersedes the pending one as every send does.
    const created = async (first: Partial<NewVerification> & { phone: string }, start: Partial<NewVerification>) => {
      await s.createVerification(detailed(first), LIMITS);
      const r = await s.createVerification(detailed({ ...first, ...start, resendPending: true }), LIMITS);
      assert.deepEqual(r, { ok: true }, JSON.stringify(start));
    };
    await created({ phone: 'p2' }, { channel: 'email' });
    await created({ phone: 'p3' }, { serviceId: OTHER_SERVICE });
    await created({ phone: 'p4' }, { clientId: 'client-b' });
    await created({ phone: 'p5' }, { createdAt: T0 + 5 * MIN, expiresAt: T0 + 10 * MIN });
    await created({ phone: 'p6', codeSealed: undefined }, { createdAt: T0 + MIN });
    const closed = detailed({ phone: 'p7' });
    await s.createVerification(closed, LIMITS);
    await s.closeVerification('client-a', closed.id, 'cancelled', T0 + 1);
    assert.deepEqual(await s.createVerification(detailed({ phone: 'p7', resendPending: true }), LIMITS), { ok: true });
  });

  withPair('start: parallel starts (two handles) make one verification; the others find it', async (a, b) => {
    const starts = Array.from({ length: 10 }, (_, i) => detailed({ createdAt: T0 + i, resendPending: true }));
    const results = await Promise.all(starts.map((v, i) => (i % 2 ? b : a).createVerification(v, LIMITS)));
    const made = starts.filter((_, i) => results[i]!.ok);
    assert.equal(made.length, 1, 'one verification');
    for (const r of results) if (!r.ok) assert.equal(r.reason === 'PENDING' && r.pending.id, made[0]!.id);
  });

  withStore('details: the latest verification of a number in a service, whatever its status', async (s) => {
    const first = detailed();
    await s.createVerification(first, LIMITS);
    assert.equal((await s.findLatestVerification('client-a', SERVICE, first.phoneIndex))?.id, first.id);
    await s.createVerification(resendOf(first, T0 + 1000), LIMITS);
    assert.equal(
      (await s.findLatestVerification('client-a', SERVICE, first.phoneIndex))?.id,
      first.id,
      "a resend's row is not a verification",
    );
    assert.equal(await s.attemptValidation('client-a', first.id, T0 + 2000, BUDGET, right), 'VERIFIED');
    const latest = await s.findLatestVerification('client-a', SERVICE, first.phoneIndex);
    assert.deepEqual([latest?.id, latest?.status], [first.id, 'verified']);
    assert.equal(await s.findLatestVerification('client-a', OTHER_SERVICE, first.phoneIndex), null);
    assert.equal(await s.findLatestVerification('client-b', SERVICE, first.phoneIndex), null);
    const second = detailed({ createdAt: T0 + 3000 });
    await s.createVerification(second, LIMITS);
    assert.equal((await s.findLatestVerification('client-a', SERVICE, first.phoneIndex))?.id, second.id);
  });

  withStore("by number: a number's verifications of every tenant or one, newest first, resends aside", async (s) => {
    for (const c of ['client-a', 'client-b']) await s.defaultService(c, T0, `VA${c.slice(-1).repeat(32)}`);
    // A tenant with several services is still one tenant: its verifications are found once.
    await s.createService({
      ...{ id: `VA${'e'.repeat(32)}`, clientId: 'client-a', friendlyName: 'Second', isDefault: false },
      ...{ settings: {}, createdAt: T0, updatedAt: T0 },
    });
    const older = detailed({ phone: 'p1', createdAt: T0 });
    const newer = detailed({ phone: 'p1', createdAt: T0 + MIN, expiresAt: T0 + 6 * MIN });
    const theirs = detailed({ phone: 'p1', clientId: 'client-b', createdAt: T0 + 2 * MIN });
    const other = detailed({ phone: 'p2', createdAt: T0 + 3 * MIN });
    for (const x of [older, newer, theirs, other]) await s.createVerification(x, LIMITS);
    await s.createVerification(resendOf(newer, T0 + 4 * MIN), LIMITS);
    const ids = async (limit: number, clientId?: string) =>
      (await s.findVerificationsByNumber(older.phoneIndex, limit, clientId)).map((r) => r.id);
    assert.deepEqual(await ids(10), [theirs.id, newer.id, older.id], 'every tenant, newest first');
    assert.deepEqual(await ids(10, 'client-a'), [newer.id, older.id], 'one tenant');
    assert.deepEqual(await ids(1, 'client-a'), [newer.id], 'at most the limit');
    assert.deepEqual(await ids(10, 'client-c'), []);
    const [first] = await s.findVerificationsByNumber(older.phoneIndex, 1, 'client-b');
    assert.deepEqual([first?.clientId, first?.status, first?.maskedTo], ['client-b', 'pending', '+3462*****33']);
  });

  withStore('attempt and read: the outcome with the verification as the attempt left it', async (s) => {
    const v = detailed();
    await s.createVerification(v, LIMITS);
    const wrongOnce = await s.attemptAndRead('client-a', v.id, T0 + 1000, BUDGET, wrong);
    assert.ok('outcome' in wrongOnce);
    assert.equal(wrongOnce.outcome, 'INVALID');
    assert.deepEqual([wrongOnce.record?.status, wrongOnce.record?.attempts], ['pending', 1]);
    const ok = await s.attemptAndRead('client-a', v.id, T0 + 2000, BUDGET, right);
    assert.ok('outcome' in ok);
    assert.deepEqual([ok.outcome, ok.record?.status, ok.record?.attempts], ['VERIFIED', 'verified', 2]);
    assert.equal(ok.record?.finishedAt, T0 + 2000);
    assert.equal(ok.record?.codeSealed, null, 'the sealed code is gone with the approval');
    const again = await s.attemptAndRead('client-a', v.id, T0 + 3000, BUDGET, right);
    assert.ok('outcome' in again);
    assert.deepEqual([again.outcome, again.record?.status, again.record?.attempts], ['EXPIRED', 'verified', 2]);
    const other = await s.attemptAndRead('client-b', v.id, T0 + 3000, BUDGET, right);
    assert.deepEqual(other, { outcome: 'NOT_FOUND', record: null }, "another client's is not found");
  });

  withStore('details: the sealed code is dropped as the verification leaves pending', async (s) => {
    const approved = detailed({ phone: 'p1' });
    const canceled = detailed({ phone: 'p2' });
    await s.createVerification(approved, LIMITS);
    await s.createVerification(canceled, LIMITS);
    assert.equal(await s.attemptValidation('client-a', approved.id, T0 + 1000, BUDGET, right), 'VERIFIED');
    assert.equal(await s.closeVerification('client-a', canceled.id, 'cancelled', T0 + 1000), true);
    for (const [v, status] of [
      [approved, 'verified'],
      [canceled, 'cancelled'],
    ] as const) {
      const r = await s.getVerification('client-a', v.id);
      assert.equal(r?.status, status);
      assert.equal(r?.codeSealed, null);
      assert.equal(r?.finishedAt, T0 + 1000);
    }
    const superseded = detailed({ phone: 'p3' });
    await s.createVerification(superseded, LIMITS);
    await s.createVerification(detailed({ phone: 'p3', createdAt: T0 + 1000 }), LIMITS);
    assert.equal((await s.getVerification('client-a', superseded.id))?.codeSealed, null);
  });

  withStore('close: only a pending, unexpired verification of the client closes, once', async (s) => {
    const v = detailed();
    await s.createVerification(v, LIMITS);
    assert.equal(await s.closeVerification('client-b', v.id, 'cancelled', T0 + 1), false);
    assert.equal(await s.closeVerification('client-a', v.id, 'verified', T0 + 1), true);
    assert.equal(await s.closeVerification('client-a', v.id, 'cancelled', T0 + 2), false);
    assert.equal((await s.getVerification('client-a', v.id))?.status, 'verified');
    const late = detailed({ phone: 'p2' });
    await s.createVerification(late, LIMITS);
    assert.equal(await s.closeVerification('client-a', late.id, 'cancelled', late.expiresAt), false, 'expired');
    assert.equal(
      await s.attemptValidation('client-a', v.id, T0 + 3, BUDGET, right),
      'EXPIRED',
      'approved without a code: no code is accepted after',
    );
  });

  withStore(
    'resend: a message for the pending verification, counted in the windows, superseding nothing',
    async (s) => {
      const v = detailed();
      assert.deepEqual(await s.createVerification(v, LIMITS), { ok: true });
      const again = resendOf(v, T0 + MIN);
      assert.deepEqual(await s.createVerification(again, LIMITS), { ok: true });
      assert.equal((await s.getVerification('client-a', v.id))?.status, 'pending', 'still pending');
      assert.equal(await s.getVerification('client-a', again.id), null, "a resend's row is not a verification");
      const messages = await s.listVerificationMessages('client-a', v.id);
      assert.equal(messages.length, 2);
      assert.deepEqual(await s.listVerificationMessages('client-b', v.id), []);
      const tight = { ...LIMITS, windows: [{ windowMs: 15 * MIN, max: 2 }] };
      const refused = await s.createVerification(resendOf(v, T0 + 2 * MIN), tight);
      assert.equal(refused.ok ? 'ok' : refused.reason, 'SEND_LIMIT', 'the resend counted as a send');
      assert.equal(await s.attemptValidation('client-a', v.id, T0 + 3 * MIN, BUDGET, right), 'VERIFIED');
      const closed = await s.createVerification(resendOf(v, T0 + 4 * MIN), LIMITS);
      assert.deepEqual(closed, { ok: false, reason: 'CLOSED' });
      assert.equal((await s.listVerificationMessages('client-a', v.id)).length, 2, 'nothing written');
      const expired = detailed({ phone: 'p9' });
      await s.createVerification(expired, LIMITS);
      assert.deepEqual(await s.createVerification(resendOf(expired, expired.expiresAt), LIMITS), {
        ok: false,
        reason: 'CLOSED',
      });
    },
  );

  withPair('resend: parallel resends (two handles) never send more than the window allows', async (a, b) => {
    const v = detailed();
    await a.createVerification(v, LIMITS);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? b : a).createVerification(resendOf(v, T0 + 1000 + i), LIMITS)),
    );
    assert.equal(results.filter((r) => r.ok).length, 4, 'the window holds 5 sends: the first and 4 resends');
    assert.equal((await a.listVerificationMessages('client-a', v.id)).length, 5);
  });
}
