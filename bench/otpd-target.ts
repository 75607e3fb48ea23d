/**
 * The otpd phases for one store: send-code, then validate-code with a wrong and with the right
 * code, each against fresh otpd processes (one, or two replicas sharing a PostgreSQL schema).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { childEnv, freePort, removeTempDir, spawnNode, stopChild, trackTempDir, waitHttpReady, type Child } from './children.ts';
import { BACKEND_LABEL, cfg, log, OUT, ROOT, TARGETS, type BackendId } from './config.ts';
import { measure, profArgs, setProfileDir, type Phase } from './measure.ts';
import { MESSAGE, OtpdApi, Phones, SEND, VALIDATE, waitDrainedAll, wrongCode, type PoolEntry } from './otpd-api.ts';
import { dropSchema, newSchemaName, schemaCounts } from './pg.ts';
import type { PhaseResult } from './report.ts';

/** Codes live 300 s by default; a pool entry older than this is skipped rather than sent expired. */
const MAX_POOL_AGE_MS = 270_000;

export interface Shared {
  readonly secret: string;
  readonly bootstrapKey: string;
  readonly phones: Phones;
}

interface Backend {
  readonly id: BackendId;
  readonly replicas: number;
  /** OTPD_* variables that select and configure the store. */
  readonly env: Record<string, string>;
  readonly dbCpu: boolean;
}

interface Running {
  readonly children: Child[];
  readonly apis: OtpdApi[];
}

async function startOne(s: Shared, b: Backend, name: string, args: string[], extraEnv: Record<string, string>): Promise<{ child: Child; api: OtpdApi }> {
  const port = await freePort();
  const env = childEnv({
    OTPD_HOST: '127.0.0.1', OTPD_PORT: String(port), OTPD_LOG_LEVEL: 'warn',
    OTPD_SECRET: s.secret, OTPD_BOOTSTRAP_KEY: s.bootstrapKey, OTPD_RATE_LIMIT_RPS: '0', OTPD_DAILY_MESSAGE_QUOTA: '0',
    // The generator sends from one IP to numbers in a few prefixes: exactly what the pumping
    // defences stop. They are off here; what they cost is a store read and, on PostgreSQL, one upsert per limit.
    OTPD_VELOCITY_CLIENT: '0', OTPD_VELOCITY_IP: '0', OTPD_VELOCITY_PREFIX: '0', OTPD_VELOCITY_COUNTRY: '0', OTPD_BREAKER: 'false',
    ...b.env, ...extraEnv,
  });
  const { child } = spawnNode(`otpd ${name}`, { args: [...args, 'bin/otpd.js', 'serve'], env, cwd: ROOT, logFile: join(OUT, `${name}.log`) });
  const base = `http://127.0.0.1:${port}`;
  await waitHttpReady(`${base}/readyz`, child);
  return { child, api: new OtpdApi(base, s.bootstrapKey) };
}

/**
 * Runs fn against `replicas` fresh otpd processes (started together, as a deployment would) and
 * stops them (SIGTERM) afterwards, so each measured phase (and its --cpu-prof profile) covers one
 * endpoint only.
 */
async function withOtpd<T>(
  s: Shared, b: Backend, name: string, o: { profile: boolean; replicas: number; env?: Record<string, string> }, fn: (r: Running) => Promise<T>,
): Promise<T> {
  const args = o.profile ? profArgs(name) : [];
  const started = await Promise.allSettled(Array.from({ length: o.replicas }, (_, i) =>
    startOne(s, b, i === 0 ? name : `${name}-${i + 1}`, args, o.env ?? {})));
  const ok = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return await fn({ children: ok.map((x) => x.child), apis: ok.map((x) => x.api) });
  } finally {
    for (const { child } of ok) {
      const code = await stopChild(child);
      if (code !== 0) log(`  warning: ${child.name} exited with ${code}; see ${relative(ROOT, child.logFile)}`);
    }
    if (o.profile) setProfileDir(name);
  }
}

async function fillPool(s: Shared, b: Backend, pool: PoolEntry[], want: number): Promise<void> {
  if (pool.length >= want) return;
  const t0 = Date.now();
  log(`- setup (not measured): pre-creating ${want - pool.length} verifications over HTTP, reading their codes from the dev outbox`);
  // Setup only, one process whatever the target: on SQLite it commits with synchronous=NORMAL to
  // build the pool faster (the measured processes open the same file with the default FULL).
  const env: Record<string, string> = b.id === 'sqlite' ? { OTPD_SQLITE_SYNCHRONOUS: 'NORMAL' } : {};
  await withOtpd(s, b, `otpd-${b.id}-setup`, { profile: false, replicas: 1, env }, async ({ apis }) => {
    let shown = 0;
    const more = await apis[0]!.createPool(want - pool.length, s.phones, 64, (n) => {
      if (n - shown >= 20_000) {
        shown = n;
        log(`  ${n} ready`);
      }
    });
    for (const e of more) pool.push(e);
  });
  log(`  pool of ${pool.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** One phase against fresh processes: what measure() needs besides the request itself. */
async function phase(
  s: Shared, b: Backend, slug: string, p: Omit<Phase, 'children' | 'bases' | 'backend' | 'dbCpu' | 'headers' | 'method'> & { drainAll?: boolean },
): Promise<PhaseResult> {
  return withOtpd(s, b, `otpd-${b.id}-${slug}`, { profile: cfg.profile, replicas: b.replicas }, ({ children, apis }) => measure({
    ...p, name: `${p.name} [${BACKEND_LABEL[b.id]}]`, backend: b.id, dbCpu: b.dbCpu, children, bases: apis.map((a) => a.base),
    method: 'POST', headers: apis[0]!.headers, drain: p.drainAll ? () => waitDrainedAll(apis) : undefined,
  }));
}

/** validate-code with a wrong code: each id at most twice, so its third attempt is still free afterwards. */
function wrongCodePhase(s: Shared, b: Backend, pool: readonly PoolEntry[]): Promise<PhaseResult> {
  let w = 0;
  return phase(s, b, 'validate-wrong', {
    name: 'validate-code (wrong code)', operation: 'validate-code (wrong code)', path: VALIDATE,
    expectStatus: 400, expectCode: 'ONE_TIME_PASSWORD_SMS.INVALID_OTP',
    body: () => {
      if (w >= 2 * pool.length) return undefined;
      const e = pool[w++ % pool.length]!;
      return JSON.stringify({ authenticationId: e.id, code: wrongCode(e.code) });
    },
    remaining: () => 2 * pool.length - w,
  });
}

/** validate-code with the right code (204): each id exactly once, oldest first. */
function rightCodePhase(s: Shared, b: Backend, pool: readonly PoolEntry[]): Promise<PhaseResult> {
  let c = 0;
  let skipped = 0;
  return phase(s, b, 'validate-code', {
    name: 'validate-code', operation: 'validate-code', path: VALIDATE, expectStatus: 204, target: TARGETS.validateCode,
    body: () => {
      const oldest = Date.now() - MAX_POOL_AGE_MS;
      while (c < pool.length && pool[c]!.createdAt < oldest) {
        c++;
        skipped++;
      }
      if (c >= pool.length) return undefined;
      const e = pool[c++]!;
      return JSON.stringify({ authenticationId: e.id, code: e.code });
    },
    remaining: () => pool.length - c,
    notes: () => [`used ${c} of ${pool.length} pre-created verifications${skipped ? `, skipped ${skipped} close to expiry` : ''}`],
  });
}

async function runPhases(s: Shared, b: Backend): Promise<void> {
  // 1. send-code: each request a new number, so the per-number send limits are never reached.
  const send = await phase(s, b, 'send-code', {
    name: 'send-code', operation: 'send-code', path: SEND, expectStatus: 200, target: TARGETS.sendCode,
    body: () => JSON.stringify({ phoneNumber: s.phones.next(), message: MESSAGE }), drainAll: true,
  });
  // 2. Verifications with known codes, as many as the next phases can use. Sized from measured
  //    rates rather than otpd's CPU, because on PostgreSQL much of the work is in the database's
  //    processes: validate-code has stayed under 4x send-code's rate on every store so far, the
  //    wrong-code phase uses each id twice, and right-code runs at most 1.5x wrong-code's rate.
  const pool: PoolEntry[] = [];
  const seconds = cfg.duration + cfg.warmup;
  const upTo = (n: number) => Math.min(cfg.poolMax, Math.max(cfg.poolMin, Math.ceil(n)));
  await fillPool(s, b, pool, upTo((4 * 1.2 * send.load.rps * seconds) / 2));
  const wrong = await wrongCodePhase(s, b, pool);
  await fillPool(s, b, pool, upTo(1.5 * wrong.load.rps * seconds));
  await rightCodePhase(s, b, pool);
}

/** All phases of one target, on a fresh data dir (and, for PostgreSQL, a fresh schema dropped afterwards). */
export async function runTarget(s: Shared, id: BackendId): Promise<void> {
  log(`\n## ${BACKEND_LABEL[id]}`);
  const dataDir = trackTempDir(mkdtempSync(join(tmpdir(), 'otpd-bench-')));
  const schema = id === 'sqlite' ? undefined : newSchemaName(cfg.pgUrl);
  const env: Record<string, string> = { OTPD_DATA_DIR: dataDir };
  // BENCH_SYNCHRONOUS=NORMAL|FULL measures the SQLite phases at that durability (default: otpd's).
  if (id === 'sqlite' && process.env.BENCH_SYNCHRONOUS) env.OTPD_SQLITE_SYNCHRONOUS = process.env.BENCH_SYNCHRONOUS;
  if (schema) {
    Object.assign(env, { OTPD_DATABASE_URL: cfg.pgUrl, OTPD_DATABASE_SCHEMA: schema });
    if (cfg.pgPoolSize) env.OTPD_DATABASE_POOL_SIZE = String(cfg.pgPoolSize);
    log(`schema ${schema} (created by otpd's migrations, dropped at the end)`);
  }
  const local = /^postgres(ql)?:\/\/([^@/]*@)?(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(cfg.pgUrl);
  const b: Backend = { id, replicas: id === 'pg2' ? 2 : 1, env, dbCpu: schema !== undefined && local };
  try {
    await runPhases(s, b);
    if (schema) {
      const n = await schemaCounts(cfg.pgUrl, schema);
      log(`- schema ${schema} now holds ${n.verifications} verifications, ${n.messages} messages, ${n.devOutbox} dev outbox rows`);
    }
  } finally {
    removeTempDir(dataDir);
    if (schema) await dropSchema(cfg.pgUrl, schema).catch((err: unknown) => log(`  warning: could not drop schema ${schema}: ${String(err)}`));
  }
}
