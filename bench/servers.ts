/**
 * The servers under test, started with the tests' spawnOtpd: on core 0 (this process, the load
 * generator, on core 1), optionally CPU-profiled, and never left behind: what the bench created
 * (processes, temp dirs, PostgreSQL schemas) is released after each target and on every way out.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnOtpd, type OtpdProcess, type SpawnOptions } from '../test/helpers/process.ts';
import { dropSchemas, freshSchema } from '../test/helpers/pg.ts';
import { cfg, OUT } from './config.ts';

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
const schemas = new Set<string>();
let pinned = false;
/** Kept apart: releaseOnExit mutes the process's output, but not what release() must still say. */
const say = process.stderr.write.bind(process.stderr);

/** Every thread of this process (autocannon, libuv, V8) to core 1; servers started later to core 0. */
export function pinCores(): { pinned: boolean; note: string } {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'taskset not found' : 'taskset -c 1 failed';
    return { pinned: false, note: `UNPINNED (${why}): servers and load generator share every core` };
  }
  pinned = true;
  return { pinned: true, note: 'taskset: servers on core 0, load generator on core 1; PostgreSQL unpinned (not ours)' };
}

export interface StartOptions extends Pick<SpawnOptions, 'script' | 'readyPath'> {
  /** Arguments after the script (otpd: `serve` and its options). */
  readonly args?: readonly string[];
  /** The core to pin it to: 0 for servers under test (the default), 1 for helpers of the generator. */
  readonly core?: 0 | 1;
}

/** Starts otpd (or `script`); with BENCH_PROFILE=1 it writes a CPU profile into .bench/prof when it stops. */
export function startServer(name: string, env: Record<string, string>, o: StartOptions = {}): Promise<OtpdProcess> {
  const track = (c: ChildProcess) => {
    live.add(c);
    c.once('exit', () => live.delete(c));
  };
  const nodeArgs = cfg.profile && !o.core ? ['--cpu-prof', `--cpu-prof-dir=${join(OUT, 'prof', name)}`] : [];
  const prefix = pinned ? ['taskset', '-c', String(o.core ?? 0)] : [];
  return spawnOtpd(env, [...(o.args ?? ['serve'])], { ...o, prefix, nodeArgs, onSpawn: track });
}

/** SIGTERM, and the server's output into .bench/<name>.log. */
export async function stopServer(name: string, p: OtpdProcess): Promise<number | null> {
  const code = await p.stop();
  writeFileSync(join(OUT, `${name}.log`), p.output());
  return code;
}

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'otpd-bench-'));
  dirs.add(d);
  return d;
}

/** A schema of its own per target: otpd's migrations create it, release() drops it. */
export function newSchema(): string {
  const s = freshSchema('otpd_bench');
  schemas.add(s);
  return s;
}

function killAndRemove(): void {
  for (const c of live) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

/** Kills what still runs, removes the temp dirs and drops the schemas made so far. */
export async function release(): Promise<void> {
  killAndRemove();
  const drop = [...schemas];
  schemas.clear();
  await dropSchemas(drop, cfg.pgUrl).catch((err: unknown) => {
    say(`bench: could not drop schema(s) ${drop.join(', ')}: ${String(err)}; drop them by hand\n`);
  });
}

/** Releases on the ways out that skip the callers' `finally`: Ctrl-C, SIGTERM, an uncaught exception. */
export function releaseOnExit(): void {
  const bail = (why: string, code: number) => {
    say(`\nbench: ${why}; stopping the servers, removing temp dirs and schemas\n`);
    // The run goes on while the schemas drop, its requests now failing: what it would print is noise.
    process.stdout.write = process.stderr.write = () => true;
    void release().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => bail('SIGINT', 130));
  process.once('SIGTERM', () => bail('SIGTERM', 143));
  process.once('uncaughtException', (err) => bail(`uncaught ${err.stack ?? String(err)}`, 1));
  // A process.exit() anywhere else: only synchronous work is possible here.
  process.on('exit', killAndRemove);
}
