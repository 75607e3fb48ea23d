/**
 * `npm run bench`: throughput, latency and CPU per request of otpd's two CAMARA operations against
 * a bare-Fastify ceiling on the same machine. The load generator (autocannon) runs in this process;
 * every server runs in a child process of its own. See BENCHMARKS.md for how to read the output.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS
 * (default 32), BENCH_POOL / BENCH_POOL_MAX (bounds on pre-created verifications for validate-code,
 * default 20000 / 250000), BENCH_PROFILE=1
 * (run every server with --cpu-prof into .bench/prof and summarise the measured windows).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort, fsyncProbe, installCleanup, machineCpuUs, processCpuUs, threadCpuUs, removeTempDir, spawnNode, stopChild, trackTempDir, waitHttpReady, type Child,
} from './children.ts';
import { runLoad, type LoadOptions } from './load.ts';
import { MESSAGE, OtpdApi, Phones, SEND, VALIDATE, checkPhoneRange, wrongCode, type PoolEntry } from './otpd-api.ts';
import { formatSummary, readProfile, summarize, type Summary } from './profile-summary.ts';
import { details, flagsOf, loud, machine, table, unexpectedOf, type PhaseResult } from './report.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, '.bench');
const PROF = join(OUT, 'prof');

function envNum(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
}

const cfg = {
  duration: envNum('BENCH_DURATION', 10),
  warmup: envNum('BENCH_WARMUP', 2),
  connections: Math.round(envNum('BENCH_CONNECTIONS', 32)),
  poolMin: Math.round(envNum('BENCH_POOL', 20_000)),
  poolMax: Math.round(envNum('BENCH_POOL_MAX', 250_000)),
  profile: process.env.BENCH_PROFILE === '1',
};
const TARGETS = { sendCode: 0.5, validateCode: 0.7 };
/** Stack frames whose inclusive time the profile summaries report (see profile-summary.ts --inclusive). */
const INCLUSIVE = [
  'sqliteTransaction', 'authenticate src/api/auth.ts', 'inspect src/phone/', 'src/core/keyring.ts', 'src/delivery/',
  'node_modules/prom-client/', 'node_modules/pino/', 'handleWriteReq', 'node_modules/secure-json-parse/',
];
/** Codes live 300 s by default; a pool entry older than this is skipped rather than sent expired. */
const MAX_POOL_AGE_MS = 270_000;

const log = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

installCleanup();
mkdirSync(OUT, { recursive: true });
if (cfg.profile) mkdirSync(PROF, { recursive: true });

const secret = randomBytes(32).toString('hex');
const bootstrapKey = `bench_${randomBytes(24).toString('base64url')}`;
const phones = new Phones();
const results: PhaseResult[] = [];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTPD_') && k !== 'PORT') env[k] = v;
  return { ...env, ...extra };
}

/**
 * One directory per server process: Node writes one profile per thread into it (the main thread,
 * and each worker thread), named CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile.
 */
function profArgs(name: string): string[] {
  if (!cfg.profile) return [];
  const dir = join(PROF, name);
  rmSync(dir, { recursive: true, force: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

interface Phase {
  readonly name: string;
  readonly child: Child;
  readonly base: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | (() => string | undefined);
  /** How many more requests the body generator can feed, if it is finite. */
  readonly remaining?: () => number;
  readonly expectStatus: number;
  /** For an expected error status: the error code its body must carry. */
  readonly expectCode?: string;
  readonly target?: number;
  /** Waits for background work the requests caused (send-code: SMS delivery). */
  readonly drain?: () => Promise<void>;
  readonly notes?: () => string[];
}

/** Warm-up run, then the measured run bracketed by CPU readings of the server and of this process. */
async function measure(p: Phase): Promise<PhaseResult> {
  const opts = (duration: number, title: string): LoadOptions => ({
    title, url: p.base, path: p.path, connections: cfg.connections, duration, headers: p.headers, body: p.body,
    maxRequests: p.remaining?.(),
    expect: p.expectCode ? { status: p.expectStatus, bodyIncludes: `"${p.expectCode}"` } : undefined,
  });
  log(`- ${p.name}: warm-up ${cfg.warmup} s`);
  await runLoad(opts(cfg.warmup, `${p.name} warm-up`));
  await p.drain?.();
  await sleep(300);
  log(`- ${p.name}: measuring ${cfg.duration} s with ${cfg.connections} connections`);
  const s0 = processCpuUs(p.child.pid);
  const th0 = threadCpuUs(p.child.pid);
  const m0 = machineCpuUs();
  const c0 = process.cpuUsage();
  const t0 = nowUs();
  const load = await runLoad(opts(cfg.duration, p.name));
  const t1 = nowUs();
  const s1 = processCpuUs(p.child.pid);
  const th1 = threadCpuUs(p.child.pid);
  const m1 = machineCpuUs();
  const c1 = process.cpuUsage(c0);
  const serverCpuUs = s1.user + s1.system - s0.user - s0.system;
  const clientCpuUs = c1.user + c1.system;
  const wall = t1 - t0;
  let drain: Pick<PhaseResult, 'drainCpuUs' | 'drainMs' | 'serverCpuUsPerRequestInclDrain' | 'sustainedRps'> = {};
  if (p.drain) {
    await p.drain();
    const t2 = nowUs();
    const s2 = processCpuUs(p.child.pid);
    const drainCpuUs = s2.user + s2.system - s1.user - s1.system;
    drain = {
      drainCpuUs, drainMs: (t2 - t1) / 1000, serverCpuUsPerRequestInclDrain: (serverCpuUs + drainCpuUs) / Math.max(1, load.completed),
      sustainedRps: load.completed / (load.durationS + (t2 - t1) / 1e6),
    };
  }
  const unexpected = unexpectedOf(load, p.expectStatus);
  const r: PhaseResult = {
    name: p.name, method: p.method, path: p.path, expectStatus: p.expectStatus, target: p.target, load,
    serverCpuUs, serverCpuUsPerRequest: serverCpuUs / Math.max(1, load.completed), serverCpuPct: (100 * serverCpuUs) / wall,
    serverKernelShare: serverCpuUs ? (s1.system - s0.system) / serverCpuUs : 0,
    serverThreadsPct: Object.fromEntries([...th1].map(([n, us]) => [n, (100 * (us - (th0.get(n) ?? 0))) / wall]).filter(([, pct]) => (pct as number) >= 0.5)),
    ...drain,
    clientCpuPct: (100 * clientCpuUs) / wall,
    otherCpuPct: Math.max(0, (100 * (m1.busy - m0.busy - serverCpuUs - clientCpuUs)) / wall),
    stealPct: (100 * (m1.steal - m0.steal)) / wall,
    unexpected, unexpectedPct: (100 * unexpected) / Math.max(1, load.completed + load.errors + load.timeouts),
    notes: p.notes?.() ?? [],
    profile: cfg.profile ? { dir: '', fromUs: t0, toUs: t1 } : undefined,
  };
  log(`  ${load.rps.toFixed(0)} req/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ` +
    `${r.serverCpuUsPerRequest.toFixed(0)} µs server CPU/request, statuses ${JSON.stringify(load.statusCodes)}`);
  results.push(r);
  return r;
}

async function ceiling(): Promise<PhaseResult> {
  const name = 'ceiling';
  const { child, ready } = spawnNode(name, {
    args: [...profArgs(name), 'bench/ceiling-server.ts'], env: childEnv({}), cwd: ROOT,
    logFile: join(OUT, `${name}.log`), readyLine: /^READY (\d+)$/,
  });
  const port = Number((await ready)?.[1]);
  const base = `http://127.0.0.1:${port}`;
  try {
    return await measure({
      name: 'ceiling POST /echo', child, base, method: 'POST', path: '/echo', expectStatus: 200,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bootstrapKey}` },
      // A fixed body of the send-code size: the cheapest request for the generator, so the ceiling
      // is as little limited by this process as it can be on a shared 2-core machine.
      body: JSON.stringify({ phoneNumber: '+34610000000', message: MESSAGE }),
    });
  } finally {
    await stopChild(child);
    setProfileFile(name);
  }
}

function setProfileFile(name: string): void {
  const r = results.at(-1);
  if (r?.profile) r.profile.dir = join(PROF, name);
}

async function startOtpd(dataDir: string, name: string, profile: boolean, extraEnv: Record<string, string>): Promise<{ child: Child; api: OtpdApi }> {
  const port = await freePort();
  const env = childEnv({
    OTPD_HOST: '127.0.0.1', OTPD_PORT: String(port), OTPD_DATA_DIR: dataDir, OTPD_LOG_LEVEL: 'warn',
    OTPD_SECRET: secret, OTPD_BOOTSTRAP_KEY: bootstrapKey, OTPD_RATE_LIMIT_RPS: '0', OTPD_DAILY_MESSAGE_QUOTA: '0',
    // BENCH_SYNCHRONOUS=NORMAL|FULL measures the measured phases at that durability (default: otpd's).
    ...(process.env.BENCH_SYNCHRONOUS ? { OTPD_SQLITE_SYNCHRONOUS: process.env.BENCH_SYNCHRONOUS } : {}),
    ...extraEnv,
  });
  const { child } = spawnNode(`otpd ${name}`, {
    args: [...(profile ? profArgs(name) : []), 'bin/otpd.js', 'serve'], env, cwd: ROOT, logFile: join(OUT, `${name}.log`),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitHttpReady(`${base}/readyz`, child);
  return { child, api: new OtpdApi(base, bootstrapKey) };
}

/**
 * Runs fn against a fresh otpd process on the shared data dir and stops it (SIGTERM) afterwards, so
 * each measured phase (and its --cpu-prof profile) covers one endpoint only.
 */
async function withOtpd<T>(
  dataDir: string, name: string, profile: boolean, fn: (o: { child: Child; api: OtpdApi }) => Promise<T>, extraEnv: Record<string, string> = {},
): Promise<T> {
  const o = await startOtpd(dataDir, name, profile, extraEnv);
  try {
    return await fn(o);
  } finally {
    const code = await stopChild(o.child);
    if (code !== 0) log(`  warning: ${o.child.name} exited with ${code}; see ${relative(ROOT, o.child.logFile)}`);
    if (profile) setProfileFile(name);
  }
}

async function fillPool(dataDir: string, pool: PoolEntry[], want: number): Promise<void> {
  if (pool.length >= want) return;
  const t0 = Date.now();
  log(`- setup (not measured): pre-creating ${want - pool.length} verifications over HTTP, reading their codes from the dev outbox`);
  // Setup only: this otpd commits with synchronous=NORMAL to build the pool faster. The file is the
  // same; the measured processes open it with the default FULL.
  await withOtpd(dataDir, 'otpd-setup', false, async ({ api }) => {
    let shown = 0;
    const more = await api.createPool(want - pool.length, phones, 64, (n) => {
      if (n - shown >= 20_000) {
        shown = n;
        log(`  ${n} ready`);
      }
    });
    for (const e of more) pool.push(e);
  }, { OTPD_SQLITE_SYNCHRONOUS: 'NORMAL' });
  log(`  pool of ${pool.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function otpd(): Promise<void> {
  const dataDir = trackTempDir(mkdtempSync(join(tmpdir(), 'otpd-bench-')));
  try {
    // 1. send-code: each request a new number, so the per-number send limits are never reached.
    let send!: PhaseResult;
    await withOtpd(dataDir, 'otpd-send-code', cfg.profile, async ({ child, api }) => {
      send = await measure({
        name: 'send-code', child, base: api.base, method: 'POST', path: SEND, headers: api.headers, expectStatus: 200,
        target: TARGETS.sendCode, body: () => JSON.stringify({ phoneNumber: phones.next(), message: MESSAGE }),
        drain: () => api.waitDrained(),
      });
    });

    // 2. Verifications with known codes. How many a phase can use is bounded by CPU: at X µs of
    //    server CPU per request, one core does at most 1e6/X requests a second. validate-code has
    //    cost a quarter of send-code or less, so send-code's figure sizes the wrong-code phase
    //    (two uses per id); the wrong-code phase's figure then sizes the right-code phase (one use).
    const pool: PoolEntry[] = [];
    const seconds = cfg.duration + cfg.warmup;
    const bound = (cpuUsPerRequest: number) => Math.min(cfg.poolMax, Math.ceil((1.2e6 / Math.max(1, cpuUsPerRequest)) * seconds));
    await fillPool(dataDir, pool, Math.max(cfg.poolMin, Math.ceil(bound(send.serverCpuUsPerRequest / 4) / 2)));

    // 3. validate-code with a wrong code (400 INVALID_OTP): auth, attempt counting, HMAC compare,
    //    wrong-guess write. Each id at most twice, so its third attempt is still free for step 4.
    let w = 0;
    let wrong!: PhaseResult;
    await withOtpd(dataDir, 'otpd-validate-wrong', cfg.profile, async ({ child, api }) => {
      wrong = await measure({
        name: 'validate-code (wrong code)', child, base: api.base, method: 'POST', path: VALIDATE, headers: api.headers,
        expectStatus: 400, expectCode: 'ONE_TIME_PASSWORD_SMS.INVALID_OTP',
        body: () => {
          if (w >= 2 * pool.length) return undefined;
          const e = pool[w++ % pool.length]!;
          return JSON.stringify({ authenticationId: e.id, code: wrongCode(e.code) });
        },
        remaining: () => 2 * pool.length - w,
      });
    });

    // 4. validate-code with the right code (204): each id exactly once, oldest first.
    await fillPool(dataDir, pool, Math.max(pool.length, bound(wrong.serverCpuUsPerRequest)));
    let c = 0;
    let skipped = 0;
    await withOtpd(dataDir, 'otpd-validate-code', cfg.profile, async ({ child, api }) => {
      await measure({
        name: 'validate-code', child, base: api.base, method: 'POST', path: VALIDATE, headers: api.headers, expectStatus: 204,
        target: TARGETS.validateCode,
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
    });
  } finally {
    removeTempDir(dataDir);
  }
}

function summariseProfiles(): Record<string, Summary> {
  const out: Record<string, Summary> = {};
  const text: string[] = [];
  for (const r of results) {
    const files = r.profile?.dir && existsSync(r.profile.dir)
      ? readdirSync(r.profile.dir).filter((f) => f.endsWith('.cpuprofile')).sort()
      : [];
    if (r.profile && files.length === 0) log(`  no profile written for ${r.name}`);
    for (const f of files) {
      const file = join(r.profile!.dir, f);
      const tid = Number(f.split('.')[4]);
      const thread = tid === 0 ? 'main thread' : `worker thread ${tid}`;
      const p = readProfile(file);
      const o = { top: 25, inclusive: INCLUSIVE };
      let s = summarize(p, relative(ROOT, file), { ...o, fromUs: r.profile!.fromUs, toUs: r.profile!.toUs });
      if (s.totalSamples === 0) s = summarize(p, relative(ROOT, file), o);
      out[`${r.name} (${thread})`] = s;
      text.push(formatSummary(s, `${r.name} — ${thread} — ${s.file}`));
    }
  }
  writeFileSync(join(PROF, 'summary.txt'), `${text.join('\n\n')}\n`);
  log(`\n${text.join('\n\n')}\n\n(written to ${relative(ROOT, join(PROF, 'summary.txt'))})`);
  return out;
}

async function main(): Promise<void> {
  const m = machine();
  const started = new Date();
  log(`otpd benchmark — ${started.toISOString()} — ${m.nproc} CPUs (${m.cpuModel}), Node ${m.node}, Linux ${m.kernel}`);
  log(`duration ${cfg.duration} s, warm-up ${cfg.warmup} s, ${cfg.connections} connections, SQLite synchronous=FULL (default)` +
    `${cfg.profile ? ', CPU profiling ON (figures include profiler overhead)' : ''}`);
  checkPhoneRange(5_000_000);
  const probeDir = trackTempDir(mkdtempSync(join(tmpdir(), 'otpd-bench-probe-')));
  const fsync = fsyncProbe(probeDir);
  removeTempDir(probeDir);
  log(`disk: 4 KiB append + fdatasync in ${tmpdir()}: p50 ${fsync.p50Ms} ms, p99 ${fsync.p99Ms} ms (one per SQLite group commit at synchronous=FULL)`);

  const ceil = await ceiling();
  await otpd();

  const ceilingRps = ceil.load.rps;
  log(`\n${table(results, ceilingRps)}\n`);
  for (const r of results) log(details(r));
  const flags = flagsOf(results);
  const profiles = cfg.profile ? summariseProfiles() : undefined;
  const json = {
    date: started.toISOString(), machine: { ...m, fsync }, config: cfg, targets: TARGETS,
    ceilingRps,
    results: results.map((r) => ({ ...r, ratioToCeiling: r.load.rps / ceilingRps })),
    flags, profiles,
  };
  writeFileSync(join(OUT, 'last.json'), `${JSON.stringify(json, null, 2)}\n`);
  log(`results written to ${relative(ROOT, join(OUT, 'last.json'))}`);
  if (flags.warnings.length) log(`\n${loud('CAVEATS', flags.warnings)}`);
  if (flags.invalid.length) {
    process.stderr.write(`\n${loud('BENCHMARK RUN INVALID', flags.invalid)}\n`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
}
