/**
 * `npm run bench`: accepted and delivered req/s, latency p50/p99 (closed and open loop), CPU µs per
 * request and RSS of otpd's send-code and validate-code on each store (embedded SQLite; PostgreSQL
 * behind one replica and behind two sharing one schema), each as a ratio to a bare-Fastify endpoint
 * (the ceiling) measured in the same run; how long messages wait for the dispatcher, with the
 * development outbox and with an HTTP provider answering after 200 ms; and validate-code as the
 * SQLite store grows to 10 million verifications. Every abuse check executes, its limits raised.
 * Last, the pumping simulation's leak and real-user figures over longer runs (bench/fraud.ts).
 * The machine is shared and noisy: compare ratios within a run, not req/s across runs. Every server
 * runs under `taskset -c 0`, this process (the load generator) and the fake provider on core 1;
 * PostgreSQL is not pinned. Prints tables; writes .bench/last.json and one log per server under .bench/.
 *
 * Knobs (environment):
 *   BENCH_DURATION          measured seconds per phase (default 10)
 *   BENCH_WARMUP            warm-up seconds before each (default 2)
 *   BENCH_CONNECTIONS       concurrent connections (default 50; split over the replicas of pg2)
 *   BENCH_TARGETS           comma-separated: sqlite, pg1, pg2 (default all; the pg ones are skipped if
 *                           PostgreSQL does not answer)
 *   BENCH_PG_URL            default OTPD_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test
 *   BENCH_PG_POOL_SIZE      OTPD_DATABASE_POOL_SIZE per replica (default otpd's)
 *   BENCH_SYNCHRONOUS       OTPD_SQLITE_SYNCHRONOUS for the SQLite target (default otpd's, FULL)
 *   BENCH_GATEWAY_DELAY_MS  how long the fake HTTP provider takes to answer (default 200)
 *   BENCH_HTTP_DRAIN        seconds an HTTP-provider phase waits for its backlog (default 10)
 *   BENCH_SCALE             stored verifications at the large end of the scale phase (default 10000000; 0: skip)
 *   BENCH_SCALE_RATE        validate-code per second in the scale phase (default 1000)
 *   BENCH_WEBHOOKS          0 skips the webhooks on/off comparison (SQLite)
 *   BENCH_ONLY              webhooks: that comparison alone
 *   BENCH_PROFILE=1         run every server with --cpu-prof into .bench/prof; each measured window is
 *                           summarised with scripts/profile-summary.ts into .bench/prof/summary.txt
 * Other OTPD_* variables in the environment reach every otpd (the bench's own settings win).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release as kernel } from 'node:os';
import { join, relative } from 'node:path';
import { withPg } from '../test/helpers/pg.ts';
import { formatSummary, readProfile, summarize } from '../scripts/profile-summary.ts';
import { cfg, log, OUT, ROOT, TARGET_LABEL, type TargetId } from './config.ts';
import { describeDisk, probeDisk, type DiskFigures } from './disk.ts';
import { fraudBench } from './fraud.ts';
import { goals } from './goals.ts';
import { measure, type PhaseResult } from './measure.ts';
import type { Shared } from './otpd-set.ts';
import { runTarget } from './otpd-target.ts';
import { BLOCKS, checkPhones, COUNTRIES } from './phones.ts';
import { MESSAGE } from './pool.ts';
import { checks, deliveryTable, loud, scaleTable, table } from './report.ts';
import { pinCores, release, releaseOnExit, startServer, stopServer } from './servers.ts';

const redacted = (url: string): string => url.replace(/:[^:@/]*@/, ':***@');
const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/**
 * The ceiling, in a closed loop only: at half its rate an open loop would measure the generator
 * (Node's HTTP client, one core), which cannot send that many on time.
 */
async function ceiling(s: Shared): Promise<PhaseResult> {
  const p = await startServer('ceiling', {}, { script: join(ROOT, 'bench/ceiling-server.ts') });
  try {
    return await measure({
      target: 'ceiling',
      operation: 'POST /echo (bare Fastify)',
      urls: [p.url],
      pids: [p.child.pid!],
      path: '/echo',
      expectStatus: 200,
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      // One fixed body of the send-code size: the cheapest request for the generator.
      body: JSON.stringify({ phoneNumber: '+34610000000', message: MESSAGE }),
    });
  } finally {
    await stopServer('ceiling', p);
  }
}

/** The PostgreSQL targets are skipped, loudly, if the server does not answer; SQLite still runs. */
async function pgSkipped(): Promise<string | undefined> {
  const pg = cfg.targets.filter((t) => t !== 'sqlite');
  if (pg.length === 0) return undefined;
  try {
    const r = await withPg((c) => c.query<{ server_version: string }>('SHOW server_version'), cfg.pgUrl);
    log(`PostgreSQL ${r.rows[0]?.server_version} at ${redacted(cfg.pgUrl)}`);
    return undefined;
  } catch (err) {
    const why = `PostgreSQL at ${redacted(cfg.pgUrl)}: ${firstLine(err)}; SKIPPED ${pg.join(', ')} (set BENCH_PG_URL)`;
    process.stderr.write(`\n${loud('POSTGRESQL TARGETS SKIPPED', [why])}\n\n`);
    return why;
  }
}

/** Each target in turn; one that fails is reported and the others still run. */
async function targets(s: Shared, run: readonly TargetId[]): Promise<{ results: PhaseResult[]; failed: string[] }> {
  const results: PhaseResult[] = [];
  const failed: string[] = [];
  for (const t of run) {
    try {
      results.push(...(await runTarget(s, t)));
    } catch (err) {
      const why = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`\n${loud(`TARGET ${TARGET_LABEL[t]} FAILED`, why.split('\n'))}\n\n`);
      failed.push(`${TARGET_LABEL[t]} failed: ${firstLine(err)}`);
    } finally {
      await release();
    }
  }
  return { results, failed };
}

/** Each profile cut to every measured window it covers (a replica's covers its target's). */
function summariseProfiles(results: readonly PhaseResult[]): void {
  const dir = join(OUT, 'prof');
  const parts: string[] = [];
  for (const f of readdirSync(dir, { recursive: true })
    .map(String)
    .filter((n) => n.endsWith('.cpuprofile'))
    .sort()) {
    const p = readProfile(join(dir, f));
    const file = relative(ROOT, join(dir, f));
    for (const { window: w, operation, target } of results) {
      if (w.fromUs < p.startTime || w.toUs > p.endTime) continue;
      const s = summarize(p, file, { fromUs: w.fromUs, toUs: w.toUs });
      parts.push(formatSummary(s, `${operation} [${target}]: ${file} --from ${w.fromUs} --to ${w.toUs}`));
    }
  }
  writeFileSync(join(dir, 'summary.txt'), `${parts.join('\n\n')}\n`);
  log('profiles of the measured windows: .bench/prof/summary.txt (for more, node scripts/profile-summary.ts)');
}

function machine(): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';
  return `${cpus().length} CPUs (${model}), Node ${process.version}, Linux ${kernel()}`;
}

/** The commit measured, and whether the tree differed from it. */
function commit(): string {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
    const modified = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${modified ? ' (modified)' : ''}`;
  } catch {
    return 'unknown commit';
  }
}

function printTables(results: readonly PhaseResult[], ceilingRps: number, disk: DiskFigures): void {
  log(`\n${table(results, ceilingRps)}\n`);
  log(
    'In brackets: CPU µs/req counting the delivery of the backlog the window left ("drain ms" after it).\n' +
      'delivered/s: sends of the window whose message reached the gateway by its end + 2 s.\n' +
      'PG CPU: every local postgres process, which runs unpinned, on either core.',
  );
  if (results.some((r) => r.dispatch))
    log(`\nDispatch wait (acceptance to first hand-over to the gateway):\n\n${deliveryTable(results)}\n`);
  const scale = scaleTable(results);
  if (scale) log(`\nvalidate-code as the store grows:\n\n${scale}\n`);
  log(
    `\nThe issue's goals:\n${goals(results, ceilingRps, disk)
      .map((l) => `  ${l}`)
      .join('\n')}\n`,
  );
}

async function main(): Promise<void> {
  // spawnOtpd hands this environment on, so OTPD_* settings reach every otpd under test; but one
  // from the shell pointing at a database would put the SQLite target on PostgreSQL.
  delete process.env.OTPD_DATABASE_URL;
  releaseOnExit();
  mkdirSync(OUT, { recursive: true });
  if (cfg.profile) rmSync(join(OUT, 'prof'), { recursive: true, force: true });
  checkPhones();
  const started = new Date().toISOString();
  const header = { date: started, commit: commit(), machine: machine(), pinning: pinCores() };
  log(`otpd benchmark ${started}, ${header.commit}: ${header.machine}\n${header.pinning.note}`);
  log(`numbers: mobiles of ${COUNTRIES.join(', ')} over ${BLOCKS} blocks, each used once`);
  if (cfg.profile) log('CPU profiling ON: the figures include its cost');
  const disk = probeDisk(cfg.duration);
  log(describeDisk(disk));
  const skipped = await pgSkipped();
  const s: Shared = { secret: randomBytes(32).toString('hex'), key: `bench_${randomBytes(24).toString('base64url')}` };
  const ceil = await ceiling(s);
  const run = await targets(
    s,
    cfg.targets.filter((t) => !skipped || t === 'sqlite'),
  );
  const results = [ceil, ...run.results];
  const ceilingRps = ceil.load.rps;
  printTables(results, ceilingRps, disk);
  const { invalid, warnings } = checks(results);
  invalid.push(...run.failed);
  warnings.unshift(...(header.pinning.pinned ? [] : [header.pinning.note]), ...(skipped ? [skipped] : []));
  if (cfg.profile) summariseProfiles(results);
  const json = {
    ...header,
    config: { ...cfg, pgUrl: redacted(cfg.pgUrl) },
    disk,
    ceilingRps,
    results,
    invalid,
    warnings,
  };
  writeFileSync(join(OUT, 'last.json'), `${JSON.stringify(json, null, 2)}\n`);
  log('results: .bench/last.json');
  if (!cfg.onlyWebhooks && !cfg.onlyApis && !cfg.onlyScale) await fraudBench(log);
  if (warnings.length) log(`\n${loud('CAVEATS', warnings)}`);
  if (invalid.length) {
    process.stderr.write(`\n${loud('BENCHMARK RUN INVALID', invalid)}\n`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
