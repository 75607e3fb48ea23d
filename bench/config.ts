/**
 * The benchmark's settings (all from the environment, read once) and the small helpers every
 * bench module shares. See run.ts for the list of variables.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, '.bench');
export const PROF = join(OUT, 'prof');

function envNum(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
}

/** Where otpd keeps its state: the embedded SQLite file, or PostgreSQL behind 1 or 2 replicas. */
export type BackendId = 'sqlite' | 'pg1' | 'pg2';
export const BACKENDS: readonly BackendId[] = ['sqlite', 'pg1', 'pg2'];
export const BACKEND_LABEL: Record<BackendId, string> = { sqlite: 'SQLite', pg1: 'PostgreSQL x1', pg2: 'PostgreSQL x2' };

function envBackends(): BackendId[] {
  const v = process.env.BENCH_TARGETS;
  if (v === undefined || v.trim() === '') return [...BACKENDS];
  const out: BackendId[] = [];
  for (const raw of v.split(',')) {
    const t = raw.trim();
    if (t === '') continue;
    if (!(BACKENDS as readonly string[]).includes(t)) throw new Error(`BENCH_TARGETS: unknown target "${t}" (use ${BACKENDS.join(',')})`);
    if (!out.includes(t as BackendId)) out.push(t as BackendId);
  }
  if (out.length === 0) throw new Error('BENCH_TARGETS names no target');
  return out;
}

export const cfg = {
  duration: envNum('BENCH_DURATION', 10),
  warmup: envNum('BENCH_WARMUP', 2),
  connections: Math.round(envNum('BENCH_CONNECTIONS', 32)),
  poolMin: Math.round(envNum('BENCH_POOL', 20_000)),
  poolMax: Math.round(envNum('BENCH_POOL_MAX', 250_000)),
  profile: process.env.BENCH_PROFILE === '1',
  targets: envBackends(),
  pgUrl: process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
  /** OTPD_DATABASE_POOL_SIZE for every PostgreSQL replica; undefined keeps otpd's default (10). */
  pgPoolSize: process.env.BENCH_PG_POOL_SIZE ? Math.round(envNum('BENCH_PG_POOL_SIZE', 10)) : undefined,
};

/** The share of the ceiling's req/s each operation is meant to reach. */
export const TARGETS = { sendCode: 0.5, validateCode: 0.7 };

export const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
