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
import type { Verification } from './pool.ts';

/** Every target's phases in turn; the servers of each part are stopped before the next starts. */
export async function runTarget(s: Shared, id: TargetId): Promise<PhaseResult[]> {
  log(`\n## ${TARGET_LABEL[id]}`);
  const results = await withOtpd(s, id, `otpd-${id}`, freshStore(s, id), (set) => devOutboxPhases(s, set));
  results.push(...(await httpPhases(s, id)));
  if (id === 'sqlite' && cfg.scale > 0) results.push(...(await scalePhases(s)));
  return results;
}

async function devOutboxPhases(s: Shared, set: OtpdSet): Promise<PhaseResult[]> {
  const window = cfg.warmup + cfg.duration;
  // The native API's start and check run beside their CAMARA counterparts, on the same processes
  // and a store of the same size, in alternation (A B A B) so that the machine's drift falls on
  // both: neither may be slower (the ratio of their summed rates is logged).
  const send = await measure(sendPhase(set, 'send-code', {}));
  const start = await measure(nativeStartPhase(set, 'native start', {}));
  const send2 = await measure(sendPhase(set, 'send-code, again', {}));
  const start2 = await measure(nativeStartPhase(set, 'native start, again', {}));
  const sendOpen = await measure(sendPhase(set, 'send-code, open loop', { rate: send.load.rps / 2 }));
  // validate-code has run at up to 4.3x send-code's rate (PostgreSQL x2, whose send-code the
  // abuse checks slow most); 6x leaves room, and running out would only cut its window short (and
  // say so).
  const closedPool = await pool(s, set, poolFor(send.load.rps, window, 6));
  const checkPool = await pool(s, set, poolFor(send.load.rps, window, 6), NATIVE_START);
  const half = (p: Verification[], i: 0 | 1) => p.filter((_, k) => k % 2 === i);
  const validate = await measure(validatePhase(set, 'validate-code', half(closedPool, 0), {}));
  const check = await measure(nativeCheckPhase(set, 'native check', half(checkPool, 0), {}));
  const validate2 = await measure(validatePhase(set, 'validate-code, again', half(closedPool, 1), {}));
  const check2 = await measure(nativeCheckPhase(set, 'native check, again', half(checkPool, 1), {}));
  const ratio = (a: PhaseResult[], b: PhaseResult[]) => {
    const sum = (x: PhaseResult[]) => x.reduce((t, r) => t + r.load.rps, 0);
    return (sum(a) / sum(b)).toFixed(2);
  };
  log(
    `- native vs CAMARA, same run (two alternating rounds each): start ${ratio([start, start2], [send, send2])}x ` +
      `send-code's req/s, check ${ratio([check, check2], [validate, validate2])}x validate-code's ` +
      '(1.00 or more: not slower)',
  );
  // The open loop needs half the closed loop's rate for as long: a pool of its own, sized to that.
  const openPool = await pool(s, set, poolFor(validate.load.rps / 2, window, 1.1));
  const validateOpen = await measure(
    validatePhase(set, 'validate-code, open loop', openPool, { rate: validate.load.rps / 2 }),
  );
  return [send, start, send2, start2, sendOpen, validate, check, validate2, check2, validateOpen];
}
