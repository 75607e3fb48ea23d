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

function num(name: string, def: number, o: { zero?: boolean } = {}): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !o.zero))
    throw new Error(`${name} must be a ${o.zero ? 'non-negative' : 'positive'} number, got "${v}"`);
  return n;
}

function targets(): TargetId[] {
  const list = [...new Set((process.env.BENCH_TARGETS || 'sqlite,pg1,pg2').split(',').map((t) => t.trim()))];
  const bad = list.filter((t) => !(t in TARGET_LABEL));
  if (bad.length) throw new Error(`BENCH_TARGETS: unknown ${bad.join(', ')} (use sqlite, pg1, pg2)`);
  return list as TargetId[];
}

/** The small end of the scale comparison: the "10 thousand stored verifications". */
export const SCALE_SMALL = 10_000;

function scale(): number {
  const n = Math.round(num('BENCH_SCALE', 10_000_000, { zero: true }));
  if (n !== 0 && n <= SCALE_SMALL) throw new Error(`BENCH_SCALE must be 0 (off) or above ${SCALE_SMALL}, got ${n}`);
  return n;
}

export const cfg = Object.freeze({
  duration: num('BENCH_DURATION', 10),
  warmup: num('BENCH_WARMUP', 2),
  /** The issue measured at 50 connections. */
  connections: Math.round(num('BENCH_CONNECTIONS', 50)),
  targets: targets(),
  pgUrl: process.env.BENCH_PG_URL || PG_URL,
  /** OTPD_DATABASE_POOL_SIZE per PostgreSQL replica; undefined keeps otpd's default. */
  pgPoolSize: process.env.BENCH_PG_POOL_SIZE ? String(Math.round(num('BENCH_PG_POOL_SIZE', 10))) : undefined,
  /** OTPD_SQLITE_SYNCHRONOUS for the SQLite target; undefined keeps otpd's default (FULL). */
  synchronous: process.env.BENCH_SYNCHRONOUS || undefined,
  profile: process.env.BENCH_PROFILE === '1',
  /** How long the fake HTTP provider takes to answer, in ms. */
  gatewayDelayMs: num('BENCH_GATEWAY_DELAY_MS', 200, { zero: true }),
  /** Seconds an HTTP-provider phase waits for its backlog before counting what is still unsent. */
  httpDrainS: num('BENCH_HTTP_DRAIN', 10),
  /** Stored verifications at the large end of the scale comparison (SQLite); 0 skips it. */
  scale: scale(),
  /** Open-loop validate-code rate of the scale comparison, per second. */
  scaleRate: num('BENCH_SCALE_RATE', 250),
  /** Webhooks on and off (SQLite): BENCH_WEBHOOKS=0 skips it. */
  webhooks: process.env.BENCH_WEBHOOKS !== '0',
  /** BENCH_ONLY=webhooks: only the webhooks comparison (quick checks of that cost). */
  onlyWebhooks: process.env.BENCH_ONLY === 'webhooks',
  /** BENCH_ONLY=apis: only the CAMARA and native calls with the development outbox (quick checks). */
  onlyApis: process.env.BENCH_ONLY === 'apis',
  /** BENCH_ONLY=scale: only the store-size comparison and the console overview on the large store (SQLite). */
  onlyScale: process.env.BENCH_ONLY === 'scale',
});

export const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
