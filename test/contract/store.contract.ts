import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { NewVerification, SendLimits, Store } from '../../src/core/ports/store.ts';

/**
 * The conformance suite every Store adapter must pass against its real backend. `open` returns a
 * fresh, empty store; `openSecond` (when the backend allows several connections) returns another
 * handle on the same data, standing in for a second process or replica.
 */
export interface StoreHarness {
  open(): Promise<Store>;
  openSecond?(first: Store): Promise<Store>;
}

export const T0 = Date.UTC(2026, 5, 1, 12);
export const MIN = 60_000;
export const LIMITS: SendLimits = {
  windows: [
    { windowMs: 15 * MIN, max: 5 },
    { windowMs: 24 * 60 * MIN, max: 10 },
  ],
  dailyQuota: 0,
};
export const BUDGET = { windowMs: 24 * 60 * MIN, max: 20 };
const MAC = Buffer.alloc(32, 7);

export function verification(o: Partial<NewVerification> & { phone?: string } = {}): NewVerification {
  const id = o.id ?? randomUUID();
  const phone = Buffer.from((o.phone ?? 'phone-1').padEnd(16, '.'));
  return {
    id,
    clientId: 'client-a',
    phoneIndex: phone,
    codeMac: MAC,
    keyId: 'k1',
    maxAttempts: 3,
    createdAt: T0,
    expiresAt: T0 + 5 * MIN,
    message: { channel: 'sms', recipient: '+34629255833', body: Buffer.from('sealed'), segments: 1 },
    ...o,
  };
}

// What the core passes: the submitted code's MAC under each active key.
/**
 * After the tenancy migration on a store whose keys were written before it (a `bootstrap` key and
 * a `shop` key, both with the admin scope): the bootstrap key is an operator, every other a client.
 * Closes the store.
 */
export async function assertUpgradedKeyKinds(s: Pick<Store, 'listApiKeys' | 'close'>): Promise<void> {
  try {
    assert.deepEqual(
      (await s.listApiKeys()).map((k) => [k.id, k.kind, k.scopes.includes('admin')]),
      [
        ['bootstrap', 'operator', true],
        ['shop', 'client', true],
      ],
    );
  } finally {
    await s.close();
  }
}

export const right = [Buffer.alloc(32, 1), MAC];
export const wrong = [Buffer.alloc(32, 9)];

/** Declares one contract test on a fresh store from the harness, closed afterwards. */
export function storeTest(name: string, h: StoreHarness) {
  return (title: string, fn: (s: Store) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const s = await h.open();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    });
}

/** Declares one contract test with two handles on the same data (two replicas) when the backend has them. */
export function pairTest(name: string, h: StoreHarness) {
  const withStore = storeTest(name, h);
  return (title: string, fn: (a: Store, b: Store) => Promise<void>) =>
    withStore(title, async (s) => {
      const second = h.openSecond ? await h.openSecond(s) : s;
      try {
        await fn(s, second);
      } finally {
        if (second !== s) await second.close();
      }
    });
}

export function storeContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);

  withStore('a verification validates once with the right code, then is expired', async (s) => {
    const v = verification();
    assert.deepEqual(await s.createVerification(v, LIMITS), { ok: true });
    assert.equal(await s.attemptValidation('client-a', v.id, T0 + 1, BUDGET, right), 'VERIFIED');
    assert.equal(await s.attemptValidation('client-a', v.id, T0 + 2, BUDGET, right), 'EXPIRED');
  });

  withStore("unknown ids and other clients' ids are NOT_FOUND and spend none of the owner's attempts", async (s) => {
    const v = verification({ maxAttempts: 1 });
    await s.createVerification(v, LIMITS);
    for (let i = 0; i < 3; i++)
      assert.equal(await s.attemptValidation('client-b', v.id, T0, BUDGET, right), 'NOT_FOUND');
    assert.equal(await s.attemptValidation('client-a', randomUUID(), T0, BUDGET, right), 'NOT_FOUND');
    assert.equal(await s.attemptValidation('client-a', v.id, T0, BUDGET, right), 'VERIFIED');
  });

  withStore('wrong codes are INVALID until the last attempt, which FAILS it for good', async (s) => {
    const v = verification();
    await s.createVerification(v, LIMITS);
    assert.equal(await s.attemptValidation('client-a', v.id, T0, BUDGET, wrong), 'INVALID');
    assert.equal(await s.attemptValidation('client-a', v.id, T0, BUDGET, wrong), 'INVALID');
    assert.equal(await s.attemptValidation('client-a', v.id, T0, BUDGET, wrong), 'FAILED');
    assert.equal(await s.attemptValidation('client-a', v.id, T0, BUDGET, right), 'FAILED');
  });

  withStore('expiry is exclusive of expiresAt and answers EXPIRED whatever the code', async (s) => {
    const v = verification();
    await s.createVerification(v, LIMITS);
    assert.equal(await s.attemptValidation('client-a', v.id, v.expiresAt, BUDGET, right), 'EXPIRED');
    assert.equal(await s.attemptValidation('client-a', v.id, v.expiresAt - 1, BUDGET, right), 'VERIFIED');
  });

  withStore('a new verification for the number supersedes the pending one', async (s) => {
    const a = verification();
    const b = verification({ createdAt: T0 + 1 });
    await s.createVerification(a, LIMITS);
    await s.createVerification(b, LIMITS);
    assert.equal(await s.attemptValidation('client-a', a.id, T0 + 2, BUDGET, right), 'EXPIRED');
    assert.equal(await s.attemptValidation('client-a', b.id, T0 + 2, BUDGET, right), 'VERIFIED');
  });

  withStore("supersede is per client: another client's pending verification stays valid", async (s) => {
    const a = verification();
    const b = verification({ clientId: 'client-b', createdAt: T0 + 1 });
    await s.createVerification(a, LIMITS);
    await s.createVerification(b, LIMITS);
    assert.equal(await s.attemptValidation('client-a', a.id, T0 + 2, BUDGET, right), 'VERIFIED');
  });

  withStore('send windows: 5 per 15 minutes, 10 per day, with a retry hint', async (s) => {
    for (let i = 0; i < 5; i++)
      assert.equal((await s.createVerification(verification({ createdAt: T0 + i }), LIMITS)).ok, true);
    const refused = await s.createVerification(verification({ createdAt: T0 + 10 }), LIMITS);
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.reason === 'SEND_LIMIT' && refused.retryAfterMs > 14 * MIN);
    for (let i = 0; i < 5; i++)
      assert.equal((await s.createVerification(verification({ createdAt: T0 + 16 * MIN + i }), LIMITS)).ok, true);
    const daily = await s.createVerification(verification({ createdAt: T0 + 40 * MIN }), LIMITS);
    assert.ok(!daily.ok && daily.reason === 'SEND_LIMIT' && daily.retryAfterMs > 20 * 60 * MIN);
    assert.equal(
      (await s.createVerification(verification({ phone: 'phone-2', createdAt: T0 + 40 * MIN }), LIMITS)).ok,
      true,
    );
  });

  withStore('a refused send writes nothing: the pending verification is not superseded', async (s) => {
    const tight: SendLimits = { windows: [{ windowMs: 15 * MIN, max: 1 }], dailyQuota: 0 };
    const a = verification();
    await s.createVerification(a, tight);
    assert.equal((await s.createVerification(verification({ createdAt: T0 + 1 }), tight)).ok, false);
    assert.equal(await s.attemptValidation('client-a', a.id, T0 + 2, BUDGET, right), 'VERIFIED');
  });

  withStore('the daily quota counts messages per client and refuses past it', async (s) => {
    const q: SendLimits = { windows: LIMITS.windows, dailyQuota: 2 };
    assert.equal((await s.createVerification(verification({ phone: 'a' }), q)).ok, true);
    assert.equal((await s.createVerification(verification({ phone: 'b' }), q)).ok, true);
    assert.deepEqual(await s.createVerification(verification({ phone: 'c' }), q), { ok: false, reason: 'QUOTA' });
    assert.equal((await s.createVerification(verification({ phone: 'd', clientId: 'client-b' }), q)).ok, true);
    assert.equal((await s.createVerification(verification({ phone: 'e', createdAt: T0 + 24 * 60 * MIN }), q)).ok, true);
  });

  withStore('wrong guesses are budgeted per number across verifications', async (s) => {
    const budget = { windowMs: 24 * 60 * MIN, max: 4 };
    const a = verification();
    await s.createVerification(a, LIMITS);
    for (let i = 0; i < 3; i++) await s.attemptValidation('client-a', a.id, T0, budget, wrong);
    const b = verification({ createdAt: T0 + 1 });
    await s.createVerification(b, LIMITS);
    assert.equal(await s.attemptValidation('client-a', b.id, T0 + 2, budget, wrong), 'INVALID');
    assert.equal(
      await s.attemptValidation('client-a', b.id, T0 + 3, budget, right),
      'FAILED',
      'past its budget even the right code fails',
    );
    const other = verification({ phone: 'phone-2', createdAt: T0 + 4 });
    await s.createVerification(other, LIMITS);
    assert.equal(
      await s.attemptValidation('client-a', other.id, T0 + 5, budget, right),
      'VERIFIED',
      'other numbers are unaffected',
    );
  });

  withStore('verification without a message (test number) queues nothing', async (s) => {
    await s.createVerification(verification({ message: undefined }), LIMITS);
    assert.deepEqual(await s.claimMessages(T0, 30_000, 10), []);
  });

  const withPair = pairTest(name, h);
  const spread = <T>(n: number, a: Store, b: Store, f: (s: Store, i: number) => Promise<T>) =>
    Promise.all(Array.from({ length: n }, (_, i) => f(i % 2 ? b : a, i)));

  withPair('concurrency: replicas installing one bootstrap key at once (two handles) all succeed', async (a, b) => {
    // Only the first insert of a key can race: each round is a new key, as a fresh database is.
    for (let round = 0; round < 40; round++) {
      const rec = {
        id: `boot-${round}`,
        clientId: 'bootstrap',
        name: 'bootstrap',
        kind: 'operator' as const,
        scopes: ['admin'],
        createdAt: T0,
        revokedAt: null,
      };
      await spread(6, a, b, (s) => s.upsertApiKey(rec, Buffer.alloc(32, round + 1)));
      assert.deepEqual(await a.findApiKeyBySecretHash(Buffer.alloc(32, round + 1)), rec);
    }
  });

  withPair('concurrency: of 100 parallel right guesses (over two handles) exactly one is VERIFIED', async (a, b) => {
    const v = verification();
    await a.createVerification(v, LIMITS);
    const outcomes = await spread(100, a, b, (s) => s.attemptValidation('client-a', v.id, T0, BUDGET, right));
    assert.equal(outcomes.filter((o) => o === 'VERIFIED').length, 1);
    assert.deepEqual(new Set(outcomes.filter((o) => o !== 'VERIFIED')), new Set(['EXPIRED']));
  });

  withPair('concurrency: 100 parallel wrong guesses (over two handles) evaluate at most maxAttempts', async (a, b) => {
    const v = verification();
    await a.createVerification(v, LIMITS);
    const outcomes = await spread(100, a, b, (s) => s.attemptValidation('client-a', v.id, T0, BUDGET, wrong));
    // Each compared guess is INVALID except the one that spends the last attempt.
    assert.equal(outcomes.filter((o) => o === 'INVALID').length, 2);
    assert.equal(outcomes.filter((o) => o === 'FAILED').length, 98);
  });

  withPair(
    'concurrency: mixed right and wrong guesses in parallel never compare more than maxAttempts',
    async (a, b) => {
      const v = verification();
      await a.createVerification(v, LIMITS);
      const outcomes = await spread(60, a, b, (s, i) =>
        s.attemptValidation('client-a', v.id, T0, BUDGET, i % 3 ? wrong : right),
      );
      const compared = outcomes.filter((o) => o === 'VERIFIED' || o === 'INVALID').length;
      assert.ok(compared <= 3, `compared ${compared}`);
      assert.ok(outcomes.filter((o) => o === 'VERIFIED').length <= 1);
    },
  );

  withPair('concurrency: 50 parallel sends to one number (over two handles) accept exactly the limit', async (a, b) => {
    const results = await spread(50, a, b, (s, i) => s.createVerification(verification({ createdAt: T0 + i }), LIMITS));
    assert.equal(results.filter((r) => r.ok).length, 5);
  });

  withPair('concurrency: the daily quota is exact under parallel sends to many numbers', async (a, b) => {
    const q: SendLimits = { windows: LIMITS.windows, dailyQuota: 7 };
    const results = await spread(30, a, b, (s, i) => s.createVerification(verification({ phone: `quota-${i}` }), q));
    assert.equal(results.filter((r) => r.ok).length, 7);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'QUOTA').length, 23);
    assert.equal((await a.claimMessages(T0, 30_000, 100)).length, 7, 'a refused send queues no message');
  });

  withStore('an id that is not a UUID is NOT_FOUND, not an error', async (s) => {
    assert.equal(
      await s.attemptValidation('client-a', "x'; DROP TABLE verifications; --", T0, BUDGET, right),
      'NOT_FOUND',
    );
    assert.equal(await s.attemptValidation('client-a', '', T0, BUDGET, right), 'NOT_FOUND');
  });

  withStore('outbox: claim leases a message; it is not handed out again until the lease lapses', async (s) => {
    const v = verification();
    await s.createVerification(v, LIMITS);
    const first = await s.claimMessages(T0, 30_000, 10);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.verificationId, v.id);
    assert.equal(typeof first[0]!.id, 'string');
    assert.equal(first[0]!.attempt, 1);
    assert.deepEqual(first[0]!.body, Buffer.from('sealed'));
    assert.deepEqual(await s.claimMessages(T0 + 29_999, 30_000, 10), []);
    const again = await s.claimMessages(T0 + 30_000, 30_000, 10);
    assert.equal(again.length, 1);
    assert.equal(again[0]!.attempt, 2);
  });

  withStore('outbox: message ids are unique and increase in the order messages were queued', async (s) => {
    for (let i = 0; i < 5; i++) await s.createVerification(verification({ phone: `q${i}`, createdAt: T0 + i }), LIMITS);
    const claimed = await s.claimMessages(T0 + 10, 30_000, 10);
    const ids = claimed.map((m) => m.id);
    assert.equal(new Set(ids).size, 5);
    const views = await s.listMessages({ limit: 10 });
    assert.deepEqual(
      views.map((v) => v.id),
      [...ids].sort((a, b) => Number(b) - Number(a)),
      'listing is newest first',
    );
  });

  withStore('outbox: a sent message is final, its body dropped, and its attempts recorded', async (s) => {
    const v = verification();
    await s.createVerification(v, LIMITS);
    const [m] = await s.claimMessages(T0, 30_000, 10);
    await s.completeAttempt({
      messageId: m!.id,
      attempt: 1,
      gateway: 'g',
      startedAt: T0,
      finishedAt: T0 + 5,
      outcome: 'sent',
      providerMessageId: 'p1',
    });
    assert.deepEqual(await s.claimMessages(T0 + 3_600_000, 30_000, 10), []);
    const [view] = await s.listMessages({ recipient: '+34629255833', limit: 5 });
    assert.equal(view!.status, 'sent');
    assert.equal(view!.attempts, 1);
  });

  withStore(
    'outbox: transient failures requeue at retryAt; without retryAt they abandon; permanent fails',
    async (s) => {
      const v = verification();
      await s.createVerification(v, LIMITS);
      const [m] = await s.claimMessages(T0, 30_000, 10);
      await s.completeAttempt({
        messageId: m!.id,
        attempt: 1,
        gateway: 'g',
        startedAt: T0,
        finishedAt: T0,
        outcome: 'transient',
        error: 'busy',
        retryAt: T0 + 1000,
      });
      assert.deepEqual(await s.claimMessages(T0 + 999, 30_000, 10), []);
      const [m2] = await s.claimMessages(T0 + 1000, 30_000, 10);
      assert.equal(m2!.attempt, 2);
      await s.completeAttempt({
        messageId: m2!.id,
        attempt: 2,
        gateway: 'g',
        startedAt: T0,
        finishedAt: T0,
        outcome: 'transient',
        error: 'busy',
      });
      assert.equal((await s.listMessages({ limit: 5 }))[0]!.status, 'abandoned');

      const w = verification({ phone: 'p2' });
      await s.createVerification(w, LIMITS);
      const [m3] = await s.claimMessages(T0, 30_000, 10);
      await s.completeAttempt({
        messageId: m3!.id,
        attempt: 1,
        gateway: 'g',
        startedAt: T0,
        finishedAt: T0,
        outcome: 'permanent',
        error: 'bad number',
      });
      const views = await s.listMessages({ limit: 5 });
      assert.equal(views.find((x) => x.id === m3!.id)!.status, 'failed');
      assert.equal(views.find((x) => x.id === m3!.id)!.lastError, 'bad number');
    },
  );

  withStore('outbox: a late completion from a lapsed lease does not overwrite the newer attempt', async (s) => {
    const v = verification();
    await s.createVerification(v, LIMITS);
    const [old] = await s.claimMessages(T0, 1000, 10);
    const [fresh] = await s.claimMessages(T0 + 1000, 1000, 10);
    await s.completeAttempt({
      messageId: old!.id,
      attempt: old!.attempt,
      gateway: 'g',
      startedAt: T0,
      finishedAt: T0,
      outcome: 'permanent',
      error: 'late',
    });
    assert.equal((await s.listMessages({ limit: 1 }))[0]!.status, 'sending');
    await s.completeAttempt({
      messageId: fresh!.id,
      attempt: fresh!.attempt,
      gateway: 'g',
      startedAt: T0,
      finishedAt: T0,
      outcome: 'sent',
      providerMessageId: 'x',
    });
    assert.equal((await s.listMessages({ limit: 1 }))[0]!.status, 'sent');
  });

  withStore('outbox: parallel claimers never get the same message', async (s) => {
    for (let i = 0; i < 40; i++) await s.createVerification(verification({ phone: `n${i}` }), LIMITS);
    const second = h.openSecond ? await h.openSecond(s) : s;
    try {
      const batches = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? second : s).claimMessages(T0, 30_000, 3)),
      );
      const ids = batches.flat().map((m) => m.id);
      assert.equal(ids.length, 40);
      assert.equal(new Set(ids).size, 40);
    } finally {
      if (second !== s) await second.close();
    }
  });

  withStore('keys: create, find by hash and id, list, revoke once', async (s) => {
    const rec = {
      id: 'k1',
      clientId: 'c1',
      name: 'one',
      kind: 'client' as const,
      scopes: ['admin'],
      createdAt: T0,
      revokedAt: null,
    };
    await s.createApiKey(rec, Buffer.alloc(32, 1));
    await assert.rejects(s.createApiKey({ ...rec, id: 'k2' }, Buffer.alloc(32, 1)));
    assert.deepEqual(await s.findApiKeyBySecretHash(Buffer.alloc(32, 1)), rec);
    assert.deepEqual(await s.findApiKeyById('k1'), rec);
    assert.equal(await s.findApiKeyBySecretHash(Buffer.alloc(32, 2)), null);
    assert.equal(await s.revokeApiKey('k1', T0 + 1), true);
    assert.equal((await s.findApiKeyById('k1'))!.revokedAt, T0 + 1);
    assert.equal(await s.revokeApiKey('k1', T0 + 2), true);
    assert.equal((await s.findApiKeyById('k1'))!.revokedAt, T0 + 1, 'a second revoke keeps the first time');
    assert.equal(await s.revokeApiKey('missing', T0), false);
    await s.upsertApiKey({ ...rec, id: 'boot', scopes: ['admin', 'x'] }, Buffer.alloc(32, 3));
    await s.upsertApiKey({ ...rec, id: 'boot', scopes: ['admin'] }, Buffer.alloc(32, 4));
    assert.equal(await s.findApiKeyBySecretHash(Buffer.alloc(32, 3)), null);
    assert.deepEqual((await s.findApiKeyBySecretHash(Buffer.alloc(32, 4)))!.scopes, ['admin']);
    assert.equal((await s.listApiKeys()).length, 2);
  });

  withStore('keys: the kind is stored, read back by hash, id and list, and replaced by an upsert', async (s) => {
    const rec = {
      id: 'op',
      clientId: 'ops',
      name: 'operator',
      kind: 'operator' as const,
      scopes: ['admin'],
      createdAt: T0,
      revokedAt: null,
    };
    await s.createApiKey(rec, Buffer.alloc(32, 1));
    await s.createApiKey({ ...rec, id: 'cl', kind: 'client' }, Buffer.alloc(32, 2));
    assert.equal((await s.findApiKeyBySecretHash(Buffer.alloc(32, 1)))!.kind, 'operator');
    assert.equal((await s.findApiKeyById('cl'))!.kind, 'client');
    assert.deepEqual((await s.listApiKeys()).map((k) => [k.id, k.kind]).sort(), [
      ['cl', 'client'],
      ['op', 'operator'],
    ]);
    await s.upsertApiKey({ ...rec, kind: 'client' }, Buffer.alloc(32, 3));
    assert.equal((await s.findApiKeyById('op'))!.kind, 'client', 'an upsert replaces the kind too');
    await s.upsertApiKey(rec, Buffer.alloc(32, 3));
    assert.equal((await s.findApiKeyById('op'))!.kind, 'operator');
  });

  withStore('dev inbox: newest first, filtered by recipient, idempotent per message', async (s) => {
    await s.appendDevMessages([{ messageId: '1', to: '+1', text: 'a', at: T0 }]);
    // One batch, a redelivery of one message inside it.
    await s.appendDevMessages([
      { messageId: '2', to: '+1', text: 'b', at: T0 + 1 },
      { messageId: '2', to: '+1', text: 'b', at: T0 + 2 },
      { messageId: '3', to: '+2', text: 'c', at: T0 + 3 },
    ]);
    assert.deepEqual(
      (await s.listDevMessages('+1', 10)).map((m) => m.text),
      ['b', 'a'],
    );
    assert.equal((await s.listDevMessages(undefined, 10)).length, 3);
    await s.ping();
  });
}
