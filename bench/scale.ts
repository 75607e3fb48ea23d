/**
 * validate-code as the SQLite store grows: a store of about SCALE_SMALL verifications and one of
 * cfg.scale, measured in turn, three times each, compared by their median p50s: this machine's
 * noise, or the first start on a store just loaded, moves a single window more than the difference
 * sought. Each measurement starts otpd on its store, creates the verifications it
 * presents through the API (their codes read back from the development outbox), and validates them
 * in an open loop at cfg.scaleRate, low enough that the server is mostly idle, so that a p50 is what
 * one validation costs and not how many queue behind it. The bulk of each store is inserted straight
 * into the file while otpd is stopped (bench/bulk.ts).
 */
import { cfg, log, SCALE_SMALL } from './config.ts';
import { bulkInsert, countVerifications } from './bulk.ts';
import { measure, type PhaseResult } from './measure.ts';
import { freshStore, withOtpd, type Shared } from './otpd-set.ts';
import { pool, validatePhase } from './phases.ts';
import { call } from './pool.ts';

/** Short windows: the small store must hold every measurement's verifications and stay near SCALE_SMALL. */
const WARMUP = Math.min(cfg.warmup, 1);
const DURATION = Math.min(cfg.duration, 5);
const ROUNDS = 3;

type Fresh = ReturnType<typeof freshStore>;

const fileOf = (f: Fresh): string => {
  if (f.store.kind !== 'sqlite') throw new Error('the scale phases run on SQLite');
  return f.store.file;
};

/** A store of about `size` verifications, `room` short of it for the ones a measurement creates. */
async function prepare(s: Shared, size: number, room: number): Promise<Fresh> {
  const fresh = freshStore(s, 'sqlite');
  // One made through otpd first: the bulk rows copy its tenant, key id and field lengths.
  await withOtpd(s, 'sqlite', 'otpd-scale-setup', fresh, (set) => pool(s, set, 1));
  const t0 = Date.now();
  await bulkInsert(fileOf(fresh), size - room - 1);
  log(`- setup, not measured: ${size - room - 1} verifications inserted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return fresh;
}

async function once(s: Shared, fresh: Fresh, size: number, n: number): Promise<PhaseResult> {
  return withOtpd(s, 'sqlite', `otpd-scale-${size}`, fresh, async (set) => {
    const codes = await pool(s, set, n);
    const stored = countVerifications(fileOf(fresh));
    const r = await measure(
      validatePhase(set, `validate-code, open loop, ${stored} stored`, codes, {
        rate: cfg.scaleRate,
        warmup: WARMUP,
        duration: DURATION,
      }),
    );
    return { ...r, stored, scale: size };
  });
}

/** The console overview's read (issue "A web console": under 200 ms with 10 million stored). */
const OVERVIEW_GOAL_MS = 200;
const OVERVIEW_READS = 20;

/**
 * The console overview's request, GET /admin/stats/series for the last day (by minute) and the last
 * week (by hour), one at a time with an operator key (every tenant's counters summed), on the large
 * store: its latency p50 and worst, against the goal.
 */
async function overviewLatency(s: Shared, fresh: Fresh, size: number): Promise<void> {
  await withOtpd(s, 'sqlite', `otpd-scale-${size}-overview`, fresh, async (set) => {
    for (const range of ['24h', '7d']) {
      const took: number[] = [];
      let points = 0;
      for (let i = 0; i < OVERVIEW_READS; i++) {
        const t0 = performance.now();
        const r = await call<{ series: unknown[]; totals: unknown[] }>(
          set.urls[0]!,
          s.key,
          `/admin/stats/series?range=${range}`,
        );
        took.push(performance.now() - t0);
        points = r.series.length + r.totals.length;
      }
      took.sort((a, b) => a - b);
      const p50 = took[Math.floor(took.length / 2)]!;
      const worst = took[took.length - 1]!;
      const verdict = worst < OVERVIEW_GOAL_MS ? 'met' : 'MISSED';
      log(
        `- console overview (${range}, ${points} points) on ${countVerifications(fileOf(fresh))} stored: ` +
          `p50 ${p50.toFixed(1)} ms, worst of ${OVERVIEW_READS} ${worst.toFixed(1)} ms; ` +
          `${verdict} under ${OVERVIEW_GOAL_MS} ms`,
      );
    }
  });
}

export async function scalePhases(s: Shared): Promise<PhaseResult[]> {
  // 5% spare: the open loop sends a few more than rate x time when its timer runs late.
  const n = Math.ceil(cfg.scaleRate * (WARMUP + DURATION) * 1.05);
  if (n * ROUNDS >= SCALE_SMALL / 2)
    throw new Error(`BENCH_SCALE_RATE too high: ${n * ROUNDS} verifications would swamp the ${SCALE_SMALL} store`);
  log(`- validate-code as the store grows: ${SCALE_SMALL} and ${cfg.scale} verifications stored, ${ROUNDS} rounds`);
  const small = await prepare(s, SCALE_SMALL, n);
  const large = await prepare(s, cfg.scale, n);
  const results: PhaseResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    results.push(await once(s, small, SCALE_SMALL, n));
    results.push(await once(s, large, cfg.scale, n));
  }
  await overviewLatency(s, large, cfg.scale);
  return results;
}
