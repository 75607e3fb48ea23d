/**
 * One measured phase: a warm-up, then the measured window bracketed by CPU readings from /proc of
 * the servers, of PostgreSQL (when the phase uses a local one), of this process and of the whole
 * machine, then (send-code) the time and CPU to deliver the backlog the window left queued.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cfg, log } from './config.ts';
import { runLoad, type LoadOptions, type LoadResult } from './load.ts';

export interface Phase extends Omit<LoadOptions, 'connections' | 'duration' | 'maxRequests'> {
  /** 'ceiling' or the store's label. */
  readonly target: string;
  readonly operation: string;
  readonly expectStatus: number;
  /** The server processes sharing the load. */
  readonly pids: readonly number[];
  /** Also read the CPU of the local PostgreSQL server's processes. */
  readonly dbCpu?: boolean;
  readonly remaining?: () => number;
  /** Waits until the work the requests queued (send-code: SMS delivery) is done. */
  readonly drain?: () => Promise<void>;
}

export interface PhaseResult {
  readonly target: string;
  readonly operation: string;
  readonly expectStatus: number;
  readonly load: LoadResult;
  /** Server CPU (user + system, every thread, summed over replicas) per response in the window. */
  readonly cpuUsPerRequest: number;
  readonly dbCpuUsPerRequest?: number;
  /** After the window: how long its queued backlog took to drain, and CPU per request counting that too. */
  readonly drain?: { readonly ms: number; readonly cpuUsPerRequest: number; readonly dbCpuUsPerRequest?: number };
  /** Shares of one core during the window: servers, this load generator, everything else on the machine. */
  readonly serverPct: number;
  readonly generatorPct: number;
  readonly otherPct: number;
  /** Responses with another status than expected, plus connection errors and timeouts. */
  readonly unexpected: number;
  /** The window on the servers' clock (CLOCK_MONOTONIC µs, as in --cpu-prof profiles). */
  readonly window: { readonly fromUs: number; readonly toUs: number };
}

/** /proc reports CPU time in clock ticks of USER_HZ, which is 100 on every Linux this runs on. */
const TICK_US = 10_000;

/** /proc/<pid>/stat: the command name and the fields after it (utime is [11], then stime, cutime, cstime). */
function stat(pid: number | string): { name: string; f: number[] } {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The name may contain spaces and parentheses: the fields start after the last ')'.
  const end = s.lastIndexOf(')');
  return {
    name: s.slice(s.indexOf('(') + 1, end),
    f: s
      .slice(end + 2)
      .split(' ')
      .map(Number),
  };
}

/**
 * Every `postgres` process (backends, WAL writer, checkpointer) with its reaped children: they do
 * part of otpd's work on PostgreSQL, so leaving them out would flatter it. A local server only.
 */
function pgCpuUs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const { name, f } = stat(pid);
      if (name === 'postgres') ticks += f[11]! + f[12]! + f[13]! + f[14]!;
    } catch {
      // ended between readdir and read
    }
  }
  return ticks * TICK_US;
}

interface Snapshot {
  readonly server: number;
  readonly db: number;
  readonly machine: number;
  readonly gen: number;
  readonly t: number;
}

function snapshot(p: Phase): Snapshot {
  let server = 0;
  for (const pid of p.pids) {
    const { f } = stat(pid);
    server += (f[11]! + f[12]!) * TICK_US;
  }
  // The machine's busy time: user, nice, system, irq, softirq (not idle, iowait, steal).
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = cpu;
  const gen = process.cpuUsage();
  return {
    server,
    db: p.dbCpu ? pgCpuUs() : 0,
    machine: (user + nice + system + irq + softirq) * TICK_US,
    gen: gen.user + gen.system,
    t: Number(process.hrtime.bigint() / 1000n),
  };
}

const load = (p: Phase, duration: number): Promise<LoadResult> =>
  runLoad({ ...p, connections: cfg.connections, duration, maxRequests: p.remaining?.() });

export async function measure(p: Phase): Promise<PhaseResult> {
  log(
    `- ${p.operation} [${p.target}]: ${cfg.warmup} s warm-up, ${cfg.duration} s measured, ` +
      `${cfg.connections} connections${p.urls.length > 1 ? ` over ${p.urls.length} replicas` : ''}`,
  );
  await load(p, cfg.warmup);
  await p.drain?.();
  const s0 = snapshot(p);
  const l = await load(p, cfg.duration);
  const s1 = snapshot(p);
  await p.drain?.();
  const s2 = p.drain ? snapshot(p) : undefined;
  const n = Math.max(1, l.completed);
  const pct = (us: number) => (100 * us) / (s1.t - s0.t);
  const ours = s1.server - s0.server + s1.gen - s0.gen + s1.db - s0.db;
  const r: PhaseResult = {
    target: p.target,
    operation: p.operation,
    expectStatus: p.expectStatus,
    load: l,
    cpuUsPerRequest: (s1.server - s0.server) / n,
    dbCpuUsPerRequest: p.dbCpu ? (s1.db - s0.db) / n : undefined,
    drain: s2 && {
      ms: (s2.t - s1.t) / 1000,
      cpuUsPerRequest: (s2.server - s0.server) / n,
      dbCpuUsPerRequest: p.dbCpu ? (s2.db - s0.db) / n : undefined,
    },
    serverPct: pct(s1.server - s0.server),
    generatorPct: pct(s1.gen - s0.gen),
    otherPct: Math.max(0, pct(s1.machine - s0.machine - ours)),
    unexpected: l.completed - (l.statusCodes[String(p.expectStatus)] ?? 0) + l.errors,
    window: { fromUs: s0.t, toUs: s1.t },
  };
  log(
    `  ${l.rps.toFixed(0)} req/s, p50 ${l.latencyMs.p50} ms, p99 ${l.latencyMs.p99} ms, ` +
      `${r.cpuUsPerRequest.toFixed(0)} µs CPU/request, statuses ${JSON.stringify(l.statusCodes)}`,
  );
  return r;
}
