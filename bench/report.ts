/** Result types, the printed table, the loud warnings and the machine description. */
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { BACKEND_LABEL, type BackendId } from './config.ts';
import type { LoadResult } from './load.ts';

/** The otpd operation a phase measures, to line up the same row across stores. */
export type Operation = 'send-code' | 'validate-code (wrong code)' | 'validate-code';

export interface PhaseResult {
  readonly name: string;
  /** Which store otpd ran on; undefined for the ceiling. */
  readonly backend?: BackendId;
  readonly operation?: Operation;
  /** otpd processes serving the phase (CPU and thread figures are their sum). */
  readonly replicas: number;
  readonly method: string;
  readonly path: string;
  readonly expectStatus: number;
  /** Ratio to the ceiling this phase should reach, if it has a target. */
  readonly target?: number;
  readonly load: LoadResult;
  /** Server CPU (all threads) during the measured window. */
  readonly serverCpuUs: number;
  readonly serverCpuUsPerRequest: number;
  /** Server CPU as a share of one core during the window. */
  readonly serverCpuPct: number;
  /** Share of the server's CPU time spent in the kernel (system time): syscalls, TCP, file I/O. */
  readonly serverKernelShare: number;
  /** Server CPU by thread name, as a share of one core (threads under 0.5% left out). */
  readonly serverThreadsPct: Record<string, number>;
  /** send-code only: CPU spent after the window until the dispatcher had delivered every message. */
  readonly drainCpuUs?: number;
  readonly drainMs?: number;
  readonly serverCpuUsPerRequestInclDrain?: number;
  /** send-code only: responses / (window + drain): the rate the server sustains once delivery keeps up. */
  readonly sustainedRps?: number;
  /** PostgreSQL server processes (local server only), during the window. */
  readonly dbCpuUs?: number;
  readonly dbCpuUsPerRequest?: number;
  /** send-code on PostgreSQL: adds the database CPU spent while the SMS backlog drained. */
  readonly dbCpuUsPerRequestInclDrain?: number;
  /** This load-generator process, as a share of one core. */
  readonly clientCpuPct: number;
  /** Everything else on the machine (other processes, kernel work not charged to ours or to PostgreSQL), share of one core. */
  readonly otherCpuPct: number;
  /** CPU time the hypervisor took away, share of one core (0 where not reported). */
  readonly stealPct: number;
  /** Responses with another status than expected, plus connection errors and timeouts. */
  readonly unexpected: number;
  readonly unexpectedPct: number;
  readonly notes: string[];
  /** BENCH_PROFILE=1: the directory with this phase's per-thread .cpuprofile files, and the window. */
  profile?: { dir: string; fromUs: number; toUs: number };
}

export function machine() {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    /* not Linux */
  }
  return { nproc: availableParallelism(), node: process.version, cpuModel, kernel: release() };
}

/** Other statuses than expected, expected status with the wrong body, connection errors, timeouts. */
export function unexpectedOf(load: LoadResult, expect: number): number {
  return load.completed - (load.statusCodes[String(expect)] ?? 0) + load.bodyMismatches + load.errors + load.timeouts;
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');

/** A markdown table; columns in `left` are left-aligned, the rest (numbers) right-aligned. */
function render(head: readonly string[], body: readonly string[][], left: ReadonlySet<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (left.has(i) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** req/s of this phase over the same operation on SQLite in the same run (undefined if not measured). */
export function ratioToSqlite(r: PhaseResult, results: readonly PhaseResult[]): number | undefined {
  if (!r.operation) return undefined;
  const base = results.find((x) => x.backend === 'sqlite' && x.operation === r.operation);
  return base && base.load.rps > 0 ? r.load.rps / base.load.rps : undefined;
}

const withDrain = (v: number | undefined, incl: number | undefined) =>
  v === undefined ? '-' : incl !== undefined ? `${fmt(v)} (${fmt(incl)} w/ delivery)` : fmt(v);

export function table(results: readonly PhaseResult[], ceilingRps: number): string {
  const head = ['endpoint', 'status', 'req/s', 'p50 ms', 'p99 ms', 'x ceiling', 'x SQLite', 'target', 'verdict', 'CPU µs/req',
    'PG CPU µs/req', 'srv CPU', 'gen CPU', 'other CPU', 'unexpected'];
  const body = results.map((r) => {
    const ratio = r.load.rps / ceilingRps;
    return [
      r.name, String(r.expectStatus), fmt(r.load.rps), fmt(r.load.latencyMs.p50, 1), fmt(r.load.latencyMs.p99, 1),
      r.path === '/echo' ? '1.00' : fmt(ratio, 2), fmt(ratioToSqlite(r, results) ?? NaN, 2),
      r.target !== undefined ? `>= ${r.target.toFixed(1)}` : '-',
      r.target === undefined ? '-' : ratio >= r.target ? 'PASS' : 'BELOW',
      withDrain(r.serverCpuUsPerRequest, r.serverCpuUsPerRequestInclDrain),
      withDrain(r.dbCpuUsPerRequest, r.dbCpuUsPerRequestInclDrain),
      `${fmt(r.serverCpuPct)}%`, `${fmt(r.clientCpuPct)}%`, `${fmt(r.otherCpuPct)}%${r.stealPct >= 1 ? ` +${fmt(r.stealPct)}% steal` : ''}`,
      r.unexpected === 0 ? '0' : `${r.unexpected} (${r.unexpectedPct.toFixed(2)}%)`,
    ];
  });
  return render(head, body, new Set([0, 9, 10]));
}

/** The stores side by side, one row per operation and store, in the order operations were first measured. */
export function comparison(results: readonly PhaseResult[], ceilingRps: number): string {
  const ops = [...new Set(results.flatMap((r) => (r.operation ? [r.operation] : [])))];
  const head = ['operation', 'store', 'req/s', 'p50 ms', 'p99 ms', 'x ceiling', 'x SQLite', 'CPU µs/req otpd + PG'];
  const body: string[][] = [];
  for (const op of ops) {
    for (const r of results.filter((x) => x.operation === op)) {
      const cpu = r.dbCpuUsPerRequest !== undefined
        ? `${fmt(r.serverCpuUsPerRequest)} + ${fmt(r.dbCpuUsPerRequest)}` : fmt(r.serverCpuUsPerRequest);
      body.push([
        op, r.backend ? BACKEND_LABEL[r.backend] : '-', fmt(r.load.rps), fmt(r.load.latencyMs.p50, 1), fmt(r.load.latencyMs.p99, 1),
        fmt(r.load.rps / ceilingRps, 2), fmt(ratioToSqlite(r, results) ?? NaN, 2), cpu,
      ]);
    }
  }
  return render(head, body, new Set([0, 1, 7]));
}

export function details(r: PhaseResult): string {
  const codes = Object.entries(r.load.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ');
  const parts = [
    `  ${r.name}: ${r.load.completed} responses in ${r.load.durationS.toFixed(1)} s [${codes}], non-2xx ${r.load.non2xx}` +
      `${r.load.bodyMismatches ? `, ${r.load.bodyMismatches} with an unexpected error code` : ''}` +
      `${r.load.errors ? `, ${r.load.errors} errors` : ''}${r.load.timeouts ? `, ${r.load.timeouts} timeouts` : ''}; ` +
      `latency mean ${r.load.latencyMs.mean.toFixed(2)} p90 ${r.load.latencyMs.p90} max ${r.load.latencyMs.max} ms; ` +
      `server CPU ${(r.serverCpuUs / 1e6).toFixed(2)} s (${(100 * r.serverKernelShare).toFixed(0)}% of it in the kernel)`,
  ];
  const threads = Object.entries(r.serverThreadsPct).sort((a, b) => b[1] - a[1]).map(([n, p]) => `${n} ${p.toFixed(0)}%`).join(', ');
  if (threads) parts.push(`    server threads (share of a core${r.replicas > 1 ? `, summed over ${r.replicas} replicas` : ''}): ${threads}`);
  if (r.dbCpuUs !== undefined) parts.push(`    PostgreSQL processes: ${(r.dbCpuUs / 1e6).toFixed(2)} s CPU in the window`);
  for (const u of r.load.perUrl ?? []) parts.push(`    replica ${u.url}: ${u.completed} responses, ${u.rps.toFixed(0)} req/s, p99 ${u.p99} ms`);
  if (r.drainMs !== undefined) {
    parts.push(`    SMS delivery still queued at the end of the window took ${r.drainMs.toFixed(0)} ms and ${((r.drainCpuUs ?? 0) / 1e6).toFixed(2)} s CPU to drain;` +
      ` sustained rate including delivery ${(r.sustainedRps ?? 0).toFixed(0)} req/s`);
  }
  for (const n of r.notes) parts.push(`    note: ${n}`);
  for (const s of r.load.errorSamples) parts.push(`    non-2xx sample: ${s}`);
  return parts.join('\n');
}

/**
 * invalid: the figures cannot be trusted (too many unexpected answers) — the run exits non-zero.
 * warnings: the figures stand but need a caveat (cut short, generator-bound, busy machine).
 */
export function flagsOf(results: readonly PhaseResult[]): { invalid: string[]; warnings: string[] } {
  const invalid: string[] = [];
  const warnings: string[] = [];
  for (const r of results) {
    const total = r.load.completed + r.load.errors + r.load.timeouts;
    const non2xxPct = total ? (100 * (r.load.non2xx + r.load.errors + r.load.timeouts)) / total : 0;
    if (r.expectStatus < 300 && non2xxPct > 1) {
      invalid.push(`${r.name}: ${non2xxPct.toFixed(2)}% non-2xx/errors (${r.load.non2xx} non-2xx, ${r.load.errors} errors, ${r.load.timeouts} timeouts) — figures are NOT valid`);
    } else if (r.unexpectedPct > 1) {
      const wrongBody = r.load.bodyMismatches ? ` (${r.load.bodyMismatches} of them ${r.expectStatus} with another error code)` : '';
      invalid.push(`${r.name}: ${r.unexpectedPct.toFixed(2)}% responses other than the expected ${r.expectStatus}${wrongBody} — figures are NOT valid`);
    }
    if (r.load.completed === 0) {
      invalid.push(`${r.name}: no responses at all`);
      continue;
    }
    if (r.load.exhausted) warnings.push(`${r.name}: ran out of pre-created verifications; measured ${r.load.durationS.toFixed(1)} s instead of the full duration`);
    if (r.clientCpuPct > 90) warnings.push(`${r.name}: the load generator used ${r.clientCpuPct.toFixed(0)}% of a core; req/s may be limited by the client (CPU µs/request is not)`);
    if (r.otherCpuPct + r.stealPct > 25) warnings.push(`${r.name}: other load on the machine took ${(r.otherCpuPct + r.stealPct).toFixed(0)}% of a core during the window; req/s is depressed (CPU µs/request less so)`);
  }
  return { invalid, warnings };
}

export function loud(title: string, flags: readonly string[]): string {
  const bar = '!'.repeat(100);
  return [bar, `!!! ${title}`, ...flags.map((f) => `!!! ${f}`), bar].join('\n');
}
