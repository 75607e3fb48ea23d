import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { RandomPool } from './random.ts';

/** One generation of server key material, with the sub-keys derived from it. */
// Keys are held as KeyObjects: Node imports a raw Buffer key on every createHmac/createCipheriv
// call, which costs more than the MAC or the encryption itself (measured ~4x on this path).
interface KeyGeneration {
  readonly id: string;
  readonly codeKey: KeyObject;
  readonly phoneKey: KeyObject;
  readonly messageKey: KeyObject;
  readonly tokenKey: Buffer;
  /** What a database stores to tell whether a process holds this secret (see {@link KeyRing.keyChecks}). */
  readonly check: string;
}

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('otpd/v1'), purpose, 32));
}

function generation(secret: string): KeyGeneration {
  const codeKey = derive(secret, 'code-mac');
  return {
    id: createHash('sha256').update(codeKey).digest('hex').slice(0, 8),
    codeKey: createSecretKey(codeKey),
    phoneKey: createSecretKey(derive(secret, 'phone-index')),
    messageKey: createSecretKey(derive(secret, 'message-encryption')),
    tokenKey: derive(secret, 'access-token'),
    check: createHmac('sha256', derive(secret, 'key-check')).update('otpd key check v1').digest('hex'),
  };
}

export interface CodeMac {
  readonly keyId: string;
  readonly mac: Buffer;
}

/**
 * All cryptography over server secrets: code MACs, the phone-number index, message encryption,
 * and the token signing key. The first secret is current; the others are kept only so codes and
 * messages made before a rotation still verify and decrypt.
 */
export class KeyRing {
  readonly #current: KeyGeneration;
  readonly #all: readonly KeyGeneration[];
  /** GCM nonces: 96 fresh random bits each, drawn in blocks. */
  readonly #nonces = new RandomPool();

  constructor(current: string, previous: readonly string[] = []) {
    this.#current = generation(current);
    this.#all = [this.#current, ...previous.map(generation)];
  }

  /** The MAC binds the code to its verification id, so a MAC copied to another row is useless. */
  macCode(verificationId: string, code: string): CodeMac {
    return { keyId: this.#current.id, mac: this.#mac(this.#current.codeKey, verificationId, code) };
  }

  /**
   * The MAC of a submitted code under every active key (current first). The store compares them
   * with the stored MAC in constant time; the stored key id is not trusted to pick the key, so a
   * row cannot steer which key is tried.
   */
  codeCandidates(verificationId: string, code: string): Buffer[] {
    return this.#all.map((g) => this.#mac(g.codeKey, verificationId, code));
  }

  /**
   * A stable keyed index of a phone number, so limits and supersede can find a number's rows
   * without the number itself being the key. Always under the current key: rotating the secret
   * starts fresh per-number counters, which errs towards letting a real user through once.
   */
  phoneIndex(e164: string): Buffer {
    return createHmac('sha256', this.#current.phoneKey).update(e164).digest().subarray(0, 16);
  }

  /** AES-256-GCM; the owner's id is authenticated data, so a body cannot be moved between rows. */
  encrypt(ownerId: string, plaintext: string): Buffer {
    const iv = this.#nonces.take(12);
    const c = createCipheriv('aes-256-gcm', this.#current.messageKey, iv);
    c.setAAD(Buffer.from(ownerId));
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from(this.#current.id, 'hex'), iv, c.getAuthTag(), body]);
  }

  decrypt(ownerId: string, sealed: Buffer): string {
    const keyId = sealed.subarray(0, 4).toString('hex');
    const g = this.#all.find((k) => k.id === keyId);
    if (!g) throw new Error('message sealed under a key that is no longer configured');
    const d = createDecipheriv('aes-256-gcm', g.messageKey, sealed.subarray(4, 16));
    d.setAAD(Buffer.from(ownerId));
    d.setAuthTag(sealed.subarray(16, 32));
    return Buffer.concat([d.update(sealed.subarray(32)), d.final()]).toString('utf8');
  }

  /**
   * A value per active secret, current first: an HMAC of a fixed label under a key of its own, so
   * storing it reveals nothing the other keys protect. A database records the one its processes use;
   * a process whose secrets produce none of it was given the wrong secret and would reject every code.
   */
  keyChecks(): string[] {
    return this.#all.map((g) => g.check);
  }

  get tokenKey(): Uint8Array {
    return this.#current.tokenKey;
  }

  #mac(key: KeyObject, verificationId: string, code: string): Buffer {
    return createHmac('sha256', key).update(verificationId).update('\0').update(code).digest();
  }
}

/** Constant-time comparison of a stored MAC with every candidate; never stops at the first match. */
export function anyMacMatches(stored: Buffer, candidates: readonly Buffer[]): boolean {
  let ok = false;
  for (const c of candidates) {
    if (c.length === stored.length && timingSafeEqual(c, stored)) ok = true;
  }
  return ok;
}

/** API key secrets carry 256 random bits, so one fast hash is enough to store them safely. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
