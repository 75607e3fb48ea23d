/**
 * The ("Speed") targets, each checked against this run's figures: a line per target and
 * phase that says whether it was met. They are read, not enforced: a missed goal does not fail the run.
 */
import type { DiskFigures } from './disk.ts';
import type { PhaseResult } from './measure.ts';
import { fmt, mb, scaleRatio, wait } from './report.ts';

const DISPATCH_P99_MS = 1000;
const DELIVERED_SHARE = 0.5;
const OPEN_P99_MS = 10;
const SCALE_P50_RATIO = 1.2;
const RSS_BYTES = 300 * 2 ** 20;

const line = (ok: boolean, what: string): string => `${ok ? 'met   ' : 'MISSED'} ${what}`;
const name = (r: PhaseResult) => `${r.target} ${r.operation}`;

export function goals(results: readonly PhaseResult[], ceilingRps: number, disk: DiskFigures): string[] {
  const otpd = results.filter((r) => r.target !== 'ceiling');
  const out: string[] = [];
  for (const r of otpd.filter((r) => r.dispatch && r.rate === undefined)) {
    const p99 = r.dispatch!.wait.p99;
    out.push(line(!p99.censored && p99.ms <= DISPATCH_P99_MS, `dispatch wait p99 ≤ 1 s: ${name(r)}: ${wait(p99)} ms`));
  }
  for (const r of otpd.filter((r) => r.dispatch && r.rate === undefined && !r.vendor)) {
    const share = r.dispatch!.deliveredRps / ceilingRps;
    out.push(line(share >= DELIVERED_SHARE, `delivered ≥ 0.5x ceiling: ${name(r)}: ${fmt(share, 2)}x`));
  }
  for (const r of otpd.filter((r) => r.rate !== undefined && r.scale === undefined && !r.vendor)) {
    const p99 = r.load.latencyMs.p99;
    // Where the disk itself stalled, the p99 cannot be the server's alone: say so beside the figure.
    const stalls = disk.over10Ms ? ` (the disk alone: ${disk.over10Ms} fsyncs over 10 ms in ${disk.seconds} s)` : '';
    out.push(line(p99 <= OPEN_P99_MS, `p99 ≤ 10 ms at half the rate: ${name(r)}: ${fmt(p99, 1)} ms${stalls}`));
  }
  const scale = scaleRatio(otpd);
  if (scale) {
    const what = `validate p50 within 1.2x from ${scale.small} to ${scale.large} stored: ${fmt(scale.ratio, 2)}x`;
    out.push(line(scale.ratio <= SCALE_P50_RATIO, what));
  }
  const top = otpd.reduce<PhaseResult | undefined>((a, r) => (a && a.rssMaxBytes >= r.rssMaxBytes ? a : r), undefined);
  if (top)
    out.push(line(top.rssMaxBytes < RSS_BYTES, `RSS under 300 MB: at most ${mb(top.rssMaxBytes)} MB, in ${name(top)}`));
  return out;
}
