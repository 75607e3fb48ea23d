/**
 * validate-code as the SQLite store grows: with about SCALE_SMALL verifications stored, then with
 * cfg.scale, each time on verifications freshly created through the API (their codes read back from
 * the development outbox), the rest inserted straight into the file while otpd is stopped
 * (bench/bulk.ts). An open loop at a fixed rate (cfg.scaleRate), the same at both sizes, so that the
 * two p50s compare what one validation costs and not how many queue behind it.
 */
import { cfg, log, SCALE_SMALL } from './config.ts';
import { bulkInsert, countVerifications } from './bulk.ts';
import { measure, type PhaseResult } from './measure.ts';
import { freshStore, withOtpd, type OtpdSet, type Shared } from './otpd-set.ts';
import { pool, validatePhase } from './phases.ts';
import type { Verification } from './pool.ts';

/** Short windows: the small end must hold the phase's verifications and stay near SCALE_SMALL. */
const WARMUP = Math.min(cfg.warmup, 1);
const DURATION = Math.min(cfg.duration, 5);

async function grow(file: string, to: number): Promise<void> {
  const add = to - countVerifications(file);
  if (add <= 0) return;
  const t0 = Date.now();
  await bulkInsert(file, add);
  log(`- setup, not measured: ${add} verifications inserted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export async function scalePhases(s: Shared): Promise<PhaseResult[]> {
  const fresh = freshStore(s, 'sqlite');
  if (fresh.store.kind !== 'sqlite') throw new Error('the scale phases run on SQLite');
  const file = fresh.store.file;
  // 5% spare: the open loop sends a few more than rate x time when its timer runs late.
  const n = Math.ceil(cfg.scaleRate * (WARMUP + DURATION) * 1.05);
  if (n >= SCALE_SMALL)
    throw new Error(`BENCH_SCALE_RATE too high: ${n} verifications would not fit in ${SCALE_SMALL}`);
  const phase = (codes: Verification[]) => async (set: OtpdSet) => {
    const stored = countVerifications(file);
    const r = await measure(
      validatePhase(set, `validate-code, open loop, ${stored} stored`, codes, {
        rate: cfg.scaleRate,
        warmup: WARMUP,
        duration: DURATION,
      }),
    );
    return { ...r, stored };
  };
  log(`- validate-code as the store grows: ${SCALE_SMALL} and then ${cfg.scale} verifications stored`);
  // Small: the verifications first (the bulk rows copy their tenant and key), then the rest up to SCALE_SMALL.
  const small = await withOtpd(s, 'sqlite', 'otpd-scale', fresh, (set) => pool(s, set, n));
  await grow(file, SCALE_SMALL);
  const first = await withOtpd(s, 'sqlite', 'otpd-scale-small', fresh, phase(small));
  await grow(file, cfg.scale - n);
  const second = await withOtpd(s, 'sqlite', 'otpd-scale-large', fresh, async (set) =>
    phase(await pool(s, set, n))(set),
  );
  return [first, second];
}
