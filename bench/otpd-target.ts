/**
 * otpd on one store: send-code, then (after pre-creating verifications whose codes it reads back
 * from the development outbox, not measured) validate-code with the right code, against the same
 * otpd processes: one, or two replicas sharing a PostgreSQL schema.
 */
import type { OtpdProcess } from '../test/helpers/process.ts';
import { cfg, log, TARGET_LABEL, type TargetId } from './config.ts';
import { measure, type PhaseResult } from './measure.ts';
import { newSchema, startServer, stopServer, tempDir } from './servers.ts';

const SEND = '/one-time-password-sms/v1/send-code';
const VALIDATE = '/one-time-password-sms/v1/validate-code';
/** The CAMARA example text; the outbox text then starts with the code. */
export const MESSAGE = '{{code}} is your short code to authenticate with Cool App via SMS';

/** What every target shares: one secret (replicas must agree on it) and the Bearer key. */
export interface Shared {
  readonly secret: string;
  readonly key: string;
}

/** Spanish mobiles +34610000000 upwards: the per-number send limits stay on, so each send needs its own. */
let phones = 0;
const nextPhone = (): string => `+346${10_000_000 + phones++}`;

async function call<T>(base: string, key: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Sums one Prometheus counter over the series whose labels include all of `labels`. */
function counter(text: string, name: string, labels: readonly string[]): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    if (labels.every((l) => m[1]!.includes(l))) sum += Number(m[2]);
  }
  return sum;
}

/**
 * Waits until the dispatchers have handed every queued message to the dev outbox. Replicas share
 * one outbox on PostgreSQL, so one may deliver what another queued: only the sums compare.
 */
async function drained(urls: readonly string[]): Promise<void> {
  for (const deadline = Date.now() + 120_000; ; ) {
    const texts = await Promise.all(urls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
    let queued = 0;
    let sent = 0;
    for (const t of texts) {
      queued += counter(t, 'otpd_verifications_total', ['operation="send"', 'outcome="queued"']);
      sent += counter(t, 'otpd_dispatch_attempts_total', ['outcome="sent"']);
    }
    if (sent >= queued) return;
    if (Date.now() > deadline) throw new Error(`dispatchers not drained after 120 s: ${sent}/${queued} sent`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Messages = { messages: { to: string; text: string }[] };

/**
 * Creates n verifications through the first replica and reads their codes back, in chunks of 500
 * (the most GET /dev/messages returns): send the chunk, wait until every replica's dispatcher is
 * idle (any of them may deliver it), and its texts are the newest 500.
 */
async function fillPool(urls: readonly string[], key: string, n: number): Promise<{ id: string; code: string }[]> {
  const base = urls[0]!;
  const pool: { id: string; code: string }[] = [];
  while (pool.length < n) {
    const chunk = Array.from({ length: Math.min(500, n - pool.length) }, nextPhone);
    const ids: string[] = [];
    for (let i = 0; i < chunk.length; i += 64) {
      const sent = chunk
        .slice(i, i + 64)
        .map((p) => call<{ authenticationId: string }>(base, key, SEND, { phoneNumber: p, message: MESSAGE }));
      for (const r of await Promise.all(sent)) ids.push(r.authenticationId);
    }
    await drained(urls);
    const newest = await call<Messages>(base, key, '/dev/messages?limit=500');
    const texts = new Map(newest.messages.map((m) => [m.to, m.text]));
    for (const [i, p] of chunk.entries()) {
      const code = (texts.get(p) ?? '').split(' ')[0];
      if (!code) throw new Error(`no code in the development outbox for ${p}`);
      pool.push({ id: ids[i]!, code });
    }
  }
  return pool;
}

/** The OTPD_* settings of a target: a fresh data dir, and on PostgreSQL a fresh schema. */
function targetEnv(s: Shared, id: TargetId): Record<string, string> {
  const env: Record<string, string> = {
    OTPD_DATA_DIR: tempDir(),
    OTPD_LOG_LEVEL: 'warn',
    OTPD_SECRET: s.secret,
    OTPD_BOOTSTRAP_KEY: s.key,
    OTPD_RATE_LIMIT_RPS: '0',
    OTPD_DAILY_MESSAGE_QUOTA: '0',
    // One IP sending to numbers in a few prefixes is exactly what the pumping defences stop; they
    // are off (what they cost is a store read, and on PostgreSQL one upsert per limit).
    OTPD_VELOCITY_CLIENT: '0',
    OTPD_VELOCITY_IP: '0',
    OTPD_VELOCITY_PREFIX: '0',
    OTPD_VELOCITY_COUNTRY: '0',
    OTPD_BREAKER: 'false',
    // Pre-created verifications must outlive setup and a long window; the lifetime costs nothing.
    OTPD_CODE_TTL_SECONDS: '3600',
    OTPD_ALLOW_LONG_TTL: 'true',
  };
  if (id === 'sqlite') return cfg.synchronous ? { ...env, OTPD_SQLITE_SYNCHRONOUS: cfg.synchronous } : env;
  const schema = newSchema();
  log(`schema ${schema} (created by otpd's migrations, dropped at the end)`);
  return {
    ...env,
    OTPD_DATABASE_URL: cfg.pgUrl,
    OTPD_DATABASE_SCHEMA: schema,
    ...(cfg.pgPoolSize ? { OTPD_DATABASE_POOL_SIZE: cfg.pgPoolSize } : {}),
  };
}

/** send-code and validate-code on one store; the servers are stopped on the way out. */
export async function runTarget(s: Shared, id: TargetId): Promise<PhaseResult[]> {
  log(`\n## ${TARGET_LABEL[id]}`);
  const env = targetEnv(s, id);
  const names = id === 'pg2' ? ['otpd-pg2-1', 'otpd-pg2-2'] : [`otpd-${id}`];
  // Replicas start together, as a deployment's would (their migrations race on one schema).
  const started = await Promise.allSettled(names.map((n) => startServer(n, env, { readyPath: '/readyz' })));
  const procs = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    return await phases(s, id, procs);
  } finally {
    for (const [i, p] of procs.entries()) {
      const code = await stopServer(names[i]!, p);
      if (code !== 0) log(`  warning: ${names[i]} exited with ${code}; see .bench/${names[i]}.log`);
    }
  }
}

async function phases(s: Shared, id: TargetId, procs: readonly OtpdProcess[]): Promise<PhaseResult[]> {
  const urls = procs.map((p) => p.url);
  const common = {
    target: TARGET_LABEL[id],
    urls,
    pids: procs.map((p) => p.child.pid!),
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    // A local server's processes only: a remote one's CPU cannot be read from here.
    dbCpu: id !== 'sqlite' && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(cfg.pgUrl).hostname),
  };
  const send = await measure({
    ...common,
    operation: 'send-code',
    path: SEND,
    expectStatus: 200,
    drain: () => drained(urls),
    body: () => JSON.stringify({ phoneNumber: nextPhone(), message: MESSAGE }),
  });
  // With the server pinned to one core, validate-code has run at up to 3.4x send-code's rate
  // (SQLite); 5x leaves room, and running out would only cut its window short (and say so).
  const want = Math.min(250_000, Math.max(5_000, Math.ceil(5 * send.load.rps * (cfg.warmup + cfg.duration))));
  const t0 = Date.now();
  const pool = await fillPool(urls, s.key, want);
  log(`- setup, not measured: ${pool.length} verifications created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  let next = 0;
  const validate = await measure({
    ...common,
    operation: 'validate-code',
    path: VALIDATE,
    expectStatus: 204,
    body: () => {
      const e = pool[next++];
      return e && JSON.stringify({ authenticationId: e.id, code: e.code });
    },
    remaining: () => pool.length - next,
  });
  return [send, validate];
}
