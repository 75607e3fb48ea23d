import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { cryptoRandomInt } from '../core/codes.ts';
import type { Policy } from '../core/policy.ts';
import { Verifier, type VerifierDeps } from '../core/verification.ts';
import { ProofOfWork } from '../core/fraud/challenge.ts';

const DAY_MS = 24 * 3600_000;

/** The verification policy, from the configuration. */
export function policyFrom(c: Config): Policy {
  const upper = c.code.alphabet === 'alphanumeric';
  const test = new Map(Object.entries(c.numbers.test).map(([n, code]) => [n, upper ? code.toUpperCase() : code]));
  return {
    codeLength: c.code.length,
    alphabet: c.code.alphabet,
    ttlMs: c.code.ttlSeconds * 1000,
    maxAttempts: c.code.maxAttempts,
    sendWindows: [
      { windowMs: 15 * 60_000, max: c.limits.sendsPer15Minutes },
      { windowMs: DAY_MS, max: c.limits.sendsPer24Hours },
    ],
    guessBudget: { windowMs: DAY_MS, max: c.limits.wrongGuessesPer24Hours },
    testNumbers: test,
    maxSegments: c.limits.maxSegments,
  };
}

/** Part of the composition root: the send-code and validate-code use cases, with real ids and randomness. */
export function buildVerifier(
  c: Config,
  d: Omit<VerifierDeps, 'policy' | 'newId' | 'random' | 'challenges'>,
): Verifier {
  const ch = c.abuse.rangeGuard.challenge;
  const challenges = new ProofOfWork({
    difficultyBits: ch.difficultyBits,
    ttlMs: ch.ttlSeconds * 1000,
    mac: (data) => d.keys.phoneIndex(data),
    clock: d.clock,
  });
  return new Verifier({ ...d, policy: policyFrom(c), newId: randomUUID, random: cryptoRandomInt, challenges });
}
