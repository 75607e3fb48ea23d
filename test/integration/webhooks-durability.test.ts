import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { call, REPLICA_KEY, startCluster } from '../helpers/replicas.ts';
import { spawnOtpd } from '../helpers/process.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';

// Real otpd processes deliver to a real receiver on loopback (allowed here). Leases are short (3 s:
// three times the POST deadline) so that a killed process's claimed events are claimed again soon.
const WEBHOOK_ENV = {
  OTPD_WEBHOOKS_ALLOW_PRIVATE: 'true',
  OTPD_WEBHOOK_INTERVAL_MS: '50',
  OTPD_WEBHOOK_TIMEOUT_MS: '1000',
  OTPD_WEBHOOK_RETRY_BASE_SECONDS: '1',
  OTPD_RATE_LIMIT_RPS: '0',
  OTPD_VELOCITY_PREFIX: '0',
  OTPD_VELOCITY_COUNTRY: '0',
  OTPD_VELOCITY_IP: '0',
  OTPD_VELOCITY_NET: '0',
  OTPD_DISPATCH_POLL_MS: '50',
};

/** A service with a webhook to `receiver`, then `n` verifications started and canceled (two events each). */
async function produce(urls: readonly string[], receiver: Receiver, n: number): Promise<void> {
  const service = (await call(urls[0]!, 'POST', '/v1/services', { friendlyName: 'Shop' })).body.id;
  const hook = await call(urls[0]!, 'PUT', `/v1/services/${service}/webhook`, { url: receiver.url });
  assert.equal(hook.status, 200, JSON.stringify(hook.body));
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const url = urls[i % urls.length]!;
      const started = await call(url, 'POST', '/v1/verifications', {
        service,
        to: `+346292${String(i).padStart(5, '0')}`,
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      assert.equal((await call(url, 'POST', `/v1/verifications/${started.body.id}/cancel`, {})).status, 200);
    }),
  );
}

const idsOf = (r: Receiver) => r.received.map((x) => String(x.headers['webhook-id']));

async function until(what: string, done: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('kill -9 while events are delivered loses none: after a restart each arrives (at least once)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-webhooks-kill-'));
  const receiver = await startReceiver();
  const env = { ...WEBHOOK_ENV, OTPD_DATA_DIR: dataDir, OTPD_BOOTSTRAP_KEY: REPLICA_KEY };
  let p: Awaited<ReturnType<typeof spawnOtpd>> | undefined;
  try {
    p = await spawnOtpd(env);
    // Slow answers: the process dies with posts in flight and leases held.
    receiver.answer(204, 300);
    await produce([p.url], receiver, 40);
    await until('some deliveries', () => receiver.received.length >= 5);
    await p.kill9();
    assert.ok(new Set(idsOf(receiver)).size < 80, 'killed while events were being delivered');
    receiver.answer(204);
    p = await spawnOtpd(env);
    const db = new Database(join(dataDir, 'otpd.db'), { readonly: true });
    try {
      const all = () => (db.prepare('SELECT id FROM events').pluck().all() as string[]).sort();
      // Every event written and received: a message the kill left mid-send is sent after its lease,
      // and only then is its message.sent written.
      await until('every event written and received', () => {
        const got = new Set(idsOf(receiver));
        const ids = all();
        return ids.length === 80 && ids.every((id) => got.has(id));
      });
      const left = db.prepare("SELECT count(*) FROM events WHERE status <> 'delivered'").pluck();
      await until('every event recorded as delivered', () => left.get() === 0);
    } finally {
      db.close();
    }
  } finally {
    await p?.stop();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('two PostgreSQL replicas deliver each event once when both run', async () => {
  const receiver = await startReceiver();
  const cluster = await startCluster(2, WEBHOOK_ENV).catch(async (err) => {
    await receiver.close();
    throw err;
  });
  try {
    await produce(
      cluster.replicas.map((r) => r.url),
      receiver,
      40,
    );
    const count = async () => Number((await cluster.sql<{ n: string }>('SELECT count(*) AS n FROM events'))[0]!.n);
    await until('every event received', async () => new Set(idsOf(receiver)).size === (await count()));
    assert.equal(await count(), 80);
    const ids = idsOf(receiver);
    assert.equal(ids.length, new Set(ids).size, 'no event posted twice');
    const attempts = await cluster.sql<{ n: string }>(
      "SELECT count(*) AS n FROM events WHERE attempts <> 1 OR status <> 'delivered'",
    );
    assert.equal(Number(attempts[0]!.n), 0);
  } finally {
    await cluster.close();
    await receiver.close();
  }
});
