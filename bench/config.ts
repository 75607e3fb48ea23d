/** The benchmark's settings, read once from the environment (run.ts lists them), and its log. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PG_URL } from '../test/helpers/pg.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, '.bench');

/** Where otpd keeps its state: the embedded SQLite file, or PostgreSQL behind 1 or 2 replicas. */
export type TargetId = 'sqlite' | 'pg1' | 'pg2';
export const TARGET_LABEL: Readonly<Record<TargetId, string>> = {
  sqlite: 'SQLite',
  pg1: 'PostgreSQL x1',
  pg2: 'PostgreSQL x2',
};

function num(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
}

function targets(): TargetId[] {
  const list = [...new Set((process.env.BENCH_TARGETS || 'sqlite,pg1,pg2').split(',').map((t) => t.trim()))];
  const bad = list.filter((t) => !(t in TARGET_LABEL));
  if (bad.length) throw new Error(`BENCH_TARGETS: unknown ${bad.join(', ')} (use sqlite, pg1, pg2)`);
  return list as TargetId[];
}

export const cfg = Object.freeze({
  duration: num('BENCH_DURATION', 10),
  warmup: num('BENCH_WARMUP', 2),
  connections: Math.round(num('BENCH_CONNECTIONS', 32)),
  targets: targets(),
  pgUrl: process.env.BENCH_PG_URL || PG_URL,
  /** OTPD_DATABASE_POOL_SIZE per PostgreSQL replica; undefined keeps otpd's default. */
  pgPoolSize: process.env.BENCH_PG_POOL_SIZE ? String(Math.round(num('BENCH_PG_POOL_SIZE', 10))) : undefined,
  /** OTPD_SQLITE_SYNCHRONOUS for the SQLite target; undefined keeps otpd's default (FULL). */
  synchronous: process.env.BENCH_SYNCHRONOUS || undefined,
  profile: process.env.BENCH_PROFILE === '1',
});

export const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
