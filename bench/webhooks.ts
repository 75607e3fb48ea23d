/**
 * Webhooks on and off (issue "Tell the app what happened"): send-code and validate-code on two
 * SQLite sets started together, one whose client's default service (the one CAMARA calls use) has
 * a webhook to a receiver in this process; in alternation (off, on, off, on), each phase of the
 * webhook set followed by the delivery of its events before the next phase starts, so that neither
 * set's background work falls into the other's window. Enabling webhooks may cost at most 10 %.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { log } from './config.ts';
import { measure, type PhaseResult } from './measure.ts';
import { freshStore, withOtpd, type OtpdSet, type Shared } from './otpd-set.ts';
import { pool, poolFor, sendPhase, validatePhase } from './phases.ts';
import { call, drained, type Verification } from './pool.ts';

const ROUNDS = 2;

async function sink(): Promise<{ url: string; count: () => number; close: () => void }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    count: () => n,
    close: () => server.close(),
  };
}

/** The webhook's backlog read from otpd itself: 0 once every event was posted. */
async function eventsDrained(s: Shared, url: string, service: string): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const w = await call<{ backlog: number }>(url, s.key, `/v1/services/${service}/webhook`);
    if (w.backlog === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('webhook events not delivered after 120 s');
}

export async function webhookPhases(s: Shared): Promise<PhaseResult[]> {
  const receiver = await sink();
  const off = freshStore(s, 'sqlite');
  const on = freshStore(s, 'sqlite');
  const onEnv = { ...on.env, OTPD_WEBHOOKS_ALLOW_PRIVATE: 'true', OTPD_WEBHOOK_INTERVAL_MS: '100' };
  try {
    return await withOtpd(s, 'sqlite', 'otpd-hooks-off', off, (a) =>
      withOtpd(s, 'sqlite', 'otpd-hooks-on', { ...on, env: onEnv }, (b) => compare(s, a, b, receiver)),
    );
  } finally {
    receiver.close();
  }
}

async function compare(s: Shared, a: OtpdSet, b: OtpdSet, receiver: { url: string; count: () => number }) {
  // The default service exists once the client has sent.
  await call(b.urls[0]!, s.key, '/one-time-password-sms/v1/send-code', {
    phoneNumber: '+34600000001',
    message: '{{code}} is your code',
  });
  const list = await call<{ services: { id: string; default: boolean }[] }>(b.urls[0]!, s.key, '/v1/services');
  const service = list.services.find((x) => x.default)!.id;
  const put = await fetch(`${b.urls[0]}/v1/services/${service}/webhook`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url }),
  });
  if (!put.ok) throw new Error(`webhook: ${put.status} ${await put.text()}`);
  const settle = {
    drain: async () => {
      await drained(b.urls);
      await eventsDrained(s, b.urls[0]!, service);
    },
  };
  const sendsOff: PhaseResult[] = [];
  const sendsOn: PhaseResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    sendsOff.push(await measure(sendPhase(a, `send-code, webhooks off, round ${round}`, {})));
    sendsOn.push(await measure(sendPhase(b, `send-code, webhooks on, round ${round}`, settle)));
  }
  const size = poolFor(sendsOff[0]!.load.rps, 12, 3 * ROUNDS);
  const share = (p: Verification[], i: number) => p.filter((_, k) => k % ROUNDS === i);
  const poolOff = await pool(s, a, size);
  const poolOn = await pool(s, b, size);
  await eventsDrained(s, b.urls[0]!, service);
  const validatesOff: PhaseResult[] = [];
  const validatesOn: PhaseResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const off = validatePhase(a, `validate-code, webhooks off, round ${round}`, share(poolOff, round - 1), {});
    validatesOff.push(await measure(off));
    const on = validatePhase(b, `validate-code, webhooks on, round ${round}`, share(poolOn, round - 1), settle);
    validatesOn.push(await measure(on));
  }
  const sum = (x: PhaseResult[]) => x.reduce((t, r) => t + r.load.rps, 0);
  log(
    `- webhooks on vs off, same run (${ROUNDS} alternating rounds each, events delivered after each phase; ` +
      `${receiver.count()} events received): send-code ${(sum(sendsOn) / sum(sendsOff)).toFixed(2)}x, ` +
      `validate-code ${(sum(validatesOn) / sum(validatesOff)).toFixed(2)}x (0.90 or more: within 10 %)`,
  );
  return [...sendsOff, ...sendsOn, ...validatesOff, ...validatesOn];
}
