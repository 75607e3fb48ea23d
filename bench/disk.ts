/**
 * How long this machine's disk takes to make a small write durable (fsync), measured where the
 * servers keep their data: the floor under every committed answer at otpd's default durability.
 * A request waits for at least one fsync, so an fsync that stalls stalls every answer behind it,
 * whatever otpd does; the open-loop p99 cannot be lower than what these stalls impose.
 */
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './servers.ts';

export interface DiskFigures {
  readonly fsyncs: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** fsyncs that took longer than 10 ms: each one holds up every answer waiting behind it. */
  readonly over10Ms: number;
}

/** Back-to-back 16 KiB appends, each fsynced, for `seconds` (a commit writes a few WAL pages). */
export function probeDisk(seconds: number): DiskFigures {
  const file = join(tempDir(), 'fsync-probe');
  const fd = openSync(file, 'w', 0o600);
  const page = Buffer.alloc(16 * 1024, 1);
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  let offset = 0;
  try {
    while (performance.now() < end) {
      writeSync(fd, page, 0, page.length, offset);
      // The file stays small: the probe measures the sync, not the filesystem's allocation.
      offset = (offset + page.length) % (64 * 2 ** 20);
      const t = performance.now();
      fsyncSync(fd);
      lat.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  lat.sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 100) / 100;
  return {
    fsyncs: lat.length,
    seconds,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: q(1),
    over10Ms: lat.filter((x) => x > 10).length,
  };
}

export function describeDisk(d: DiskFigures): string {
  return (
    `disk: ${d.fsyncs} fsyncs in ${d.seconds} s, p50 ${d.p50Ms} ms, p99 ${d.p99Ms} ms, max ${d.maxMs} ms; ` +
    `${d.over10Ms} took over 10 ms`
  );
}
