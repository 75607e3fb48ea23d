/**
 * Summarises V8 CPU profiles: self time aggregated by function, by module (a src/ file, a
 * node_modules package, a node: internal module) and by broad category. Any Node process can
 * write one: `node --cpu-prof --cpu-prof-dir=prof bin/otpd.js serve`, stop it with SIGTERM, and
 * every thread's profile is in prof/. `BENCH_PROFILE=1 npm run bench` does that for every server
 * and summarises each measured window with this module into .bench/prof/summary.txt.
 *
 *   node scripts/profile-summary.ts <file.cpuprofile>... [--top 25] [--from <µs>] [--to <µs>] [--json]
 *                                   [--callers <text>] [--inclusive <text>,<text>,...]
 *
 * --from/--to keep only samples taken inside that window (CLOCK_MONOTONIC microseconds, the clock
 * both V8's profile timestamps and process.hrtime use on Linux), so a profile of a whole process
 * life can be cut down to the measured phase. Native frames (C++ called from JS: SQLite statement
 * calls, hashing, socket writes) have no script; they are named with the JS frame that called them.
 * --callers <text> also lists, for functions whose name contains <text>, which call chains
 * (three frames up) their self time came from. --inclusive gives, per text, the share of samples
 * with a matching function anywhere on the stack (inclusive time), e.g. "authenticate,#runBatch".
 *
 * The profiler samples the main thread on a wall-clock timer: time blocked in a system call made
 * from JS (a socket write, SQLite's pwrite/fsync inside COMMIT) counts as self time of the JS
 * function that made the native call, not as idle. Worker threads (GC helpers) are not sampled.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  readonly key: string;
  readonly samples: number;
  /** Share of the non-idle samples in the window. */
  readonly pct: number;
}

export interface Summary {
  readonly file: string;
  /** Samples in the window, idle included. */
  readonly totalSamples: number;
  readonly busySamples: number;
  readonly idleSamples: number;
  readonly windowMs: number;
  readonly windowApplied: boolean;
  readonly byFunction: Row[];
  readonly byModule: Row[];
  readonly byCategory: Row[];
  /** With `callers`: self time of the matching functions, by the chain of their three callers. */
  readonly callers?: { readonly match: string; readonly rows: Row[] };
  /** With `inclusive`: samples with a function containing each text anywhere on the stack. */
  readonly inclusive?: Row[];
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** 'src/api/auth.ts', 'node_modules/fastify/lib/route.js', 'node:internal/http/server', '' for native. */
function location(url: string): string {
  if (!url) return '';
  if (url.startsWith('node:')) return url;
  let path = url;
  if (url.startsWith('file://')) {
    try {
      path = fileURLToPath(url);
    } catch {
      return url;
    }
  }
  const nm = path.lastIndexOf(`${sep}node_modules${sep}`);
  if (nm >= 0)
    return `node_modules/${path
      .slice(nm + 14)
      .split(sep)
      .join('/')}`;
  return path.startsWith('/') ? relative(ROOT, path).split(sep).join('/') : path;
}

/** node_modules/<pkg> (scoped packages kept whole), a src/ file, or the node: module. */
function moduleOf(loc: string): string {
  if (loc.startsWith('node_modules/')) {
    const parts = loc.split('/');
    return parts[1]?.startsWith('@') ? `node_modules/${parts[1]}/${parts[2]}` : `node_modules/${parts[1]}`;
  }
  return loc;
}

function categoryOf(loc: string): string {
  if (loc.startsWith('node_modules/')) return moduleOf(loc);
  if (loc.startsWith('node:')) return 'node internals (node:*)';
  if (loc.startsWith('src/')) return 'otpd src/';
  return `other (${loc.split('/')[0]})`;
}

interface Resolved {
  fn: string;
  mod: string;
  cat: string;
}

function parents(p: CpuProfile): Map<number, number> {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return parent;
}

function resolveNodes(p: CpuProfile): Map<number, Resolved> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = parents(p);
  const out = new Map<number, Resolved>();
  for (const n of p.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    if (SPECIAL.has(functionName) && !url) {
      out.set(n.id, { fn: functionName, mod: functionName, cat: functionName });
      continue;
    }
    const loc = location(url);
    if (loc) {
      const fn = `${functionName || '(anonymous)'} ${loc}:${lineNumber + 1}`;
      out.set(n.id, { fn, mod: moduleOf(loc), cat: categoryOf(loc) });
      continue;
    }
    // Native: name it after the nearest ancestor that has a script.
    let up = parent.get(n.id);
    let caller: CallFrame | undefined;
    while (up !== undefined) {
      const f = byId.get(up)!.callFrame;
      if (f.url) {
        caller = f;
        break;
      }
      up = parent.get(up);
    }
    const cl = caller ? location(caller.url) : '';
    const from = caller ? `${caller.functionName || '(anonymous)'} ${cl}:${caller.lineNumber + 1}` : '?';
    out.set(n.id, {
      fn: `${functionName || '(anonymous)'} [native] <- ${from}`,
      mod: `(native) via ${cl ? moduleOf(cl) : '?'}`,
      cat: 'native (C++ called from JS)',
    });
  }
  return out;
}

function rows(counts: Map<string, number>, busy: number, top: number): Row[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, samples]) => ({ key, samples, pct: busy ? (100 * samples) / busy : 0 }));
}

export interface SummaryOptions {
  readonly top?: number;
  readonly fromUs?: number;
  readonly toUs?: number;
  readonly callers?: string;
  readonly inclusive?: readonly string[];
}

export function summarize(p: CpuProfile, file: string, o: SummaryOptions = {}): Summary {
  const top = o.top ?? 25;
  const nodes = resolveNodes(p);
  const parent = parents(p);
  const chains = new Map<string, number>();
  const chainOf = (id: number): string => {
    const names: string[] = [];
    for (let up = parent.get(id); up !== undefined && names.length < 3; up = parent.get(up)) {
      const r = nodes.get(up);
      if (r && r.fn !== '(root)') names.push(r.fn);
    }
    return `${nodes.get(id)!.fn}  <=  ${names.join('  <=  ')}`;
  };
  const pats = o.inclusive ?? [];
  const under = new Map<number, boolean[]>();
  const underOf = (id: number): boolean[] => {
    let m = under.get(id);
    if (m) return m;
    const up = parent.get(id);
    const own = nodes.get(id)?.fn ?? '';
    const above = up === undefined ? pats.map(() => false) : underOf(up);
    m = pats.map((t, k) => above[k]! || own.includes(t));
    under.set(id, m);
    return m;
  };
  const incl = new Map<string, number>(pats.map((t) => [t, 0]));
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  const cat = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let t = p.startTime;
  let total = 0;
  let idle = 0;
  let first = Infinity;
  let last = -Infinity;
  const windowed = o.fromUs !== undefined || o.toUs !== undefined;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (o.fromUs !== undefined && t < o.fromUs) continue;
    if (o.toUs !== undefined && t > o.toUs) continue;
    first = Math.min(first, t);
    last = Math.max(last, t);
    const r = nodes.get(p.samples[i]!);
    if (!r) continue;
    total++;
    if (r.fn === '(idle)') {
      idle++;
      continue;
    }
    bump(fn, r.fn);
    bump(mod, r.mod);
    bump(cat, r.cat);
    if (o.callers && r.fn.includes(o.callers)) bump(chains, chainOf(p.samples[i]!));
    if (pats.length)
      underOf(p.samples[i]!).forEach((hit, k) => {
        if (hit) bump(incl, pats[k]!);
      });
  }
  const busy = total - idle;
  return {
    file,
    totalSamples: total,
    busySamples: busy,
    idleSamples: idle,
    windowMs: total ? (last - first) / 1000 : 0,
    windowApplied: windowed,
    byFunction: rows(fn, busy, top),
    byModule: rows(mod, busy, top),
    byCategory: rows(cat, busy, top),
    callers: o.callers ? { match: o.callers, rows: rows(chains, busy, top) } : undefined,
    inclusive: pats.length ? rows(incl, busy, pats.length) : undefined,
  };
}

export function formatSummary(s: Summary, title = s.file): string {
  const table = (head: string, rs: Row[]) =>
    [
      `  ${head}`,
      ...rs.map((r) => `  ${r.pct.toFixed(1).padStart(5)}%  ${String(r.samples).padStart(6)}  ${r.key}`),
    ].join('\n');
  const busyPct = s.totalSamples ? (100 * s.busySamples) / s.totalSamples : 0;
  return [
    `== ${title}`,
    `  ${s.totalSamples} samples over ${(s.windowMs / 1000).toFixed(1)} s` +
      `${s.windowApplied ? ' (measured window only)' : ' (whole profile)'};` +
      ` busy ${s.busySamples} (${busyPct.toFixed(0)}%), idle ${s.idleSamples}. Percentages are of busy samples.`,
    table('self time by category', s.byCategory),
    table(`self time by module (top ${s.byModule.length})`, s.byModule),
    table(`self time by function (top ${s.byFunction.length})`, s.byFunction),
    ...(s.callers ? [table(`callers of functions matching "${s.callers.match}"`, s.callers.rows)] : []),
    ...(s.inclusive ? [table('inclusive time (a function with the text anywhere on the stack)', s.inclusive)] : []),
  ].join('\n');
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const top = Number(opt('--top') ?? 25);
  const from = opt('--from');
  const to = opt('--to');
  const callers = opt('--callers');
  const inclusive = opt('--inclusive')?.split(',').filter(Boolean);
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  if (files.length === 0) {
    process.stderr.write(
      'usage: node scripts/profile-summary.ts <file.cpuprofile>... [--top 25] [--from µs]' +
        ' [--to µs] [--callers text] [--inclusive a,b] [--json]\n',
    );
    process.exit(2);
  }
  for (const f of files) {
    const window = { fromUs: from ? Number(from) : undefined, toUs: to ? Number(to) : undefined };
    const s = summarize(readProfile(f), f, { top, ...window, callers, inclusive });
    process.stdout.write(json ? `${JSON.stringify(s, null, 2)}\n` : `${formatSummary(s)}\n\n`);
  }
}
