/**
 * otpd on one store. With the development outbox: send-code, then validate-code with the right
 * code (on verifications created beforehand, not measured), each in a closed loop and then in an
 * open loop at half the closed loop's rate. Then send-code through an HTTP provider (http-target.ts)
 * and, on SQLite, validate-code as the store grows (scale.ts).
 */
import { cfg, log, TARGET_LABEL, type TargetId } from './config.ts';
import { httpPhases } from './http-target.ts';
import { measure, type PhaseResult } from './measure.ts';
import { freshStore, withOtpd, type OtpdSet, type Shared } from './otpd-set.ts';
import { NATIVE_START, nativeCheckPhase, nativeStartPhase, pool, poolFor, sendPhase, validatePhase } from './phases.ts';
import { scalePhases } from './scale.ts';
import { webhookPhases } from './webhooks.ts';
import type { Verification } from './pool.ts';

/** Every target's phases in turn; the servers of each part are stopped before the next starts. */
export async function runTarget(s: Shared, id: TargetId): Promise<PhaseResult[]> {
  log(`\n## ${TARGET_LABEL[id]}`);
  if (cfg.onlyWebhooks) return id === 'sqlite' ? webhookPhases(s) : [];
  if (cfg.onlyScale) return id === 'sqlite' && cfg.scale > 0 ? scalePhases(s) : [];
  const results = await withOtpd(s, id, `otpd-${id}`, freshStore(s, id), (set) => devOutboxPhases(s, set));
  if (cfg.onlyApis) return results;
  // Webhooks on and off: on SQLite, the default store, in sets of their own.
  if (id === 'sqlite' && cfg.webhooks) results.push(...(await webhookPhases(s)));
  results.push(...(await httpPhases(s, id)));
  if (id === 'sqlite' && cfg.scale > 0) results.push(...(await scalePhases(s)));
  return results;
}

/** Rounds of each CAMARA call and its native counterpart, in alternation (A B A B A B). */
const ROUNDS = 3;

async function devOutboxPhases(s: Shared, set: OtpdSet): Promise<PhaseResult[]> {
  const window = cfg.warmup + cfg.duration;
  // The native API's start and check run beside their CAMARA counterparts, on the same processes
  // and a store of the same size, in alternation (A B A B) so that the machine's drift falls on
  // both: neither may be slower (the ratio of their summed rates is logged).
  const sends: PhaseResult[] = [];
  const starts: PhaseResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const again = round === 1 ? '' : `, round ${round}`;
    sends.push(await measure(sendPhase(set, `send-code${again}`, {})));
    starts.push(await measure(nativeStartPhase(set, `native start${again}`, {})));
  }
  const send = sends[0]!;
  const sendOpen = await measure(sendPhase(set, 'send-code, open loop', { rate: send.load.rps / 2 }));
  // validate-code has run at up to 4.3x send-code's rate (PostgreSQL x2, whose send-code the
  // abuse checks slow most); 6x leaves room per round, and running out would only cut its window
  // short (and say so).
  const closedPool = await pool(s, set, poolFor(send.load.rps, window, 3 * ROUNDS));
  const checkPool = await pool(s, set, poolFor(send.load.rps, window, 3 * ROUNDS), NATIVE_START);
  const share = (p: Verification[], i: number) => p.filter((_, k) => k % ROUNDS === i);
  const validates: PhaseResult[] = [];
  const checks: PhaseResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const again = round === 1 ? '' : `, round ${round}`;
    validates.push(await measure(validatePhase(set, `validate-code${again}`, share(closedPool, round - 1), {})));
    checks.push(await measure(nativeCheckPhase(set, `native check${again}`, share(checkPool, round - 1), {})));
  }
  const validate = validates[0]!;
  const ratio = (a: PhaseResult[], b: PhaseResult[]) => {
    const sum = (x: PhaseResult[]) => x.reduce((t, r) => t + r.load.rps, 0);
    return (sum(a) / sum(b)).toFixed(2);
  };
  log(
    `- native vs CAMARA, same run (${ROUNDS} alternating rounds each): start ${ratio(starts, sends)}x ` +
      `send-code's req/s, check ${ratio(checks, validates)}x validate-code's (1.00 or more: not slower)`,
  );
  // The open loop needs half the closed loop's rate for as long: a pool of its own, sized to that.
  const openPool = await pool(s, set, poolFor(validate.load.rps / 2, window, 1.1));
  const validateOpen = await measure(
    validatePhase(set, 'validate-code, open loop', openPool, { rate: validate.load.rps / 2 }),
  );
  return [...sends, ...starts, sendOpen, ...validates, ...checks, validateOpen];
}
