/**
 * Child processes for the benchmark: spawning, readiness, CPU accounting from /proc, and a cleanup
 * that runs on every way out (normal end, exception, Ctrl-C), so no server or temp dir is left behind.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fdatasyncSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const syncCleanups: (() => void)[] = [];
let installed = false;

/** Runs on every way out, after the children are killed (e.g. drop a database schema with psql). */
export function addSyncCleanup(fn: () => void): void {
  syncCleanups.push(fn);
}

function cleanupSync(): void {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
  for (const fn of syncCleanups.splice(0)) fn();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

/** Kills surviving children and removes temp dirs on exit, on an uncaught error and on SIGINT/SIGTERM. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
      cleanupSync();
      process.exit(130);
    });
  }
}

export function trackTempDir(dir: string): string {
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** This process's environment without any OTPD_* setting (or PORT) that would leak into a server. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTPD_') && k !== 'PORT') env[k] = v;
  return { ...env, ...extra };
}

export interface SpawnOptions {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly logFile: string;
  /** If set, stdout is piped and this resolves with the first line matching it. */
  readonly readyLine?: RegExp;
}

/** Spawns `node <args>` with the Node running this script; output goes to logFile (not through us). */
export function spawnNode(name: string, o: SpawnOptions): { child: Child; ready: Promise<RegExpExecArray | null> } {
  const fd = openSync(o.logFile, 'w');
  const proc = spawn(process.execPath, [...o.args], {
    cwd: o.cwd,
    env: o.env,
    stdio: ['ignore', o.readyLine ? 'pipe' : fd, fd],
  });
  closeSync(fd);
  if (proc.pid === undefined) throw new Error(`${name}: spawn failed`);
  live.add(proc);
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  let ready: Promise<RegExpExecArray | null> = Promise.resolve(null);
  if (o.readyLine && proc.stdout) {
    const rl = createInterface({ input: proc.stdout });
    const re = o.readyLine;
    ready = new Promise((resolve, reject) => {
      rl.on('line', (line) => {
        const m = re.exec(line);
        if (m) resolve(m);
      });
      void exited.then((c) => reject(new Error(`${name} exited (${c}) before it was ready; see ${o.logFile}`)));
    });
  }
  return { child: { name, proc, pid: proc.pid, logFile: o.logFile, exited }, ready };
}

export function logTail(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls GET url until it answers 2xx; fails early if the child exits. */
export async function waitHttpReady(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  let gone: number | string | undefined;
  void child.exited.then((c) => { gone = c; });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone !== undefined) throw new Error(`${child.name} exited (${gone}) before it was ready:\n${logTail(child.logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${logTail(child.logFile)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, then wait; SIGKILL if it does not exit in time. Returns the exit code or signal. */
export async function stopChild(child: Child, timeoutMs = 30_000): Promise<number | string> {
  if (!live.has(child.proc)) return child.exited;
  child.proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
  const r = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (r === 'timeout') {
    child.proc.kill('SIGKILL');
    await child.exited;
    throw new Error(`${child.name} did not exit within ${timeoutMs} ms of SIGTERM (killed)`);
  }
  return r;
}

let clkTck: number | undefined;
export function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU time per thread name (MainThread, WorkerThread, V8Worker, libuv-worker, ...), microseconds. */
export function threadCpuUs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  const tick = 1e6 / ticksPerSecond();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(rest[11]) + Number(rest[12])) * tick);
    } catch {
      /* thread ended */
    }
  }
  return out;
}

/**
 * CPU time (user + system, all threads) a process has used so far, in microseconds, from
 * /proc/<pid>/stat fields 14 and 15. Resolution is one clock tick (10 ms at CLK_TCK=100).
 */
export function processCpuUs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; the fields we need follow the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 1e6 / ticksPerSecond();
  return { user: Number(rest[11]) * tick, system: Number(rest[12]) * tick };
}

/**
 * What one durable commit costs on this disk: append 4 KiB and fdatasync, n times, in `dir` (the
 * file system otpd's data dir is on). With synchronous=FULL every group commit pays this once.
 */
export function fsyncProbe(dir: string, n = 200): { p50Ms: number; p99Ms: number } {
  const file = join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const ms: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      writeSync(fd, block, 0, block.length, i * block.length);
      fdatasyncSync(fd);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => Math.round(ms[Math.min(n - 1, Math.ceil(p * n) - 1)]! * 100) / 100;
  return { p50Ms: q(0.5), p99Ms: q(0.99) };
}

/** Whole-machine CPU from /proc/stat, in microseconds: busy (user+nice+system+irq+softirq) and steal. */
export function machineCpuUs(): { busy: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  const tick = 1e6 / ticksPerSecond();
  return { busy: (user + nice + system + irq + softirq) * tick, steal: steal * tick };
}
