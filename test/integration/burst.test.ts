import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { spawnOtpd } from '../helpers/process.ts';
import { mobile } from '../helpers/server.ts';

const KEY = 'burst-bootstrap-key-0123456789-abcdef';
const BURST = 5000;
const CONNECTIONS = 50;

/**
 * Sends until `n` codes were accepted, from `CONNECTIONS` callers at once. A 503 (delivery behind)
 * is retried as a client would; anything else fails the test.
 */
async function burst(url: string, n: number): Promise<void> {
  let next = 0;
  const caller = async () => {
    while (next < n) {
      const i = next++;
      for (let tries = 0; ; tries++) {
        const r = await fetch(`${url}/one-time-password-sms/v1/send-code`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ phoneNumber: mobile(i), message: '{{code}} is your code' }),
        });
        const body = await r.text();
        if (r.status === 200) break;
        assert.equal(r.status, 503, body);
        assert.ok(tries < 100, 'delivery stayed behind');
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, caller));
}

test('a burst of 5,000 accepted sends is delivered in full: none expired, each handed over once', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'otpd-burst-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const otpd = await spawnOtpd(
    {
      OTPD_DATA_DIR: dataDir,
      OTPD_SECRET: 'burst-secret-0123456789-0123456789-abcdef',
      OTPD_BOOTSTRAP_KEY: KEY,
      OTPD_LOG_LEVEL: 'warn',
      OTPD_RATE_LIMIT_RPS: '0',
      OTPD_DAILY_MESSAGE_QUOTA: '0',
      OTPD_VELOCITY_CLIENT: '0',
      // A real clock and a short life: a message left waiting is expired, not sent, and the test sees it.
      OTPD_CODE_TTL_SECONDS: '60',
    },
    ['serve'],
    { readyPath: '/readyz' },
  );
  t.after(() => otpd.stop());
  await burst(otpd.url, BURST);

  const db = new Database(join(dataDir, 'otpd.db'), { readonly: true, fileMustExist: true });
  t.after(() => db.close());
  const counts = () =>
    Object.fromEntries(
      (
        db.prepare('SELECT status, count(*) AS n FROM messages GROUP BY status').all() as {
          status: string;
          n: number;
        }[]
      ).map((r) => [r.status, r.n]),
    ) as Record<string, number>;
  // The dispatcher runs on its own; this waits for it, bounded, and never moves a clock.
  for (let i = 0; i < 1200 && (counts().sent ?? 0) < BURST && !counts().expired; i++)
    await new Promise((r) => setTimeout(r, 100));

  assert.deepEqual(counts(), { sent: BURST }, 'every accepted message was sent; none expired or abandoned');
  assert.equal(db.prepare('SELECT count(*) FROM dev_outbox').pluck().get() as number, BURST);
  const attempts = db.prepare('SELECT count(*) AS n, max(attempt) AS most FROM message_attempts').get() as {
    n: number;
    most: number;
  };
  assert.deepEqual(attempts, { n: BURST, most: 1 }, 'one attempt each: no message waited past its lease');
});
