/**
 * One measured phase: a warm-up run, then the measured run bracketed by CPU readings of the
 * server processes, of PostgreSQL (if the phase uses it), of this process and of the machine.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { machineCpuUs, processCpuUs, threadCpuUs, type Child } from './children.ts';
import { cfg, log, nowUs, PROF, sleep, type BackendId } from './config.ts';
import { runLoad, type LoadOptions } from './load.ts';
import { pgCpuUs } from './pg.ts';
import { unexpectedOf, type Operation, type PhaseResult } from './report.ts';

export interface Phase {
  readonly name: string;
  readonly backend?: BackendId;
  readonly operation?: Operation;
  /** The server processes (several replicas share the load). */
  readonly children: readonly Child[];
  /** One base URL per child; the load generator spreads its connections over them. */
  readonly bases: readonly string[];
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
  /** Read the local PostgreSQL server's CPU too. */
  readonly dbCpu?: boolean;
}

/** Every phase measured so far, in order. */
export const results: PhaseResult[] = [];

/**
 * One directory per phase: Node writes one profile per thread of each server process into it,
 * named CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile. Call once per phase, before the
 * first replica starts, since it empties the directory.
 */
export function profArgs(name: string): string[] {
  if (!cfg.profile) return [];
  const dir = join(PROF, name);
  rmSync(dir, { recursive: true, force: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** Attaches the profile directory to the phase just measured, once its processes have exited. */
export function setProfileDir(name: string): void {
  const r = results.at(-1);
  if (r?.profile) r.profile.dir = join(PROF, name);
}

interface Snapshot {
  readonly server: { user: number; system: number };
  readonly threads: Map<string, number>;
  readonly machine: { busy: number; steal: number };
  readonly db: number;
  readonly client: NodeJS.CpuUsage;
  readonly t: number;
}

function snapshot(p: Phase): Snapshot {
  const server = { user: 0, system: 0 };
  const threads = new Map<string, number>();
  for (const c of p.children) {
    const s = processCpuUs(c.pid);
    server.user += s.user;
    server.system += s.system;
    for (const [n, us] of threadCpuUs(c.pid)) threads.set(n, (threads.get(n) ?? 0) + us);
  }
  return { server, threads, machine: machineCpuUs(), db: p.dbCpu ? pgCpuUs() : 0, client: process.cpuUsage(), t: nowUs() };
}

const serverUs = (s: Snapshot) => s.server.user + s.server.system;

function loadOptions(p: Phase, duration: number, title: string): LoadOptions {
  return {
    title, url: p.bases.length === 1 ? p.bases[0]! : p.bases, path: p.path, connections: cfg.connections, duration,
    headers: p.headers, body: p.body, maxRequests: p.remaining?.(),
    expect: p.expectCode ? { status: p.expectStatus, bodyIncludes: `"${p.expectCode}"` } : undefined,
  };
}

type DrainFields = Pick<PhaseResult, 'drainCpuUs' | 'drainMs' | 'serverCpuUsPerRequestInclDrain' | 'sustainedRps' | 'dbCpuUsPerRequestInclDrain'>;

/** After the window: wait for the phase's background work and charge its CPU to the requests. */
async function drainAfter(p: Phase, end: Snapshot, w: { completed: number; durationS: number; serverCpuUs: number; dbCpuUs: number }): Promise<DrainFields> {
  if (!p.drain) return {};
  await p.drain();
  const after = snapshot(p);
  const drainCpuUs = serverUs(after) - serverUs(end);
  const n = Math.max(1, w.completed);
  return {
    drainCpuUs, drainMs: (after.t - end.t) / 1000, serverCpuUsPerRequestInclDrain: (w.serverCpuUs + drainCpuUs) / n,
    sustainedRps: w.completed / (w.durationS + (after.t - end.t) / 1e6),
    ...(p.dbCpu ? { dbCpuUsPerRequestInclDrain: (w.dbCpuUs + after.db - end.db) / n } : {}),
  };
}

export async function measure(p: Phase): Promise<PhaseResult> {
  log(`- ${p.name}: warm-up ${cfg.warmup} s`);
  await runLoad(loadOptions(p, cfg.warmup, `${p.name} warm-up`));
  await p.drain?.();
  await sleep(300);
  const spread = p.bases.length > 1 ? ` spread over ${p.bases.length} replicas` : '';
  log(`- ${p.name}: measuring ${cfg.duration} s with ${cfg.connections} connections${spread}`);
  const s0 = snapshot(p);
  const load = await runLoad(loadOptions(p, cfg.duration, p.name));
  const s1 = snapshot(p);
  const wall = s1.t - s0.t;
  const serverCpuUs = serverUs(s1) - serverUs(s0);
  const c = process.cpuUsage(s0.client);
  const clientCpuUs = c.user + c.system;
  const dbCpuUs = p.dbCpu ? s1.db - s0.db : 0;
  const n = Math.max(1, load.completed);
  const drain = await drainAfter(p, s1, { completed: load.completed, durationS: load.durationS, serverCpuUs, dbCpuUs });
  const unexpected = unexpectedOf(load, p.expectStatus);
  const r: PhaseResult = {
    name: p.name, backend: p.backend, operation: p.operation, replicas: p.children.length,
    method: p.method, path: p.path, expectStatus: p.expectStatus, target: p.target, load,
    serverCpuUs, serverCpuUsPerRequest: serverCpuUs / n, serverCpuPct: (100 * serverCpuUs) / wall,
    serverKernelShare: serverCpuUs ? (s1.server.system - s0.server.system) / serverCpuUs : 0,
    serverThreadsPct: Object.fromEntries([...s1.threads].map(([k, us]) => [k, (100 * (us - (s0.threads.get(k) ?? 0))) / wall]).filter(([, pct]) => (pct as number) >= 0.5)),
    ...drain,
    ...(p.dbCpu ? { dbCpuUs, dbCpuUsPerRequest: dbCpuUs / n } : {}),
    clientCpuPct: (100 * clientCpuUs) / wall,
    otherCpuPct: Math.max(0, (100 * (s1.machine.busy - s0.machine.busy - serverCpuUs - clientCpuUs - dbCpuUs)) / wall),
    stealPct: (100 * (s1.machine.steal - s0.machine.steal)) / wall,
    unexpected, unexpectedPct: (100 * unexpected) / Math.max(1, load.completed + load.errors + load.timeouts),
    notes: p.notes?.() ?? [],
    profile: cfg.profile ? { dir: '', fromUs: s0.t, toUs: s1.t } : undefined,
  };
  log(`  ${load.rps.toFixed(0)} req/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ` +
    `${r.serverCpuUsPerRequest.toFixed(0)} µs server CPU/request${p.dbCpu ? ` + ${(dbCpuUs / n).toFixed(0)} µs PostgreSQL` : ''}, ` +
    `statuses ${JSON.stringify(load.statusCodes)}`);
  results.push(r);
  return r;
}
