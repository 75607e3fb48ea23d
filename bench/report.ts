/** The printed tables and the checks that say whether a run's figures stand. */
import type { Wait } from './delivery-stats.ts';
import type { PhaseResult } from './measure.ts';

export const fmt = (n: number | undefined, d = 0): string =>
  n !== undefined && Number.isFinite(n) ? n.toFixed(d) : '-';
export const mb = (bytes: number): string => fmt(bytes / 2 ** 20);
/** A dispatch wait; `>` marks a lower bound (a message not handed over when the store was read). */
export const wait = (w: Wait | undefined): string => (w === undefined ? '-' : `${w.censored ? '>' : ''}${fmt(w.ms)}`);

/** A markdown table: the first two columns left-aligned, the numbers right-aligned. */
function render(head: readonly string[], body: readonly string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** `window (with the backlog's delivery)` when the phase had one. */
const withDrain = (v: number | undefined, drained: number | undefined): string =>
  drained === undefined ? fmt(v) : `${fmt(v)} (${fmt(drained)})`;

/** Ratios to the ceiling only for closed loops: an open loop's rate is the generator's choice. */
const ratio = (r: PhaseResult, rps: number | undefined, ceilingRps: number): string =>
  r.rate === undefined && rps !== undefined ? fmt(rps / ceilingRps, 2) : '-';

/** Every phase: throughput, latency, CPU and memory. */
export function table(results: readonly PhaseResult[], ceilingRps: number): string {
  const head = ['target', 'operation', 'req/s', 'x ceiling', 'delivered/s', 'x ceiling', 'p50 ms', 'p99 ms'];
  head.push('CPU µs/req', 'PG CPU µs/req', 'drain ms', 'RSS MB', 'srv CPU', 'gen CPU', 'other CPU', 'unexpected');
  return render(
    head,
    results.map((r) => [
      r.target,
      r.operation,
      fmt(r.load.rps),
      ratio(r, r.load.rps, ceilingRps),
      fmt(r.dispatch?.deliveredRps),
      ratio(r, r.dispatch?.deliveredRps, ceilingRps),
      fmt(r.load.latencyMs.p50, 1),
      fmt(r.load.latencyMs.p99, 1),
      withDrain(r.cpuUsPerRequest, r.drain?.cpuUsPerRequest),
      withDrain(r.dbCpuUsPerRequest, r.drain?.dbCpuUsPerRequest),
      fmt(r.drain?.ms),
      mb(r.rssMaxBytes),
      `${fmt(r.serverPct)}%`,
      `${fmt(r.generatorPct)}%`,
      `${fmt(r.otherPct)}%`,
      String(r.unexpected),
    ]),
  );
}

/** The send-code phases: what became of the messages their windows accepted. */
export function deliveryTable(results: readonly PhaseResult[]): string {
  const head = ['target', 'operation', 'accepted', 'delivered by end + 2 s', 'wait p50 ms', 'wait p99 ms'];
  head.push('wait max ms', 'not sent', 'expired', 'abandoned', 'failed', 'provider calls at once');
  const rows = results.flatMap((r) => {
    const d = r.dispatch;
    if (!d) return [];
    return [
      [r.target, r.operation, String(d.accepted), String(d.delivered), wait(d.wait.p50), wait(d.wait.p99)].concat(
        [wait(d.wait.max), String(d.notSent), String(d.expired), String(d.abandoned), String(d.failed)],
        [r.vendor ? String(r.vendor.maxInFlight) : '-'],
      ),
    ];
  });
  return render(head, rows);
}

/** The middle value (the mean of the middle two of an even count). */
const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The scale phases' p50s, the median of their rounds per store size, smallest size first, and the
 * largest's over the smallest's.
 */
export function scaleRatio(
  results: readonly PhaseResult[],
): { small: number; large: number; p50: Map<number, number>; ratio: number } | undefined {
  const bySize = new Map<number, number[]>();
  for (const r of results)
    if (r.scale !== undefined) bySize.set(r.scale, [...(bySize.get(r.scale) ?? []), r.load.latencyMs.p50]);
  if (bySize.size < 2) return undefined;
  const p50 = new Map([...bySize].sort(([a], [b]) => a - b).map(([k, v]) => [k, median(v)]));
  const sizes = [...p50.keys()];
  const [small, large] = [sizes[0]!, sizes.at(-1)!];
  return { small, large, p50, ratio: p50.get(large)! / p50.get(small)! };
}

/** validate-code at the two store sizes, each round, and the ratio of their median p50s. */
export function scaleTable(results: readonly PhaseResult[]): string | undefined {
  const s = scaleRatio(results);
  if (!s) return undefined;
  const head = ['target', 'stored verifications', 'rate/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS MB'];
  const rows = results
    .filter((r) => r.scale !== undefined)
    .map((r) => [
      r.target,
      String(r.stored),
      fmt(r.rate),
      fmt(r.load.latencyMs.p50, 2),
      fmt(r.load.latencyMs.p99, 2),
      fmt(r.cpuUsPerRequest),
      mb(r.rssMaxBytes),
    ]);
  const means = [...s.p50].map(([size, p]) => `${size}: ${fmt(p, 2)} ms`).join(', ');
  return `${render(head, rows)}\n\nmedian p50 per size: ${means}; ${s.large} over ${s.small}: ${fmt(s.ratio, 2)}x`;
}

/**
 * invalid: the figures cannot be trusted (over 1% unexpected answers, none at all, or a provider
 * that refused otpd's requests as malformed); the run exits 1. warnings: the figures stand with a
 * caveat (window cut short, generator- or noise-bound, an open loop that fell behind its schedule).
 */
export function checks(results: readonly PhaseResult[]): { invalid: string[]; warnings: string[] } {
  const invalid: string[] = [];
  const warnings: string[] = [];
  for (const r of results) {
    const name = `${r.operation} [${r.target}]`;
    const total = r.load.completed + r.load.errors;
    if (total === 0) invalid.push(`${name}: no responses at all`);
    else if (r.unexpected > total / 100) {
      invalid.push(
        `${name}: ${r.unexpected} of ${total} answers were not ${r.expectStatus}` +
          `${r.load.errorSamples.length ? `, e.g. ${r.load.errorSamples[0]}` : ''}`,
      );
    }
    if (r.vendor?.refused) invalid.push(`${name}: the provider refused ${r.vendor.refused} calls: ${r.vendor.refusal}`);
    const warn = (when: boolean, what: string): void => {
      if (when) warnings.push(`${name}: ${what}`);
    };
    warn(r.load.exhausted, `ran out of pre-created verifications after ${r.load.durationS.toFixed(1)} s`);
    warn(r.generatorPct > 90, `the load generator used ${fmt(r.generatorPct)}% of its core; req/s may be its limit`);
    warn(r.otherPct > 25, `other processes used ${fmt(r.otherPct)}% of a core; req/s is depressed`);
    warn(
      (r.load.lagMs ?? 0) > 5,
      `the open loop issued 1% of its requests over ${fmt(r.load.lagMs)} ms late (its core was busy), ` +
        'so the server saw them in bursts',
    );
  }
  return { invalid, warnings };
}

export function loud(title: string, lines: readonly string[]): string {
  const bar = '!'.repeat(100);
  return [bar, `!!! ${title}`, ...lines.map((l) => `!!! ${l}`), bar].join('\n');
}
