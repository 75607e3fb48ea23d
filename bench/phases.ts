/** The phases against one set of otpd processes, and the verifications validate-code presents. */
import { log } from './config.ts';
import { dispatchStats } from './delivery-stats.ts';
import type { Phase } from './measure.ts';
import type { OtpdSet, Shared } from './otpd-set.ts';
import { nextPhone } from './phones.ts';
import {
  CHECK,
  drained,
  fillPool,
  MESSAGE,
  NATIVE_START,
  SEND,
  START,
  VALIDATE,
  type Starter,
  type Verification,
} from './pool.ts';

/** send-code with a new number each time; the dispatch figures come from the store after the drain. */
export function sendPhase(set: OtpdSet, operation: string, extra: Partial<Phase>): Phase {
  return {
    ...set.common,
    operation,
    path: SEND,
    expectStatus: 200,
    drain: async () => void (await drained(set.urls)),
    dispatch: (from, to) => dispatchStats(set.store, from, to),
    body: () => JSON.stringify({ phoneNumber: nextPhone(), message: MESSAGE }),
    ...extra,
  };
}

/** validate-code presenting each verification of `pool` once, with its right code. */
export function validatePhase(set: OtpdSet, operation: string, pool: Verification[], extra: Partial<Phase>): Phase {
  let next = 0;
  return {
    ...set.common,
    operation,
    path: VALIDATE,
    expectStatus: 204,
    body: () => {
      const e = pool[next++];
      return e && JSON.stringify({ authenticationId: e.id, code: e.code });
    },
    remaining: () => pool.length - next,
    ...extra,
  };
}

/** The native API's start (POST /v1/verifications) with a new number each time. */
export function nativeStartPhase(set: OtpdSet, operation: string, extra: Partial<Phase>): Phase {
  return {
    ...sendPhase(set, operation, extra),
    path: START,
    expectStatus: 201,
    body: () => JSON.stringify({ to: nextPhone() }),
    ...extra,
  };
}

/** The native API's check by id, presenting each verification of `pool` once with its right code. */
export function nativeCheckPhase(set: OtpdSet, operation: string, pool: Verification[], extra: Partial<Phase>): Phase {
  let next = 0;
  return {
    ...validatePhase(set, operation, pool, extra),
    path: CHECK,
    expectStatus: 200,
    body: () => {
      const e = pool[next++];
      return e && JSON.stringify({ id: e.id, code: e.code });
    },
    remaining: () => pool.length - next,
    ...extra,
  };
}

/** Verifications for `seconds` at `rps`, with some to spare; at least 5,000, at most 250,000. */
export const poolFor = (rps: number, seconds: number, spare: number): number =>
  Math.min(250_000, Math.max(5_000, Math.ceil(spare * rps * seconds)));

export async function pool(s: Shared, set: OtpdSet, n: number, starter?: Starter): Promise<Verification[]> {
  const t0 = Date.now();
  const p = await fillPool(set.urls, s.key, set.store, n, starter);
  log(`- setup, not measured: ${p.length} verifications created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return p;
}

export { NATIVE_START };
