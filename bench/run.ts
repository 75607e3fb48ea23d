/**
 * `npm run bench`: throughput, latency and CPU per request of otpd's two CAMARA operations against
 * a bare-Fastify ceiling on the same machine, with otpd on each store in one run: embedded SQLite,
 * PostgreSQL behind one replica, and PostgreSQL behind two replicas sharing one schema. The load
 * generator (autocannon) runs in this process; every server runs in a child process of its own.
 * See BENCHMARKS.md for how to read the output.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS
 * (default 32), BENCH_POOL / BENCH_POOL_MAX (bounds on pre-created verifications for validate-code,
 * default 20000 / 250000), BENCH_TARGETS (comma-separated, default sqlite,pg1,pg2), BENCH_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/test), BENCH_PG_POOL_SIZE (OTPD_DATABASE_POOL_SIZE
 * per replica, default otpd's), BENCH_SYNCHRONOUS (SQLite phases), BENCH_PROFILE=1 (run every
 * server with --cpu-prof into .bench/prof and summarise the measured windows).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { childEnv, fsyncProbe, installCleanup, removeTempDir, spawnNode, stopChild, trackTempDir } from './children.ts';
import { BACKEND_LABEL, cfg, log, OUT, PROF, ROOT, TARGETS, type BackendId } from './config.ts';
import { measure, profArgs, results, setProfileDir } from './measure.ts';
import { MESSAGE, Phones, checkPhoneRange } from './otpd-api.ts';
import { runTarget, type Shared } from './otpd-target.ts';
import { probePg, redactUrl } from './pg.ts';
import { formatSummary, readProfile, summarize, type Summary } from '../scripts/profile-summary.ts';
import { comparison, details, flagsOf, loud, machine, ratioToSqlite, table, type PhaseResult } from './report.ts';

/** Stack frames whose inclusive time the profile summaries report (see scripts/profile-summary.ts --inclusive). */
const INCLUSIVE = [
  'sqliteTransaction', 'src/store/postgres/', 'node_modules/pg/', 'authenticate src/api/auth.ts', 'inspect src/phone/',
  'src/core/keyring.ts', 'src/delivery/', 'node_modules/prom-client/', 'node_modules/pino/', 'handleWriteReq',
  'node_modules/secure-json-parse/',
];

installCleanup();
mkdirSync(OUT, { recursive: true });
if (cfg.profile) mkdirSync(PROF, { recursive: true });

const secret = randomBytes(32).toString('hex');
const bootstrapKey = `bench_${randomBytes(24).toString('base64url')}`;
const phones = new Phones();
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
      name: 'ceiling POST /echo', children: [child], bases: [base], method: 'POST', path: '/echo', expectStatus: 200,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bootstrapKey}` },
      // A fixed body of the send-code size: the cheapest request for the generator, so the ceiling
      // is as little limited by this process as it can be on a shared 2-core machine.
      body: JSON.stringify({ phoneNumber: '+34610000000', message: MESSAGE }),
    });
  } finally {
    await stopChild(child);
    setProfileDir(name);
  }
}

/** The targets to run: PostgreSQL ones are dropped (loudly) if the server does not answer. */
async function runnableTargets(): Promise<{ run: BackendId[]; skipped: string[] }> {
  const wantPg = cfg.targets.filter((t) => t !== 'sqlite');
  if (wantPg.length === 0) return { run: [...cfg.targets], skipped: [] };
  const pg = await probePg(cfg.pgUrl);
  if (pg.ok) {
    log(`PostgreSQL ${pg.version} at ${redactUrl(cfg.pgUrl)}`);
    return { run: [...cfg.targets], skipped: [] };
  }
  const skipped = [`PostgreSQL at ${redactUrl(cfg.pgUrl)} is unreachable or unusable (${pg.reason}): SKIPPED ${wantPg.join(', ')}; set BENCH_PG_URL or BENCH_TARGETS=sqlite`];
  process.stderr.write(`\n${loud('POSTGRESQL TARGETS SKIPPED', skipped)}\n\n`);
  return { run: cfg.targets.filter((t) => t === 'sqlite'), skipped };
}

/** Each target in turn; one that fails is reported and the others still run. */
async function runTargets(run: readonly BackendId[]): Promise<string[]> {
  const shared: Shared = { secret, bootstrapKey, phones };
  const failed: string[] = [];
  for (const t of run) {
    try {
      await runTarget(shared, t);
    } catch (err) {
      const why = err instanceof Error ? err.stack ?? err.message : String(err);
      process.stderr.write(`\n${loud(`TARGET ${BACKEND_LABEL[t]} FAILED`, why.split('\n'))}\n\n`);
      failed.push(`${BACKEND_LABEL[t]} failed: ${why.split('\n')[0]}`);
    }
  }
  return failed;
}

function summariseProfiles(): Record<string, Summary> {
  const out: Record<string, Summary> = {};
  const text: string[] = [];
  for (const r of results) {
    const files = r.profile?.dir && existsSync(r.profile.dir)
      ? readdirSync(r.profile.dir).filter((f) => f.endsWith('.cpuprofile')).sort()
      : [];
    if (r.profile && files.length === 0) log(`  no profile written for ${r.name}`);
    // Two replicas write into one directory; their profiles differ by pid (the 4th field).
    const pids = new Set(files.map((f) => f.split('.')[3]));
    for (const f of files) {
      const file = join(r.profile!.dir, f);
      const tid = Number(f.split('.')[4]);
      const thread = `${tid === 0 ? 'main thread' : `worker thread ${tid}`}${pids.size > 1 ? ` of pid ${f.split('.')[3]}` : ''}`;
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
  log(`duration ${cfg.duration} s, warm-up ${cfg.warmup} s, ${cfg.connections} connections, targets ${cfg.targets.join(',')}, ` +
    `SQLite synchronous=${process.env.BENCH_SYNCHRONOUS ?? 'FULL (default)'}${cfg.profile ? ', CPU profiling ON (figures include profiler overhead)' : ''}`);
  checkPhoneRange(5_000_000);
  const probeDir = trackTempDir(mkdtempSync(join(tmpdir(), 'otpd-bench-probe-')));
  const fsync = fsyncProbe(probeDir);
  removeTempDir(probeDir);
  log(`disk: 4 KiB append + fdatasync in ${tmpdir()}: p50 ${fsync.p50Ms} ms, p99 ${fsync.p99Ms} ms (one per SQLite group commit at synchronous=FULL)`);
  const { run, skipped } = await runnableTargets();

  const ceil = await ceiling();
  const failed = await runTargets(run);

  const ceilingRps = ceil.load.rps;
  log(`\n${table(results, ceilingRps)}\n`);
  for (const r of results) log(details(r));
  if (results.some((r) => r.operation)) {
    log(`\nBy store (x ceiling: ${ceilingRps.toFixed(0)} req/s; x SQLite: the same operation on SQLite in this run):\n\n${comparison(results, ceilingRps)}\n`);
  }
  const flags = flagsOf(results);
  flags.warnings.unshift(...skipped);
  flags.invalid.push(...failed);
  const profiles = cfg.profile ? summariseProfiles() : undefined;
  const json = {
    date: started.toISOString(), machine: { ...m, fsync }, config: { ...cfg, pgUrl: redactUrl(cfg.pgUrl) }, targets: TARGETS,
    ceilingRps, skipped,
    results: results.map((r) => ({ ...r, ratioToCeiling: r.load.rps / ceilingRps, ratioToSqlite: ratioToSqlite(r, results) })),
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
