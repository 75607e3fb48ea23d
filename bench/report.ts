/** The printed table and the checks that say whether a run's figures stand. */
import type { PhaseResult } from './measure.ts';

const fmt = (n: number | undefined, d = 0): string => (n !== undefined && Number.isFinite(n) ? n.toFixed(d) : '-');

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

export function table(results: readonly PhaseResult[], ceilingRps: number): string {
  const head = [
    'target',
    'operation',
    'req/s',
    'x ceiling',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'PG CPU µs/req',
    'drain ms',
    'srv CPU',
    'gen CPU',
    'other CPU',
    'unexpected',
  ];
  return render(
    head,
    results.map((r) => [
      r.target,
      r.operation,
      fmt(r.load.rps),
      fmt(r.load.rps / ceilingRps, 2),
      fmt(r.load.latencyMs.p50, 1),
      fmt(r.load.latencyMs.p99, 1),
      withDrain(r.cpuUsPerRequest, r.drain?.cpuUsPerRequest),
      withDrain(r.dbCpuUsPerRequest, r.drain?.dbCpuUsPerRequest),
      fmt(r.drain?.ms),
      `${fmt(r.serverPct)}%`,
      `${fmt(r.generatorPct)}%`,
      `${fmt(r.otherPct)}%`,
      String(r.unexpected),
    ]),
  );
}

/**
 * invalid: the figures cannot be trusted (over 1% unexpected answers, or none at all); the run
 * exits 1. warnings: the figures stand with a caveat (window cut short, generator- or noise-bound).
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
    const warn = (when: boolean, what: string): void => {
      if (when) warnings.push(`${name}: ${what}`);
    };
    warn(r.load.exhausted, `ran out of pre-created verifications after ${r.load.durationS.toFixed(1)} s`);
    warn(r.generatorPct > 90, `the load generator used ${fmt(r.generatorPct)}% of its core; req/s may be its limit`);
    warn(r.otherPct > 25, `other processes used ${fmt(r.otherPct)}% of a core; req/s is depressed`);
  }
  return { invalid, warnings };
}

export function loud(title: string, lines: readonly string[]): string {
  const bar = '!'.repeat(100);
  return [bar, `!!! ${title}`, ...lines.map((l) => `!!! ${l}`), bar].join('\n');
}
