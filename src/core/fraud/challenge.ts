import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { OtpdError } from '../errors.ts';

/**
 * A proof of work asked of a send the range guard finds ambiguous (a throttled range, where real
 * users and an attack mix): instead of a refusal, the client may spend a little CPU and send again.
 * A real user's browser or app pays it once; an attacker pays it on every pumped number. Stateless:
 * the challenge is signed with the server's key, bound to the tenant and the number, and expires.
 */
export interface Challenge {
  /** Opaque, signed: `payload.mac`, both base64url. */
  readonly token: string;
  /** Leading zero bits SHA-256(`${token}:${nonce}`) must have. */
  readonly difficultyBits: number;
  readonly expiresAt: number;
}

/** A client's answer to a challenge. */
export interface ChallengeSolution {
  readonly token: string;
  readonly nonce: string;
}

/** Refused for now: the send may be repeated with a solution of `challenge`. A 429 to surfaces without challenges. */
export class ChallengeRequired extends OtpdError {
  readonly challenge: Challenge;
  constructor(challenge: Challenge, retryAfterSeconds: number) {
    super('TOO_MANY_REQUESTS', 'Solve the proof-of-work challenge and send again.', retryAfterSeconds);
    this.challenge = challenge;
  }
}

export interface ProofOfWorkOptions {
  readonly difficultyBits: number;
  readonly ttlMs: number;
  /** A keyed MAC (the server secret's): a challenge cannot be forged or moved to another number. */
  readonly mac: (data: string) => Buffer;
  readonly clock: Clock;
}

/** How many leading zero bits a hash has. */
export function leadingZeroBits(h: Buffer): number {
  let bits = 0;
  for (const byte of h) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

const digest = (token: string, nonce: string) => createHash('sha256').update(`${token}:${nonce}`).digest();

/** Finds a nonce for a challenge: what a client does (tests, the demo page's script). */
export function solve(c: Pick<Challenge, 'token' | 'difficultyBits'>): ChallengeSolution {
  for (let i = 0; ; i++) {
    const nonce = i.toString(36);
    if (leadingZeroBits(digest(c.token, nonce)) >= c.difficultyBits) return { token: c.token, nonce };
  }
}

export class ProofOfWork {
  readonly #o: ProofOfWorkOptions;

  constructor(o: ProofOfWorkOptions) {
    this.#o = o;
  }

  issue(clientId: string, phone: string): Challenge {
    const expiresAt = this.#o.clock.now() + this.#o.ttlMs;
    const payload = Buffer.from(
      JSON.stringify({
        c: clientId,
        e: expiresAt,
        d: this.#o.difficultyBits,
        r: randomBytes(12).toString('base64url'),
      }),
    ).toString('base64url');
    const token = `${payload}.${this.#sign(payload, phone)}`;
    return { token, difficultyBits: this.#o.difficultyBits, expiresAt };
  }

  /** Whether `s` solves a live challenge issued for this tenant and number. Never throws on bad input. */
  verify(s: ChallengeSolution, clientId: string, phone: string): boolean {
    if (typeof s.token !== 'string' || typeof s.nonce !== 'string' || s.nonce.length > 64) return false;
    const [payload, mac] = s.token.split('.');
    if (!payload || !mac || s.token.length > 512) return false;
    const expected = Buffer.from(this.#sign(payload, phone));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    let p: { c?: unknown; e?: unknown; d?: unknown };
    try {
      p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof p;
    } catch {
      return false;
    }
    if (p.c !== clientId || typeof p.e !== 'number' || p.e <= this.#o.clock.now() || typeof p.d !== 'number')
      return false;
    return leadingZeroBits(digest(s.token, s.nonce)) >= p.d;
  }

  #sign(payload: string, phone: string): string {
    return this.#o.mac(`pow|${phone}|${payload}`).toString('base64url');
  }
}
