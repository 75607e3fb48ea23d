import { randomFillSync } from 'node:crypto';

/**
 * CSPRNG bytes drawn in blocks: one randomFillSync per block instead of one system call per id or
 * nonce (a randomBytes(16) per start cost as much as the store's lookup of the recipient). Every
 * byte handed out is fresh and used once.
 */
export class RandomPool {
  readonly #blockSize: number;
  #pool: Buffer;
  #offset: number;

  constructor(blockSize = 12 * 1024) {
    this.#blockSize = blockSize;
    this.#pool = Buffer.alloc(0);
    this.#offset = 0;
  }

  take(n: number): Buffer {
    if (this.#offset + n > this.#pool.length) {
      this.#pool = randomFillSync(Buffer.allocUnsafe(Math.max(this.#blockSize, n)));
      this.#offset = 0;
    }
    const bytes = this.#pool.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return bytes;
  }
}

const ids = new RandomPool(4096);

/** `n` random bytes as hex, for ids. */
export const randomHex = (n: number): string => ids.take(n).toString('hex');

/** `n` random bytes of their own (a copy: safe to keep). */
export const randomBytesOf = (n: number): Buffer => Buffer.from(ids.take(n));
