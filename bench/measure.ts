/**
 * One measured phase: a warm-up, then the measured window bracketed by CPU readings from /proc of
 * the servers, of PostgreSQL (when the phase uses a local one), of this process and of the whole
 * machine, then (send-code) the time and CPU to deliver the backlog the window left queued and what
 * became of the window's messages. The servers' RSS is sampled throughout.
 */
import { cfg, log } from './config.ts';
import type { DispatchStats } from './delivery-stats.ts';
import { runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { runOpenLoop } from './open-loop.ts';
import { cpuUs, machineCpuUs, pgCpuUs, sampleRss } from './proc.ts';

export interface Phase extends Omit<LoadOptions, 'connections' | 'duration' | 'maxRequests'> {
  /** 'ceiling' or the store's label. */
  readonly target: string;
  readonly operation: string;
  readonly expectStatus: number;
  /** The server processes sharing the load. */
  readonly pids: readonly number[];
  /** Processes on the generator's core that serve the phase (the fake provider): counted with the generator. */
  readonly helperPids?: readonly number[];
  /** Also read the CPU of the local PostgreSQL server's processes. */
  readonly dbCpu?: boolean;
  readonly remaining?: () => number;
  /** Waits until the work the requests queued (send-code: SMS delivery) is done, or gives up. */
  readonly drain?: () => Promise<void>;
  /** After the drain: what became of the messages accepted in the window (epoch ms). */
  readonly dispatch?: (fromMs: number, toMs: number) => Promise<DispatchStats>;
  /** Open loop at this many requests per second; a closed loop over cfg.connections otherwise. */
  readonly rate?: number;
  /** Seconds, instead of cfg's. */
  readonly warmup?: number;
  readonly duration?: number;
}

/** What the fake HTTP provider saw in a phase (bench/vendor-server.ts). */
export interface VendorStats {
  readonly received: number;
  /** Requests refused as malformed: otpd's wire format is wrong, and the phase's figures with it. */
  readonly refused: number;
  readonly maxInFlight: number;
  readonly refusal: string;
}

export interface PhaseResult {
  readonly target: string;
  readonly operation: string;
  readonly expectStatus: number;
  /** The open-loop rate, if the phase ran one. */
  readonly rate?: number;
  readonly load: LoadResult;
  /** Server CPU (user + system, every thread, summed over replicas) per response in the window. */
  readonly cpuUsPerRequest: number;
  readonly dbCpuUsPerRequest?: number;
  /** After the window: how long its queued backlog took to drain, and CPU per request counting that too. */
  readonly drain?: { readonly ms: number; readonly cpuUsPerRequest: number; readonly dbCpuUsPerRequest?: number };
  readonly dispatch?: DispatchStats;
  readonly vendor?: VendorStats;
  /** The scale phases: verifications in the store when the phase started, and the size it stands for. */
  readonly stored?: number;
  readonly scale?: number;
  /** The largest RSS any server reached from the warm-up to the end of the drain. */
  readonly rssMaxBytes: number;
  /** Shares of one core during the window: servers, this load generator (and helpers), everything else. */
  readonly serverPct: number;
  readonly generatorPct: number;
  readonly otherPct: number;
  /** Responses with another status than expected, plus connection errors and timeouts. */
  readonly unexpected: number;
  /** The window on the servers' clock (CLOCK_MONOTONIC µs, as in --cpu-prof profiles) and in epoch ms. */
  readonly window: { readonly fromUs: number; readonly toUs: number; readonly fromMs: number; readonly toMs: number };
}

interface Snapshot {
  readonly server: number;
  readonly db: number;
  readonly machine: number;
  readonly gen: number;
  readonly t: number;
  readonly wall: number;
}

function snapshot(p: Phase): Snapshot {
  const gen = process.cpuUsage();
  return {
    server: p.pids.reduce((a, pid) => a + cpuUs(pid), 0),
    db: p.dbCpu ? pgCpuUs() : 0,
    machine: machineCpuUs(),
    gen: gen.user + gen.system + (p.helperPids ?? []).reduce((a, pid) => a + cpuUs(pid), 0),
    t: Number(process.hrtime.bigint() / 1000n),
    wall: Date.now(),
  };
}

function load(p: Phase, duration: number): Promise<LoadResult> {
  const o = { ...p, connections: cfg.connections, duration, maxRequests: p.remaining?.() };
  return p.rate === undefined ? runLoad(o) : runOpenLoop({ ...o, rate: p.rate });
}

function describe(p: Phase): string {
  const mode = p.rate === undefined ? 'closed loop' : `open loop at ${p.rate.toFixed(0)}/s`;
  const spread = p.urls.length > 1 ? ` over ${p.urls.length} replicas` : '';
  return (
    `- ${p.operation} [${p.target}]: ${p.warmup ?? cfg.warmup} s warm-up, ${p.duration ?? cfg.duration} s ` +
    `measured, ${mode}, ${cfg.connections} connections${spread}`
  );
}

export async function measure(p: Phase): Promise<PhaseResult> {
  log(describe(p));
  const rss = sampleRss(p.pids);
  await load(p, p.warmup ?? cfg.warmup);
  await p.drain?.();
  const s0 = snapshot(p);
  const l = await load(p, p.duration ?? cfg.duration);
  const s1 = snapshot(p);
  await p.drain?.();
  const s2 = p.drain ? snapshot(p) : undefined;
  const rssMaxBytes = rss.stop();
  const dispatch = await p.dispatch?.(s0.wall, s1.wall);
  const n = Math.max(1, l.completed);
  const pct = (us: number) => (100 * us) / (s1.t - s0.t);
  const ours = s1.server - s0.server + s1.gen - s0.gen + s1.db - s0.db;
  const r: PhaseResult = {
    target: p.target,
    operation: p.operation,
    expectStatus: p.expectStatus,
    ...(p.rate === undefined ? {} : { rate: p.rate }),
    load: l,
    cpuUsPerRequest: (s1.server - s0.server) / n,
    dbCpuUsPerRequest: p.dbCpu ? (s1.db - s0.db) / n : undefined,
    drain: s2 && {
      ms: (s2.t - s1.t) / 1000,
      cpuUsPerRequest: (s2.server - s0.server) / n,
      dbCpuUsPerRequest: p.dbCpu ? (s2.db - s0.db) / n : undefined,
    },
    ...(dispatch ? { dispatch } : {}),
    rssMaxBytes,
    serverPct: pct(s1.server - s0.server),
    generatorPct: pct(s1.gen - s0.gen),
    otherPct: Math.max(0, pct(s1.machine - s0.machine - ours)),
    unexpected: l.completed - (l.statusCodes[String(p.expectStatus)] ?? 0) + l.errors,
    window: { fromUs: s0.t, toUs: s1.t, fromMs: s0.wall, toMs: s1.wall },
  };
  logResult(r);
  return r;
}

function logResult(r: PhaseResult): void {
  const l = r.load;
  const d = r.dispatch;
  log(
    `  ${l.rps.toFixed(0)} req/s, p50 ${l.latencyMs.p50} ms, p99 ${l.latencyMs.p99} ms, ` +
      `${r.cpuUsPerRequest.toFixed(0)} µs CPU/request, RSS ≤ ${(r.rssMaxBytes / 2 ** 20).toFixed(0)} MB, ` +
      `statuses ${JSON.stringify(l.statusCodes)}` +
      (l.lagMs === undefined ? '' : `, sent late by ${l.lagMs.toFixed(1)} ms (p99)`),
  );
  if (d)
    log(
      `  dispatch wait p50 ${d.wait.p50.ms} ms, p99 ${d.wait.p99.censored ? '>' : ''}${d.wait.p99.ms} ms; ` +
        `${d.delivered}/${d.accepted} delivered by the window's end + 2 s (${d.deliveredRps.toFixed(0)}/s), ` +
        `${d.notSent} not sent`,
    );
}
